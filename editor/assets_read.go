package editor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"nodetool/store"
)

// ErrAssetTooLarge is ReadAsset's error for an asset over its bound.
var ErrAssetTooLarge = errors.New("the asset is too large")

// ErrAssetNotFound is ReadAsset's error for an asset that does not exist
// for the user (missing, a folder, or another user's).
var ErrAssetNotFound = errors.New("no such asset")

// ReadAsset returns the content of the user's asset id from db, at most
// max bytes (a larger asset fails with ErrAssetTooLarge before its content
// is read): what workflow nodes read an asset ref's content through.
func ReadAsset(ctx context.Context, db *store.DB, user, id string, max int64) ([]byte, error) {
	data, ok := db.Get(assetKind, id)
	if !ok {
		return nil, ErrAssetNotFound
	}
	var a asset
	if err := json.Unmarshal(data, &a); err != nil || a.UserID != user || a.isFolder() {
		return nil, ErrAssetNotFound
	}
	blobs, err := db.Blobs("assets")
	if err != nil {
		return nil, err
	}
	f, info, err := blobs.OpenRange(ctx, a.blobKey(), store.Range{})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrAssetNotFound
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info.Size > max {
		return nil, fmt.Errorf("%w: %d bytes", ErrAssetTooLarge, info.Size)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, ErrAssetTooLarge
	}
	return b, nil
}

// AssetFile is a file asset (not a folder) as AssetFiles lists it.
type AssetFile struct {
	ID, Name, ContentType string
	Size                  int64 // -1: not recorded
}

// ErrAssetFolderNotFound is AssetFiles' error for a folder that does not
// exist for the user.
var ErrAssetFolderNotFound = errors.New("asset folder not found")

// AssetFiles lists the files directly in the user's asset folder (the
// user id is the home folder, which has no record), oldest first: what
// workflow nodes that load an asset folder read.
func AssetFiles(ctx context.Context, db *store.DB, user, folder string) ([]AssetFile, error) {
	if folder != user {
		data, ok := db.Get(assetKind, folder)
		var a asset
		if !ok || json.Unmarshal(data, &a) != nil || a.UserID != user || !a.isFolder() {
			return nil, fmt.Errorf("%w: %s", ErrAssetFolderNotFound, folder)
		}
	}
	var out []AssetFile
	// Ids sort by creation time: the files come oldest first.
	for _, rec := range db.List(assetKind) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var a asset
		if json.Unmarshal(rec.Data, &a) != nil || a.UserID != user || a.ParentID != folder || a.isFolder() {
			continue
		}
		size := int64(-1)
		if a.Size != nil {
			size = *a.Size
		}
		out = append(out, AssetFile{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: size})
	}
	return out, nil
}
