package jinja

import (
	"context"
	"fmt"
	"strings"
	"time"

	"nodetool/lang/pyval"
)

// state is one render of a template. Errors panic with *Error at the
// position of the expression being evaluated; Render recovers them.
type state struct {
	t         *Template
	vars      *pyval.Dict
	frames    []map[string]any
	out       *strings.Builder
	pos       int
	steps     int
	nextCheck int // steps at which to look at the clock again
	deadline  time.Time
	ctx       context.Context
	iters     int
	alloc     int // bytes built so far, against MaxAlloc
	nest      int // recursion depth of equal, compare and hashKey
}

func newState(t *Template, vars *pyval.Dict, ctx context.Context) *state {
	return &state{t: t, vars: vars, frames: []map[string]any{{}}, out: &strings.Builder{},
		deadline: time.Now().Add(t.limits.Timeout), ctx: ctx}
}

func (r *state) fail(format string, args ...any) {
	panic(r.t.errorAt(r.pos, format, args...))
}

// failLimit fails with an error naming the limit that was broken.
func (r *state) failLimit(limit, format string, args ...any) {
	e := r.t.errorAt(r.pos, format, args...)
	e.Limit = limit
	panic(e)
}

// step charges n units of work against MaxSteps and, every so many steps,
// looks at the clock and the context.
func (r *state) step(n int) {
	r.steps += n + 1
	if r.steps > r.t.limits.MaxSteps || n < 0 {
		r.failLimit(LimitSteps, "template needs too much work to render (more than %d steps)", r.t.limits.MaxSteps)
	}
	if r.steps >= r.nextCheck {
		r.nextCheck = r.steps + 1<<14
		if err := r.ctx.Err(); err != nil {
			panic(cancelled{context.Cause(r.ctx)})
		}
		if time.Now().After(r.deadline) {
			r.failLimit(LimitTimeout, "template took longer than %v to render", r.t.limits.Timeout)
		}
	}
}

func (r *state) iteration() {
	r.iters++
	if r.iters > r.t.limits.MaxIterations {
		r.failLimit(LimitIterations, "loops ran more than %d iterations in total", r.t.limits.MaxIterations)
	}
}

// checkSize fails when a string the template builds would exceed
// MaxOutput bytes (n < 0 stands for a size too large to count).
func (r *state) checkSize(n int) {
	if n > r.t.limits.MaxOutput || n < 0 {
		r.failLimit(LimitOutput, "result is larger than the limit of %d bytes", r.t.limits.MaxOutput)
	}
}

func (r *state) checkItems(n int) {
	if n > r.t.limits.MaxItems || n < 0 {
		r.failLimit(LimitItems, "result has more than %d items", r.t.limits.MaxItems)
	}
}

// grow charges n bytes the render builds against MaxAlloc.
func (r *state) grow(n int) {
	r.alloc += n
	if r.alloc > r.t.limits.MaxAlloc || n < 0 || r.alloc < 0 {
		r.failLimit(LimitAlloc, "template builds more than %d bytes of values in total", r.t.limits.MaxAlloc)
	}
}

// newString checks and charges a string of n bytes before it is built.
func (r *state) newString(n int) {
	r.checkSize(n)
	r.grow(n)
}

// listItemCost is what one item of a list costs in memory.
const listItemCost = 16

// newList checks and charges a list of n items before it is built.
func (r *state) newList(n int) {
	r.checkItems(n)
	r.grow(n * listItemCost)
}

func (r *state) write(s string) {
	if r.out.Len()+len(s) > r.t.limits.MaxOutput {
		r.failLimit(LimitOutput, "output is larger than the limit of %d bytes", r.t.limits.MaxOutput)
	}
	r.grow(len(s))
	r.step(len(s) / 64)
	r.out.WriteString(s)
}

// enter counts one level of recursion into a value (equal, compare,
// hashKey), so that values a template nests very deeply cannot exhaust the
// stack; leave undoes it.
func (r *state) enter() {
	r.nest++
	if r.nest > maxValueDepth {
		r.failLimit(LimitDepth, "value is nested too deeply to compare (more than %d levels)", maxValueDepth)
	}
}

func (r *state) leave() { r.nest-- }

func (r *state) lookup(name string) any {
	for i := len(r.frames) - 1; i >= 0; i-- {
		if v, ok := r.frames[i][name]; ok {
			return v
		}
	}
	if v, ok := r.vars.Get(name); ok {
		return norm(v)
	}
	switch name {
	case "range", "dict", "namespace":
		return &builtin{name}
	}
	return &undefined{name: name}
}

func (r *state) execBody(body []node) {
	for _, n := range body {
		r.exec(n)
	}
}

