// Package data holds the nodetool.data nodes: NodeTool's dataframes
// (DataframeRef values) read from CSV and JSON, filtered with pandas query
// conditions, sorted, grouped, pivoted, joined and written back, with the
// column types and row orders pandas gives.
package data

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
	"nodetool/nodes/runfiles"
)

// Fetch reads the body of a URL taken from workflow data, under the
// operator's egress policy, refusing a body over max bytes.
type Fetch func(ctx context.Context, url string, max int64) ([]byte, error)

// Defaults of the catalog.
const (
	defFrame  = `{"type": "dataframe", "uri": "", "asset_id": null, "data": null, "metadata": null, "columns": null}`
	defFolder = `{"type": "folder", "uri": "", "asset_id": null, "data": null, "metadata": null}`
)

// Register adds the nodetool.data nodes. fetch reads URLs for Load CSV
// URL; nil refuses them. (Load CSV Assets, which reads NodeTool's asset
// folders, is added by RegisterAssets.)
func Register(r *engine.Registry, fetch Fetch) {
	registerIO(r, fetch)
	registerRows(r)
	registerColumns(r)
	registerCombine(r)
	registerGroups(r)
}

func frameProp(name, desc string) engine.Prop { return engine.P(name, "dataframe", defFrame, desc) }

// frameIn reads the dataframe of property name.
func frameIn(ctx *engine.Ctx, in *engine.Inputs, name string) (*frame, error) {
	f, err := readFrame(ctx, in.Get(name))
	if err != nil && !engine.IsLimit(err) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, err
}

// single writes f as the node's output.
func single(ctx *engine.Ctx, f *frame) (map[string]any, error) {
	v, err := f.value(ctx)
	if err != nil {
		return nil, err
	}
	return engine.Single(v), nil
}

