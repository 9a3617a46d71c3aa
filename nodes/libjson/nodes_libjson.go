// Package libjson holds the lib.json nodes: parsing, writing, querying
// (JSONPath), templating and validating (JSON Schema) JSON.
package libjson

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/jsonpath"
	"nodetool/lang/jsonschema"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
	"nodetool/nodes/dicts"
	"nodetool/nodes/text"
)

// The pure lib.json.* nodes (LoadJSONAssets, which reads the asset store,
// is in assets.go). GetJSONPath* read a dotted path ("a.b.0") as NodeTool does;
// a path starting with "$" is a JSONPath expression (see jsonpath.go), an
// addition of this engine.

// Register adds the lib.json nodes.
func Register(r *engine.Registry) {
	text.AddText(r, &engine.NodeDef{
		Type:        "lib.json.ParseDict",
		Description: "Parses JSON text that holds an object into a dictionary.",
		Props:       []engine.Prop{engine.P("json_string", "str", `""`, "The JSON text of an object.")},
		Outputs:     engine.Out("output", "dict"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			v, err := bounded.ParseJSONText(ctx, in.Str("json_string"))
			if err != nil {
				return nil, err
			}
			if _, ok := v.(*pyval.Dict); !ok {
				return nil, fmt.Errorf("the JSON must be an object ({...}), got %s", jsonKind(v))
			}
			return engine.Single(v), nil
		},
	})
	text.AddText(r, &engine.NodeDef{
		Type:        "lib.json.ParseList",
		Description: "Parses JSON text that holds an array into a list.",
		Props:       []engine.Prop{engine.P("json_string", "str", `""`, "The JSON text of an array.")},
		Outputs:     engine.Out("output", "list"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			v, err := bounded.ParseJSONText(ctx, in.Str("json_string"))
			if err != nil {
				return nil, err
			}
			if _, ok := v.([]any); !ok {
				return nil, fmt.Errorf("the JSON must be an array ([...]), got %s", jsonKind(v))
			}
			return engine.Single(v), nil
		},
	})
	text.AddText(r, &engine.NodeDef{
		Type:        "lib.json.StringifyJSON",
		Description: "Writes a value as JSON text, indented by the given number of spaces. Non-ASCII characters are escaped (\\u00e9), as Python's json.dumps does.",
		Props: []engine.Prop{
			engine.P("data", "any", `{}`, "The value to write."),
			engine.P("indent", "int", `2`, "Spaces per indentation level; 0 puts each item on its own line without indentation."),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			// Python treats a negative indent as 0.
			s, err := bounded.Dumps(ctx, in.Get("data"), pyval.DumpOptions{Indent: dicts.JSONIndent(in.Int("indent")), EnsureASCII: true})
			if err != nil {
				return nil, err
			}
			return engine.Single(s), nil
		},
	})
	pathProps := func(typ, def, desc string) []engine.Prop {
		return []engine.Prop{
			engine.P("data", "any", `{}`, "The JSON value (object or list) to read from."),
			engine.P("path", "str", `""`, `The path to the value: keys and list indexes separated by dots ("a.b.0"), or a JSONPath starting with $.`),
			engine.P("default", typ, def, desc),
		}
	}
	getPath := func(typ, def, desc string, conv func(*engine.Ctx, any) (any, error)) {
		name := map[string]string{"str": "Str", "int": "Int", "float": "Float", "bool": "Bool", "list": "List", "dict": "Dict"}[typ]
		text.AddText(r, &engine.NodeDef{
			Type:        "lib.json.GetJSONPath" + name,
			Title:       "Get JSONPath " + name,
			Description: fmt.Sprintf("Reads the value at a path in JSON data as %s, or returns the default when nothing is there.", map[string]string{"str": "text", "int": "an integer", "float": "a number", "bool": "a boolean", "list": "a list", "dict": "a dictionary"}[typ]),
			Props:       pathProps(typ, def, desc),
			Outputs:     engine.Out("output", typ),
			Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				v, found, err := jsonpath.Lookup(ctx, in.Get("data"), in.Str("path"))
				if err != nil {
					return nil, err
				}
				if !found {
					def, err := bounded.Clone(ctx, in.Get("default"))
					if err != nil {
						return nil, err
					}
					return engine.Single(def), nil
				}
				out, err := conv(ctx, v)
				if err != nil {
					if engine.IsLimit(err) || ctx.Err() != nil {
						return nil, err
					}
					return nil, fmt.Errorf("the value at %q %v", pystr.ClipCount(in.Str("path"), 200), err)
				}
				return engine.Single(out), nil
			},
		})
	}
	getPath("str", `""`, "The text returned when the path is not found.", func(ctx *engine.Ctx, v any) (any, error) { return bounded.Str(ctx, v) })
	getPath("int", `0`, "The integer returned when the path is not found.", func(_ *engine.Ctx, v any) (any, error) { return pyInt(v) })
	getPath("float", `0.0`, "The number returned when the path is not found.", func(_ *engine.Ctx, v any) (any, error) { return pyFloat(v) })
	getPath("bool", `false`, "The boolean returned when the path is not found.", func(_ *engine.Ctx, v any) (any, error) { return pyval.Truthy(v), nil })
	getPath("list", `[]`, "The list returned when the path is not found.", pyList)
	getPath("dict", `{}`, "The dictionary returned when the path is not found.", pyDict)

	text.AddText(r, &engine.NodeDef{
		Type:        "lib.json.ValidateJSON",
		Description: "Tells whether a value is valid under a JSON Schema (Draft 2020-12 keywords; formats are not checked). An invalid schema is an error.",
		Props: []engine.Prop{
			engine.P("data", "any", `{}`, "The value to check."),
			engine.P("json_schema", "dict", `{}`, "The JSON Schema."),
		},
		Outputs: engine.Out("output", "bool"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			schema := in.Get("json_schema")
			if schema == nil {
				schema = pyval.NewDict(0)
			}
			ok, err := jsonschema.Validate(ctx, in.Get("data"), schema)
			return engine.Single(ok), err
		},
	})
	text.AddText(r, &engine.NodeDef{
		Type:        "lib.json.FilterJSON",
		Description: "Keeps the objects of a list whose value under a key equals the given value.",
		Props: []engine.Prop{
			engine.P("array", "list[dict]", `[]`, "The objects to filter."),
			engine.P("key", "str", `""`, "The key to compare."),
			engine.P("value", "any", `{}`, "The value the key must have."),
		},
		Outputs: engine.Out("output", "list[dict]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			key, want := in.Str("key"), in.Get("value")
			out := []any{}
			for _, item := range in.List("array") {
				d, ok := item.(*pyval.Dict)
				if !ok {
					return nil, fmt.Errorf("array items must be objects, got %s", pyval.TypeName(item))
				}
				v, _ := d.Get(key)
				eq, err := pyval.EqualWithin(ctx, v, want)
				if err != nil {
					return nil, err
				}
				if eq {
					out = append(out, item)
				}
			}
			return engine.Single(out), nil
		},
	})
	text.AddText(r, &engine.NodeDef{
		Type:        "lib.json.JSONTemplate",
		Title:       "JSON Template",
		Description: `Fills $name placeholders in JSON text from a dictionary and parses the result into an object. "$name" in quotes becomes the value itself (number, object, ...); inside a longer text it becomes the value's text.`,
		Props: []engine.Prop{
			engine.P("template", "str", `""`, `The JSON text with $name placeholders, e.g. {"name": "$user", "age": "$age"}.`),
			engine.P("values", "dict[str, any]", `{}`, "The values for the placeholders, by name."),
		},
		Outputs: engine.Out("output", "dict"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			res, err := fillJSONTemplate(ctx, in.Str("template"), in.Dict("values"))
			if err != nil {
				return nil, err
			}
			v, err := bounded.ParseJSONText(ctx, res)
			if err != nil {
				if engine.IsLimit(err) || ctx.Err() != nil {
					return nil, err
				}
				return nil, fmt.Errorf("the filled-in template is not valid JSON (%v): %s", err, pystr.ClipCount(res, 1000))
			}
			if _, ok := v.(*pyval.Dict); !ok {
				return nil, fmt.Errorf("the filled-in template must be a JSON object, got %s", jsonKind(v))
			}
			return engine.Single(v), nil
		},
	})
}

