// Package dicts holds the nodetool.dictionary nodes: building, reading,
// filtering and querying dicts, and writing them as JSON or YAML.
package dicts

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/pyre"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
	"nodetool/nodes/lists"
)

// Register adds the nodetool.dictionary nodes.
func Register(r *engine.Registry) {
	dictionary := func(desc string) engine.Prop { return engine.P("dictionary", "dict[str, any]", "{}", desc) }
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.GetValue",
		Description: "Returns the value stored under a key, or the default when the key is missing.",
		Props: []engine.Prop{
			dictionary("The dictionary to read."),
			engine.P("key", "str", `""`, "The key to look up."),
			engine.P("default", "any", "[]", "The value returned when the key is missing."),
		},
		Outputs: engine.Out("output", "any"),
		Layout:  "small",
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			if v, ok := in.Dict("dictionary").Get(in.Str("key")); ok {
				return engine.Single(v), nil
			}
			return engine.Single(in.Get("default")), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.Update",
		Description: "Returns a copy of the dictionary with the new pairs added; a new value replaces the old one under the same key.",
		Props: []engine.Prop{
			dictionary("The dictionary to start from."),
			engine.P("new_pairs", "dict[str, any]", "{}", "The keys and values to add or replace."),
		},
		Outputs: engine.Out("output", "dict[str, any]"),
		Layout:  "small",
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return dictMerge(ctx, in.Dict("dictionary"), in.Dict("new_pairs"))
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.Remove",
		Description: "Returns a copy of the dictionary without the key; a missing key is not an error.",
		Props:       []engine.Prop{dictionary("The dictionary to start from."), engine.P("key", "str", `""`, "The key to remove.")},
		Outputs:     engine.Out("output", "dict[str, any]"),
		Layout:      "small",
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			out := in.Dict("dictionary").Copy()
			out.Delete(in.Str("key"))
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.ParseJSON",
		Title:       "Parse JSON",
		Description: "Reads a JSON object from text.",
		Props:       []engine.Prop{engine.P("json_string", "str", `""`, "The JSON text; it must hold an object.")},
		Outputs:     engine.Out("output", "dict[str, any]"),
		Layout:      "small",
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			src := in.Str("json_string")
			if strings.TrimSpace(src) == "" {
				return nil, fmt.Errorf("json_string is empty; give a JSON object such as {\"key\": \"value\"}")
			}
			v, err := bounded.DecodeJSON(ctx, []byte(src))
			if err != nil {
				if engine.IsLimit(err) || ctx.Err() != nil {
					return nil, err
				}
				return nil, fmt.Errorf("json_string is not valid JSON: %v", err)
			}
			d, ok := v.(*pyval.Dict)
			if !ok {
				return nil, fmt.Errorf("input JSON is not a dictionary: it holds %s %s, and this node needs an object ({...})", lists.ListArticle(pyval.TypeName(v)), pyval.TypeName(v))
			}
			return engine.Single(d), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.Zip",
		Description: "Builds a dictionary by pairing each key with the value at the same position; extra items of the longer list are ignored. Keys that are not text become their text form.",
		Props:       []engine.Prop{engine.P("keys", "list[any]", "[]", "The keys."), engine.P("values", "list[any]", "[]", "The values, in the same order as the keys.")},
		Outputs:     engine.Out("output", "dict[any, any]"),
		Layout:      "small",
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			keys, values := in.List("keys"), in.List("values")
			n := min(len(keys), len(values))
			if err := bounded.CheckEntries(ctx, int64(n)); err != nil {
				return nil, err
			}
			out := pyval.NewDict(n)
			for i := range n {
				k, err := bounded.Str(ctx, keys[i])
				if err != nil {
					return nil, err
				}
				out.Set(k, values[i])
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.Combine",
		Description: "Merges two dictionaries into a new one; where both have a key, the second one's value wins.",
		Props: []engine.Prop{
			engine.P("dict_a", "dict[str, any]", "{}", "The first dictionary."),
			engine.P("dict_b", "dict[str, any]", "{}", "The second dictionary; its values take precedence."),
		},
		Outputs: engine.Out("output", "dict[str, any]"),
		Layout:  "small",
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return dictMerge(ctx, in.Dict("dict_a"), in.Dict("dict_b"))
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.Filter",
		Description: "Keeps only the listed keys that the dictionary has, in the order listed.",
		Props:       []engine.Prop{dictionary("The dictionary to filter."), engine.P("keys", "list[str]", "[]", "The keys to keep.")},
		Outputs:     engine.Out("output", "dict[str, any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			d := in.Dict("dictionary")
			out := pyval.NewDict(0)
			for _, k := range in.List("keys") {
				ks, _ := k.(string)
				if v, ok := d.Get(ks); ok {
					out.Set(ks, v)
				}
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.ReduceDictionaries",
		Description: "Turns a list of records into one dictionary keyed by a field of each record; the value is another field, or the rest of the record.",
		Props: []engine.Prop{
			engine.P("dictionaries", "list[dict[str, any]]", "[]", "The records."),
			engine.P("key_field", "str", `""`, "The field whose value becomes the key."),
			engine.P("value_field", "str", `""`, "The field whose value becomes the value; empty keeps the whole record without the key field."),
			engine.P("conflict_resolution", "enum(first, last, error)", `"first"`, "What to do when two records have the same key.").Enum("ConflictResolution"),
		},
		Outputs:     engine.Out("output", "dict[any, any]"),
		BasicFields: []string{"dictionaries", "key_field", "value_field", "conflict_resolution"},
		Process:     reduceDictionaries,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.MakeDictionary",
		Description: "Builds a dictionary from the node's own inputs: add an input per key.",
		Outputs:     engine.Out("output", "dict[str, any]"),
		Layout:      "small",
		Dynamic:     true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(in.Dynamic().Copy()), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.ArgMax",
		Description: "Returns the key with the largest value; on a tie, the first such key.",
		Props:       []engine.Prop{engine.P("scores", "dict[str, float]", "{}", "Labels mapped to their scores.")},
		Outputs:     engine.Out("output", "str"),
		Layout:      "small",
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			scores := in.Dict("scores")
			if scores.Len() == 0 {
				return nil, fmt.Errorf("scores is empty; give at least one label with a score")
			}
			best, bestKey := any(nil), ""
			var err error
			scores.Range(func(k string, v any) bool {
				if _, ok := pyval.AsNumber(v); !ok {
					err = fmt.Errorf("the score of %q is %s %s, not a number", k, lists.ListArticle(pyval.TypeName(v)), pyval.TypeName(v))
					return false
				}
				if c, _ := pyval.Compare(v, best); best == nil || c > 0 {
					best, bestKey = v, k
				}
				return true
			})
			if err != nil {
				return nil, err
			}
			return engine.Single(bestKey), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.ToJSON",
		Title:       "To JSON",
		Description: "Writes the dictionary as one-line JSON text, as Python's json.dumps does (non-ASCII characters escaped).",
		Props:       []engine.Prop{dictionary("The dictionary to write.")},
		Outputs:     engine.Out("output", "str"),
		Layout:      "small",
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s, err := bounded.Dumps(ctx, in.Dict("dictionary"), pyval.DumpOptions{Indent: -1, EnsureASCII: true})
			if err != nil {
				return nil, err
			}
			return engine.Single(s), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.ToYAML",
		Title:       "To YAML",
		Description: "Writes the dictionary as YAML text in block style with sorted keys, as PyYAML's yaml.dump does.",
		Props:       []engine.Prop{dictionary("The dictionary to write.")},
		Outputs:     engine.Out("output", "str"),
		Layout:      "small",
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s, err := dictToYAML(ctx, in.Dict("dictionary"))
			if err != nil {
				return nil, err
			}
			return engine.Single(s), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.SaveJSON",
		Title:       "Save JSON",
		Description: "Returns the data as indented JSON text. Writing it to a folder is not supported by this engine.",
		Props: []engine.Prop{
			engine.P("data", "any", "{}", "The data to write (a dictionary or a list)."),
			engine.P("folder", "str", `""`, "Must stay empty: this engine does not write files."),
			engine.P("name", "str", `"%Y-%m-%d-%H-%M-%S.json"`, "The file name the original would use; unused while folder is empty."),
			engine.P("indent", "int", "2", "Spaces per indentation level."),
		},
		Outputs:        engine.Out("output", "str"),
		BasicFields:    []string{"data", "folder", "name", "indent"},
		ExposeAsTool:   true,
		RequiredInputs: []string{"data"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			if in.Str("folder") != "" {
				return nil, fmt.Errorf("writing files is not supported by this engine: leave folder empty to get the JSON text as the output")
			}
			s, err := bounded.Dumps(ctx, in.Get("data"), pyval.DumpOptions{Indent: JSONIndent(in.Int("indent")), EnsureASCII: true})
			if err != nil {
				return nil, err
			}
			return engine.Single(s), nil
		},
	})
	registerDictFilters(r)
	registerDictCSV(r)
}

// dictMerge returns a new dict with the pairs of a, then those of b.
func dictMerge(ctx *engine.Ctx, a, b *pyval.Dict) (map[string]any, error) {
	if err := bounded.CheckEntries(ctx, int64(a.Len())+int64(b.Len())); err != nil {
		return nil, err
	}
	out := a.Copy()
	b.Range(func(k string, v any) bool { out.Set(k, v); return true })
	return engine.Single(out), nil
}

// jsonIndent is an indent property as Python's json.dumps takes it: a
// negative indent counts as 0. Indents past the int range stay huge (the
// size check refuses them).
func JSONIndent(n int64) int {
	return int(min(max(n, 0), math.MaxInt32))
}

func reduceDictionaries(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	keyField, valueField := in.Str("key_field"), in.Str("value_field")
	list := in.List("dictionaries")
	// The result has an entry per record and, without a value field, a
	// copy of each record: size it before building it.
	entries := int64(len(list))
	if valueField == "" {
		for _, item := range list {
			if d, ok := item.(*pyval.Dict); ok {
				entries += int64(d.Len())
			}
			if entries > ctx.MaxValue()/engine.EntryCost {
				break
			}
		}
	}
	if err := bounded.CheckEntries(ctx, entries); err != nil {
		return nil, err
	}
	out := pyval.NewDict(len(list))
	for i, item := range list {
		d, ok := item.(*pyval.Dict)
		if !ok {
			return nil, fmt.Errorf("item %d of dictionaries is %s %s, not a dictionary", i, lists.ListArticle(pyval.TypeName(item)), pyval.TypeName(item))
		}
		kv, ok := d.Get(keyField)
		if !ok {
			return nil, fmt.Errorf("key field %q is not in dictionary %d (its keys: %s)", keyField, i, dictKeyList(d))
		}
		var value any
		if valueField != "" {
			if value, ok = d.Get(valueField); !ok {
				return nil, fmt.Errorf("value field %q is not in dictionary %d (its keys: %s)", valueField, i, dictKeyList(d))
			}
		} else {
			rest := d.Copy()
			rest.Delete(keyField)
			value = rest
		}
		key, err := bounded.Str(ctx, kv)
		if err != nil {
			return nil, err
		}
		if out.Has(key) {
			switch in.Str("conflict_resolution") {
			case "first":
				continue
			case "error":
				return nil, fmt.Errorf("duplicate key %q (dictionary %d); set conflict_resolution to first or last to allow it", key, i)
			}
		}
		out.Set(key, value)
	}
	return engine.Single(out), nil
}

// dictKeyList lists a dict's keys for an error message, at most ten.
func dictKeyList(d *pyval.Dict) string {
	if d.Len() == 0 {
		return "none"
	}
	var keys []string
	for _, k := range d.Keys() {
		if len(keys) == 10 {
			keys = append(keys, fmt.Sprintf("and %d more", d.Len()-10))
			break
		}
		keys = append(keys, pystr.ClipCount(strconv.Quote(k), 100))
	}
	return strings.Join(keys, ", ")
}

func registerDictFilters(r *engine.Registry) {
	value := engine.P("value", "dict", "{}", "The dictionaries to filter, one at a time.")
	key := engine.P("key", "str", `""`, "The key whose value is tested; dictionaries without it are dropped.")
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.FilterDictByValue",
		Description: "Passes on the dictionaries whose value under key matches: its text contains, starts with, ends with or equals the criteria, its type name is the criteria, or its length compares with the criteria.",
		Props: []engine.Prop{
			value, key,
			engine.P("filter_type", "enum(contains, starts_with, ends_with, equals, type_is, length_greater, length_less, exact_length)", `"contains"`, "How to test the value.").Enum("FilterType"),
			engine.P("criteria", "str", `""`, "The text to look for, a type name (str, int, float, bool, list, dict, NoneType) or a length."),
		},
		Outputs:         engine.Out("output", "dict"),
		BasicFields:     []string{"value", "key", "filter_type", "criteria"},
		StreamingOutput: true,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			return runDictFilter(ctx, in, inbox, emit, []string{"key", "filter_type", "criteria"}, func(d *pyval.Dict) (bool, error) {
				v, ok := d.Get(in.Str("key"))
				if !ok {
					return false, nil
				}
				return dictValueMatches(ctx, v, in.Str("filter_type"), in.Str("criteria"))
			})
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.FilterDictByRange",
		Description: "Passes on the dictionaries whose number under key lies between min_value and max_value.",
		Props: []engine.Prop{
			value, key,
			engine.P("min_value", "float", "0", "The lower bound."),
			engine.P("max_value", "float", "0", "The upper bound."),
			engine.P("inclusive", "bool", "true", "Whether the bounds themselves pass."),
		},
		Outputs:         engine.Out("output", "dict"),
		BasicFields:     []string{"value", "key", "min_value", "max_value", "inclusive"},
		StreamingOutput: true,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			return runDictFilter(ctx, in, inbox, emit, []string{"key", "min_value", "max_value", "inclusive"}, func(d *pyval.Dict) (bool, error) {
				v, ok := d.Get(in.Str("key"))
				if _, num := pyval.AsNumber(v); !ok || !num {
					return false, nil
				}
				lo, _ := pyval.Compare(in.Get("min_value"), v)
				hi, _ := pyval.Compare(v, in.Get("max_value"))
				if in.Bool("inclusive") {
					return lo <= 0 && hi <= 0, nil
				}
				return lo < 0 && hi < 0, nil
			})
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.FilterDictByNumber",
		Description: "Passes on the dictionaries whose number under key is greater than, less than or equal to compare_value, even, odd, positive or negative. Even and odd apply to whole numbers only.",
		Props: []engine.Prop{
			value, key,
			engine.P("filter_type", "enum(greater_than, less_than, equal_to, even, odd, positive, negative)", `"greater_than"`, "The test to apply.").Enum("FilterDictNumberType"),
			engine.P("compare_value", "float", "0", "The number to compare with."),
		},
		Outputs:         engine.Out("output", "dict"),
		BasicFields:     []string{"value", "key", "filter_type", "compare_value"},
		StreamingOutput: true,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			return runDictFilter(ctx, in, inbox, emit, []string{"key", "filter_type", "compare_value"}, func(d *pyval.Dict) (bool, error) {
				v, ok := d.Get(in.Str("key"))
				if _, num := pyval.AsNumber(v); !ok || !num {
					return false, nil
				}
				return dictNumberMatches(v, in.Str("filter_type"), in.Get("compare_value")), nil
			})
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.FilterDictRegex",
		Description: "Passes on the dictionaries whose value under key, as text, matches a regular expression (anywhere, or as a whole with full_match).",
		Props: []engine.Prop{
			value, key,
			engine.P("pattern", "str", `""`, "The regular expression (Python syntax; look-around and backreferences are not supported)."),
			engine.P("full_match", "bool", "false", "Whether the whole text must match, rather than a part of it."),
		},
		Outputs:         engine.Out("output", "dict"),
		BasicFields:     []string{"value", "key", "pattern", "full_match"},
		StreamingOutput: true,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			var cached string
			var re *pyre.Regex
			var reErr error
			compiled := false
			return runDictFilter(ctx, in, inbox, emit, []string{"key", "pattern", "full_match"}, func(d *pyval.Dict) (bool, error) {
				v, ok := d.Get(in.Str("key"))
				if !ok {
					return false, nil
				}
				if p := in.Str("pattern"); !compiled || p != cached {
					cached, compiled = p, true
					re, reErr = pyre.Compile(p, pyre.Flags{})
				}
				if reErr != nil {
					return false, reErr
				}
				s, err := bounded.Str(ctx, v)
				if err != nil {
					return false, err
				}
				if in.Bool("full_match") {
					return re.FullMatch(s), nil
				}
				return re.Search(s) != nil, nil
			})
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.dictionary.FilterDictByQuery",
		Description: "Passes on the dictionaries for which a pandas-style query holds, such as `age >= 18 and country in [\"DE\", \"FR\"]`. An empty query passes everything.",
		Props: []engine.Prop{
			value,
			engine.P("condition", "str", `""`, "The query: comparisons (== != < > <= >=), and/or/not, in/not in lists; keys are names (or `quoted names` with backticks)."),
		},
		Outputs:         engine.Out("output", "dict"),
		StreamingOutput: true,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			var cached string
			var q *dictQuery
			var qErr error
			compiled := false
			return runDictFilter(ctx, in, inbox, emit, []string{"condition"}, func(d *pyval.Dict) (bool, error) {
				cond := in.Str("condition")
				if strings.TrimSpace(cond) == "" {
					return true, nil
				}
				if !compiled || cond != cached {
					cached, compiled = cond, true
					q, qErr = parseDictQuery(ctx, cond)
				}
				if qErr != nil {
					return false, qErr
				}
				return q.match(ctx, d)
			})
		},
	})
}

