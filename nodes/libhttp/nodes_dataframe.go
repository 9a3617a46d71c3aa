package libhttp

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"nodetool/egress"
	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
)

func registerDataframe(r *engine.Registry, c *egress.Client) {
	r.Add(&engine.NodeDef{
		Type: "lib.http.DownloadDataframe", Title: "Download Dataframe", ExposeAsTool: true,
		BasicFields: []string{"url", "columns", "file_format"},
		Description: "Downloads a CSV, TSV or JSON table and returns it as a dataframe with the columns given (matched by name, values converted to each column's type: int, float, string, datetime, object). With no columns given the dataframe is empty.",
		Props: []engine.Prop{
			urlProp(),
			engine.P("file_format", "enum(csv, json, tsv)", `"csv"`, "The format of the file: csv, json (a list of objects, or of lists with a header list first) or tsv.").Enum("FileFormat"),
			engine.P("columns", "record_type", `{"type": "record_type", "columns": []}`, "The columns of the dataframe: name and data type of each."),
			engine.P("encoding", "str", `"utf-8"`, "The text encoding of the file (utf-8, utf-16, iso-8859-1, windows-1252, ascii)."),
			engine.P("delimiter", "str", `","`, "The field delimiter of a CSV file (one character)."),
		},
		Outputs: engine.Out("output", "dataframe"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			resp, err := Fetch(ctx, c, egress.Request{URL: in.Str("url")})
			if err != nil {
				return nil, err
			}
			enc := strings.ToLower(strings.TrimSpace(in.Str("encoding")))
			text, ok, err := decode(ctx, resp.Body, enc)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("unknown encoding %q (use utf-8, utf-16, iso-8859-1, windows-1252 or ascii)", clip(enc, 40))
			}
			defs, err := columnDefs(ctx, in.Get("columns"))
			if err != nil {
				return nil, err
			}
			if len(defs) == 0 {
				return engine.Single(dataframe([]any{}, []any{})), nil
			}
			header, rows, err := parseTable(ctx, text, in.Str("file_format"), in.Str("delimiter"))
			if err != nil {
				return nil, err
			}
			data, err := mapColumns(ctx, header, rows, defs)
			if err != nil {
				return nil, err
			}
			cols := make([]any, len(defs))
			for i, d := range defs {
				cols[i] = pyval.DictOf("name", d.name, "data_type", d.typ, "description", d.desc)
			}
			return engine.Single(dataframe(cols, data)), nil
		},
	})
}

// dataframe is NodeTool's DataframeRef: column definitions and rows.
func dataframe(cols, data []any) *pyval.Dict {
	return pyval.DictOf("type", "dataframe", "uri", "", "asset_id", nil, "data", data, "metadata", nil, "columns", cols)
}

type colDef struct{ name, typ, desc string }

// columnDefs reads a RecordType's columns.
func columnDefs(ctx *engine.Ctx, v any) ([]colDef, error) {
	d, _ := v.(*pyval.Dict)
	if d == nil {
		return nil, nil
	}
	cv, _ := d.Get("columns")
	list, _ := cv.([]any)
	if err := ctx.CheckItems(int64(len(list))); err != nil {
		return nil, err
	}
	defs := make([]colDef, 0, len(list))
	for i, item := range list {
		cd, ok := item.(*pyval.Dict)
		if !ok {
			return nil, fmt.Errorf("columns: item %d is %s, not a column definition", i, pyval.TypeName(item))
		}
		defs = append(defs, colDef{cd.Str("name"), cd.Str("data_type"), cd.Str("description")})
	}
	return defs, nil
}

// parseTable reads the header and the rows of a CSV, TSV or JSON table;
// each row and cell is charged to max-value as it is read.
func parseTable(ctx *engine.Ctx, text, format, delim string) ([]any, [][]any, error) {
	switch format {
	case "csv", "tsv":
		comma := '\t'
		if format == "csv" {
			r, n := utf8.DecodeRuneInString(delim)
			if n == 0 || n != len(delim) || r == '"' || r == '\r' || r == '\n' {
				return nil, nil, fmt.Errorf("delimiter must be one character (not a quote or a line break), got %q", clip(delim, 20))
			}
			comma = r
		}
		rows, err := readCSV(ctx, text, comma)
		if err != nil {
			return nil, nil, err
		}
		if len(rows) == 0 {
			return nil, nil, fmt.Errorf("no data found in %s", strings.ToUpper(format))
		}
		return rows[0], rows[1:], nil
	case "json":
		v, err := bounded.ParseJSONText(ctx, text)
		if err != nil {
			return nil, nil, err
		}
		list, _ := v.([]any)
		if len(list) == 0 {
			return nil, nil, errors.New("no data found, or the JSON is not a list of records")
		}
		switch first := list[0].(type) {
		case *pyval.Dict:
			header := make([]any, 0, first.Len())
			for _, k := range first.Keys() {
				header = append(header, k)
			}
			rows := make([][]any, len(list))
			for i, item := range list {
				d, ok := item.(*pyval.Dict)
				if !ok {
					return nil, nil, fmt.Errorf("the JSON list mixes objects with %s (item %d)", pyval.TypeName(item), i)
				}
				if err := ctx.Tick(); err != nil {
					return nil, nil, err
				}
				row := make([]any, len(header))
				for j, k := range header {
					row[j], _ = d.Get(k.(string))
				}
				rows[i] = row
			}
			return header, rows, nil
		case []any:
			rows := make([][]any, 0, len(list)-1)
			for i, item := range list[1:] {
				l, ok := item.([]any)
				if !ok {
					return nil, nil, fmt.Errorf("the JSON list mixes lists with %s (item %d)", pyval.TypeName(item), i+1)
				}
				rows = append(rows, l)
			}
			if len(first) == 0 && len(rows) == 0 {
				return nil, nil, errors.New("the JSON data has no columns and no rows")
			}
			return first, rows, nil
		}
		return nil, nil, errors.New("the JSON data is a list, but its items are neither objects nor lists")
	}
	return nil, nil, fmt.Errorf("unsupported file format %q", clip(format, 20))
}

