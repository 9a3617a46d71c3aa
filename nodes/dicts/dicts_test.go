package dicts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/dicts"
	"nodetool/nodes/nodetest"
)

func TestDictBasics(t *testing.T) {
	nodetest.RunCases(t, "", []nodetest.Case{
		{"nodetool.dictionary.GetValue", `{"dictionary": {"a": 1, "b": [2]}, "key": "b"}`, `[2]`},
		{"nodetool.dictionary.GetValue", `{"dictionary": {"a": 1}, "key": "x", "default": "none"}`, `'none'`},
		// The unset default is the original's empty tuple, written [].
		{"nodetool.dictionary.GetValue", `{"dictionary": {"a": 1}, "key": "x"}`, `[]`},
		{"nodetool.dictionary.GetValue", `{"key": "x", "default": 0}`, `0`},
		{"nodetool.dictionary.GetValue", `{"dictionary": {"": "empty key"}}`, `'empty key'`},
		{"nodetool.dictionary.Update", `{"dictionary": {"a": 1, "b": 2}, "new_pairs": {"b": 3, "c": 4}}`, `{'a': 1, 'b': 3, 'c': 4}`},
		{"nodetool.dictionary.Update", `{"new_pairs": {"c": 4}}`, `{'c': 4}`},
		{"nodetool.dictionary.Update", `{}`, `{}`},
		{"nodetool.dictionary.Remove", `{"dictionary": {"a": 1, "b": 2, "c": 3}, "key": "b"}`, `{'a': 1, 'c': 3}`},
		{"nodetool.dictionary.Remove", `{"dictionary": {"a": 1}, "key": "x"}`, `{'a': 1}`},
		{"nodetool.dictionary.Remove", `{}`, `{}`},
		{"nodetool.dictionary.Combine", `{"dict_a": {"a": 1, "b": 2}, "dict_b": {"b": 20, "c": 30}}`, `{'a': 1, 'b': 20, 'c': 30}`},
		{"nodetool.dictionary.Combine", `{"dict_b": {"b": 20}}`, `{'b': 20}`},
		{"nodetool.dictionary.Combine", `{}`, `{}`},
		{"nodetool.dictionary.Filter", `{"dictionary": {"a": 1, "b": 2, "c": 3}, "keys": ["c", "a", "x", "c"]}`, `{'c': 3, 'a': 1}`},
		{"nodetool.dictionary.Filter", `{"dictionary": {"a": 1}}`, `{}`},
		{"nodetool.dictionary.Zip", `{"keys": ["a", "b", "c"], "values": [1, 2]}`, `{'a': 1, 'b': 2}`},
		{"nodetool.dictionary.Zip", `{"keys": ["a", "b", "a"], "values": [1, 2, 3]}`, `{'a': 3, 'b': 2}`},
		// Keys that are not text become their Python str() form.
		{"nodetool.dictionary.Zip", `{"keys": [1, true, null, 1.5, [1]], "values": ["i", "b", "n", "f", "l"]}`, `{'1': 'i', 'True': 'b', 'None': 'n', '1.5': 'f', '[1]': 'l'}`},
		{"nodetool.dictionary.Zip", `{"keys": ["a"]}`, `{}`},
		{"nodetool.dictionary.MakeDictionary", `{"name": "Ann", "age": 30, "tags": ["x"]}`, `{'name': 'Ann', 'age': 30, 'tags': ['x']}`},
		{"nodetool.dictionary.MakeDictionary", `{}`, `{}`},
		{"nodetool.dictionary.ArgMax", `{"scores": {"cat": 0.2, "dog": 0.7, "cow": 0.1}}`, `'dog'`},
		{"nodetool.dictionary.ArgMax", `{"scores": {"a": 1, "b": 3, "c": 3.0}}`, `'b'`},
		{"nodetool.dictionary.ArgMax", `{"scores": {"a": -5}}`, `'a'`},
		{"nodetool.dictionary.ParseJSON", `{"json_string": "{\"b\": 1, \"a\": [1.0, null, \"\u00e9\"]}"}`, `{'b': 1, 'a': [1.0, None, 'é']}`},
		{"nodetool.dictionary.ParseJSON", `{"json_string": " {} "}`, `{}`},
		{"nodetool.dictionary.ToJSON", `{"dictionary": {"b": "caf\u00e9 \ud83d\ude00", "a": [1, 2.0, null, true, {"x": "\n"}]}}`, `'{"b": "caf\\u00e9 \\ud83d\\ude00", "a": [1, 2.0, null, true, {"x": "\\n"}]}'`},
		{"nodetool.dictionary.ToJSON", `{}`, `'{}'`},
	})
	nodetest.RunErrCases(t, "", []nodetest.Case{
		{"nodetool.dictionary.ParseJSON", `{"json_string": "[1, 2]"}`, "input JSON is not a dictionary: it holds a list"},
		{"nodetool.dictionary.ParseJSON", `{"json_string": "\"text\""}`, "it holds a str"},
		{"nodetool.dictionary.ParseJSON", `{"json_string": "{\"a\": }"}`, "json_string is not valid JSON"},
		{"nodetool.dictionary.ParseJSON", `{"json_string": "{} extra"}`, "json_string is not valid JSON"},
		{"nodetool.dictionary.ParseJSON", `{}`, "json_string is empty"},
		{"nodetool.dictionary.ArgMax", `{}`, "scores is empty"},
	})

	// Non-numeric scores cannot arrive through the typed input; the check
	// in the helper still gives a clear message.
	argmax, _ := nodetest.Registry().Lookup("nodetool.dictionary.ArgMax")
	_, err := engine.DriveNode(context.Background(), argmax, map[string]any{"scores": pyval.DictOf("a", int64(1), "b", "x")}, nil)
	if err == nil || !strings.Contains(err.Error(), `the score of "b" is a str, not a number`) {
		t.Errorf("ArgMax({'a': 1, 'b': 'x'}) error = %v, want a message about b", err)
	}
}