// fillJSONTemplate replaces the $name placeholders of a JSON template: for
// each value in order, "$name" (quoted) by its JSON, then $name by its JSON
// (a string's without the quotes). The text each replacement makes is
// sized before it is built.
func fillJSONTemplate(ctx *engine.Ctx, res string, vals *pyval.Dict) (string, error) {
	var err error
	replace := func(old, repl string) bool {
		if err = ctx.Check(); err != nil {
			return false
		}
		n := int64(strings.Count(res, old))
		if n == 0 {
			return true
		}
		grow := int64(len(repl)) - int64(len(old))
		if grow > 0 && n > (ctx.MaxValue()-int64(len(res)))/grow {
			err = ctx.CheckSize(-1)
			return false
		}
		if err = ctx.CheckSize(int64(len(res)) + n*grow); err != nil {
			return false
		}
		res = strings.ReplaceAll(res, old, repl)
		return true
	}
	vals.Range(func(k string, v any) bool {
		var js string
		if js, err = bounded.Dumps(ctx, v, pyval.DumpOptions{Indent: -1, EnsureASCII: true}); err != nil {
			return false
		}
		if !replace(`"$`+k+`"`, js) {
			return false
		}
		repl := js
		if _, isStr := v.(string); isStr {
			repl = js[1 : len(js)-1]
		}
		return replace("$"+k, repl)
	})
	return res, err
}