// registerIO adds the nodes that make dataframes from text, files, lists
// and JSON, and write them out.
func registerIO(r *engine.Registry, fetch Fetch) {
	r.Add(&engine.NodeDef{
		Type:        "nodetool.data.Schema",
		Description: "Defines the columns of a dataframe (name, data type, description) and returns them as a record type.",
		Props:       []engine.Prop{engine.P("columns", "record_type", `{"type": "record_type", "columns": []}`, "The columns to use in the dataframe.")},
		Outputs:     engine.Out("output", "record_type"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(in.Get("columns")), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.ImportCSV",
		Description:  "Reads CSV text into a dataframe, as pandas' read_csv does with its defaults: the first line names the columns, and each column gets the type its values share (int, float, bool, or text, with NA, NaN, null, None and empty cells missing).",
		Props:        []engine.Prop{engine.P("csv_data", "str", `""`, "String input of CSV formatted text.").Titled("CSV Data")},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := parseCSV(ctx, in.Str("csv_data"), ',')
			if err != nil {
				return nil, err
			}
			return single(ctx, f)
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.LoadCSVURL",
		Description:  "Downloads a CSV file (under the server's network policy) and reads it into a dataframe as Import CSV does.",
		Props:        []engine.Prop{engine.P("url", "str", `""`, "The URL of the CSV file to load.")},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			url := strings.TrimSpace(in.Str("url"))
			if url == "" {
				return nil, errors.New("url cannot be empty")
			}
			if fetch == nil {
				return nil, errors.New("this server gives workflows no network access, so Load CSV URL cannot download")
			}
			body, err := fetch(ctx, url, ctx.MaxValue())
			if err != nil {
				return nil, err
			}
			f, err := parseCSV(ctx, string(body), ',')
			if err != nil {
				return nil, err
			}
			return single(ctx, f)
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.LoadCSVFile",
		Title:        "Load CSVFile",
		Description:  "Reads a CSV file of the run's workspace folder into a dataframe as Import CSV does. The path is relative to the workspace and cannot leave it.",
		Props:        []engine.Prop{engine.P("file_path", "str", `""`, "The path to the CSV file to load.")},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			if in.Str("file_path") == "" {
				return nil, errors.New("file_path cannot be empty")
			}
			data, err := runfiles.Read(ctx, "Load CSV File reads", in.Str("file_path"))
			if err != nil {
				return nil, err
			}
			f, err := parseCSV(ctx, string(data), ',')
			if err != nil {
				return nil, err
			}
			return single(ctx, f)
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.FromList",
		Description:  "Makes a dataframe with a row per dict of the list: the columns are every key, in order of first appearance. A dict value contributes its \"value\" entry; lists and other objects become their text.",
		Props:        []engine.Prop{engine.P("values", "list[any]", "[]", "List of values to be converted, each value will be a row.")},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			values := in.List("values")
			rows := make([]*pyval.Dict, len(values))
			for i, v := range values {
				d, ok := v.(*pyval.Dict)
				if !ok {
					return nil, fmt.Errorf("List must contain dicts: item %d is %s", i, pyval.TypeName(v))
				}
				row := pyval.NewDict(d.Len())
				var err error
				d.Range(func(k string, v any) bool {
					switch t := v.(type) {
					case *pyval.Dict:
						var ok bool
						if v, ok = t.Get("value"); !ok {
							err = fmt.Errorf("item %d: the dict under %s has no \"value\" entry", i, pystr.ClipQuote(k))
							return false
						}
					case nil, int64, float64, string, bool:
					default:
						if v, err = bounded.Str(ctx, v); err != nil {
							return false
						}
					}
					row.Set(k, v)
					return true
				})
				if err != nil {
					return nil, err
				}
				rows[i] = row
			}
			f, err := fromRecords(ctx, rows)
			if err != nil {
				return nil, err
			}
			return single(ctx, f)
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.JSONToDataframe",
		Title:        "Convert JSON to DataFrame",
		Description:  "Reads JSON into a dataframe as pd.DataFrame does: a list of objects gives a row per object, a list of lists a row per list (columns 0, 1, ...), an object of lists a column per key.",
		Props:        []engine.Prop{engine.P("text", "str", `""`, "").Titled("JSON")},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			v, err := bounded.ParseJSONText(ctx, in.Str("text"))
			if err != nil {
				return nil, err
			}
			f, err := frameFromJSON(ctx, v)
			if err != nil {
				return nil, err
			}
			return single(ctx, f)
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.ToList",
		Description:  "Returns the rows of a dataframe as a list of dicts (df.to_dict(\"records\")); missing values are None.",
		Props:        []engine.Prop{frameProp("dataframe", "The input dataframe to convert.")},
		Outputs:      engine.Out("output", "list[dict]"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "dataframe")
			if err != nil {
				return nil, err
			}
			recs, err := f.records(ctx)
			if err != nil {
				return nil, err
			}
			return engine.Single(recs), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.data.SaveDataframe",
		Description: "Writes a dataframe as a CSV file (df.to_csv without the index) in the run's workspace folder and returns it. The name may hold strftime codes (%Y, %m, %d, %H, %M, %S). NodeTool stores it as an asset in the folder given; here the folder's asset is not used.",
		Props: []engine.Prop{
			frameProp("df", ""),
			engine.P("folder", "folder", defFolder, "Name of the output folder."),
			engine.P("name", "str", `"output.csv"`, "Name of the output file, with strftime codes (%Y, %m, %d, %H, %M, %S) for the date and time."),
		},
		Outputs:        engine.Out("output", "dataframe"),
		ExposeAsTool:   true,
		RequiredInputs: []string{"df"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "df")
			if err != nil {
				return nil, err
			}
			if err := saveCSV(ctx, f, "Save Dataframe writes", ".", in.Str("name")); err != nil {
				return nil, err
			}
			return single(ctx, f)
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.data.SaveCSVDataframeFile",
		Title:       "Save CSVDataframe File",
		Description: "Writes a dataframe as a CSV file (df.to_csv without the index) in a folder of the run's workspace, which must exist, and returns the dataframe. The file name may hold strftime codes (%Y, %m, %d, %H, %M, %S).",
		Props: []engine.Prop{
			frameProp("dataframe", "DataFrame to write to CSV"),
			engine.P("folder", "str", `""`, "Folder where the file will be saved"),
			engine.P("filename", "str", `""`, "Name of the CSV file to save. Supports strftime format codes."),
		},
		Outputs: engine.Out("output", "dataframe"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			if in.Str("folder") == "" {
				return nil, errors.New("folder cannot be empty")
			}
			if in.Str("filename") == "" {
				return nil, errors.New("filename cannot be empty")
			}
			f, err := frameIn(ctx, in, "dataframe")
			if err != nil {
				return nil, err
			}
			if err := saveCSV(ctx, f, "Save CSV Dataframe File writes", in.Str("folder"), in.Str("filename")); err != nil {
				return nil, err
			}
			return engine.Single(in.Get("dataframe")), nil
		},
	})
}

// saveCSV writes f as CSV under the expanded name in folder of the
// workspace.
func saveCSV(ctx *engine.Ctx, f *frame, what, folder, name string) error {
	text, err := writeCSV(ctx, f)
	if err != nil {
		return err
	}
	_, err = runfiles.Write(ctx, what, folder, runfiles.Name(name, time.Now()), []byte(text))
	return err
}

// frameFromJSON builds a frame from a decoded JSON value as pd.DataFrame
// does.
func frameFromJSON(bud pyval.Budget, v any) (*frame, error) {
	switch t := v.(type) {
	case []any:
		if len(t) == 0 {
			return &frame{}, nil
		}
		switch t[0].(type) {
		case *pyval.Dict:
			rows := make([]*pyval.Dict, len(t))
			for i, x := range t {
				d, ok := x.(*pyval.Dict)
				if !ok {
					return nil, fmt.Errorf("the JSON list mixes objects with %s (item %d)", pyval.TypeName(x), i)
				}
				rows[i] = d
			}
			return fromRecords(bud, rows)
		case []any:
			width := 0
			for i, x := range t {
				l, ok := x.([]any)
				if !ok {
					return nil, fmt.Errorf("the JSON list mixes lists with %s (item %d)", pyval.TypeName(x), i)
				}
				width = max(width, len(l))
			}
			cols := make([]any, width)
			for j := range cols {
				cols[j] = fmt.Sprint(j)
			}
			return readFrame(bud, pyval.DictOf("columns", cols, "data", t))
		}
		rows := make([]any, len(t))
		for i, x := range t {
			if _, ok := x.(*pyval.Dict); ok {
				return nil, fmt.Errorf("the JSON list mixes values with objects (item %d)", i)
			}
			if _, ok := x.([]any); ok {
				return nil, fmt.Errorf("the JSON list mixes values with lists (item %d)", i)
			}
			rows[i] = []any{x}
		}
		return readFrame(bud, pyval.DictOf("columns", []any{"0"}, "data", rows))
	case *pyval.Dict:
		n := -1
		var bad error
		t.Range(func(k string, v any) bool {
			switch c := v.(type) {
			case []any:
				if n >= 0 && len(c) != n {
					bad = errors.New("all arrays must be of the same length")
					return false
				}
				n = len(c)
			case *pyval.Dict:
				bad = fmt.Errorf("column %s is an object: a JSON object of objects (an index per key) is not supported; give a list of objects", pystr.ClipQuote(k))
				return false
			}
			return true
		})
		if bad != nil {
			return nil, bad
		}
		if n < 0 {
			return nil, errors.New("if using all scalar values, you must pass an index: give a list of objects, or an object of lists")
		}
		if err := bud.CheckSize(int64(n) * int64(t.Len()) * cellCost); err != nil {
			return nil, err
		}
		f := &frame{rows: n}
		t.Range(func(k string, v any) bool {
			cells, ok := v.([]any)
			if !ok { // a scalar is repeated down the column
				cells = make([]any, n)
				for i := range cells {
					cells[i] = v
				}
			}
			f.cols = append(f.cols, newColumn(k, cells))
			return true
		})
		return f, nil
	}
	return nil, fmt.Errorf("the JSON is %s: give a list of objects, a list of lists or an object of lists", pyval.TypeName(v))
}