func TestDictUpdateAndRemoveLeaveTheirInputAlone(t *testing.T) {
	src := `{"nodes":[
	 {"id":"c","type":"nodetool.constant.Dict","data":{"value":{"a":1,"b":2}}},
	 {"id":"up","type":"nodetool.dictionary.Update","data":{"new_pairs":{"a":10,"z":26}}},
	 {"id":"rm","type":"nodetool.dictionary.Remove","data":{"key":"a"}},
	 {"id":"o1","type":"nodetool.output.Output","data":{"name":"orig"}},
	 {"id":"o2","type":"nodetool.output.Output","data":{"name":"updated"}},
	 {"id":"o3","type":"nodetool.output.Output","data":{"name":"removed"}}],
	"edges":[
	 {"id":"e1","source":"c","sourceHandle":"output","target":"up","targetHandle":"dictionary"},
	 {"id":"e2","source":"c","sourceHandle":"output","target":"rm","targetHandle":"dictionary"},
	 {"id":"e3","source":"up","sourceHandle":"output","target":"o2","targetHandle":"value"},
	 {"id":"e4","source":"rm","sourceHandle":"output","target":"o3","targetHandle":"value"},
	 {"id":"e5","source":"c","sourceHandle":"output","target":"o1","targetHandle":"value"}]}`
	for range 20 {
		res, _ := nodetest.RunGraph(t, src, "")
		if res.Status != engine.StatusCompleted {
			t.Fatalf("run failed: %s", res.Error)
		}
		for name, want := range map[string]string{"orig": "[{'a': 1, 'b': 2}]", "updated": "[{'a': 10, 'b': 2, 'z': 26}]", "removed": "[{'b': 2}]"} {
			if got := nodetest.Repr(res.Outputs[name]); got != want {
				t.Fatalf("output %s = %s, want %s", name, got, want)
			}
		}
	}
}

func TestDictMakeDictionaryFromEdges(t *testing.T) {
	src := `{"nodes":[
	 {"id":"s","type":"nodetool.constant.String","data":{"value":"Ann"}},
	 {"id":"m","type":"nodetool.dictionary.MakeDictionary","data":{},"dynamic_properties":{"name":"","city":"Berlin"}},
	 {"id":"o","type":"nodetool.output.Output","data":{"name":"o"}}],
	"edges":[
	 {"id":"e1","source":"s","sourceHandle":"output","target":"m","targetHandle":"name"},
	 {"id":"e2","source":"m","sourceHandle":"output","target":"o","targetHandle":"value"}]}`
	res, _ := nodetest.RunGraph(t, src, "")
	// Key order follows the engine's assignment order; compare as dicts.
	want := nodetest.MustJSON(t, `[{"name": "Ann", "city": "Berlin"}]`)
	if got := res.Outputs["o"]; res.Status != engine.StatusCompleted || !pyval.Equal(any(got), want) {
		t.Errorf("MakeDictionary = %s (status %s %s), want %s", nodetest.Repr(got), res.Status, res.Error, nodetest.Repr(want))
	}
}

func TestDictReduceDictionaries(t *testing.T) {
	rows := `[{"id": "a", "v": 1, "w": "x"}, {"id": "b", "v": 2}, {"id": "a", "v": 3}]`
	nodetest.RunCases(t, "", []nodetest.Case{
		{"nodetool.dictionary.ReduceDictionaries", `{"dictionaries": ` + rows + `, "key_field": "id", "value_field": "v"}`, `{'a': 1, 'b': 2}`},
		{"nodetool.dictionary.ReduceDictionaries", `{"dictionaries": ` + rows + `, "key_field": "id", "value_field": "v", "conflict_resolution": "last"}`, `{'a': 3, 'b': 2}`},
		{"nodetool.dictionary.ReduceDictionaries", `{"dictionaries": ` + rows + `, "key_field": "id"}`, `{'a': {'v': 1, 'w': 'x'}, 'b': {'v': 2}}`},
		{"nodetool.dictionary.ReduceDictionaries", `{"dictionaries": [{"n": 1, "v": "one"}, {"n": 2.5, "v": "x"}, {"n": null, "v": "none"}], "key_field": "n", "value_field": "v"}`, `{'1': 'one', '2.5': 'x', 'None': 'none'}`},
		{"nodetool.dictionary.ReduceDictionaries", `{"key_field": "id"}`, `{}`},
	})
	nodetest.RunErrCases(t, "", []nodetest.Case{
		{"nodetool.dictionary.ReduceDictionaries", `{"dictionaries": ` + rows + `, "key_field": "id", "conflict_resolution": "error"}`, `duplicate key "a" (dictionary 2)`},
		{"nodetool.dictionary.ReduceDictionaries", `{"dictionaries": ` + rows + `, "key_field": "name"}`, `key field "name" is not in dictionary 0 (its keys: "id", "v", "w")`},
		{"nodetool.dictionary.ReduceDictionaries", `{"dictionaries": ` + rows + `, "key_field": "id", "value_field": "w"}`, `value field "w" is not in dictionary 1`},
		{"nodetool.dictionary.ReduceDictionaries", `{"dictionaries": [{}], "key_field": "id"}`, `key field "id" is not in dictionary 0 (its keys: none)`},
	})
}