func readCSV(ctx *engine.Ctx, text string, comma rune) ([][]any, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = comma, true, -1
	var rows [][]any
	var size int64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the CSV: %v", err)
		}
		if err := ctx.Tick(); err != nil {
			return nil, err
		}
		row := make([]any, len(rec))
		size += engine.ItemCost * int64(len(rec)+1)
		for i, f := range rec {
			row[i] = f
			size += int64(len(f))
		}
		if err := ctx.CheckSize(size); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
}

// mapColumns builds the rows of the dataframe: for each definition, the
// file's column of that name (the last one, if repeated), converted.
func mapColumns(ctx *engine.Ctx, header []any, rows [][]any, defs []colDef) ([]any, error) {
	idx := map[string]int{}
	for i, h := range header {
		if s, ok := h.(string); ok {
			idx[s] = i
		} else {
			idx[pyval.Str(h)] = i
		}
	}
	if err := ctx.CheckSize(bounded.MulSize(int64(len(rows)), engine.ItemCost*int64(len(defs)+1))); err != nil {
		return nil, err
	}
	out := make([]any, len(rows))
	for r, row := range rows {
		if err := ctx.Tick(); err != nil {
			return nil, err
		}
		nr := make([]any, len(defs))
		for i, d := range defs {
			j, ok := idx[d.name]
			if !ok || j >= len(row) {
				continue
			}
			v, err := castValue(ctx, row[j], d.typ)
			if err != nil {
				return nil, err
			}
			nr[i] = v
		}
		out[r] = nr
	}
	return out, nil
}

// castValue converts a cell to a column type as NodeTool does: an empty
// text is a missing value for the types other than string and object; a
// value that does not convert is None (for int and float) or stays as it
// is (datetime). A datetime becomes its ISO 8601 text, as NodeTool's
// datetime values are written in JSON.
func castValue(ctx *engine.Ctx, v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok && s == "" && typ != "string" && typ != "object" {
		return nil, nil
	}
	switch typ {
	case "int":
		f, ok := pyFloat(v)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= 1<<63 {
			return nil, nil
		}
		return int64(f), nil
	case "float":
		f, ok := pyFloat(v)
		if !ok {
			return nil, nil
		}
		return f, nil
	case "string":
		return bounded.Str(ctx, v)
	case "datetime":
		switch t := v.(type) {
		case string:
			s := t
			if strings.HasSuffix(s, "Z") {
				s = s[:len(s)-1] + "+00:00"
			}
			if iso, ok := isoDatetime(s); ok {
				return iso, nil
			}
			return t, nil
		case int64, float64, bool:
			f, _ := pyFloat(t)
			if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 253402300799 {
				return v, nil
			}
			sec, frac := math.Modf(f)
			ts := time.Unix(int64(sec), int64(math.Round(frac*1e6))*1000).UTC()
			return pyISO(ts, true), nil
		}
	}
	return v, nil
}

// pyFloat is Python's float() of a cell.
func pyFloat(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	case bool:
		if t {
			return 1, true
		}
		return 0, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
				return f, true // ±Inf, as Python's float("1e999")
			}
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// isoDatetime reads the forms of Python's datetime.fromisoformat that
// tables hold ("2024-01-15", "2024-01-15T10:30:00", with fractions of a
// second and an offset) and writes the datetime as Python's isoformat.
func isoDatetime(s string) (string, bool) {
	layouts := []struct {
		layout string
		tz     bool
	}{
		{"2006-01-02", false},
		{"2006-01-02T15:04", false}, {"2006-01-02 15:04", false},
		{"2006-01-02T15:04:05.999999999", false}, {"2006-01-02 15:04:05.999999999", false},
		{"2006-01-02T15:04:05.999999999-07:00", true}, {"2006-01-02 15:04:05.999999999-07:00", true},
		{"2006-01-02T15:04-07:00", true},
	}
	for _, l := range layouts {
		if t, err := time.Parse(l.layout, s); err == nil {
			return pyISO(t, l.tz), true
		}
	}
	return "", false
}

// pyISO writes t as Python's datetime.isoformat: microseconds only when
// not zero, the offset only for an aware datetime.
func pyISO(t time.Time, aware bool) string {
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	if aware {
		s += t.Format("-07:00")
	}
	return s
}
