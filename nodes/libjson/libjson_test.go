package libjson_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/nodetest"
)

func TestLibJSONParse(t *testing.T) {
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"lib.json.ParseDict", `{"json_string":"{\"a\": 1, \"b\": [true, null]}"}`, `{'a': 1, 'b': [True, None]}`},
		{"lib.json.ParseDict", `{"json_string":"{}"}`, `{}`},
		{"lib.json.ParseList", `{"json_string":"[1, \"é\", 2.5]"}`, `[1, 'é', 2.5]`},
		{"lib.json.ParseList", `{"json_string":" [] "}`, `[]`},
	})
	nodetest.RunErrCases(t, "nodetool.text.", []nodetest.Case{
		{"lib.json.ParseDict", `{"json_string":"[1]"}`, "the JSON must be an object ({...}), got an array"},
		{"lib.json.ParseDict", `{"json_string":""}`, "invalid JSON: the text is empty"},
		{"lib.json.ParseDict", `{"json_string":"{'a': 1}"}`, "invalid JSON"},
		{"lib.json.ParseList", `{"json_string":"{\"a\": 1}"}`, "the JSON must be an array ([...]), got an object"},
		{"lib.json.ParseList", `{"json_string":"[1,"}`, "invalid JSON"},
	})
}

func TestLibJSONStringify(t *testing.T) {
	cases := []struct{ data, want string }{
		{`{"data":{"name":"é","n":[1,2]}}`, "{\n  \"name\": \"\\u00e9\",\n  \"n\": [\n    1,\n    2\n  ]\n}"},
		{`{"data":{"a":[]},"indent":0}`, "{\n\"a\": []\n}"},
		{`{"data":{"a":{}},"indent":-3}`, "{\n\"a\": {}\n}"},
		{`{"data":"x"}`, `"x"`},
		{`{"data":[1.5,true,null,"日"],"indent":1}`, "[\n 1.5,\n true,\n null,\n \"\\u65e5\"\n]"},
		{`{}`, `{}`},
		{`{"data":"😀"}`, `"\ud83d\ude00"`},
	}
	for _, c := range cases {
		if got := nodetest.Output(t, "lib.json.StringifyJSON", c.data, "output"); got != c.want {
			t.Errorf("StringifyJSON(%s) = %q, want %q", c.data, got, c.want)
		}
	}
}