func TestDictSaveJSON(t *testing.T) {
	graph := func(data, value string) string {
		return `{"nodes":[
		 {"id":"c","type":"nodetool.constant.List","data":{"value":` + value + `}},
		 {"id":"n","type":"nodetool.dictionary.SaveJSON","data":` + data + `},
		 {"id":"o","type":"nodetool.output.Output","data":{"name":"o"}}],
		"edges":[
		 {"id":"e1","source":"c","sourceHandle":"output","target":"n","targetHandle":"data"},
		 {"id":"e2","source":"n","sourceHandle":"output","target":"o","targetHandle":"value"}]}`
	}
	cases := []struct{ data, value, want string }{
		{`{}`, `[{"b": "caf\u00e9"}, 1, [], {}]`, "[\n  {\n    \"b\": \"caf\\u00e9\"\n  },\n  1,\n  [],\n  {}\n]"},
		{`{"indent": 0}`, `[1, {"a": null}]`, "[\n1,\n{\n\"a\": null\n}\n]"},
		{`{"indent": 4}`, `[true]`, "[\n    true\n]"},
		// As in Python, a negative indent acts as 0.
		{`{"indent": -3}`, `[1]`, "[\n1\n]"},
	}
	for _, c := range cases {
		res, _ := nodetest.RunGraph(t, graph(c.data, c.value), "")
		if res.Status != engine.StatusCompleted || len(res.Outputs["o"]) != 1 {
			t.Fatalf("SaveJSON(%s, %s): status %s error %q outputs %s", c.data, c.value, res.Status, res.Error, nodetest.Repr(res.Outputs["o"]))
		}
		if got := res.Outputs["o"][0]; got != c.want {
			t.Errorf("SaveJSON(%s, %s) = %q, want %q", c.data, c.value, got, c.want)
		}
	}
	res, _ := nodetest.RunGraph(t, graph(`{"folder": "/tmp/out"}`, `[1]`), "")
	if res.Status != engine.StatusFailed || res.NodeID != "n" || !strings.Contains(res.Error, "writing files is not supported by this engine") {
		t.Errorf("SaveJSON with a folder: status %s node %q error %q, want a failure saying files are not supported", res.Status, res.NodeID, res.Error)
	}
	w, err := engine.ParseWorkflow([]byte(`{"nodes":[{"id":"n","type":"nodetool.dictionary.SaveJSON","data":{"data":{"a":1}}}],"edges":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodetest.Registry().Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), "missing inputs: data") {
		t.Errorf("SaveJSON without an edge into data: Compile error %v, want missing inputs: data", err)
	}
}

// The expected texts were produced by PyYAML 6.0 yaml.dump.
func TestDictToYAMLMatchesPyYAML(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"name": "Ann", "age": 30, "score": 7.5, "active": true, "none": null}`,
			"active: true\nage: 30\nname: Ann\nnone: null\nscore: 7.5\n"},
		{`{"b": [1, 2, {"c": "x", "a": []}], "a": {"z": {}, "y": [[1, 2], []]}}`,
			"a:\n  y:\n  - - 1\n    - 2\n  - []\n  z: {}\nb:\n- 1\n- 2\n- a: []\n  c: x\n"},
		{`{"list_of_dicts": [{"name": "x", "tags": ["a", "b"]}, {"name": "y", "deep": {"k": [{"q": null}]}}]}`,
			"list_of_dicts:\n- name: x\n  tags:\n  - a\n  - b\n- deep:\n    k:\n    - q: null\n  name: y\n"},
		{`{"s": ["", "123", "1.5", "true", "yes", "No", "null", "~", "2001-12-14", "0x1F", "1_000", "1:30", ".inf", "=", "<<", "on"]}`,
			"s:\n- ''\n- '123'\n- '1.5'\n- 'true'\n- 'yes'\n- 'No'\n- 'null'\n- '~'\n- '2001-12-14'\n- '0x1F'\n- '1_000'\n- '1:30'\n- '.inf'\n- '='\n- '<<'\n- 'on'\n"},
		{`{"s": ["- a", "-a", "a: b", "a:b", "a #b", "x#y", "#x", "'q'", "it's", "\"dq\"", "@at", "?", "? a", "[a]", "a,b", "---", "..."]}`,
			"s:\n- '- a'\n- -a\n- 'a: b'\n- a:b\n- 'a #b'\n- x#y\n- '#x'\n- '''q'''\n- it's\n- '\"dq\"'\n- '@at'\n- '?'\n- '? a'\n- '[a]'\n- a,b\n- '---'\n- '...'\n"},
		{`{"s": ["caf\u00e9", "\u65e5\u672c", "emoji \ud83d\ude00", "tab\there", "\u0000", "\u00a0", "\u2028", "back\\slash", "ctrl\u001b"]}`,
			"s:\n- \"caf\\xE9\"\n- \"\\u65E5\\u672C\"\n- \"emoji \\U0001F600\"\n- \"tab\\there\"\n- \"\\0\"\n- \"\\_\"\n- \"\\L\"\n- back\\slash\n- \"ctrl\\e\"\n"},
		{`{"s": ["line1\nline2", "line1\n", "\nlead", " lead", "trail ", "a  \n b", "x\n\ny"]}`,
			"s:\n- 'line1\n\n  line2'\n- 'line1\n\n  '\n- '\n\n  lead'\n- ' lead'\n- 'trail '\n- \"a  \\n b\"\n- 'x\n\n\n  y'\n"},
		{`{"n": [0, -1, 4611686018427387904, 0.0, 1.5, 1e+16, 1e-05, 0.1, 3.0, -2.5e-10]}`,
			"n:\n- 0\n- -1\n- 4611686018427387904\n- 0.0\n- 1.5\n- 1.0e+16\n- 1.0e-05\n- 0.1\n- 3.0\n- -2.5e-10\n"},
		{`{"": 1, "1": 2, "true": 3, "a b": 4, "caf\u00e9": 5, "multi\nline": 6, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": 7}`,
			"? ''\n: 1\n'1': 2\na b: 4\n\"caf\\xE9\": 5\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: 7\n? 'multi\n\n  line'\n: 6\n'true': 3\n"},
		{`{"text": "This is a fairly long sentence that should definitely be folded by the YAML emitter because it is longer than eighty characters."}`,
			"text: This is a fairly long sentence that should definitely be folded by the YAML\n  emitter because it is longer than eighty characters.\n"},
		{`{"kk": {"text": "This is a long sentence that needs single quotes because of the colon: it is longer than eighty characters."}}`,
			"kk:\n  text: 'This is a long sentence that needs single quotes because of the colon: it\n    is longer than eighty characters.'\n"},
		{`{"dq": "A long sentence with caf\u00e9 in it that has to be double quoted and folded because it is longer than eighty characters."}`,
			"dq: \"A long sentence with caf\\xE9 in it that has to be double quoted and folded because\\\n  \\ it is longer than eighty characters.\"\n"},
		{`{"sq": "It's a long sentence with an apostrophe in it so it is quoted and it is folded because it's longer than eighty."}`,
			"sq: It's a long sentence with an apostrophe in it so it is quoted and it is folded\n  because it's longer than eighty.\n"},
		{`{"ml": "first line\nsecond line that is quite long and goes on and on and on and on and on past eighty\n\nlast"}`,
			"ml: 'first line\n\n  second line that is quite long and goes on and on and on and on and on past eighty\n\n\n  last'\n"},
		{`{"deep": [[[["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyyyyyyyyyyyyyyyyyy"]]]]}`,
			"deep:\n- - - - xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyyyyyyyyyyyyyyyyyy\n"},
		{`{}`,
			"{}\n"},
	}
	for _, c := range cases {
		got := nodetest.Output(t, "nodetool.dictionary.ToYAML", `{"dictionary": `+c.in+`}`, "output")
		if got != c.want {
			t.Errorf("ToYAML(%s) =\n%s\nwant\n%s", c.in, got, c.want)
		}
	}
}

