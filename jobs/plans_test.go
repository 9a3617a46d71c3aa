package jobs

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// A workflow run again with an identical graph reuses its plan; any
// difference, however small (a value's type included), compiles the new
// graph, and each run gets its own params.
func TestPlanCache(t *testing.T) {
	m, _ := newManager(t, Options{})
	run := func(user, wf, src, text string) *engine.Plan {
		t.Helper()
		_, sub := start(t, m, Request{UserID: user, WorkflowID: wf, Graph: graph(t, src), Params: pyval.DictOf("text", text)})
		if ju := last(drain(t, sub)); ju == nil || ju.Status != "completed" || pyval.Repr(ju.Result["result"]) != "['"+strings.ToUpper(text)+"']" {
			t.Fatalf("%s/%s: %#v", user, wf, ju)
		}
		m.plans.mu.Lock()
		defer m.plans.mu.Unlock()
		return m.plans.m[planKey{user, wf}].plan
	}
	p1 := run("u", "wf", upper, "one")
	if p1 == nil {
		t.Fatal("the plan was not kept")
	}
	if p := run("u", "wf", upper, "two"); p != p1 {
		t.Error("an identical graph was compiled again")
	}
	for name, src := range map[string]string{
		"a value":       strings.Replace(upper, `"value":"hi"`, `"value":"ho"`, 1),
		"a key's order": strings.Replace(upper, `"data":{"name":"text","value":"hi"}`, `"data":{"value":"hi","name":"text"}`, 1),
		"an edge's id":  strings.Replace(upper, `"id":"e2"`, `"id":"e3"`, 1),
		"ui properties": strings.Replace(upper, `{"id":"up","type":"nodetool.text.ToUppercase"}`, `{"id":"up","type":"nodetool.text.ToUppercase","ui_properties":{"title":"T"}}`, 1),
	} {
		p := run("u", "wf", src, "three")
		if p == p1 {
			t.Errorf("%s changed: the old plan ran", name)
		}
		p1 = run("u", "wf", upper, "four")
	}
	// 1 and 1.0 are told apart.
	if sameValue(int64(1), float64(1)) || sameValue(true, int64(1)) || !sameValue(float64(1), float64(1)) {
		t.Error("sameValue mixes types")
	}
	// Another user's identical graph has its own plan; no workflow id, no
	// plan kept.
	if p := run("v", "wf", upper, "five"); p == nil || p == p1 {
		t.Error("another user's run used the first user's plan")
	}
	if p := run("u", "", upper, "six"); p != nil {
		t.Error("a run without a workflow id was kept")
	}
	// Bounded: entries, and graphs too big to keep.
	for i := range planCacheEntries + 10 {
		if _, err := m.compile(graph(t, upper), nil, "u", fmt.Sprint("w", i)); err != nil {
			t.Fatal(err)
		}
	}
	big := strings.Replace(upper, `"value":"hi"`, `"value":"`+strings.Repeat("x", planCacheMaxGraph)+`"`, 1)
	if _, err := m.compile(graph(t, big), nil, "u", "big"); err != nil {
		t.Fatal(err)
	}
	m.plans.mu.Lock()
	n, size := len(m.plans.m), m.plans.bytes
	_, kept := m.plans.m[planKey{"u", "big"}]
	var sum int64
	for _, e := range m.plans.m {
		sum += e.size
	}
	m.plans.mu.Unlock()
	if n > planCacheEntries || kept || sum != size || size > planCacheBytes {
		t.Errorf("%d entries (at most %d), %d bytes (counted %d), the big graph kept: %v", n, planCacheEntries, size, sum, kept)
	}
}

