package main

import (
	"context"
	"errors"
	"fmt"

	"nodetool/editor"
	"nodetool/httpapi"
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

func (s storeAssets) Files(ctx context.Context, user, folder string) ([]runfiles.Asset, error) {
	if user == "" {
		return nil, errors.New("the run has no user, so it has no asset folders")
	}
	files, err := editor.AssetFiles(ctx, s.db, user, folder)
	if errors.Is(err, editor.ErrAssetFolderNotFound) {
		return nil, fmt.Errorf("asset folder %s not found", folder)
	}
	if err != nil {
		return nil, err
	}
	out := make([]runfiles.Asset, len(files))
	for i, f := range files {
		out[i] = runfiles.Asset{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size,
			URL: "/api/storage/" + f.ID + "." + httpapi.Extension(f.ContentType)}
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
