package media_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/base"
	"nodetool/nodes/media"
	"nodetool/nodes/nodetest"
)

// memOutputs is an output store holding what it stored by uri; failAt
// makes its n-th store fail (1-based; 0: never).
type memOutputs struct {
	mu     sync.Mutex
	objs   map[string][]byte
	types  map[string]string
	names  []string
	calls  int
	failAt int
}

func (m *memOutputs) StoreOutput(_ context.Context, user, workflowID, name, contentType string, data []byte) (string, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.calls == m.failAt {
		return "", "", errors.New("disk full")
	}
	if m.objs == nil {
		m.objs, m.types = map[string][]byte{}, map[string]string{}
	}
	id := fmt.Sprintf("id%d", m.calls)
	uri := "/stored/" + user + "/" + workflowID + "/" + id
	m.objs[uri], m.types[uri] = data, contentType
	m.names = append(m.names, name)
	return uri, id, nil
}

func (m *memOutputs) RemoveOutput(_ context.Context, _, uri, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, uri)
	return nil
}

// keepRegistry has the base nodes with output nodes keeping results in
// outs, test.Make, which outputs the value made by make, and test.Len,
// which outputs the length of its ref's inline data.
func keepRegistry(outs media.Outputs, make func() any) *engine.Registry {
	r := engine.NewRegistry()
	base.RegisterKeeping(r, outs)
	r.Add(&engine.NodeDef{Type: "test.Make", Outputs: engine.Out("output", "any"),
		Process: func(*engine.Ctx, *engine.Inputs) (map[string]any, error) { return engine.Single(make()), nil }})
	r.Add(&engine.NodeDef{Type: "test.Len", Props: []engine.Prop{engine.P("ref", "any", "null", "")}, Outputs: engine.Out("output", "int"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			b, err := media.Sources{}.Read(ctx, in.Get("ref"))
			return engine.Single(int64(len(b))), err
		}})
	return r
}

// runKeep runs test.Make into output "result"; with passed, the output
// node's own output goes on to test.Len, into output "passed".
func runKeep(t *testing.T, reg *engine.Registry, passed bool) *engine.Result {
	t.Helper()
	g := (&nodetest.Graph{}).Node("make", "test.Make", "").Output("make", "result")
	if passed {
		g.Node("len", "test.Len", "").Edge("out_result", "output", "len", "ref").Output("len", "passed")
	}
	p := nodetest.Compile(t, reg, g.JSON())
	return p.Run(context.Background(), engine.RunOptions{JobID: "j", WorkflowID: "wf", UserID: "u1"})
}

func TestKeepOutputs(t *testing.T) {
	png := pngBytes(t, 40, 40)
	text := []byte(strings.Repeat("A", 101))
	atMax := []byte(strings.Repeat("B", 100))
	made := func() any {
		return pyval.DictOf(
			"big", media.ImageRef(png),
			"twice", []any{media.Ref(media.Audio, text), media.Ref(media.Audio, text)},
			"at_max", media.Ref(media.Document, atMax),
			"uri", pyval.DictOf("type", "image", "uri", "data:image/png;base64,"+base64.StdEncoding.EncodeToString(png), "asset_id", nil, "data", nil),
			"b64", pyval.DictOf("type", "video", "uri", "", "asset_id", nil, "data", base64.StdEncoding.EncodeToString(text)),
			"named", pyval.DictOf("type", "image", "uri", "", "asset_id", "a1", "data", png),
			"frame", pyval.DictOf("type", "dataframe", "data", []any{png}),
			"empty", media.ImageRef(nil),
		)
	}
	st := &memOutputs{}
	res := runKeep(t, keepRegistry(media.Outputs{Store: st, InlineMax: 100}, made), false)
	if res.Status != engine.StatusCompleted {
		t.Fatalf("run: %s %s", res.Status, res.Error)
	}
	got := res.Outputs["result"][0].(*pyval.Dict)
	ref := func(path ...any) *pyval.Dict {
		var v any = got
		for _, p := range path {
			switch k := p.(type) {
			case string:
				v, _ = v.(*pyval.Dict).Get(k)
			case int:
				v = v.([]any)[k]
			}
		}
		return v.(*pyval.Dict)
	}
	stored := func(name string, d *pyval.Dict, want []byte, ctype string) {
		t.Helper()
		data, _ := d.Get("data")
		uri := d.Str("uri")
		if data != nil || !strings.HasPrefix(uri, "/stored/u1/wf/") || d.Str("asset_id") != strings.TrimPrefix(uri, "/stored/u1/wf/") {
			t.Errorf("%s = %s, want a stored ref", name, pyval.Repr(d))
			return
		}
		if string(st.objs[uri]) != string(want) || st.types[uri] != ctype {
			t.Errorf("%s: stored %d bytes of %s, want %d of %s", name, len(st.objs[uri]), st.types[uri], len(want), ctype)
		}
	}
	stored("big", ref("big"), png, "image/png")
	stored("twice[0]", ref("twice", 0), text, "text/plain; charset=utf-8")
	if ref("twice", 0).Str("uri") != ref("twice", 1).Str("uri") {
		t.Errorf("the same bytes twice were stored twice: %s", pyval.Repr(ref("twice")))
	}
	stored("uri", ref("uri"), png, "image/png")
	if d, _ := ref("b64").Get("data"); d != base64.StdEncoding.EncodeToString(text) {
		t.Errorf("base64 text in data was changed: %s", pyval.Repr(ref("b64")))
	}
	if d, _ := ref("at_max").Get("data"); string(d.([]byte)) != string(atMax) {
		t.Errorf("at_max (100 bytes, the bound) was not kept inline: %s", pyval.Repr(ref("at_max")))
	}
	if d, _ := ref("named").Get("data"); d == nil || ref("named").Str("asset_id") != "a1" {
		t.Errorf("a ref naming an asset was changed: %s", pyval.Repr(ref("named")))
	}
	if d, _ := ref("frame").Get("data"); len(d.([]any)) != 1 {
		t.Errorf("a dataframe was changed")
	}
	if st.calls != 3 || len(st.objs) != 3 {
		t.Errorf("%d stores, %d objects, want 3 (big, twice, uri)", st.calls, len(st.objs))
	}
	if d, _ := ref("empty").Get("data"); d == nil || ref("empty").Str("uri") != "" {
		t.Errorf("an empty ref was changed: %s", pyval.Repr(ref("empty")))
	}
	if want := []string{"result_out_resu.png", "result_out_resu_1.txt", "result_out_resu_2.png"}; fmt.Sprint(st.names) != fmt.Sprint(want) {
		t.Errorf("names %q, want %q", st.names, want)
	}
}

