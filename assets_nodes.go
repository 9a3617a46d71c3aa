package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"nodetool/editor"
	"nodetool/nodes/media"
	"nodetool/nodes/runfiles"
	"nodetool/store"
)

// storeAssets gives the nodes that load asset folders (Load CSV Assets,
// Load JSON Folder, Load Text Assets) read access to the editor's asset
// store: the records of kind "assets" and their content, the blob
// "<id>.<ext>" of the assets bucket (see editor/assets.go). A run sees only
// its user's assets.
type storeAssets struct{ db *store.DB }

// assetRecord holds the fields of the editor's asset record the nodes use.
type assetRecord struct {
	ID          string `json:"id"`
	UserID      string `json:"user_id"`
	ParentID    string `json:"parent_id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        *int64 `json:"size"`
}

func (s storeAssets) Files(ctx context.Context, user, folder string) ([]runfiles.Asset, error) {
	if user == "" {
		return nil, errors.New("the run has no user, so it has no asset folders")
	}
	if folder != user { // the home folder is the user id and has no record
		data, ok := s.db.Get("assets", folder)
		var a assetRecord
		if !ok || json.Unmarshal(data, &a) != nil || a.UserID != user || a.ContentType != "folder" {
			return nil, fmt.Errorf("asset folder %s not found", folder)
		}
	}
	var out []runfiles.Asset
	// Ids sort by creation time: the files come oldest first.
	for _, rec := range s.db.List("assets") {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var a assetRecord
		if json.Unmarshal(rec.Data, &a) != nil || a.UserID != user || a.ParentID != folder || a.ContentType == "folder" {
			continue
		}
		size := int64(-1)
		if a.Size != nil {
			size = *a.Size
		}
		out = append(out, runfiles.Asset{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: size})
	}
	return out, nil
}

func (s storeAssets) Read(ctx context.Context, user, id string, max int64) ([]byte, error) {
	b, err := editor.ReadAsset(ctx, s.db, user, id, max)
	if errors.Is(err, editor.ErrAssetTooLarge) {
		return nil, runfiles.ErrTooLarge
	}
	return b, err
}

// ReadAsset is Read for the media nodes (media.Assets): an asset over max
// is a *media.TooLargeError.
func (s storeAssets) ReadAsset(ctx context.Context, user, id string, max int64) ([]byte, error) {
	b, err := s.Read(ctx, user, id, max)
	if errors.Is(err, runfiles.ErrTooLarge) {
		return nil, &media.TooLargeError{What: "asset " + id, Limit: max}
	}
	return b, err
}
