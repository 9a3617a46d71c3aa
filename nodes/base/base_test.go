package base_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/base"
	"nodetool/nodes/nodetest"
)

// inputGraph wires one input node of type typ (configured with data) to an
// Output named "out".
func inputGraph(typ, data string) string {
	return fmt.Sprintf(`{"nodes":[
	 {"id":"in","type":%q,"data":%s},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"out"}}
	],"edges":[{"id":"e","source":"in","sourceHandle":%q,"target":"out","targetHandle":"value"}]}`,
		typ, data, firstOutput(typ))
}

func firstOutput(typ string) string {
	def, _ := nodetest.Registry().Lookup(typ)
	return def.Outputs[0].Name
}

func TestInputNodes(t *testing.T) {
	cases := []struct {
		typ, value, param, want string
	}{
		{"nodetool.input.StringInput", `"dflt"`, `"given"`, `'given'`},
		{"nodetool.input.IntegerInput", `5`, `120`, `120`},
		{"nodetool.input.FloatInput", `1.5`, `2`, `2.0`},
		{"nodetool.input.BooleanInput", `false`, `true`, `True`},
		{"nodetool.input.SelectInput", `"a"`, `"b"`, `'b'`},
		{"nodetool.input.StringListInput", `["a"]`, `["x","y"]`, `['x', 'y']`},
		{"nodetool.input.TextListInput", `["a"]`, `["t"]`, `['t']`},
		{"nodetool.input.FilePathInput", `""`, `"/tmp/x.txt"`, `'/tmp/x.txt'`},
		{"nodetool.input.FolderPathInput", `""`, `"/tmp"`, `'/tmp'`},
		{"nodetool.input.DocumentFileInput", `""`, `"doc.pdf"`, `'doc.pdf'`},
		{"nodetool.input.ColorInput", `{"type":"color","value":"#fff"}`, `{"type":"color","value":"#000"}`, `{'type': 'color', 'value': '#000'}`},
		{"nodetool.input.ImageSizeInput", `{"type":"image_size","width":1,"height":2}`, `{"type":"image_size","width":64,"height":32}`, `{'type': 'image_size', 'width': 64, 'height': 32}`},
		{"nodetool.input.LanguageModelInput", base.DefLLM, `{"type":"language_model","provider":"ollama","id":"qwen3"}`, `{'type': 'language_model', 'provider': 'ollama', 'id': 'qwen3'}`},
		{"nodetool.input.ImageModelInput", base.DefImgModel, `{"type":"image_model","provider":"x","id":"m"}`, `{'type': 'image_model', 'provider': 'x', 'id': 'm'}`},
		{"nodetool.input.VideoModelInput", base.DefVidModel, `{"type":"video_model","id":"v"}`, `{'type': 'video_model', 'id': 'v'}`},
		{"nodetool.input.TTSModelInput", base.DefTTSModel, `{"type":"tts_model","id":"t"}`, `{'type': 'tts_model', 'id': 't'}`},
		{"nodetool.input.ASRModelInput", base.DefASRModel, `{"type":"asr_model","id":"w"}`, `{'type': 'asr_model', 'id': 'w'}`},
		{"nodetool.input.EmbeddingModelInput", base.DefEmbModel, `{"type":"embedding_model","id":"e"}`, `{'type': 'embedding_model', 'id': 'e'}`},
		{"nodetool.input.HuggingFaceModelInput", base.DefHFModel, `{"type":"hf.model","repo_id":"org/m"}`, `{'type': 'hf.model', 'repo_id': 'org/m'}`},
		{"nodetool.input.MessageInput", base.DefMessage, `{"type":"message","role":"user","content":"hi"}`, `{'type': 'message', 'role': 'user', 'content': 'hi'}`},
		{"nodetool.input.MessageListInput", `[]`, `[{"type":"message","role":"user"}]`, `[{'type': 'message', 'role': 'user'}]`},
		{"nodetool.input.DataframeInput", base.DefDataFr, `{"type":"dataframe","columns":[],"data":[]}`, `{'type': 'dataframe', 'columns': [], 'data': []}`},
		{"nodetool.input.DocumentInput", base.DefDocument, `{"type":"document","uri":"file:///a.pdf"}`, `{'type': 'document', 'uri': 'file:///a.pdf'}`},
		{"nodetool.input.ImageInput", base.DefImage, `{"type":"image","uri":"http://x/a.png"}`, `{'type': 'image', 'uri': 'http://x/a.png'}`},
		{"nodetool.input.ImageListInput", `[]`, `[{"type":"image","uri":"a"}]`, `[{'type': 'image', 'uri': 'a'}]`},
		{"nodetool.input.AudioInput", base.DefAudio, `{"type":"audio","uri":"a.mp3"}`, `{'type': 'audio', 'uri': 'a.mp3'}`},
		{"nodetool.input.AudioListInput", `[]`, `[{"type":"audio","uri":"a"}]`, `[{'type': 'audio', 'uri': 'a'}]`},
		{"nodetool.input.VideoInput", base.DefVideo, `{"type":"video","uri":"v.mp4"}`, `{'type': 'video', 'uri': 'v.mp4'}`},
		{"nodetool.input.VideoListInput", `[]`, `[{"type":"video","uri":"v"}]`, `[{'type': 'video', 'uri': 'v'}]`},
		{"nodetool.input.Model3DInput", base.DefModel3D, `{"type":"model_3d","uri":"m.glb"}`, `{'type': 'model_3d', 'uri': 'm.glb'}`},
		{"nodetool.input.AssetFolderInput", base.DefFolder, `{"type":"folder","asset_id":"f1"}`, `{'type': 'folder', 'asset_id': 'f1'}`},
	}
	for _, c := range cases {
		src := inputGraph(c.typ, `{"name":"p","value":`+c.value+`}`)
		// Unset: the node's own value goes out.
		res, _ := nodetest.RunGraph(t, src, "")
		if res.Status != engine.StatusCompleted {
			t.Errorf("%s without param: %s: %s", c.typ, res.Status, res.Error)
			continue
		}
		if want := nodetest.Repr(nodetest.MustJSON(t, c.value)); len(res.Outputs["out"]) > 0 && nodetest.Repr(res.Outputs["out"][0]) != want {
			t.Errorf("%s default = %s, want %s", c.typ, nodetest.Repr(res.Outputs["out"][0]), want)
		}
		// Set: the param replaces it, unchanged (refs are passed through).
		res, _ = nodetest.RunGraph(t, src, `{"p":`+c.param+`}`)
		if res.Status != engine.StatusCompleted || len(res.Outputs["out"]) != 1 || nodetest.Repr(res.Outputs["out"][0]) != c.want {
			t.Errorf("%s with param %s = %v (%s), want %s", c.typ, c.param, res.Outputs["out"], res.Error, c.want)
		}
	}
}