// jsonKind names a decoded JSON value's kind for error messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case int64, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case *pyval.Dict:
		return "an object"
	}
	return pyval.TypeName(v)
}

// pyInt converts like Python's int(): numbers truncate toward zero,
// booleans give 0 or 1, text must be a whole number.
func pyInt(v any) (any, error) {
	switch t := v.(type) {
	case int64:
		return t, nil
	case bool:
		if t {
			return int64(1), nil
		}
		return int64(0), nil
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) || math.Abs(t) >= 1<<63 {
			return nil, fmt.Errorf("is %s, which does not fit an integer", pyval.FormatFloat(t))
		}
		return int64(t), nil
	case string:
		n, err := pystr.ParseInt(t)
		if err != nil {
			return nil, fmt.Errorf("is %s, which is not a whole number", pyval.Repr(t))
		}
		return n, nil
	}
	return nil, fmt.Errorf("is %s, which cannot be converted to an integer", jsonKind(v))
}

// pyFloat converts like Python's float(); NaN and infinity are refused.
func pyFloat(v any) (any, error) {
	switch t := v.(type) {
	case int64:
		return float64(t), nil
	case float64:
		return t, nil
	case bool:
		if t {
			return 1.0, nil
		}
		return 0.0, nil
	case string:
		s := strings.ToLower(pystr.Strip(t))
		clean := strings.ReplaceAll(s, "_", "")
		bad := strings.HasPrefix(strings.TrimLeft(s, "+-"), "0x") || strings.Contains(s, "__") ||
			strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_")
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil || bad {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, fmt.Errorf("is %s, which is out of range for a number", pyval.Repr(t))
			}
			return nil, fmt.Errorf("is %s, which is not a number", pyval.Repr(t))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("is %s; NaN and infinity are not supported", pyval.Repr(t))
		}
		return f, nil
	}
	return nil, fmt.Errorf("is %s, which cannot be converted to a number", jsonKind(v))
}

// pyList converts like Python's list(): a list is copied, a dict gives its
// keys, a text its characters.
func pyList(ctx *engine.Ctx, v any) (any, error) {
	switch t := v.(type) {
	case []any:
		return append([]any{}, t...), nil
	case *pyval.Dict:
		return text.StringsToList(t.Keys()), nil
	case string:
		n := int64(utf8.RuneCountInString(t))
		if err := ctx.CheckSize(n*engine.ItemCost + int64(len(t))); err != nil {
			return nil, err
		}
		out := make([]any, 0, n)
		for _, r := range t {
			out = append(out, string(r))
		}
		return out, nil
	}
	return nil, fmt.Errorf("is %s, which cannot be converted to a list", jsonKind(v))
}

// pyDict converts like Python's dict(): a dict is copied; a list must hold
// [key, value] pairs (keys that are not text are written as JSON writes
// them).
func pyDict(ctx *engine.Ctx, v any) (any, error) {
	switch t := v.(type) {
	case *pyval.Dict:
		return t.Copy(), nil
	case string:
		if t == "" {
			return pyval.NewDict(0), nil
		}
		return nil, fmt.Errorf("is a string, which cannot be converted to a dictionary")
	case []any:
		if err := bounded.CheckEntries(ctx, int64(len(t))); err != nil {
			return nil, err
		}
		d := pyval.NewDict(len(t))
		for i, item := range t {
			var pair []any
			switch p := item.(type) {
			case []any:
				pair = p
			case string:
				if n := utf8.RuneCountInString(p); n != 2 {
					return nil, fmt.Errorf("cannot be converted to a dictionary: item %d has %d elements, not 2", i, n)
				}
				for _, r := range p {
					pair = append(pair, string(r))
				}
			case *pyval.Dict:
				if p.Len() != 2 {
					return nil, fmt.Errorf("cannot be converted to a dictionary: item %d has %d elements, not 2", i, p.Len())
				}
				pair = text.StringsToList(p.Keys())
			default:
				return nil, fmt.Errorf("cannot be converted to a dictionary: item %d is %s, not a [key, value] pair", i, jsonKind(item))
			}
			if len(pair) != 2 {
				return nil, fmt.Errorf("cannot be converted to a dictionary: item %d has %d elements, not 2", i, len(pair))
			}
			var key string
			switch k := pair[0].(type) {
			case string:
				key = k
			case []any, *pyval.Dict:
				return nil, fmt.Errorf("cannot be converted to a dictionary: the key of item %d is %s", i, jsonKind(k))
			default:
				key = pyval.Dumps(k, pyval.DumpOptions{Indent: -1})
			}
			d.Set(key, pair[1])
		}
		return d, nil
	}
	return nil, fmt.Errorf("is %s, which cannot be converted to a dictionary", jsonKind(v))
}