func (r *state) exec(n node) {
	switch n := n.(type) {
	case *textNode:
		r.pos = n.pos
		r.write(n.text)
	case *outputNode:
		v := r.eval(n.x)
		r.pos = n.x.position()
		r.write(r.str(v))
	case *ifNode:
		for i, c := range n.conds {
			if truthy(r.eval(c)) {
				r.execBody(n.bodies[i])
				return
			}
		}
		r.execBody(n.els)
	case *forNode:
		r.execFor(n)
	case *setNode:
		r.execSet(n)
	}
}

func (r *state) execFor(n *forNode) {
	seq := r.eval(n.iter)
	r.pos = n.iter.position()
	// Ranges are iterated lazily, so a huge range stops at the iteration
	// limit instead of being built first.
	var count int
	var at func(i int) any
	if rv, ok := seq.(rangeVal); ok && n.cond == nil {
		count = int(min(rv.length(), int64(r.t.limits.MaxIterations)+1))
		at = func(i int) any { return rv.at(int64(i)) }
	} else {
		items := r.mustIterate(seq)
		if n.cond != nil {
			items = r.filterLoop(n, items)
		}
		count = len(items)
		at = func(i int) any { return norm(items[i]) }
	}
	if count == 0 {
		// The else block has its own scope, like the loop body.
		r.frames = append(r.frames, map[string]any{})
		r.execBody(n.els)
		r.frames = r.frames[:len(r.frames)-1]
		return
	}
	// Like Jinja2's LoopContext, one loop object serves every iteration.
	l := &loopCtx{length: count}
	frame := map[string]any{}
	for i := range count {
		r.iteration()
		l.index0 = i
		l.hasPrev, l.hasNext = i > 0, i+1 < count
		if l.hasPrev {
			l.prev = at(i - 1)
		}
		if l.hasNext {
			l.next = at(i + 1)
		}
		clear(frame)
		frame["loop"] = l
		r.pos = n.pos
		r.bind(frame, n.targets, n.tuple, at(i))
		r.frames = append(r.frames, frame)
		r.execBody(n.body)
		r.frames = r.frames[:len(r.frames)-1]
	}
}

// filterLoop applies the inline "if" of a for loop; loop.length and the
// other loop attributes then count only the kept items, as in Jinja2.
func (r *state) filterLoop(n *forNode, items []any) []any {
	var kept []any
	for _, item := range items {
		r.iteration()
		frame := map[string]any{}
		r.pos = n.pos
		r.bind(frame, n.targets, n.tuple, norm(item))
		r.frames = append(r.frames, frame)
		ok := truthy(r.eval(n.cond))
		r.frames = r.frames[:len(r.frames)-1]
		if ok {
			kept = append(kept, item)
		}
	}
	return kept
}

// bind assigns v to the target names, unpacking it for several targets.
func (r *state) bind(frame map[string]any, names []string, unpack bool, v any) {
	if !unpack {
		frame[names[0]] = v
		return
	}
	items, ok := r.iterate(v)
	if !ok {
		r.fail("cannot unpack non-iterable %s object", typeName(v))
	}
	if len(items) < len(names) {
		r.fail("not enough values to unpack (expected %d, got %d)", len(names), len(items))
	}
	if len(items) > len(names) {
		r.fail("too many values to unpack (expected %d)", len(names))
	}
	for i, name := range names {
		frame[name] = norm(items[i])
	}
}

func (r *state) execSet(n *setNode) {
	var v any
	if n.x != nil {
		v = r.eval(n.x)
	} else {
		saved := r.out
		r.out = &strings.Builder{}
		r.execBody(n.body)
		v = r.out.String()
		r.out = saved
		for _, f := range n.filters {
			v = r.applyFilter(f, v)
		}
	}
	r.pos = n.pos
	frame := r.frames[len(r.frames)-1]
	if n.nsAttr != "" {
		ns, ok := r.lookup(n.targets[0]).(*namespace)
		if !ok {
			r.fail("cannot set attribute '%s' on '%s': only namespace() objects have settable attributes", n.nsAttr, n.targets[0])
		}
		ns.d.Set(n.nsAttr, v)
		return
	}
	r.bind(frame, n.targets, n.tuple, v)
}