// runDictFilter drives a streaming dict filter: it passes on each dict
// arriving on "value" for which keep reports true. Values on the other
// handles (config) replace the node's settings from then on, as in the
// original. Unlike the original, a dict never races its settings: while a
// wired config handle has delivered nothing yet, dicts wait for it. A dict
// keep fails on is skipped with a warning in the log; anything that is not
// a dict is skipped too.
func runDictFilter(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit, config []string, keep func(d *pyval.Dict) (bool, error)) error {
	seen := map[string]bool{}
	ready := func() bool {
		for _, h := range config {
			if inbox.Connected(h) && !seen[h] && inbox.Open(h) {
				return false
			}
		}
		return true
	}
	var pending []any
	var held int64
	lastErr := ""
	flush := func() error {
		for _, v := range pending {
			d, ok := v.(*pyval.Dict)
			if !ok {
				ctx.Log("warning", fmt.Sprintf("skipped %s %s: this filter takes dictionaries", lists.ListArticle(pyval.TypeName(v)), pyval.TypeName(v)))
				continue
			}
			pass, err := keep(d)
			if err != nil && (engine.IsLimit(err) || ctx.Err() != nil) {
				return err
			}
			if err != nil {
				// One message per distinct problem: a bad setting fails
				// every item the same way.
				if msg := err.Error(); msg != lastErr {
					lastErr = msg
					ctx.Log("warning", "skipped a dictionary: "+msg)
				}
				continue
			}
			if pass {
				if err := emit("output", d); err != nil {
					return err
				}
			}
		}
		pending, held = pending[:0], 0
		return nil
	}
	for {
		h, v, ok, err := inbox.Next(ctx)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if h == "value" {
			// Dicts wait here for the filter's settings: bounded like
			// what waits in the inbox.
			if held += engine.ItemSize(v); held > ctx.MaxValue() {
				return bounded.HeldError(ctx)
			}
			pending = append(pending, v)
		} else {
			if err := in.Set(h, v); err != nil {
				return err
			}
			seen[h] = true
		}
		if ready() {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func dictValueMatches(ctx *engine.Ctx, v any, filterType, criteria string) (bool, error) {
	switch filterType {
	case "contains", "starts_with", "ends_with", "equals":
		s, err := bounded.Str(ctx, v)
		if err != nil {
			return false, err
		}
		switch filterType {
		case "contains":
			return strings.Contains(s, criteria), nil
		case "starts_with":
			return strings.HasPrefix(s, criteria), nil
		case "ends_with":
			return strings.HasSuffix(s, criteria), nil
		}
		return s == criteria, nil
	case "type_is":
		return pyval.TypeName(v) == criteria, nil
	}
	return dictLengthMatches(v, filterType, criteria), nil
}

// dictLengthMatches applies the length tests of FilterDictByValue.
func dictLengthMatches(v any, filterType, criteria string) bool {
	// The length tests: like Python's int(), surrounding space and _
	// between digits are allowed; other criteria match nothing.
	want, err := strconv.ParseInt(strings.TrimSpace(criteria), 10, 64)
	if err != nil {
		if strings.Contains(criteria, "_") {
			want, err = strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(criteria), "_", ""), 10, 64)
		}
		if err != nil {
			return false
		}
	}
	var n int64
	switch t := v.(type) {
	case string:
		n = int64(utf8.RuneCountInString(t))
	case []any:
		n = int64(len(t))
	case *pyval.Dict:
		n = int64(t.Len())
	default:
		return false // numbers, booleans and None have no length
	}
	switch filterType {
	case "length_greater":
		return n > want
	case "length_less":
		return n < want
	case "exact_length":
		return n == want
	}
	return false
}

func dictNumberMatches(v any, filterType string, cmp any) bool {
	c, _ := pyval.Compare(v, cmp)
	switch filterType {
	case "greater_than":
		return c > 0
	case "less_than":
		return c < 0
	case "equal_to":
		return pyval.Equal(v, cmp)
	case "even", "odd":
		var i int64
		switch t := v.(type) {
		case int64:
			i = t
		case bool:
			if t {
				i = 1
			}
		default:
			return false // floats are neither even nor odd
		}
		return (i%2 == 0) == (filterType == "even")
	case "positive":
		f, _ := pyval.AsNumber(v)
		return f > 0
	case "negative":
		f, _ := pyval.AsNumber(v)
		return f < 0
	}
	return false
}
