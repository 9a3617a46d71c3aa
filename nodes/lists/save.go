package lists

import (
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
	"nodetool/nodes/media"
)

// registerSave adds nodetool.list.SaveList: the values, one per line as
// Python's str() prints them, written to a file of the run's workspace
// (the original writes an asset of the user's store).
func registerSave(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:  "nodetool.list.SaveList",
		Title: "Save List",
		Description: "Saves a list to a text file, placing each element on a new line.\n    list, save, file, serialize\n\n    Use cases:\n    - Export list data to a file\n    - Create a simple text-based database\n    - Generate line-separated output" +
			"\n\n    Here the file is written in the run's workspace; the output is a text ref whose uri is the file's path in the workspace.",
		Props: []engine.Prop{
			values(""),
			engine.P("name", "str", `"text.txt"`, "\n        Name of the output file.\n        You can use time and date variables to create unique names:\n        %Y - Year\n        %m - Month\n        %d - Day\n        %H - Hour\n        %M - Minute\n        %S - Second\n        "),
		},
		Outputs:     engine.Out("output", "text"),
		BasicFields: []string{"values", "name"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			var b strings.Builder
			for i, v := range in.List("values") {
				if err := ctx.Tick(); err != nil {
					return nil, err
				}
				s, err := bounded.Str(ctx, v)
				if err != nil {
					return nil, err
				}
				if err := ctx.CheckSize(int64(b.Len() + len(s) + 1)); err != nil {
					return nil, err
				}
				if i > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(s)
			}
			rel, err := media.WriteFile(ctx, ".", media.TimeName(in.Str("name"), time.Now()), []byte(b.String()))
			if err != nil {
				return nil, err
			}
			return engine.Single(pyval.DictOf("type", "text", "uri", rel, "asset_id", nil, "data", nil, "metadata", nil)), nil
		},
	})
}