func TestLibJSONGetPath(t *testing.T) {
	const data = `{"a":{"b":{"c":1}},"l":[10,{"x":"y"}],"s":"42","f":"2.5","t":true,"n":null,"e":"","z":0,"fl":3.9,"neg":-2.5,"big":1e30,"inf":"inf","pairs":[["k",1],["j",2]],"bad":[1,2,3]}`
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"a.b.c"}`, `'1'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"a.b"}`, `"{'c': 1}"`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"l.1.x"}`, `'y'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"l.5","default":"none"}`, `'none'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"l.-1","default":"none"}`, `'none'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"missing","default":"d"}`, `'d'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"","default":"d"}`, `'d'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"n","default":"d"}`, `'d'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"a..b","default":"d"}`, `'d'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"t"}`, `'True'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"e","default":"d"}`, `''`},
		{"lib.json.GetJSONPathStr", `{"data":"not json data","path":"a","default":"d"}`, `'d'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"$.l[-1].x"}`, `'y'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"$..c"}`, `'1'`},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"$.nothing","default":"d"}`, `'d'`},
		{"lib.json.GetJSONPathInt", `{"data":` + data + `,"path":"s"}`, `42`},
		{"lib.json.GetJSONPathInt", `{"data":` + data + `,"path":"fl"}`, `3`},
		{"lib.json.GetJSONPathInt", `{"data":` + data + `,"path":"neg"}`, `-2`},
		{"lib.json.GetJSONPathInt", `{"data":` + data + `,"path":"t"}`, `1`},
		{"lib.json.GetJSONPathInt", `{"data":` + data + `,"path":"z","default":7}`, `0`},
		{"lib.json.GetJSONPathInt", `{"data":` + data + `,"path":"missing","default":7}`, `7`},
		{"lib.json.GetJSONPathFloat", `{"data":` + data + `,"path":"f"}`, `2.5`},
		{"lib.json.GetJSONPathFloat", `{"data":` + data + `,"path":"a.b.c"}`, `1.0`},
		{"lib.json.GetJSONPathFloat", `{"data":` + data + `,"path":"missing","default":1.5}`, `1.5`},
		{"lib.json.GetJSONPathFloat", `{"data":` + data + `,"path":"missing"}`, `0.0`},
		{"lib.json.GetJSONPathBool", `{"data":` + data + `,"path":"t"}`, `True`},
		{"lib.json.GetJSONPathBool", `{"data":` + data + `,"path":"z","default":true}`, `False`},
		{"lib.json.GetJSONPathBool", `{"data":` + data + `,"path":"s"}`, `True`},
		{"lib.json.GetJSONPathBool", `{"data":` + data + `,"path":"e"}`, `False`},
		{"lib.json.GetJSONPathBool", `{"data":` + data + `,"path":"missing","default":true}`, `True`},
		{"lib.json.GetJSONPathList", `{"data":` + data + `,"path":"l"}`, `[10, {'x': 'y'}]`},
		{"lib.json.GetJSONPathList", `{"data":` + data + `,"path":"a.b"}`, `['c']`},
		{"lib.json.GetJSONPathList", `{"data":` + data + `,"path":"s"}`, `['4', '2']`},
		{"lib.json.GetJSONPathList", `{"data":` + data + `,"path":"missing","default":[1]}`, `[1]`},
		{"lib.json.GetJSONPathList", `{"data":` + data + `,"path":"missing"}`, `[]`},
		{"lib.json.GetJSONPathDict", `{"data":` + data + `,"path":"a"}`, `{'b': {'c': 1}}`},
		{"lib.json.GetJSONPathDict", `{"data":` + data + `,"path":"pairs"}`, `{'k': 1, 'j': 2}`},
		{"lib.json.GetJSONPathDict", `{"data":` + data + `,"path":"e"}`, `{}`},
		{"lib.json.GetJSONPathDict", `{"data":` + data + `,"path":"missing","default":{"d":1}}`, `{'d': 1}`},
		{"lib.json.GetJSONPathDict", `{"data":[[1,"one"],[true,"t"],[null,"n"]],"path":"$"}`, `{'1': 'one', 'true': 't', 'null': 'n'}`},
	})
	nodetest.RunErrCases(t, "nodetool.text.", []nodetest.Case{
		{"lib.json.GetJSONPathInt", `{"data":` + data + `,"path":"f"}`, `the value at "f" is '2.5', which is not a whole number`},
		{"lib.json.GetJSONPathInt", `{"data":` + data + `,"path":"a"}`, "is an object, which cannot be converted to an integer"},
		{"lib.json.GetJSONPathInt", `{"data":` + data + `,"path":"big"}`, "does not fit an integer"},
		{"lib.json.GetJSONPathFloat", `{"data":` + data + `,"path":"inf"}`, "NaN and infinity are not supported"},
		{"lib.json.GetJSONPathFloat", `{"data":` + data + `,"path":"l"}`, "is an array, which cannot be converted to a number"},
		{"lib.json.GetJSONPathFloat", `{"data":{"x":"abc"},"path":"x"}`, "is 'abc', which is not a number"},
		{"lib.json.GetJSONPathList", `{"data":` + data + `,"path":"z"}`, "is a number, which cannot be converted to a list"},
		{"lib.json.GetJSONPathDict", `{"data":` + data + `,"path":"bad"}`, "item 0 is a number, not a [key, value] pair"},
		{"lib.json.GetJSONPathDict", `{"data":` + data + `,"path":"s"}`, "is a string, which cannot be converted to a dictionary"},
		{"lib.json.GetJSONPathDict", `{"data":[[[1],2]],"path":"$"}`, "the key of item 0 is an array"},
		{"lib.json.GetJSONPathStr", `{"data":` + data + `,"path":"$.a[?(@.b)]"}`, "filter expressions"},
	})
}

func TestLibJSONFilter(t *testing.T) {
	const arr = `[{"name":"a","n":1},{"name":"b","n":2.0},{"name":"c"},{"name":"d","n":true}]`
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"lib.json.FilterJSON", `{"array":` + arr + `,"key":"n","value":1}`, `[{'name': 'a', 'n': 1}, {'name': 'd', 'n': True}]`},
		{"lib.json.FilterJSON", `{"array":` + arr + `,"key":"n","value":2}`, `[{'name': 'b', 'n': 2.0}]`},
		{"lib.json.FilterJSON", `{"array":` + arr + `,"key":"name","value":"c"}`, `[{'name': 'c'}]`},
		{"lib.json.FilterJSON", `{"array":` + arr + `,"key":"missing","value":"x"}`, `[]`},
		{"lib.json.FilterJSON", `{"array":[],"key":"n","value":1}`, `[]`},
		{"lib.json.FilterJSON", `{"array":[{"t":{"a":[1]}}],"key":"t","value":{"a":[1]}}`, `[{'t': {'a': [1]}}]`},
	})
}

func TestLibJSONTemplate(t *testing.T) {
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"lib.json.JSONTemplate", `{"template":"{\"name\": \"$user\", \"age\": \"$age\", \"msg\": \"Hi $user, $age\", \"q\": \"$quote\"}","values":{"user":"Jo\"hn","age":30,"quote":"é"}}`,
			`{'name': 'Jo"hn', 'age': 30, 'msg': 'Hi Jo"hn, 30', 'q': 'é'}`},
		{"lib.json.JSONTemplate", `{"template":"{\"o\": \"$obj\", \"l\": $list}","values":{"obj":{"k":[1,null]},"list":[true]}}`, `{'o': {'k': [1, None]}, 'l': [True]}`},
		{"lib.json.JSONTemplate", `{"template":"{\"a\": \"$missing\"}","values":{"x":1}}`, `{'a': '$missing'}`},
		{"lib.json.JSONTemplate", `{"template":"{\"a\": 1}"}`, `{'a': 1}`},
	})
	nodetest.RunErrCases(t, "nodetool.text.", []nodetest.Case{
		{"lib.json.JSONTemplate", `{"template":"{\"a\": $x}","values":{"y":1}}`, "the filled-in template is not valid JSON"},
		{"lib.json.JSONTemplate", `{"template":"[\"$x\"]","values":{"x":1}}`, "the filled-in template must be a JSON object, got an array"},
		{"lib.json.JSONTemplate", `{}`, "invalid JSON: the text is empty"},
	})
}

func TestLibJSONValidateNode(t *testing.T) {
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"lib.json.ValidateJSON", `{"data":{"a":1},"json_schema":{"type":"object","required":["a"]}}`, `True`},
		{"lib.json.ValidateJSON", `{"data":{"a":1},"json_schema":{"required":["b"]}}`, `False`},
		{"lib.json.ValidateJSON", `{"data":"x"}`, `True`},
		{"lib.json.ValidateJSON", `{"data":"x","json_schema":{"type":"integer"}}`, `False`},
	})
	nodetest.RunErrCases(t, "nodetool.text.", []nodetest.Case{
		{"lib.json.ValidateJSON", `{"data":1,"json_schema":{"type":"foo"}}`, "invalid JSON schema: #/type: 'foo' is not a JSON Schema type"},
		{"lib.json.ValidateJSON", `{"data":1,"json_schema":{"minimum":"a"}}`, "#/minimum must be a number"},
		{"lib.json.ValidateJSON", `{"data":1,"json_schema":{"required":"a"}}`, "#/required must be an array of strings"},
		{"lib.json.ValidateJSON", `{"data":[1],"json_schema":{"items":[{"type":"integer"}]}}`, "use prefixItems"},
		{"lib.json.ValidateJSON", `{"data":"x","json_schema":{"pattern":"(?<=a)x"}}`, "look-around"},
		{"lib.json.ValidateJSON", `{"data":1,"json_schema":{"$ref":"http://example.com/s.json"}}`, "only references within the schema"},
		{"lib.json.ValidateJSON", `{"data":1,"json_schema":{"$ref":"#/$defs/none"}}`, `cannot resolve $ref "#/$defs/none"`},
		{"lib.json.ValidateJSON", `{"data":1,"json_schema":{"$ref":"#"}}`, "a reference cycle"},
	})
}

// TestLibJSONLoadAssetsWithoutStore: a process without an asset store
// (the test registry's) refuses asset folders; the store's side is tested
// with the real store in the nodetool package (assets_nodes_test.go).
func TestLibJSONLoadAssetsWithoutStore(t *testing.T) {
	nodetest.RunErrCases(t, "", []nodetest.Case{
		{"lib.json.LoadJSONAssets", `{"folder":{"type":"folder","asset_id":"f1"}}`, "this process has no asset store"},
		{"lib.json.LoadJSONAssets", `{}`, "Please select an asset folder."},
	})
}

// doublingSchema is a schema of levels definitions, each an anyOf (or
// allOf, oneOf) of two $refs to the next, the last one "type": "integer":
// validating without memoization takes 2^levels steps.
func doublingSchema(levels int, keyword string) string {
	var defs []string
	for i := range levels {
		defs = append(defs, fmt.Sprintf(`"l%d": {%q: [{"$ref": "#/$defs/l%d"}, {"$ref": "#/$defs/l%d"}]}`, i, keyword, i+1, i+1))
	}
	defs = append(defs, fmt.Sprintf(`"l%d": {"type": "integer"}`, levels))
	return `{"$ref": "#/$defs/l0", "$defs": {` + strings.Join(defs, ", ") + `}}`
}

// Validation is polynomial: the 22- and 40-level doubling schemas of the
// report (11.9 s and "never" before) take a few steps per level.
func TestValidateJSONSchemaDoublingSchemas(t *testing.T) {
	// The node completes too, with a node-timeout far below what 2^40
	// steps would take.
	g := &nodetest.Graph{}
	g.Node("v", "lib.json.ValidateJSON", `{"data": 7, "json_schema": `+doublingSchema(40, "anyOf")+`}`)
	lim := nodetest.SmallLimits
	lim.Node = 5 * time.Second
	res := g.Output("v", "ok").Run(t, nil, lim)
	nodetest.WantCompleted(t, res)
	if got := res.Outputs["ok"]; len(got) != 1 || got[0] != true {
		t.Errorf("ValidateJSON = %s, want [True]", nodetest.Repr(got))
	}
}

// An instance that holds one dict 2^40 times is validated a dict at a
// time; a self-referencing schema fails on its depth bound; a schema that
// nests too deeply is refused.
func TestValidateJSONSchemaSharedInstanceAndCycles(t *testing.T) {
	g := &nodetest.Graph{}
	d := g.SharedDict("d", 40)
	g.Node("v", "lib.json.ValidateJSON", `{"json_schema": {"$ref": "#/$defs/n", "$defs": {"n": {"type": "object",
		"properties": {"x": {"type": "string"}}, "additionalProperties": {"$ref": "#/$defs/n"}}}}}`).Edge(d, "output", "v", "data")
	res := g.Output("v", "ok").Run(t, nil, nodetest.SmallLimits)
	nodetest.WantCompleted(t, res)
	if got := res.Outputs["ok"]; len(got) != 1 || got[0] != true {
		t.Errorf("ValidateJSON = %s, want [True]", nodetest.Repr(got))
	}

}

// A validation that takes long (200,000 items against 300 alternatives
// each) polls its context: the node-timeout budget stops it and no
// goroutine keeps working after the run ends. The items arrive as a param
// through an input node, which the engine feeds without a clock, so only
// the validator can run out of time.
func TestValidateJSONSchemaIsCancellable(t *testing.T) {
	var alts []string
	for i := range 300 {
		alts = append(alts, fmt.Sprintf(`{"const": "x%d"}`, i))
	}
	items := make([]any, 200000)
	for i := range items {
		items[i] = strconv.Itoa(i)
	}
	base := runtime.NumGoroutine()
	g := &nodetest.Graph{}
	g.Node("in", "nodetool.input.StringListInput", `{"name": "items"}`)
	g.Node("v", "lib.json.ValidateJSON", `{"json_schema": {"items": {"anyOf": [`+strings.Join(alts, ", ")+`]}}}`).Edge("in", "output", "v", "data")
	p := nodetest.Compile(t, nodetest.Registry(), g.Output("v", "ok").JSON())
	res := p.Run(context.Background(), engine.RunOptions{Params: pyval.DictOf("items", items), Limits: engine.Limits{Node: 100 * time.Millisecond}})
	nodetest.WantLimit(t, res, engine.LimitNodeTimeout, "v")
	nodetest.WaitGoroutines(t, base)
}

// uniqueItems hashes: 200,000 distinct items are checked in a pass.
func TestValidateJSONSchemaUniqueItems(t *testing.T) {
	g := &nodetest.Graph{}
	g.Node("r", "nodetool.list.ListRange", `{"start": 0, "stop": 200000}`)
	g.Node("v", "lib.json.ValidateJSON", `{"json_schema": {"uniqueItems": true}}`).Edge("r", "output", "v", "data")
	lim := engine.Limits{Node: time.Minute}
	res := g.Output("v", "ok").Run(t, nil, lim)
	nodetest.WantCompleted(t, res)
	if got := res.Outputs["ok"]; len(got) != 1 || got[0] != true {
		t.Errorf("ValidateJSON = %s, want [True]", nodetest.Repr(got))
	}
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"lib.json.ValidateJSON", `{"data":[1, true, 1.0],"json_schema":{"uniqueItems":true}}`, `False`},
		{"lib.json.ValidateJSON", `{"data":[1, true, {"a": [1]}, {"a": [true]}],"json_schema":{"uniqueItems":true}}`, `True`},
		{"lib.json.ValidateJSON", `{"data":[{"a": 1, "b": 2}, {"b": 2, "a": 1.0}],"json_schema":{"uniqueItems":true}}`, `False`},
	})
}

// The lib.json writers and parsers size their work.
func TestLibJSONNodesCheckSizeFirst(t *testing.T) {
	g := &nodetest.Graph{}
	g.Node("n", "lib.json.StringifyJSON", "").Edge(g.SharedDict("d", 40), "output", "n", "data")
	nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits), "n")
	g = &nodetest.Graph{}
	g.Node("n", "lib.json.StringifyJSON", `{"data": [1], "indent": 1000000000000000}`)
	nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits), "n")

	for _, typ := range []string{"lib.json.ParseList", "lib.json.ParseDict"} {
		g = &nodetest.Graph{}
		text := "[" + strings.Repeat("{},", 20000) + "{}]"
		if typ == "lib.json.ParseDict" {
			text = `{"a": ` + text + `}`
		}
		g.Node("n", typ, fmt.Sprintf(`{"json_string": %q}`, text))
		nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, engine.Limits{Value: 1 << 20}), "n")
	}

	// 1,000 placeholders for a 1,000-byte text: a megabyte of result.
	g = &nodetest.Graph{}
	g.Node("n", "lib.json.JSONTemplate", fmt.Sprintf(`{"template": %q, "values": {"a": %q}}`,
		`{"k": "`+strings.Repeat("$a", 1000)+`"}`, strings.Repeat("x", 1000)))
	nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits), "n")

	// A JSONPath that selects every node of a dict holding one dict 2^40
	// times, and a path whose value's text would be that big.
	for _, node := range []string{"all", "str"} {
		g = &nodetest.Graph{}
		d := g.SharedDict("d", 40)
		typ := map[string]string{"all": "lib.json.GetJSONPathList", "str": "lib.json.GetJSONPathStr"}[node]
		path := map[string]string{"all": "$..*", "str": "$.a"}[node]
		g.Node(node, typ, fmt.Sprintf(`{"path": %q}`, path)).Edge(d, "output", node, "data")
		nodetest.WantValueLimit(t, g.Output(node, "r").Run(t, nil, nodetest.SmallLimits), node)
	}

	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		// A huge slice step takes one item, not a position past the end.
		{"lib.json.GetJSONPathInt", `{"data": {"a": [[1, 2, 3]]}, "path": "$.a[0][1::9223372036854775807]"}`, `2`},
		{"lib.json.GetJSONPathInt", `{"data": {"a": [[1, 2, 3]]}, "path": "$.a[0][::-9223372036854775807]"}`, `3`},
		{"lib.json.GetJSONPathStr", `{"data": {"s": "héllo"}, "path": "$.s[1]"}`, `'é'`},
		{"lib.json.GetJSONPathStr", `{"data": {"s": "hello"}, "path": "$.s[-1]"}`, `'o'`},
	})
}