// dictFilterRun streams rows (a JSON list) through ForEach into the filter
// node typ configured with data, and returns the repr of what Collect
// gathered and the warnings logged.
func dictFilterRun(t *testing.T, typ, rows, data string) (string, []string) {
	t.Helper()
	src := `{"nodes":[
	 {"id":"rows","type":"nodetool.constant.List","data":{"value":` + rows + `}},
	 {"id":"each","type":"nodetool.control.ForEach","data":{}},
	 {"id":"f","type":"nodetool.dictionary.` + typ + `","data":` + data + `},
	 {"id":"collect","type":"nodetool.control.Collect","data":{}},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"out"}}],
	"edges":[
	 {"id":"e1","source":"rows","sourceHandle":"output","target":"each","targetHandle":"input_list"},
	 {"id":"e2","source":"each","sourceHandle":"output","target":"f","targetHandle":"value"},
	 {"id":"e3","source":"f","sourceHandle":"output","target":"collect","targetHandle":"input_item"},
	 {"id":"e4","source":"collect","sourceHandle":"output","target":"out","targetHandle":"value"}]}`
	res, events := nodetest.RunGraph(t, src, "")
	if res.Status != engine.StatusCompleted || len(res.Outputs["out"]) != 1 {
		t.Fatalf("%s %s: status %s error %q outputs %s", typ, data, res.Status, res.Error, nodetest.Repr(res.Outputs["out"]))
	}
	return nodetest.Repr(res.Outputs["out"][0]), dictWarnings(events)
}

func dictWarnings(events []engine.Event) []string {
	var out []string
	for _, e := range events {
		if l, ok := e.(*engine.LogUpdate); ok && l.Severity == "warning" {
			out = append(out, l.Content)
		}
	}
	return out
}

type filterCase struct {
	data, want string
	warning    string // a substring of a logged warning, if one is expected
}

func runFilterCases(t *testing.T, typ, rows string, cases []filterCase) {
	t.Helper()
	for _, c := range cases {
		got, warnings := dictFilterRun(t, typ, rows, c.data)
		if got != c.want {
			t.Errorf("%s(%s) passed %s, want %s", typ, c.data, got, c.want)
		}
		joined := strings.Join(warnings, "\n")
		if c.warning == "" && joined != "" || !strings.Contains(joined, c.warning) {
			t.Errorf("%s(%s) warnings %q, want %q", typ, c.data, joined, c.warning)
		}
	}
}

const filterRows = `[{"name": "Ann", "age": 30, "tags": ["a", "b"]}, {"name": "Bob", "age": 17.5},
	{"name": "Cy", "age": -4, "tags": []}, {"name": 42, "age": null}, {"other": 1}]`

func TestDictFilterDictByValue(t *testing.T) {
	runFilterCases(t, "FilterDictByValue", filterRows, []filterCase{
		{`{"key": "name", "criteria": "o"}`, `[{'name': 'Bob', 'age': 17.5}]`, ""},
		{`{"key": "name", "criteria": ""}`, `[{'name': 'Ann', 'age': 30, 'tags': ['a', 'b']}, {'name': 'Bob', 'age': 17.5}, {'name': 'Cy', 'age': -4, 'tags': []}, {'name': 42, 'age': None}]`, ""},
		{`{"key": "name", "filter_type": "starts_with", "criteria": "4"}`, `[{'name': 42, 'age': None}]`, ""},
		{`{"key": "name", "filter_type": "ends_with", "criteria": "y"}`, `[{'name': 'Cy', 'age': -4, 'tags': []}]`, ""},
		{`{"key": "age", "filter_type": "equals", "criteria": "17.5"}`, `[{'name': 'Bob', 'age': 17.5}]`, ""},
		{`{"key": "age", "filter_type": "equals", "criteria": "None"}`, `[{'name': 42, 'age': None}]`, ""},
		{`{"key": "tags", "filter_type": "equals", "criteria": "['a', 'b']"}`, `[{'name': 'Ann', 'age': 30, 'tags': ['a', 'b']}]`, ""},
		{`{"key": "age", "filter_type": "type_is", "criteria": "int"}`, `[{'name': 'Ann', 'age': 30, 'tags': ['a', 'b']}, {'name': 'Cy', 'age': -4, 'tags': []}]`, ""},
		{`{"key": "age", "filter_type": "type_is", "criteria": "NoneType"}`, `[{'name': 42, 'age': None}]`, ""},
		{`{"key": "name", "filter_type": "length_greater", "criteria": "2"}`, `[{'name': 'Ann', 'age': 30, 'tags': ['a', 'b']}, {'name': 'Bob', 'age': 17.5}]`, ""},
		{`{"key": "tags", "filter_type": "length_less", "criteria": " 1 "}`, `[{'name': 'Cy', 'age': -4, 'tags': []}]`, ""},
		{`{"key": "tags", "filter_type": "exact_length", "criteria": "2"}`, `[{'name': 'Ann', 'age': 30, 'tags': ['a', 'b']}]`, ""},
		// Numbers have no length; a criteria that is not a number matches nothing.
		{`{"key": "age", "filter_type": "length_less", "criteria": "100"}`, `[]`, ""},
		{`{"key": "name", "filter_type": "exact_length", "criteria": "three"}`, `[]`, ""},
		{`{"key": "missing", "criteria": ""}`, `[]`, ""},
	})
}

