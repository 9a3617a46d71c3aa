package runfiles

import (
	"context"
	"errors"
	"fmt"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// Asset is a file of NodeTool's asset store as the folder-loading nodes
// see it.
type Asset struct {
	ID          string
	Name        string
	ContentType string
	Size        int64 // bytes; -1 when the store does not know
	// URL is where the server serves the content ("/api/storage/ID.ext"
	// on the editor); "" when the store does not say.
	URL string
}

// Assets reads the asset store of the server a run belongs to (the
// editor's); the process that runs workflows gives it to the node
// families that load asset folders. The run's user is the owner: another
// user's assets do not exist for it.
type Assets interface {
	// Files lists the files (not the folders) directly in folder,
	// in the store's order, that belong to user.
	Files(ctx context.Context, user, folder string) ([]Asset, error)
	// Read returns the content of the user's file asset id, refusing
	// one of more than max bytes without reading it.
	Read(ctx context.Context, user, id string, max int64) ([]byte, error)
}

// ErrTooLarge is what Assets.Read returns for a file over its max.
var ErrTooLarge = errors.New("the asset is larger than allowed")

// FolderFiles lists the files of the folder reference v (a FolderRef
// dict) that keep returns true for, for the node's user; a, nil, means
// this process has no asset store.
func FolderFiles(ctx *engine.Ctx, a Assets, v any, keep func(Asset) bool) ([]Asset, error) {
	d, _ := v.(*pyval.Dict)
	id := ""
	if d != nil {
		id = d.Str("asset_id")
	}
	if id == "" {
		return nil, errors.New("Please select an asset folder.")
	}
	if a == nil {
		return nil, errors.New("asset folders can only be read in workflows the editor (nodetool serve) runs: this process has no asset store")
	}
	files, err := a.Files(ctx, ctx.UserID(), id)
	if err != nil {
		return nil, err
	}
	var out []Asset
	for _, f := range files {
		if err := ctx.Tick(); err != nil {
			return nil, err
		}
		if keep(f) {
			out = append(out, f)
		}
	}
	return out, ctx.CheckItems(int64(len(out)))
}

// ReadAsset reads a file asset within the run's max-value budget.
func ReadAsset(ctx *engine.Ctx, a Assets, f Asset) ([]byte, error) {
	if f.Size >= 0 {
		if err := ctx.CheckSize(f.Size); err != nil {
			return nil, err
		}
	}
	data, err := a.Read(ctx, ctx.UserID(), f.ID, ctx.MaxValue())
	if errors.Is(err, ErrTooLarge) {
		return nil, ctx.CheckSize(ctx.MaxValue() + 1)
	}
	if err != nil {
		return nil, fmt.Errorf("asset %s: %w", f.Name, err)
	}
	return data, ctx.CheckSize(int64(len(data)))
}
