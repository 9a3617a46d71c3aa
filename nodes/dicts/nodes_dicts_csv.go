package dicts

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/lang/pycsv"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/runfiles"
)

// registerDictCSV adds the nodes that read and write CSV files of the
// run's workspace folder as Python's csv.DictReader and DictWriter do.
func registerDictCSV(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.LoadCSVFile",
		Title:       "Load CSVFile",
		Description: "Reads a CSV file of the run's workspace folder as a list of dicts (csv.DictReader): the first line names the keys, every value is text, a missing field is None. The path is relative to the workspace and cannot leave it.",
		Props:       []engine.Prop{engine.P("path", "str", `""`, "Path to the CSV file to read")},
		Outputs:     engine.Out("output", "list[dict]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			if in.Str("path") == "" {
				return nil, errors.New("path cannot be empty")
			}
			data, err := runfiles.Read(ctx, "Load CSV File reads", in.Str("path"))
			if err != nil {
				return nil, err
			}
			rows, err := readDictCSV(ctx, string(data))
			if err != nil {
				return nil, err
			}
			return engine.Single(rows), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.SaveCSVFile",
		Title:       "Save CSVFile",
		Description: "Writes a list of dicts as a CSV file in a folder of the run's workspace, which must exist (csv.DictWriter): the first dict's keys name the columns, a missing key is an empty field, values are written as Python's str() writes them, lines end in \\r\\n. The file name may hold strftime codes (%Y, %m, %d, %H, %M, %S).",
		Props: []engine.Prop{
			engine.P("data", "list[dict]", "[]", "list of dictionaries to write to CSV"),
			engine.P("folder", "str", `""`, "Folder where the file will be saved"),
			engine.P("filename", "str", `""`, "Name of the CSV file to save. Supports strftime format codes."),
		},
		Outputs: []engine.Output{},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			rows := in.List("data")
			switch {
			case len(rows) == 0:
				return nil, errors.New("'data' field cannot be empty")
			case in.Str("folder") == "":
				return nil, errors.New("folder cannot be empty")
			case in.Str("filename") == "":
				return nil, errors.New("filename cannot be empty")
			}
			text, err := writeDictCSV(ctx, rows)
			if err != nil {
				return nil, err
			}
			_, err = runfiles.Write(ctx, "Save CSV File writes", in.Str("folder"), runfiles.Name(in.Str("filename"), time.Now()), []byte(text))
			return map[string]any{}, err
		},
	})
}

// readDictCSV reads CSV text as list(csv.DictReader(f)), counting every
// field against the budget before it is kept. A record with more fields
// than the header is an error (DictReader files them under the key None,
// which a dict of texts cannot hold).
func readDictCSV(ctx *engine.Ctx, text string) ([]any, error) {
	r := pycsv.NewReader(text, ',')
	size := int64(len(text))
	cost := func() error {
		size += engine.EntryCost
		if size > ctx.MaxValue() {
			return ctx.CheckSize(size)
		}
		return nil
	}
	header, err := r.Next(cost)
	if err != nil || header == nil {
		return []any{}, err
	}
	rows := []any{}
	for {
		if err := ctx.Tick(); err != nil {
			return nil, err
		}
		line := r.Line()
		rec, err := r.Next(cost)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			return rows, nil
		}
		if len(rec) > len(header) {
			return nil, fmt.Errorf("line %d has %d fields, more than the header's %d", line, len(rec), len(header))
		}
		size += pyval.DictCost(len(header)) + engine.ItemCost
		if err := ctx.CheckSize(size); err != nil {
			return nil, err
		}
		d := pyval.NewDict(len(header))
		for i, h := range header {
			if i < len(rec) {
				d.Set(h, rec[i])
			} else {
				d.Set(h, nil)
			}
		}
		rows = append(rows, d)
	}
}

// writeDictCSV writes rows as csv.DictWriter with the first row's keys:
// None as an empty field, floats as repr, other values as str().
func writeDictCSV(ctx *engine.Ctx, rows []any) (string, error) {
	first, ok := rows[0].(*pyval.Dict)
	if !ok {
		return "", fmt.Errorf("data must be a list of dicts: item 0 is %s", pyval.TypeName(rows[0]))
	}
	keys := first.Keys()
	known := map[string]bool{}
	for _, k := range keys {
		known[k] = true
	}
	var b strings.Builder
	line := func(fields []string) error {
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			pycsv.AppendField(&b, f, ',', len(fields) == 1)
		}
		b.WriteString("\r\n")
		if int64(b.Len()) > ctx.MaxValue() {
			return ctx.CheckSize(int64(b.Len()))
		}
		return nil
	}
	if err := line(keys); err != nil {
		return "", err
	}
	fields := make([]string, len(keys))
	for i, item := range rows {
		if err := ctx.Tick(); err != nil {
			return "", err
		}
		d, ok := item.(*pyval.Dict)
		if !ok {
			return "", fmt.Errorf("data must be a list of dicts: item %d is %s", i, pyval.TypeName(item))
		}
		for _, k := range d.Keys() {
			if !known[k] {
				return "", fmt.Errorf("dict contains fields not in fieldnames: %s (item %d)", pystr.ClipQuote(k), i)
			}
		}
		for j, k := range keys {
			v, _ := d.Get(k)
			s, ok := csvText(v, ctx.MaxValue()-int64(b.Len()))
			if !ok {
				return "", ctx.CheckSize(-1)
			}
			fields[j] = s
		}
		if err := line(fields); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// csvText is a value as Python's csv writer writes it: None empty, text
// as is, anything else as str(), at most max bytes.
func csvText(v any, max int64) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "", true
	case string:
		return t, int64(len(t)) <= max
	}
	return pyval.StrLimit(v, int(min(max, math.MaxInt32)))
}
