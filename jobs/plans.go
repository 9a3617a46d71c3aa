package jobs

import (
	"bytes"
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
// The cache is bounded: at most planCacheEntries graphs and planCacheBytes
// of their strings and bytes, none over planCacheMaxGraph; the rest are
// compiled each time.
const (
	planCacheEntries  = 256
	planCacheBytes    = 16 << 20
	planCacheMaxGraph = 256 << 10
)

type planKey struct{ user, workflow string }

type cachedPlan struct {
	graph *engine.Graph
	plan  *engine.Plan
	size  int64
}

type planCache struct {
	mu    sync.Mutex
	m     map[planKey]cachedPlan
	bytes int64
}

// compile returns the plan of g, run as workflow by user: the cached one
// when g is identical to the graph it was compiled from.
func (m *Manager) compile(g *engine.Graph, user, workflow string) (*engine.Plan, error) {
	c := &m.plans
	k := planKey{user, workflow}
	if workflow != "" {
		c.mu.Lock()
		e, ok := c.m[k]
		c.mu.Unlock()
		if ok && sameGraph(e.graph, g) {
			return e.plan, nil
		}
	}
	p, err := m.o.Registry.Compile(g)
	if err != nil || workflow == "" {
		return p, err
	}
	size, ok := graphSize(g, planCacheMaxGraph)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, had := c.m[k]; had {
		delete(c.m, k)
		c.bytes -= old.size
	}
	if !ok {
		return p, nil
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
	c.m[k] = cachedPlan{graph: g, plan: p, size: size}
	c.bytes += size
	return p, nil
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