func TestInputParamTypeChecked(t *testing.T) {
	src := inputGraph("nodetool.input.IntegerInput", `{"name":"n","value":1}`)
	res, _ := nodetest.RunGraph(t, src, `{"n":"seven"}`)
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, `param "n": expects int, got str`) {
		t.Fatalf("result = %+v, want a failure naming the param and types", res)
	}
}

func TestConstantNodes(t *testing.T) {
	for _, c := range []struct{ typ, value string }{
		{"nodetool.constant.String", `"s"`}, {"nodetool.constant.Integer", `3`}, {"nodetool.constant.Float", `2.5`},
		{"nodetool.constant.Bool", `true`}, {"nodetool.constant.List", `[1,"a"]`}, {"nodetool.constant.TextList", `["a","b"]`},
		{"nodetool.constant.Dict", `{"k":[1]}`}, {"nodetool.constant.Select", `"opt"`},
		{"nodetool.constant.Image", `{"type":"image","uri":"a.png"}`}, {"nodetool.constant.ImageList", `[{"type":"image","uri":"a"}]`},
		{"nodetool.constant.Audio", `{"type":"audio","uri":"a"}`}, {"nodetool.constant.AudioList", `[{"type":"audio","uri":"a"}]`},
		{"nodetool.constant.Video", `{"type":"video","uri":"v"}`}, {"nodetool.constant.VideoList", `[{"type":"video","uri":"v"}]`},
		{"nodetool.constant.Document", `{"type":"document","uri":"d"}`}, {"nodetool.constant.DataFrame", `{"type":"dataframe","columns":[{"name":"a","data_type":"int"}],"data":[[1]]}`},
		{"nodetool.constant.JSON", `{"type":"json","uri":"j"}`}, {"nodetool.constant.Model3D", `{"type":"model_3d","uri":"m"}`},
		{"nodetool.constant.LanguageModelConstant", `{"type":"language_model","provider":"ollama","id":"x"}`},
		{"nodetool.constant.ImageModelConstant", `{"type":"image_model","id":"x"}`},
		{"nodetool.constant.VideoModelConstant", `{"type":"video_model","id":"x"}`},
		{"nodetool.constant.TTSModelConstant", `{"type":"tts_model","id":"x"}`},
		{"nodetool.constant.ASRModelConstant", `{"type":"asr_model","id":"x"}`},
		{"nodetool.constant.EmbeddingModelConstant", `{"type":"embedding_model","id":"x"}`},
	} {
		got := nodetest.Output(t, c.typ, `{"value":`+c.value+`}`, "output")
		if want := nodetest.Repr(nodetest.MustJSON(t, c.value)); nodetest.Repr(got) != want {
			t.Errorf("%s(%s) = %s, want %s", c.typ, c.value, nodetest.Repr(got), want)
		}
	}
	// A constant with a value of the wrong type is refused before running.
	w, _ := engine.ParseWorkflow([]byte(`{"nodes":[{"id":"c","type":"nodetool.constant.Bool","data":{"value":"yes"}}]}`))
	if _, err := nodetest.Registry().Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), `property "value" expects bool, got str`) {
		t.Errorf("Compile(Bool \"yes\") = %v, want a type error", err)
	}
}

