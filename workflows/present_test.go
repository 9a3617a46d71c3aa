package workflows

import (
	"fmt"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// graphOf parses a {"nodes":[...],"edges":[...]} graph.
func graphOf(t *testing.T, src string) *engine.Graph {
	t.Helper()
	v, err := pyval.Decode([]byte(src))
	if err != nil {
		t.Fatalf("Decode(%s) = %v", src, err)
	}
	g, err := engine.GraphFromValue(v)
	if err != nil {
		t.Fatalf("GraphFromValue(%s) = %v", src, err)
	}
	return g
}

func TestInputSchema(t *testing.T) {
	for _, tc := range []struct {
		name string
		node string // one node, as JSON
		prop string // the property it gives, "" for none
		want string // the property's schema, as JSON
	}{
		{"float", `{"id":"n","type":"nodetool.input.FloatInput","data":{"name":"x","label":"X","value":0.5,"min":-1.0,"max":1.5}}`,
			"x", `{"type":"number","minimum":-1.0,"maximum":1.5,"default":0.5,"label":"X"}`},
		{"float defaults", `{"id":"n","type":"nodetool.input.FloatInput","data":{"name":"x"}}`,
			"x", `{"type":"number","minimum":0,"maximum":100,"default":0,"label":""}`},
		{"float nulls are defaults", `{"id":"n","type":"nodetool.input.FloatInput","data":{"name":"x","min":null,"max":null,"value":null}}`,
			"x", `{"type":"number","minimum":0,"maximum":100,"default":0,"label":""}`},
		{"integer", `{"id":"n","type":"nodetool.input.IntegerInput","data":{"name":"i","value":3,"min":1,"max":9}}`,
			"i", `{"type":"integer","minimum":1,"maximum":9,"default":3,"label":""}`},
		{"string", `{"id":"n","type":"nodetool.input.StringInput","data":{"name":"s","value":"hi","label":"Text"}}`,
			"s", `{"type":"string","default":"hi","label":"Text"}`},
		{"string default", `{"id":"n","type":"nodetool.input.StringInput","data":{"name":"s"}}`,
			"s", `{"type":"string","default":"","label":""}`},
		{"file path", `{"id":"n","type":"nodetool.input.FilePathInput","data":{"name":"f","value":"/a"}}`,
			"f", `{"type":"string","default":"/a","label":""}`},
		{"folder path", `{"id":"n","type":"nodetool.input.FolderPathInput","data":{"name":"f"}}`,
			"f", `{"type":"string","default":"","label":""}`},
		{"document file", `{"id":"n","type":"nodetool.input.DocumentFileInput","data":{"name":"f"}}`,
			"f", `{"type":"string","default":"","label":""}`},
		{"boolean", `{"id":"n","type":"nodetool.input.BooleanInput","data":{"name":"b","value":true}}`,
			"b", `{"type":"boolean","default":true,"label":""}`},
		{"boolean default", `{"id":"n","type":"nodetool.input.BooleanInput","data":{"name":"b"}}`,
			"b", `{"type":"boolean","default":false,"label":""}`},
		{"select", `{"id":"n","type":"nodetool.input.SelectInput","data":{"name":"c","value":"b","options":["a","b"]}}`,
			"c", `{"type":"string","default":"b","enum":["a","b"],"label":""}`},
		{"select without options", `{"id":"n","type":"nodetool.input.SelectInput","data":{"name":"c","options":[]}}`,
			"c", `{"type":"string","default":"","label":""}`},
		{"select options not a list", `{"id":"n","type":"nodetool.input.SelectInput","data":{"name":"c","options":"a,b"}}`,
			"c", `{"type":"string","default":"","label":""}`},
		{"string list", `{"id":"n","type":"nodetool.input.StringListInput","data":{"name":"l","value":["x"]}}`,
			"l", `{"type":"array","items":{"type":"string"},"default":["x"],"label":""}`},
		{"text list default", `{"id":"n","type":"nodetool.input.TextListInput","data":{"name":"l"}}`,
			"l", `{"type":"array","items":{"type":"string"},"default":[],"label":""}`},
		{"image", `{"id":"n","type":"nodetool.input.ImageInput","data":{"name":"img","label":"Picture"}}`,
			"img", `{"type":"object","properties":{"uri":{"type":"string","format":"uri"},"type":{"type":"string","enum":["image"]}},"required":["uri","type"],"label":"Picture"}`},
		{"video", `{"id":"n","type":"nodetool.input.VideoInput","data":{"name":"v"}}`,
			"v", `{"type":"object","properties":{"uri":{"type":"string","format":"uri"},"type":{"type":"string","enum":["video"]}},"required":["uri","type"],"label":""}`},
		{"audio", `{"id":"n","type":"nodetool.input.AudioInput","data":{"name":"a"}}`,
			"a", `{"type":"object","properties":{"uri":{"type":"string","format":"uri"},"type":{"type":"string","enum":["audio"]}},"required":["uri","type"],"label":""}`},
		{"document", `{"id":"n","type":"nodetool.input.DocumentInput","data":{"name":"d"}}`,
			"d", `{"type":"object","properties":{"uri":{"type":"string","format":"uri"},"type":{"type":"string","enum":["document"]}},"required":["uri","type"],"label":""}`},
		{"name falls back to the id", `{"id":"node-7","type":"nodetool.input.StringInput","data":{}}`,
			"node-7", `{"type":"string","default":"","label":""}`},
		{"empty name falls back to the id", `{"id":"node-7","type":"nodetool.input.StringInput","data":{"name":""}}`,
			"node-7", `{"type":"string","default":"","label":""}`},
		{"unknown input type", `{"id":"n","type":"nodetool.input.ColorInput","data":{"name":"c"}}`, "", ""},
		{"not an input", `{"id":"n","type":"nodetool.constant.String","data":{"name":"c"}}`, "", ""},
		{"output", `{"id":"n","type":"nodetool.output.Output","data":{"name":"c"}}`, "", ""},
	} {
		g := graphOf(t, `{"nodes":[`+tc.node+`],"edges":[]}`)
		want := `{"type":"object","properties":{},"required":[]}`
		if tc.prop != "" {
			want = `{"type":"object","properties":{"` + tc.prop + `":` + tc.want + `},"required":["` + tc.prop + `"]}`
		}
		if got := toJSON(t, InputSchema(g)); got != want {
			t.Errorf("InputSchema(%s) = %s, want %s", tc.name, got, want)
		}
	}
}

func TestSchemasOfSeveralNodes(t *testing.T) {
	g := graphOf(t, `{"nodes":[
		{"id":"o2","type":"nodetool.output.Output","data":{"name":"second","label":"Second"}},
		{"id":"i1","type":"nodetool.input.IntegerInput","data":{"name":"n"}},
		{"id":"c","type":"nodetool.constant.Integer","data":{"value":1}},
		{"id":"o1","type":"nodetool.output.Output","data":{}},
		{"id":"i2","type":"nodetool.input.StringInput","data":{"name":"s"}}],"edges":[]}`)
	for _, tc := range []struct {
		name string
		got  *pyval.Dict
		want string
	}{
		{"InputSchema", InputSchema(g),
			`{"type":"object","properties":{"n":{"type":"integer","minimum":0,"maximum":100,"default":0,"label":""},"s":{"type":"string","default":"","label":""}},"required":["n","s"]}`},
		{"OutputSchema", OutputSchema(g),
			`{"type":"object","properties":{"second":{"type":"any","label":"Second"},"o1":{"type":"any","label":""}},"required":["second","o1"]}`},
		{"InputSchema(empty)", InputSchema(&engine.Graph{}), `{"type":"object","properties":{},"required":[]}`},
		{"OutputSchema(empty)", OutputSchema(&engine.Graph{}), `{"type":"object","properties":{},"required":[]}`},
	} {
		if got := toJSON(t, tc.got); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestPresent(t *testing.T) {
	thumb := "t.png"
	g := graphOf(t, `{"nodes":[{"id":"i","type":"nodetool.input.BooleanInput","data":{"name":"b"}},
		{"id":"o","type":"nodetool.output.Output","data":{"name":"r"}}],"edges":[]}`)
	for _, tc := range []struct {
		name string
		w    *engine.Workflow
		want string // thumbnail, tags, graph, input and output schema as JSON
	}{
		{"bare", &engine.Workflow{ID: "w"},
			`"" [] {"nodes":[],"edges":[]} {"type":"object","properties":{},"required":[]} {"type":"object","properties":{},"required":[]}`},
		{"filled", &engine.Workflow{ID: "w", Thumbnail: &thumb, Tags: []string{"a"}, Graph: *g},
			`"t.png" ["a"] 2 nodes {"type":"object","properties":{"b":{"type":"boolean","default":false,"label":""}},"required":["b"]} {"type":"object","properties":{"r":{"type":"any","label":""}},"required":["r"]}`},
	} {
		before := toJSON(t, tc.w)
		p := Present(tc.w)
		graph := toJSON(t, p.Graph)
		if n := len(p.Graph.Nodes); n > 0 {
			graph = fmt.Sprintf("%d nodes", n)
		}
		got := strings.Join([]string{toJSON(t, p.Thumbnail), toJSON(t, p.Tags), graph, toJSON(t, p.InputSchema), toJSON(t, p.OutputSchema)}, " ")
		if got != tc.want {
			t.Errorf("Present(%s) = %s, want %s", tc.name, got, tc.want)
		}
		if after := toJSON(t, tc.w); after != before {
			t.Errorf("Present(%s) changed its argument to %s, want %s", tc.name, after, before)
		}
		if p == tc.w {
			t.Errorf("Present(%s) returned its argument, want a copy", tc.name)
		}
	}
}