func TestDictFilterDictByRange(t *testing.T) {
	runFilterCases(t, "FilterDictByRange", filterRows, []filterCase{
		{`{"key": "age", "min_value": 17.5, "max_value": 30}`, `[{'name': 'Ann', 'age': 30, 'tags': ['a', 'b']}, {'name': 'Bob', 'age': 17.5}]`, ""},
		{`{"key": "age", "min_value": 17.5, "max_value": 30, "inclusive": false}`, `[]`, ""},
		{`{"key": "age", "min_value": -10, "max_value": 100, "inclusive": false}`, `[{'name': 'Ann', 'age': 30, 'tags': ['a', 'b']}, {'name': 'Bob', 'age': 17.5}, {'name': 'Cy', 'age': -4, 'tags': []}]`, ""},
		// Text and None values, and dicts without the key, never pass.
		{`{"key": "name", "min_value": -1000, "max_value": 1000}`, `[{'name': 42, 'age': None}]`, ""},
		{`{"key": "age"}`, `[]`, ""},
	})
}

func TestDictFilterDictByNumber(t *testing.T) {
	rows := `[{"n": 4}, {"n": 3}, {"n": 2.0}, {"n": -1.5}, {"n": 0}, {"n": "7"}, {"m": 1}, {"n": true}]`
	runFilterCases(t, "FilterDictByNumber", rows, []filterCase{
		{`{"key": "n", "compare_value": 2}`, `[{'n': 4}, {'n': 3}]`, ""},
		{`{"key": "n", "filter_type": "less_than", "compare_value": 1}`, `[{'n': -1.5}, {'n': 0}]`, ""},
		{`{"key": "n", "filter_type": "equal_to", "compare_value": 2}`, `[{'n': 2.0}]`, ""},
		// Even and odd apply to whole numbers only; True counts as 1, as in Python.
		{`{"key": "n", "filter_type": "even"}`, `[{'n': 4}, {'n': 0}]`, ""},
		{`{"key": "n", "filter_type": "odd"}`, `[{'n': 3}, {'n': True}]`, ""},
		{`{"key": "n", "filter_type": "positive"}`, `[{'n': 4}, {'n': 3}, {'n': 2.0}, {'n': True}]`, ""},
		{`{"key": "n", "filter_type": "negative"}`, `[{'n': -1.5}]`, ""},
	})
}

func TestDictFilterDictRegex(t *testing.T) {
	rows := `[{"s": "apple pie"}, {"s": "Apple"}, {"s": 12345}, {"s": "line\n"}, {"t": "apple"}]`
	runFilterCases(t, "FilterDictRegex", rows, []filterCase{
		{`{"key": "s", "pattern": "apple"}`, `[{'s': 'apple pie'}]`, ""},
		{`{"key": "s", "pattern": "(?i)^apple"}`, `[{'s': 'apple pie'}, {'s': 'Apple'}]`, ""},
		{`{"key": "s", "pattern": "\\d{3}"}`, `[{'s': 12345}]`, ""},
		{`{"key": "s", "pattern": "apple", "full_match": true}`, `[]`, ""},
		{`{"key": "s", "pattern": "[Aa]pple", "full_match": true}`, `[{'s': 'Apple'}]`, ""},
		// fullmatch must try the longer alternative, as Python does.
		{`{"key": "s", "pattern": "Ap|Apple", "full_match": true}`, `[{'s': 'Apple'}]`, ""},
		{`{"key": "s", "pattern": "(?P<word>\\w+) pie"}`, `[{'s': 'apple pie'}]`, ""},
		// \Z is Python's end of text; $ alone also matches before a final newline in Python.
		{`{"key": "s", "pattern": "line\\Z"}`, `[]`, ""},
		{`{"key": "s", "pattern": "line\\n\\Z"}`, `[{'s': 'line\n'}]`, ""},
		// RE2's $ (without multi-line mode) matches only at the very end,
		// not before a final newline as Python's does: a documented limit.
		{`{"key": "s", "pattern": "line$"}`, `[]`, ""},
		{`{"key": "s", "pattern": "(?m)^line$"}`, `[{'s': 'line\n'}]`, ""},
		{`{"key": "s", "pattern": "e$"}`, `[{'s': 'apple pie'}, {'s': 'Apple'}]`, ""},
		{`{"key": "s", "pattern": "[$]"}`, `[]`, ""},
		{`{"key": "s", "pattern": "line$", "full_match": true}`, `[]`, ""},
		{`{"key": "s", "pattern": ""}`, `[{'s': 'apple pie'}, {'s': 'Apple'}, {'s': 12345}, {'s': 'line\n'}]`, ""},
		{`{"key": "s", "pattern": "apple(?= pie)"}`, `[]`, "uses look-around, which is not supported: (?=...)"},
		{`{"key": "s", "pattern": "(?<!x)apple"}`, `[]`, "uses look-around, which is not supported: (?<!...)"},
		{`{"key": "s", "pattern": "(a)\\1"}`, `[]`, "backreference (\\1)"},
		{`{"key": "s", "pattern": "(?P<x>a)(?P=x)"}`, `[]`, "uses a backreference (?P=name)"},
		{`{"key": "s", "pattern": "[unclosed"}`, `[]`, "invalid regex \"[unclosed\": unterminated character set"},
	})
	// A regex error is logged once, not once per item.
	_, warnings := dictFilterRun(t, "FilterDictRegex", rows, `{"key": "s", "pattern": "(?=x)"}`)
	if len(warnings) != 1 {
		t.Errorf("FilterDictRegex with a bad pattern logged %d warnings %q, want 1", len(warnings), warnings)
	}
}

