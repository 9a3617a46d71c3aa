package text

import (
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/media"
)

// registerSave adds nodetool.text.SaveText, which writes into the run's
// workspace (the original writes an asset of the user's asset store).
func registerSave(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:  "nodetool.text.SaveText",
		Title: "Save Text",
		Description: "Saves input text to a file in the assets folder.\n    text, save, file\n\n    Use cases:\n    - Persisting processed text results\n    - Creating text files for downstream nodes or external use\n    - Archiving text data within the workflow" +
			"\n\n    Here the file is written in the run's workspace (in the folder named, created if needed); the output is a text ref whose uri is the file's path in the workspace.",
		Props: []engine.Prop{
			engine.P("text", "str", `""`, ""),
			engine.P("folder", "folder", `{"type": "folder", "uri": "", "asset_id": null, "data": null, "metadata": null}`, "Name of the output folder."),
			engine.P("name", "str", `"%Y-%m-%d-%H-%M-%S.txt"`, "\n        Name of the output file.\n        You can use time and date variables to create unique names:\n        %Y - Year\n        %m - Month\n        %d - Day\n        %H - Hour\n        %M - Minute\n        %S - Second\n        "),
		},
		Outputs:     engine.Out("output", "text"),
		BasicFields: []string{"text", "folder", "name"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			rel, err := media.WriteFile(ctx, media.FolderName(in.Get("folder")), media.TimeName(in.Str("name"), time.Now()), []byte(in.Str("text")))
			if err != nil {
				return nil, err
			}
			return engine.Single(pyval.DictOf("type", "text", "uri", rel, "asset_id", nil, "data", nil, "metadata", nil)), nil
		},
	})
}
