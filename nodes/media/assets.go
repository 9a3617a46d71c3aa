package media

import (
	"strings"

	"nodetool/engine"
	"nodetool/nodes/runfiles"
)

// LoadAssets is the Load * Assets nodes (image, audio, video): it lists
// the files of the asset folder ref folder whose content type is kind/...
// through a (the editor's asset store; nil: this process has none, and
// the node fails saying so) and streams each as a ref of kind naming the
// asset (asset_id, and uri the URL the server serves it at), as the
// original does, with its name. The content is not read here: the node
// that uses a ref reads it from the asset store (Sources.Read), within
// its own budget.
func LoadAssets(ctx *engine.Ctx, a runfiles.Assets, folder any, kind string, emit engine.Emit) error {
	files, err := runfiles.FolderFiles(ctx, a, folder, func(f runfiles.Asset) bool {
		return strings.HasPrefix(f.ContentType, kind+"/")
	})
	if err != nil {
		return err
	}
	for _, f := range files {
		ref := Ref(kind, nil)
		ref.Set("data", nil)
		ref.Set("uri", f.URL)
		ref.Set("asset_id", f.ID)
		if err := emit(kind, ref); err != nil {
			return err
		}
		if err := emit("name", f.Name); err != nil {
			return err
		}
	}
	return nil
}
