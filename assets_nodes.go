package main

import (
	"context"
	"errors"

	"nodetool/editor"
	"nodetool/nodes/media"
	"nodetool/store"
)

// editorAssets lets workflow nodes read the editor's assets (media refs
// naming an asset_id or /api/storage/ID.ext): nodes.Deps.Assets on serve.
type editorAssets struct{ db *store.DB }

func (a editorAssets) ReadAsset(ctx context.Context, user, id string, max int64) ([]byte, error) {
	b, err := editor.ReadAsset(ctx, a.db, user, id, max)
	if errors.Is(err, editor.ErrAssetTooLarge) {
		return nil, &media.TooLargeError{What: "asset " + id, Limit: max}
	}
	return b, err
}
