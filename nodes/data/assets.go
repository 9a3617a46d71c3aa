package data

import (
	"strings"

	"nodetool/engine"
	"nodetool/nodes/runfiles"
)

// RegisterAssets adds Load CSV Assets, which reads the CSV files of an
// asset folder of the run's user; a, nil, makes it fail saying that this
// process has no asset store.
func RegisterAssets(r *engine.Registry, a runfiles.Assets) {
	r.Add(&engine.NodeDef{
		Type:            "nodetool.data.LoadCSVAssets",
		Title:           "Load CSV Assets",
		Description:     "Streams the CSV files (content type text/csv) of an asset folder as dataframes, read as Import CSV reads them, each with its asset name.",
		Props:           []engine.Prop{engine.P("folder", "folder", defFolder, "The asset folder to load the dataframes from.")},
		Outputs:         engine.Out("dataframe", "dataframe", "name", "str"),
		StreamingOutput: true,
		ExposeAsTool:    true,
		Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			files, err := runfiles.FolderFiles(ctx, a, in.Get("folder"), func(f runfiles.Asset) bool {
				return strings.HasPrefix(f.ContentType, "text/csv")
			})
			if err != nil {
				return err
			}
			for _, file := range files {
				data, err := runfiles.ReadAsset(ctx, a, file)
				if err != nil {
					return err
				}
				f, err := parseCSV(ctx, string(data), ',')
				if err != nil {
					return err
				}
				v, err := f.value(ctx)
				if err != nil {
					return err
				}
				if err := emit("dataframe", v); err != nil {
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