// TestBaseConstant: the catalog's base class runs and produces nothing,
// and its completed update reports no result, as constants' do.
func TestBaseConstant(t *testing.T) {
	res, events := nodetest.RunGraph(t, `{"nodes":[{"id":"c","type":"nodetool.constant.Constant","data":{}}],"edges":[]}`, "")
	nodetest.WantCompleted(t, res)
	for _, e := range events {
		if u, ok := e.(*engine.NodeUpdate); ok && u.NodeID == "c" && u.Status == "completed" {
			if got, _ := json.Marshal(u.Result); string(got) != "{}" {
				t.Errorf("Constant's completed update result = %s, want {}", got)
			}
			return
		}
	}
	t.Errorf("no completed update for the Constant node")
}

func TestImageSizeConstant(t *testing.T) {
	outs, res := nodetest.RunNode(t, "nodetool.constant.ImageSize", `{"value":{"type":"image_size","width":640,"height":480,"preset":null}}`)
	if res.Status != engine.StatusCompleted || nodetest.Repr(outs["width"]) != "[640]" || nodetest.Repr(outs["height"]) != "[480]" || len(outs["image_size"]) != 1 {
		t.Fatalf("ImageSize = %v (%s)", outs, res.Error)
	}
}

func TestDateNodes(t *testing.T) {
	got := nodetest.Output(t, "nodetool.constant.Date", `{"year":2024,"month":2,"day":29}`, "output")
	if want := "{'type': 'date', 'year': 2024, 'month': 2, 'day': 29}"; nodetest.Repr(got) != want {
		t.Errorf("Date(2024-02-29) = %s, want %s", nodetest.Repr(got), want)
	}
	for _, bad := range []string{`{"year":2023,"month":2,"day":29}`, `{"year":2024,"month":13,"day":1}`, `{"year":0,"month":1,"day":1}`} {
		if msg := nodetest.Error(t, "nodetool.constant.Date", bad); !strings.Contains(msg, "invalid date") {
			t.Errorf("Date(%s) error = %q, want an invalid date", bad, msg)
		}
	}
	got = nodetest.Output(t, "nodetool.constant.DateTime", `{"year":2026,"month":11,"day":27,"hour":9,"minute":5,"second":7,"millisecond":250,"tzinfo":"CET","utc_offset":60}`, "output")
	want := "{'type': 'datetime', 'year': 2026, 'month': 11, 'day': 27, 'hour': 9, 'minute': 5, 'second': 7, 'microsecond': 250000, 'tzinfo': 'CET', 'utc_offset': 3600}"
	if nodetest.Repr(got) != want {
		t.Errorf("DateTime = %s, want %s", nodetest.Repr(got), want)
	}
	if msg := nodetest.Error(t, "nodetool.constant.DateTime", `{"year":2026,"month":1,"day":1,"hour":24}`); !strings.Contains(msg, "hour must be in 0..23") {
		t.Errorf("DateTime(hour 24) error = %q", msg)
	}
}