func (r *state) eval(e expr) any {
	r.step(0)
	switch e := e.(type) {
	case *constExpr:
		return e.v
	case *nameExpr:
		return r.lookup(e.name)
	case *listExpr:
		out := make([]any, len(e.items))
		for i, x := range e.items {
			out[i] = r.eval(x)
		}
		return out
	case *tupleExpr:
		out := make(tuple, len(e.items))
		for i, x := range e.items {
			out[i] = r.eval(x)
		}
		return out
	case *dictExpr:
		d := pyval.NewDict(len(e.keys))
		for i, kx := range e.keys {
			k := r.eval(kx)
			v := r.eval(e.vals[i])
			ks, ok := k.(string)
			if !ok {
				r.pos = kx.position()
				r.fail("dict keys must be strings, got %s", typeName(k))
			}
			d.Set(ks, v)
		}
		return d
	case *attrExpr:
		o := r.eval(e.x)
		r.pos = e.pos
		return r.getattr(o, e.name)
	case *itemExpr:
		o := r.eval(e.x)
		k := r.eval(e.key)
		r.pos = e.pos
		return r.getitem(o, k)
	case *sliceExpr:
		return r.evalSlice(e)
	case *callExpr:
		fn := r.eval(e.fn)
		a := r.evalArgs(e.args, e.kwargs)
		r.pos = e.pos
		return r.call(fn, a, e.kwargs)
	case *filterExpr:
		return r.applyFilter(e, r.eval(e.x))
	case *testExpr:
		v := r.eval(e.x)
		args := make([]any, len(e.args))
		for i, a := range e.args {
			args[i] = r.eval(a)
		}
		r.pos = e.pos
		return e.def.fn(r, norm(v), args) != e.neg
	case *unaryExpr:
		v := r.eval(e.x)
		r.pos = e.pos
		if e.op == "not" {
			return !truthy(v)
		}
		return r.unary(e.op, v)
	case *binExpr:
		a := r.eval(e.l)
		b := r.eval(e.r)
		r.pos = e.pos
		return r.arith(e.op, a, b)
	case *concatExpr:
		var b strings.Builder
		for _, x := range e.items {
			v := r.eval(x)
			r.pos = e.pos
			s := r.str(v)
			r.checkSize(b.Len() + len(s))
			r.grow(len(s))
			r.step(len(s) / 16)
			b.WriteString(s)
		}
		return b.String()
	case *compareExpr:
		left := r.eval(e.first)
		for i, op := range e.ops {
			right := r.eval(e.rights[i])
			r.pos = e.opPos[i]
			if !r.compareOp(op, left, right) {
				return false
			}
			left = right
		}
		return true
	case *logicExpr:
		l := r.eval(e.l)
		if truthy(l) != e.and {
			return l
		}
		return r.eval(e.r)
	case *condExpr:
		if truthy(r.eval(e.cond)) {
			return r.eval(e.then)
		}
		if e.els != nil {
			return r.eval(e.els)
		}
		line, _ := r.t.position(e.pos)
		return &undefined{hint: fmt.Sprintf("the inline if-expression on line %d evaluated to false and no else section was defined", line)}
	}
	panic(fmt.Sprintf("jinja: unknown expression %T", e))
}

func (r *state) evalSlice(e *sliceExpr) any {
	o := r.eval(e.x)
	bound := func(x expr, has bool) (*int64, bool) {
		if !has {
			return nil, true
		}
		v := r.eval(x)
		if v == nil {
			return nil, true
		}
		i, ok := asInt(norm(v))
		return &i, ok
	}
	lo, ok1 := bound(e.lo, e.hasLo)
	hi, ok2 := bound(e.hi, e.hasHi)
	st, ok3 := bound(e.step, e.hasStep)
	r.pos = e.pos
	if u, ok := o.(*undefined); ok {
		r.fail("%s", u.message())
	}
	if !ok1 || !ok2 || !ok3 {
		return &undefined{obj: o, hasObj: true, hint: "slice indices must be integers or None"}
	}
	return r.slice(o, lo, hi, st)
}

func (r *state) compareOp(op string, a, b any) bool {
	switch op {
	case "==":
		return r.equal(a, b)
	case "!=":
		return !r.equal(a, b)
	case "in":
		return r.contains(b, a)
	case "notin":
		return !r.contains(b, a)
	case "<":
		return r.compare(a, b, op) < 0
	case ">":
		return r.compare(a, b, op) > 0
	case "<=":
		return r.compare(a, b, op) <= 0
	case ">=":
		return r.compare(a, b, op) >= 0
	}
	return false
}

func (r *state) evalArgs(pos []expr, kw []kwarg) *args {
	a := &args{pos: make([]any, len(pos)), kwNames: make([]string, len(kw)), kwVals: make([]any, len(kw))}
	for i, x := range pos {
		a.pos[i] = r.eval(x)
	}
	for i, k := range kw {
		a.kwNames[i], a.kwVals[i] = k.name, r.eval(k.x)
	}
	return a
}

func (r *state) applyFilter(f *filterExpr, v any) any {
	a := r.evalArgs(f.args, f.kwargs)
	r.pos = f.pos
	a.bind(f.def.sig)
	return f.def.fn(r, norm(v), a)
}