func TestDictFilterDictByQuery(t *testing.T) {
	rows := `[{"name": "Ann", "age": 30, "city": "Berlin"}, {"name": "Bob", "age": 17, "city": "Paris"},
		{"name": "Cy", "age": 45, "city": null}, {"name": "Di", "other": true}, 5]`
	runFilterCases(t, "FilterDictByQuery", rows, []filterCase{
		{`{"condition": "age >= 18 and city == 'Berlin'"}`, `[{'name': 'Ann', 'age': 30, 'city': 'Berlin'}]`,
			`name "age" is not defined`},
		{`{"condition": "city in [\"Paris\", \"Rome\"]"}`, `[{'name': 'Bob', 'age': 17, 'city': 'Paris'}]`,
			`skipped an int: this filter takes dictionaries`},
		{`{"condition": "city != 'Berlin'"}`, `[{'name': 'Bob', 'age': 17, 'city': 'Paris'}, {'name': 'Cy', 'age': 45, 'city': None}]`, `name "city" is not defined`},
		{`{"condition": "age > 40 | name == 'Bob'"}`, `[{'name': 'Bob', 'age': 17, 'city': 'Paris'}, {'name': 'Cy', 'age': 45, 'city': None}]`, "is not defined"},
		// An empty condition passes every dict.
		{`{}`, `[{'name': 'Ann', 'age': 30, 'city': 'Berlin'}, {'name': 'Bob', 'age': 17, 'city': 'Paris'}, {'name': 'Cy', 'age': 45, 'city': None}, {'name': 'Di', 'other': True}]`, "skipped an int"},
		{`{"condition": "age + 1 > 18"}`, `[]`, "arithmetic (+) is not supported"},
		{`{"condition": "name > 3"}`, `[]`, "'>' is not supported between a str and an int"},
	})
}

// As in the original, a filter whose value input is not wired emits
// nothing: it filters a stream, not its configured value.
func TestDictFilterWithoutStreamEmitsNothing(t *testing.T) {
	for _, typ := range []string{"FilterDictByValue", "FilterDictByRange", "FilterDictByNumber", "FilterDictRegex", "FilterDictByQuery"} {
		outs, res := nodetest.RunNode(t, "nodetool.dictionary."+typ, `{"value": {"n": 5}, "key": "n"}`)
		if res.Status != engine.StatusCompleted || len(outs["output"]) != 0 {
			t.Errorf("%s with no stream: status %s %q, outputs %s, want nothing", typ, res.Status, res.Error, nodetest.Repr(outs["output"]))
		}
	}
}

func TestDictKeyListIsShort(t *testing.T) {
	d := pyval.NewDict(0)
	for i := range 12 {
		d.Set(fmt.Sprint("k", i), i)
	}
	if got, want := dicts.DictKeyList(d), `"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", and 2 more`; got != want {
		t.Errorf("dicts.DictKeyList(12 keys) = %s, want %s", got, want)
	}
}

// A filter setting wired from another node applies to every dict, even to
// dicts that arrive before it.
func TestDictFilterWaitsForWiredSettings(t *testing.T) {
	src := `{"nodes":[
	 {"id":"rows","type":"nodetool.constant.List","data":{"value":[{"n":5},{"n":1},{"n":3},{"n":9}]}},
	 {"id":"k","type":"nodetool.constant.String","data":{"value":"n"}},
	 {"id":"each","type":"nodetool.control.ForEach","data":{}},
	 {"id":"f","type":"nodetool.dictionary.FilterDictByNumber","data":{"compare_value":2}},
	 {"id":"collect","type":"nodetool.control.Collect","data":{}},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"out"}}],
	"edges":[
	 {"id":"e1","source":"rows","sourceHandle":"output","target":"each","targetHandle":"input_list"},
	 {"id":"e2","source":"each","sourceHandle":"output","target":"f","targetHandle":"value"},
	 {"id":"e5","source":"k","sourceHandle":"output","target":"f","targetHandle":"key"},
	 {"id":"e3","source":"f","sourceHandle":"output","target":"collect","targetHandle":"input_item"},
	 {"id":"e4","source":"collect","sourceHandle":"output","target":"out","targetHandle":"value"}]}`
	for range 30 {
		res, _ := nodetest.RunGraph(t, src, "")
		if got, want := nodetest.Repr(res.Outputs["out"]), "[[{'n': 5}, {'n': 3}, {'n': 9}]]"; got != want {
			t.Fatalf("filter with a wired key passed %s (status %s %s), want %s", got, res.Status, res.Error, want)
		}
	}
}

// A setting that changes mid-stream applies from then on: ForEach sends
// each item and then its index, and the index feeds compare_value.
func TestDictFilterSettingChangesMidStream(t *testing.T) {
	src := `{"nodes":[
	 {"id":"rows","type":"nodetool.constant.List","data":{"value":[{"n":5},{"n":1},{"n":1},{"n":3}]}},
	 {"id":"each","type":"nodetool.control.ForEach","data":{}},
	 {"id":"f","type":"nodetool.dictionary.FilterDictByNumber","data":{"key":"n"}},
	 {"id":"collect","type":"nodetool.control.Collect","data":{}},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"out"}}],
	"edges":[
	 {"id":"e1","source":"rows","sourceHandle":"output","target":"each","targetHandle":"input_list"},
	 {"id":"e2","source":"each","sourceHandle":"output","target":"f","targetHandle":"value"},
	 {"id":"e5","source":"each","sourceHandle":"index","target":"f","targetHandle":"compare_value"},
	 {"id":"e3","source":"f","sourceHandle":"output","target":"collect","targetHandle":"input_item"},
	 {"id":"e4","source":"collect","sourceHandle":"output","target":"out","targetHandle":"value"}]}`
	// Item i is compared with index i-1 (the first waits for index 0):
	// 5 > 0, 1 > 0, 1 > 1 is false, 3 > 2.
	for range 20 {
		res, _ := nodetest.RunGraph(t, src, "")
		if got, want := nodetest.Repr(res.Outputs["out"]), "[[{'n': 5}, {'n': 1}, {'n': 3}]]"; got != want {
			t.Fatalf("filter with a streamed compare_value passed %s (status %s %s), want %s", got, res.Status, res.Error, want)
		}
	}
	// A setting of the wrong type fails the node with a clear message.
	bad := strings.Replace(src, `"sourceHandle":"index","target":"f","targetHandle":"compare_value"`, `"sourceHandle":"output","target":"f","targetHandle":"key"`, 1)
	res, _ := nodetest.RunGraph(t, bad, "")
	if res.Status != engine.StatusFailed || res.NodeID != "f" || !strings.Contains(res.Error, `input "key" expects str, got dict`) {
		t.Errorf("dict on key: status %s node %q error %q, want a failure of f naming key", res.Status, res.NodeID, res.Error)
	}
}