func TestMessageDeconstructor(t *testing.T) {
	outs, res := nodetest.RunNode(t, "nodetool.input.MessageDeconstructor", `{"value":{"type":"message","id":"m1","thread_id":"t1","role":"user",
		"content":[{"type":"text","text":"first"},{"type":"image_url","image":{"type":"image","uri":"a.png"}},{"type":"text","text":"last"}],
		"provider":"ollama","model":"qwen3"}}`)
	if res.Status != engine.StatusCompleted {
		t.Fatal(res.Error)
	}
	for slot, want := range map[string]string{
		"id": "['m1']", "thread_id": "['t1']", "role": "['user']", "text": "['last']",
		"image": "[{'type': 'image', 'uri': 'a.png'}]", "audio": "[]",
		"model": "[{'type': 'language_model', 'provider': 'ollama', 'id': 'qwen3', 'name': 'qwen3'}]",
	} {
		got := nodetest.Repr(outs[slot])
		if slot == "audio" && outs[slot] == nil {
			got = "[]"
		}
		if got != want {
			t.Errorf("MessageDeconstructor %s = %s, want %s", slot, got, want)
		}
	}
	// A string content is the text; no provider means no model.
	outs, _ = nodetest.RunNode(t, "nodetool.input.MessageDeconstructor", `{"value":{"type":"message","role":"assistant","content":"hello"}}`)
	if nodetest.Repr(outs["text"]) != "['hello']" || outs["model"] != nil {
		t.Errorf("MessageDeconstructor(string content) = %v", outs)
	}
}

func TestCommentAndGroupDoNothing(t *testing.T) {
	res, events := nodetest.RunGraph(t, `{"nodes":[
	 {"id":"c","type":"nodetool.workflows.base_node.Comment","data":{"headline":"Note","comment":{"type":"doc"}}},
	 {"id":"g","type":"nodetool.workflows.base_node.Group"},
	 {"id":"s","type":"nodetool.constant.String","data":{"value":"x"},"parent_id":"g"}
	]}`, "")
	if res.Status != engine.StatusCompleted || len(res.Outputs) != 0 {
		t.Fatalf("result = %+v", res)
	}
	done := map[string]bool{}
	for _, e := range events {
		if nu, ok := e.(*engine.NodeUpdate); ok && nu.Status == "completed" {
			done[nu.NodeID] = true
		}
	}
	if !done["c"] || !done["g"] || !done["s"] {
		t.Errorf("completed nodes = %v, want c, g and s", done)
	}
}
