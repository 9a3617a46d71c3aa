package jobs

import (
	"bytes"
	"errors"
	"math"
	"sync"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// NodeTool's app sends the whole graph with every run_job, and mostly the
// same graph again: a user runs the workflow they are editing, a client
// runs one workflow many times. Compiling it is the largest part of a small
// job's own cost in the editor (allocations most of all), so the manager
// keeps the plan of each user's workflow's last graph and runs it again
// when the next run of that workflow brings an identical graph. Identical
// is strict: the same nodes and edges in the same order, every value of
// the same type and value (1 is not 1.0 or true: compiling may tell them
// apart). Comparing walks the graph once without allocating; a graph that
// differs is compiled and replaces the entry.
//
// A graph that comes as its client's encoding (Request.GraphSource, the
// editor's MessagePack) is kept with it: the next run that brings the same
// bytes takes the graph and plan without decoding them, which for the
// graphs NodeTool's app sends (every node with its ui_properties) costs
// more than the job's own run.
//
// The cache is bounded: at most planCacheEntries graphs and planCacheBytes
// of their strings and bytes (and sources), none over planCacheMaxGraph;
// the rest are compiled each time.
const (
	planCacheEntries  = 256
	planCacheBytes    = 16 << 20
	planCacheMaxGraph = 256 << 10
)

type planKey struct{ user, workflow string }

type cachedPlan struct {
	graph  *engine.Graph
	source []byte // the encoding graph was decoded from, when it came so
	plan   *engine.Plan
	size   int64
}

// GraphError is a Request.GraphSource that does not decode into a graph.
type GraphError struct{ Err error }

func (e *GraphError) Error() string { return "invalid graph: " + e.Err.Error() }
func (e *GraphError) Unwrap() error { return e.Err }

// sourceGraph returns the graph of a run's source: the cached graph of
// user's workflow when it came from the same bytes, or decode's.
func (m *Manager) sourceGraph(source []byte, decode func([]byte) (*engine.Graph, error), user, workflow string) (*engine.Graph, error) {
	if source == nil || decode == nil {
		return nil, errors.New("no graph")
	}
	if workflow != "" {
		c := &m.plans
		c.mu.Lock()
		e, ok := c.m[planKey{user, workflow}]
		c.mu.Unlock()
		if ok && e.source != nil && bytes.Equal(e.source, source) {
			return e.graph, nil
		}
	}
	return decode(source)
}

type planCache struct {
	mu    sync.Mutex
	m     map[planKey]cachedPlan
	bytes int64
}

// compile returns the plan of g, run as workflow by user: the cached one
// when g is identical to the graph it was compiled from.
// source is what g was decoded from (nil: it was not), kept with it.
func (m *Manager) compile(g *engine.Graph, source []byte, user, workflow string) (*engine.Plan, error) {
	c := &m.plans
	k := planKey{user, workflow}
	if workflow != "" {
		c.mu.Lock()
		e, ok := c.m[k]
		c.mu.Unlock()
		if ok && (e.graph == g || sameGraph(e.graph, g)) {
			if source == nil || bytes.Equal(e.source, source) {
				return e.plan, nil
			}
			// The same graph from other bytes: keep these, for the
			// next run that brings them again.
			return m.keep(k, g, source, e.plan), nil
		}
	}
	p, err := m.o.Registry.Compile(g)
	if err != nil || workflow == "" {
		return p, err
	}
	return m.keep(k, g, source, p), nil
}

// keep makes p, compiled from g (decoded from source, or nil), the entry of
// k, when the cache's bounds let it.
func (m *Manager) keep(k planKey, g *engine.Graph, source []byte, p *engine.Plan) *engine.Plan {
	c := &m.plans
	size, ok := graphSize(g, planCacheMaxGraph-int64(len(source)))
	size += int64(len(source))
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, had := c.m[k]; had {
		delete(c.m, k)
		c.bytes -= old.size
	}
	if !ok {
		return p
	}
	for len(c.m) >= planCacheEntries || c.bytes+size > planCacheBytes {
		for k, e := range c.m { // any entry: map order is random
			delete(c.m, k)
			c.bytes -= e.size
			break
		}
	}
	if c.m == nil {
		c.m = map[planKey]cachedPlan{}
	}
	c.m[k] = cachedPlan{graph: g, source: source, plan: p, size: size}
	c.bytes += size
	return p
}

// sameGraph reports whether a and b are identical as the package comment
// says.
func sameGraph(a, b *engine.Graph) bool {
	if len(a.Nodes) != len(b.Nodes) || len(a.Edges) != len(b.Edges) {
		return false
	}
	for i, x := range a.Nodes {
		y := b.Nodes[i]
		if x.ID != y.ID || x.Type != y.Type || x.SyncMode != y.SyncMode || !sameStringPtr(x.ParentID, y.ParentID) ||
			!sameDict(x.Data, y.Data) || !sameDict(x.UIProperties, y.UIProperties) ||
			!sameDict(x.DynamicProperties, y.DynamicProperties) || !sameDict(x.DynamicOutputs, y.DynamicOutputs) {
			return false
		}
	}
	for i, x := range a.Edges {
		y := b.Edges[i]
		if !sameStringPtr(x.ID, y.ID) || x.Source != y.Source || x.SourceHandle != y.SourceHandle || x.Target != y.Target ||
			x.TargetHandle != y.TargetHandle || x.EdgeType != y.EdgeType || !sameDict(x.UIProperties, y.UIProperties) {
			return false
		}
	}
	return true
}

func sameStringPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func sameDict(a, b *pyval.Dict) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if a.Len() != b.Len() {
		return false
	}
	for i := range a.Len() {
		ka, va := a.At(i)
		kb, vb := b.At(i)
		if ka != kb || !sameValue(va, vb) {
			return false
		}
	}
	return true
}

// sameValue compares the values a decoded graph holds; any other type is
// not the same (the graph is compiled).
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case *pyval.Dict:
		y, ok := b.(*pyval.Dict)
		return ok && sameDict(x, y)
	}
	return false
}

// graphSize estimates what keeping g costs (its strings and bytes, and a
// little per node, edge and value) and reports false when that passes max
// or g holds a value sameValue does not compare.
func graphSize(g *engine.Graph, max int64) (int64, bool) {
	var n int64
	var value func(v any) bool
	dict := func(d *pyval.Dict) bool {
		if d == nil {
			return true
		}
		ok := true
		d.Range(func(k string, v any) bool {
			n += int64(len(k)) + 16
			ok = value(v) && n <= max
			return ok
		})
		return ok
	}
	value = func(v any) bool {
		n += 16
		switch x := v.(type) {
		case nil, bool, int64, float64:
		case string:
			n += int64(len(x))
		case []byte:
			n += int64(len(x))
		case []any:
			for _, e := range x {
				if !value(e) || n > max {
					return false
				}
			}
		case *pyval.Dict:
			return dict(x)
		default:
			return false
		}
		return n <= max
	}
	for _, x := range g.Nodes {
		n += int64(len(x.ID)+len(x.Type)+len(x.SyncMode)) + 64
		if !dict(x.Data) || !dict(x.UIProperties) || !dict(x.DynamicProperties) || !dict(x.DynamicOutputs) {
			return n, false
		}
	}
	for _, x := range g.Edges {
		n += int64(len(x.Source)+len(x.SourceHandle)+len(x.Target)+len(x.TargetHandle)) + 64
		if !dict(x.UIProperties) {
			return n, false
		}
	}
	return n, n <= max
}