func TestDictQueryEvaluator(t *testing.T) {
	row := nodetest.MustJSON(t, `{"age": 30, "name": "Ann", "city": "Berlin", "score": 7.5, "active": true,
		"tags": ["a", "b"], "nothing": null, "first name": "A", "n2": 2}`).(*pyval.Dict)
	cases := []struct {
		query string
		want  bool
	}{
		{"age > 18", true},
		{"age >= 30 and city == 'Berlin'", true},
		{`age < 18 or name == "Ann"`, true},
		{"not active", false},
		{"~active", false},
		{"~(age > 40)", true},
		{"age > 18 & score < 5", false},
		{"age > 18 and not score < 5", true},
		{"18 < age < 40", true},
		{"18 < age < 25", false},
		{"30 == age == 30.0", true},
		{"city in ['Berlin', 'Paris']", true},
		{"city not in ('Berlin',)", false},
		{"city in ()", false},
		{"age in [1, 2, 30.0]", true},
		{"`first name` == 'A'", true},
		{"name == 30", false},
		{"name != 30", true},
		{"nothing == None", false},
		{"nothing != 1", true},
		{"nothing > 1", false},
		{"score > -1", true},
		{"score > +7", true},
		{"active == True", true},
		{"active", true},
		{"'a' in tags", true},
		{"'c' not in tags", true},
		{"age in age", true},
		{"(age > 18) and (score >= 7.5)", true},
		{"not (age > 18 or active)", false},
		{"age > 1e1 and score < .8e1", true},
		{"1_000 > age", true},
		{"name < 'Bob' and name >= 'Ann'", true},
		{"age > n2 > 1", true},
		{"False or age == 30", true},
		{`name == 'A\'nn' or name == "Ann"`, true},
		{"age>18and city=='Berlin'", true},
	}
	for _, c := range cases {
		q, err := dicts.ParseDictQuery(nil, c.query)
		if err != nil {
			t.Errorf("dicts.ParseDictQuery(%q) error %v", c.query, err)
			continue
		}
		got, err := q.Match(nil, row)
		if err != nil || got != c.want {
			t.Errorf("query(%q) = %v, %v, want %v", c.query, got, err, c.want)
		}
	}

	errs := []struct{ query, want string }{
		{"name > 3", "'>' is not supported between a str and an int"},
		{"tags <= 3", "'<=' is not supported between a list and an int"},
		{"missing > 1", `name "missing" is not defined: the dictionary has no such key`},
		{"age", "gives an int, not true or false"},
		{"'text'", "gives a str, not true or false"},
		{"age + 1 > 2", "arithmetic (+) is not supported"},
		{"age - 1 > 2", "arithmetic (-) is not supported"},
		{"age * 2 > 2", "arithmetic (*) is not supported"},
		{"age ** 2 > 2", "arithmetic (**) is not supported"},
		{"-age > 2", "only numbers can have a sign"},
		{"name.str.len() > 2", "attribute access (.) is not supported"},
		{"@x > 1", "local variables (@name) are not supported"},
		{"age = 1", "use == to compare"},
		{"age >", "the query ends too early"},
		{"(age > 1", "the query ends too early"},
		{"age > 1)", `unexpected ")" at position 7`},
		{"age > 1 1", "unexpected 1 at position 8"},
		{"age is None", "'is' at position 4 is not supported"},
		{"len(name) > 1", "function calls (len(...)) are not supported"},
		{"city in 'Berlin'", "'in' needs a list on its right"},
		{"age and active", "'and' needs true or false on both sides, got an int"},
		{"not age", "'not' needs true or false, got an int"},
		{"'unclosed == 1", "unclosed string at position 0"},
		{"`unclosed == 1", "unclosed ` at position 0"},
		{"a ! b", `unexpected character '!'`},
		{"age > 1.2.3", `bad number "1.2.3"`},
		{"and", `unexpected "and"`},
		{"[1, 2", "the query ends too early"},
	}
	for _, c := range errs {
		q, err := dicts.ParseDictQuery(nil, c.query)
		if err == nil {
			_, err = q.Match(nil, row)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("query(%q) error %v, want %q", c.query, err, c.want)
		}
	}
}

// Writers measure their text before writing it: a dict that holds one
// small dict 2^40 times, or a huge indent, is refused with the budget
// error; ordinary dicts are written as before (the tests above).
func TestDictWritersCheckSizeFirst(t *testing.T) {
	for _, c := range []struct{ typ, in string }{
		{"nodetool.dictionary.ToJSON", "dictionary"},
		{"nodetool.dictionary.ToYAML", "dictionary"},
		{"nodetool.dictionary.SaveJSON", "data"},
	} {
		t.Run(c.typ, func(t *testing.T) {
			g := &nodetest.Graph{}
			g.Node("n", c.typ, "").Edge(g.SharedDict("d", 40), "output", "n", c.in)
			nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits), "n")
		})
	}
	g := &nodetest.Graph{}
	g.Node("d", "nodetool.constant.Dict", `{"value":{"a":[1,{"b":2}]}}`)
	g.Node("n", "nodetool.dictionary.SaveJSON", `{"indent":1000000000000000}`).Edge("d", "output", "n", "data")
	nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits), "n")

	// YAML's indentation grows with depth: 300 nested dicts write
	// 300*299 spaces, over a 64 KiB budget; 100 write 9,900.
	nested := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	g = &nodetest.Graph{}
	g.Node("n", "nodetool.dictionary.ToYAML", `{"dictionary":`+nested(300)+`}`)
	nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits), "n")
	g = &nodetest.Graph{}
	g.Node("n", "nodetool.dictionary.ToYAML", `{"dictionary":`+nested(100)+`}`)
	nodetest.WantCompleted(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits))
}