// TestKeepPassesContentOn: the value an output node passes on keeps its
// inline content; only what it records and posts is stored.
func TestKeepPassesContentOn(t *testing.T) {
	png := pngBytes(t, 40, 40)
	st := &memOutputs{}
	res := runKeep(t, keepRegistry(media.Outputs{Store: st, InlineMax: 0}, func() any { return media.ImageRef(png) }), true)
	if res.Status != engine.StatusCompleted {
		t.Fatalf("run: %s %s", res.Status, res.Error)
	}
	if got := res.Outputs["passed"]; len(got) != 1 || got[0] != int64(len(png)) {
		t.Errorf("passed on %v, want the %d bytes", got, len(png))
	}
	r := res.Outputs["result"][0].(*pyval.Dict)
	if d, _ := r.Get("data"); d != nil || r.Str("asset_id") != "id1" {
		t.Errorf("result %s, want the stored ref", pyval.Repr(r))
	}
}

// TestKeepInline: without a store, or under the bound, results are as
// they were.
func TestKeepInline(t *testing.T) {
	png := pngBytes(t, 4, 4)
	for _, outs := range []media.Outputs{{}, {Store: &memOutputs{}, InlineMax: int64(len(png))}} {
		res := runKeep(t, keepRegistry(outs, func() any { return media.ImageRef(png) }), false)
		r := res.Outputs["result"][0].(*pyval.Dict)
		if d, _ := r.Get("data"); string(d.([]byte)) != string(png) {
			t.Errorf("%+v: result %s, want inline", outs, pyval.Repr(r))
		}
	}
}

// TestKeepFails: a store that fails fails the output node naming the
// result, and the refs of the value stored before are removed.
func TestKeepFails(t *testing.T) {
	a, b := pngBytes(t, 10, 10), pngBytes(t, 20, 20)
	st := &memOutputs{failAt: 2}
	res := runKeep(t, keepRegistry(media.Outputs{Store: st, InlineMax: 1}, func() any {
		return []any{media.ImageRef(a), media.ImageRef(b)}
	}), false)
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, `could not store the image of result "result"`) ||
		!strings.Contains(res.Error, "disk full") || res.NodeID != "out_result" {
		t.Errorf("run: %s %q at %s, want failed naming the result", res.Status, res.Error, res.NodeID)
	}
	if st.calls != 2 || len(st.objs) != 0 {
		t.Errorf("%d stores, %d objects left, want 2 and none", st.calls, len(st.objs))
	}
}

// TestKeepBudget: a data: URI whose content is over max-value is not
// decoded: it stays inline as it came.
func TestKeepBudget(t *testing.T) {
	uri := "data:image/png;base64," + base64.StdEncoding.EncodeToString(make([]byte, 4096))
	st := &memOutputs{}
	reg := keepRegistry(media.Outputs{Store: st, InlineMax: 1}, func() any {
		return pyval.DictOf("type", "image", "uri", uri, "asset_id", nil, "data", nil)
	})
	g := (&nodetest.Graph{}).Node("make", "test.Make", "").Output("make", "result")
	res := g.Run(t, reg, engine.Limits{Value: 6000})
	if res.Status != engine.StatusCompleted || st.calls != 1 {
		t.Fatalf("run within the budget: %s %s, %d stores", res.Status, res.Error, st.calls)
	}
	res = g.Run(t, reg, engine.Limits{Value: 4000})
	if res.Status != engine.StatusCompleted || st.calls != 1 || res.Outputs["result"][0].(*pyval.Dict).Str("uri") != uri {
		t.Errorf("run over max-value: %s %q, %d stores; want the data: URI left inline", res.Status, res.Error, st.calls)
	}
}