// Finding a kept plan allocates nothing: the comparison walks both graphs
// in place.
func TestPlanCacheHitAllocs(t *testing.T) {
	m, _ := newManager(t, Options{})
	src := strings.Replace(upper, `"data":{"name":"result"}`, `"data":{"name":"result","tags":[1,2.5,true,null,{"k":"v"}]}`, 1)
	if _, err := m.compile(graph(t, src), nil, "u", "wf"); err != nil {
		t.Fatal(err)
	}
	g := graph(t, src)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := m.compile(g, nil, "u", "wf"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a kept plan's lookup allocates %.0f objects, want none", allocs)
	}
	m.plans.mu.Lock()
	hit := m.plans.m[planKey{"u", "wf"}].graph != g
	m.plans.mu.Unlock()
	if !hit {
		t.Error("the second graph replaced the first: it was compiled, not found")
	}
}

// A graph that comes as its encoding (Request.GraphSource) is decoded once:
// a run that brings the same bytes takes the kept graph and plan; other
// bytes are decoded, and an identical graph from them keeps its plan; a
// source that does not decode fails Start with a *GraphError and starts
// nothing.
func TestPlanCacheSource(t *testing.T) {
	m, _ := newManager(t, Options{})
	decoded := 0
	decode := func(b []byte) (*engine.Graph, error) {
		decoded++
		w, err := engine.ParseWorkflow(b)
		if err != nil {
			return nil, err
		}
		return &w.Graph, nil
	}
	run := func(user, src, text string) (*engine.Plan, *engine.Graph) {
		t.Helper()
		_, sub := start(t, m, Request{UserID: user, WorkflowID: "wf", GraphSource: []byte(src), DecodeGraph: decode,
			Params: pyval.DictOf("text", text)})
		if ju := last(drain(t, sub)); ju == nil || ju.Status != "completed" || pyval.Repr(ju.Result["result"]) != "['"+strings.ToUpper(text)+"']" {
			t.Fatalf("%s: %#v", text, ju)
		}
		m.plans.mu.Lock()
		defer m.plans.mu.Unlock()
		e := m.plans.m[planKey{user, "wf"}]
		return e.plan, e.graph
	}
	p1, g1 := run("u", upper, "one")
	if p2, g2 := run("u", upper, "two"); p2 != p1 || g2 != g1 || decoded != 1 {
		t.Errorf("the same bytes again: decoded %d times (want 1), plan kept %v, graph kept %v", decoded, p2 == p1, g2 == g1)
	}
	spaced := strings.Replace(upper, `{"nodes":[`, `{ "nodes": [`, 1)
	if p, _ := run("u", spaced, "three"); p != p1 || decoded != 2 {
		t.Errorf("the same graph in other bytes: decoded %d times (want 2), plan kept %v", decoded, p == p1)
	}
	if p, _ := run("u", spaced, "four"); p != p1 || decoded != 2 {
		t.Errorf("those bytes again: decoded %d times (want 2), plan kept %v", decoded, p == p1)
	}
	changed := strings.Replace(upper, `"value":"hi"`, `"value":"ho"`, 1)
	if p, _ := run("u", changed, "five"); p == p1 || decoded != 3 {
		t.Errorf("a changed graph: decoded %d times (want 3), the old plan ran: %v", decoded, p == p1)
	}
	if _, _ = run("v", changed, "six"); decoded != 4 {
		t.Errorf("another user's run: decoded %d times, want 4 (users do not share graphs)", decoded)
	}
	_, _, err := m.Start(Request{UserID: "u", WorkflowID: "wf", GraphSource: []byte(`{"nodes":`), DecodeGraph: decode})
	var ge *GraphError
	if !errors.As(err, &ge) || !strings.HasPrefix(err.Error(), "invalid graph: ") {
		t.Fatalf("a source that does not decode: %v", err)
	}
	if recs, _ := m.List("u", "", 100, ""); len(recs) != 5 {
		n := len(recs)
		t.Errorf("%d jobs of u, want 5: the refused one made a job", n)
	}
	// Finding the kept graph by its bytes allocates nothing.
	src := []byte(changed)
	if a := testing.AllocsPerRun(100, func() {
		if _, err := m.sourceGraph(src, decode, "u", "wf"); err != nil {
			t.Fatal(err)
		}
	}); a != 0 || decoded != 5 {
		t.Errorf("a kept graph's lookup by its bytes: %.0f allocations, decoded %d times", a, decoded)
	}
}