func TestDictBuildersCheckSizeFirst(t *testing.T) {
	// Two dicts of 800 keys (38,400 bytes each) fit; their union does not.
	dicts := func(g *nodetest.Graph) {
		g.Node("k1", "nodetool.list.ListRange", `{"start":0,"stop":800}`)
		g.Node("k2", "nodetool.list.ListRange", `{"start":800,"stop":1600}`)
		g.Node("z1", "nodetool.dictionary.Zip", "").Edge("k1", "output", "z1", "keys").Edge("k1", "output", "z1", "values")
		g.Node("z2", "nodetool.dictionary.Zip", "").Edge("k2", "output", "z2", "keys").Edge("k2", "output", "z2", "values")
	}
	for _, c := range []struct{ typ, a, b string }{
		{"nodetool.dictionary.Combine", "dict_a", "dict_b"},
		{"nodetool.dictionary.Update", "dictionary", "new_pairs"},
	} {
		g := &nodetest.Graph{}
		dicts(g)
		g.Node("n", c.typ, "").Edge("z1", "output", "n", c.a).Edge("z2", "output", "n", c.b)
		nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits), "n")
	}

	// A key that is a dict holding one dict 2^40 times: its text form is
	// refused, not written.
	g := &nodetest.Graph{}
	d := g.SharedDict("d", 40)
	g.Node("keys", "nodetool.list.Append", `{"values":[]}`).Edge(d, "output", "keys", "value")
	g.Node("n", "nodetool.dictionary.Zip", `{"values":[1]}`).Edge("keys", "output", "n", "keys")
	nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits), "n")

	// ReduceDictionaries copies every record: 1,024 references to one
	// dict of 800 keys would be 800,000 entries.
	g = &nodetest.Graph{}
	dicts(g)
	top := g.SharedList("l", "z1", 10)
	g.Node("flat", "nodetool.list.Flatten", `{"max_depth":9}`).Edge(top, "output", "flat", "values")
	g.Node("n", "nodetool.dictionary.ReduceDictionaries", `{"key_field":"0"}`).Edge("flat", "output", "n", "dictionaries")
	nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits), "n")

	// ParseJSON counts what it builds: 20,000 empty dicts are 60 KB of
	// text and about 3.5 MB of dicts.
	g = &nodetest.Graph{}
	g.Node("n", "nodetool.dictionary.ParseJSON", fmt.Sprintf(`{"json_string":%q}`, `{"a":[`+strings.Repeat("{},", 20000)+`{}]}`))
	nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, engine.Limits{Value: 1 << 20}), "n")
}

// A dict filter's text tests stringify the value under the key within the
// budget, and the dicts waiting for the filter's settings are bounded.
func TestDictFiltersBounded(t *testing.T) {
	g := &nodetest.Graph{}
	g.NodeDyn("row", "nodetool.dictionary.MakeDictionary", "", `{"v":null}`).Edge(g.SharedDict("d", 40), "output", "row", "v")
	g.Node("f", "nodetool.dictionary.FilterDictByValue", `{"key":"v","filter_type":"contains","criteria":"x"}`).Edge("row", "output", "f", "value")
	nodetest.WantValueLimit(t, g.Output("f", "r").Run(t, nil, nodetest.SmallLimits), "f")

	// The criteria arrive only once the stream of dicts has ended, so every
	// dict waits: 3,000 of them are over 64 KiB.
	g = &nodetest.Graph{}
	g.Node("r", "nodetool.list.ListRange", `{"start":0,"stop":3000}`)
	g.Node("each", "nodetool.control.ForEach", "").Edge("r", "output", "each", "input_list")
	g.NodeDyn("row", "nodetool.dictionary.MakeDictionary", "", `{"n":null}`).Edge("each", "output", "row", "n")
	g.Node("all", "nodetool.control.Collect", "").Edge("each", "output", "all", "input_item")
	g.Node("crit", "lib.json.StringifyJSON", `{"indent":0}`).Edge("all", "output", "crit", "data")
	g.Node("f", "nodetool.dictionary.FilterDictByValue", `{"key":"n","filter_type":"equals"}`).
		Edge("row", "output", "f", "value").Edge("crit", "output", "f", "criteria")
	nodetest.WantValueLimit(t, g.Output("f", "r").Run(t, nil, nodetest.SmallLimits), "f")
}

func TestDictQueryBounds(t *testing.T) {
	deep := strings.Repeat("(", dicts.MaxQueryDepth+1) + "a > 1" + strings.Repeat(")", dicts.MaxQueryDepth+1)
	if _, err := dicts.ParseDictQuery(nil, deep); err == nil || !strings.Contains(err.Error(), "nests deeper than 200 levels") {
		t.Errorf("dicts.ParseDictQuery(%d parentheses) error %v", dicts.MaxQueryDepth+1, err)
	}
	if _, err := dicts.ParseDictQuery(nil, strings.Repeat("not ", dicts.MaxQueryDepth+1)+"a"); err == nil || !strings.Contains(err.Error(), "nests deeper") {
		t.Errorf("dicts.ParseDictQuery(%d nots) error %v", dicts.MaxQueryDepth+1, err)
	}
	// A long chain of or is one level, evaluated in a loop.
	long := strings.Repeat("a == 2 or ", 100000) + "a == 1"
	q, err := dicts.ParseDictQuery(nil, long)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := q.Match(nil, pyval.DictOf("a", int64(1))); !ok || err != nil {
		t.Errorf("100,001 alternatives = %v, %v; want true", ok, err)
	}
	// What a parsed query holds counts against max-value.
	g := &nodetest.Graph{}
	g.Node("d", "nodetool.constant.Dict", `{"value":{"a":1}}`)
	g.Node("f", "nodetool.dictionary.FilterDictByQuery", fmt.Sprintf(`{"condition":%q}`, long)).Edge("d", "output", "f", "value")
	nodetest.WantValueLimit(t, g.Output("f", "r").Run(t, nil, nodetest.SmallLimits), "f")
}
