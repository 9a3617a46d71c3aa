package libjson

import (
	"fmt"
	"strings"

	"nodetool/engine"
	"nodetool/nodes/bounded"
	"nodetool/nodes/runfiles"
)

const defFolder = `{"type": "folder", "uri": "", "asset_id": null, "data": null, "metadata": null}`

// RegisterAssets adds Load JSON Assets, which reads the JSON files of an
// asset folder of the run's user; a, nil, makes it fail saying that this
// process has no asset store.
func RegisterAssets(r *engine.Registry, a runfiles.Assets) {
	r.Add(&engine.NodeDef{
		Type:  "lib.json.LoadJSONAssets",
		Title: "Load JSON Folder",
		// The original asks the store for content type "json", a prefix
		// no JSON file's type (application/json) has; here any type
		// naming json counts.
		Description:     "Streams the parsed JSON files of an asset folder (content types naming json), each with its asset name.",
		Props:           []engine.Prop{engine.P("folder", "folder", defFolder, "The asset folder to load the JSON files from.")},
		Outputs:         engine.Out("json", "dict", "name", "str"),
		StreamingOutput: true,
		Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			files, err := runfiles.FolderFiles(ctx, a, in.Get("folder"), func(f runfiles.Asset) bool {
				return strings.Contains(strings.ToLower(f.ContentType), "json")
			})
			if err != nil {
				return err
			}
			for _, file := range files {
				data, err := runfiles.ReadAsset(ctx, a, file)
				if err != nil {
					return err
				}
				v, err := bounded.DecodeJSON(ctx, data)
				if err != nil {
					if engine.IsLimit(err) {
						return err
					}
					return fmt.Errorf("Invalid JSON in file %s: %v", file.Name, err)
				}
				if err := emit("json", v); err != nil {
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
