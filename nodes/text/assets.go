package text

import (
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/runfiles"
)

const defFolder = `{"type": "folder", "uri": "", "asset_id": null, "data": null, "metadata": null}`

// RegisterAssets adds Load Text Assets, which reads the text files of an
// asset folder of the run's user; a, nil, makes it fail saying that this
// process has no asset store.
func RegisterAssets(r *engine.Registry, a runfiles.Assets) {
	r.Add(&engine.NodeDef{
		Type:  "nodetool.text.LoadTextAssets",
		Title: "Load Text Assets",
		// The original gives each text as a reference holding only the
		// asset's URL; here the reference names the asset and carries
		// its text, so that the nodes downstream can read it.
		Description:     "Streams the text files (content types text/...) of an asset folder as text references holding their text, each with its asset name.",
		Props:           []engine.Prop{engine.P("folder", "folder", defFolder, "The asset folder to load the text files from.")},
		Outputs:         engine.Out("text", "text", "name", "str"),
		StreamingOutput: true,
		Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			files, err := runfiles.FolderFiles(ctx, a, in.Get("folder"), func(f runfiles.Asset) bool {
				return strings.HasPrefix(f.ContentType, "text")
			})
			if err != nil {
				return err
			}
			for _, file := range files {
				data, err := runfiles.ReadAsset(ctx, a, file)
				if err != nil {
					return err
				}
				ref := pyval.DictOf("type", "text", "uri", "", "asset_id", file.ID, "data", strings.ToValidUTF8(string(data), "\uFFFD"), "metadata", nil)
				if err := emit("text", ref); err != nil {
					return err
				}
				if err := emit("name", file.Name); err != nil {
					return err
				}
			}
			return nil
		},
	})
}
