package engine

import (
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"unsafe"

	"nodetool/engine/pyval"
)

// Values are shared between nodes, so one list or dict can appear many
// times inside another: sixty MakeDictionary nodes that each put their
// input under two keys build a value of 2^60 leaves in sixty small dicts.
// The walkers here (equality, ordering, hashing) poll the node's context
// on every step, so such a value costs time the node-timeout budget
// bounds, and they treat a list or dict compared with itself as equal
// without walking it, as Python does.

// nodeTick polls ctx (nil in tests of the walkers themselves).
func nodeTick(ctx *Ctx) error {
	if ctx == nil {
		return nil
	}
	return ctx.Tick()
}

// heldError reports that what a node keeps while it waits for its other
// inputs passed the max-value budget (the engine's own inbox applies the
// same rule to what waits in it).
func heldError(ctx *Ctx) error {
	return &LimitError{Limit: LimitValue, Node: ctx.n.label(), Msg: fmt.Sprintf("the values waiting on its other inputs passed the %s limit of %s", LimitValue, FormatBytes(ctx.MaxValue()))}
}

// checkEntries is CheckSize for a dict of n entries.
func checkEntries(ctx *Ctx, n int64) error {
	if n < 0 || n > ctx.MaxValue()/entryCost {
		return ctx.CheckSize(-1)
	}
	return ctx.CheckSize(n * entryCost)
}

// sameContainer reports whether a and b are the same list (same items in
// the same memory) or the same dict.
func sameContainer(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && unsafe.SliceData(x) == unsafe.SliceData(y)
	case *pyval.Dict:
		y, ok := b.(*pyval.Dict)
		return ok && x == y
	}
	return false
}

// valueEqual is pyval.Equal (Python's ==) that polls ctx. With jsonBools,
// booleans equal only booleans, as JSON Schema's equality has it.
func valueEqual(ctx *Ctx, a, b any, jsonBools bool) (bool, error) {
	if err := nodeTick(ctx); err != nil {
		return false, err
	}
	if jsonBools {
		_, ab := a.(bool)
		_, bb := b.(bool)
		if ab || bb {
			return ab && bb && a == b, nil
		}
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false, nil
		}
		if sameContainer(x, y) {
			return true, nil
		}
		for i := range x {
			if eq, err := valueEqual(ctx, x[i], y[i], jsonBools); err != nil || !eq {
				return false, err
			}
		}
		return true, nil
	case *pyval.Dict:
		y, ok := b.(*pyval.Dict)
		if !ok || x.Len() != y.Len() {
			return false, nil
		}
		if x == y {
			return true, nil
		}
		for _, k := range x.Keys() {
			xv, _ := x.Get(k)
			yv, ok := y.Get(k)
			if !ok {
				return false, nil
			}
			if eq, err := valueEqual(ctx, xv, yv, jsonBools); err != nil || !eq {
				return false, err
			}
		}
		return true, nil
	}
	return pyval.Equal(a, b), nil
}

// valueCompare is pyval.Compare (Python's ordering of numbers, strings and
// lists) that polls ctx.
func valueCompare(ctx *Ctx, a, b any) (int, error) {
	if err := nodeTick(ctx); err != nil {
		return 0, err
	}
	x, xl := a.([]any)
	y, yl := b.([]any)
	if !xl || !yl {
		return pyval.Compare(a, b) // scalars, or an error at once
	}
	if sameContainer(x, y) {
		return 0, nil
	}
	for i := 0; i < len(x) && i < len(y); i++ {
		eq, err := valueEqual(ctx, x[i], y[i], false)
		if err != nil {
			return 0, err
		}
		if !eq {
			return valueCompare(ctx, x[i], y[i])
		}
	}
	switch {
	case len(x) < len(y):
		return -1, nil
	case len(x) > len(y):
		return 1, nil
	}
	return 0, nil
}

// valueSort is pyval.Sort that polls ctx: a sorted copy in Python order, or
// the first comparison error.
func valueSort(ctx *Ctx, values []any, descending bool) ([]any, error) {
	out := slices.Clone(values)
	var err error
	slices.SortStableFunc(out, func(a, b any) int {
		if err != nil {
			return 0
		}
		c, e := valueCompare(ctx, a, b)
		if e != nil {
			err = e
			return 0
		}
		if descending {
			return -c
		}
		return c
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// containerKey identifies a list (by its items' memory and length) or a
// dict (by pointer), for memos keyed by identity.
type containerKey struct {
	p unsafe.Pointer
	n int
}

func keyOf(v any) (containerKey, bool) {
	switch t := v.(type) {
	case []any:
		return containerKey{unsafe.Pointer(unsafe.SliceData(t)), len(t)}, true
	case *pyval.Dict:
		return containerKey{unsafe.Pointer(t), -1}, true
	}
	return containerKey{}, false
}

// valueHasher hashes values consistently with valueEqual: equal values get
// equal hashes (1, 1.0 and True alike unless jsonBools; dicts whatever
// their key order). Containers that are large or hold containers are
// hashed once per identity, so a value that repeats one list many times
// costs its number of distinct containers, not its size written out.
type valueHasher struct {
	ctx       *Ctx
	seed      maphash.Seed
	mix       uint64
	jsonBools bool
	memo      map[containerKey]uint64
}

func newValueHasher(ctx *Ctx, jsonBools bool) *valueHasher {
	seed := maphash.MakeSeed()
	return &valueHasher{ctx: ctx, seed: seed, mix: maphash.String(seed, "mix") | 1, jsonBools: jsonBools, memo: map[containerKey]uint64{}}
}

// scramble is a bijective mixer (splitmix64's finalizer) keyed by the
// hasher's seed.
func (h *valueHasher) scramble(x uint64) uint64 {
	x ^= h.mix
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

const (
	hashNone = 0x6e6f6e65
	hashTrue = 0x74727565 // JSON booleans, distinct from numbers
	hashList = 0x6c697374
	hashDict = 0x64696374
)

func (h *valueHasher) hash(v any) (uint64, error) {
	if err := nodeTick(h.ctx); err != nil {
		return 0, err
	}
	switch t := v.(type) {
	case nil:
		return hashNone, nil
	case bool:
		if h.jsonBools {
			if t {
				return hashTrue, nil
			}
			return hashTrue + 1, nil
		}
		if t {
			return h.scramble(1), nil
		}
		return h.scramble(0), nil
	case int64:
		return h.scramble(uint64(t)), nil
	case int:
		return h.scramble(uint64(t)), nil
	case float64:
		if t == math.Trunc(t) && t >= -(1<<63) && t < 1<<63 {
			return h.scramble(uint64(int64(t))), nil
		}
		return h.scramble(math.Float64bits(t) ^ 0x666c6f6174), nil
	case string:
		return maphash.String(h.seed, t), nil
	case []any:
		k, _ := keyOf(t)
		if s, ok := h.memo[k]; ok {
			return s, nil
		}
		sum, nested := uint64(hashList)+uint64(len(t)), false
		for _, e := range t {
			_, isC := keyOf(e)
			nested = nested || isC
			eh, err := h.hash(e)
			if err != nil {
				return 0, err
			}
			sum = h.scramble(sum ^ eh)
		}
		if nested || len(t) >= 8 {
			h.memo[k] = sum
		}
		return sum, nil
	case *pyval.Dict:
		k, _ := keyOf(t)
		if s, ok := h.memo[k]; ok {
			return s, nil
		}
		var sum uint64
		nested := false
		var err error
		t.Range(func(key string, e any) bool {
			_, isC := keyOf(e)
			nested = nested || isC
			var eh uint64
			if eh, err = h.hash(e); err != nil {
				return false
			}
			sum += h.scramble(maphash.String(h.seed, key) ^ h.scramble(eh)) // order does not matter
			return true
		})
		if err != nil {
			return 0, err
		}
		sum = h.scramble(sum ^ hashDict ^ uint64(t.Len()))
		if nested || t.Len() >= 8 {
			h.memo[k] = sum
		}
		return sum, nil
	}
	return maphash.String(h.seed, fmt.Sprint(v)), nil
}

// valueSet holds values for membership tests with Python's == (or JSON
// Schema's equality): hashed, then compared within a hash bucket, so n
// values cost about n steps, not n*n.
type valueSet struct {
	h       *valueHasher
	buckets map[uint64][]any
}

func newValueSet(ctx *Ctx, jsonBools bool) *valueSet {
	return &valueSet{h: newValueHasher(ctx, jsonBools), buckets: map[uint64][]any{}}
}

// find reports whether v is in the set, and v's hash.
func (s *valueSet) find(v any) (bool, uint64, error) {
	hv, err := s.h.hash(v)
	if err != nil {
		return false, 0, err
	}
	for _, o := range s.buckets[hv] {
		eq, err := valueEqual(s.h.ctx, o, v, s.h.jsonBools)
		if err != nil || eq {
			return eq, hv, err
		}
	}
	return false, hv, nil
}

func (s *valueSet) has(v any) (bool, error) {
	found, _, err := s.find(v)
	return found, err
}

// add puts v in the set and reports whether it was new.
func (s *valueSet) add(v any) (bool, error) {
	found, hv, err := s.find(v)
	if err != nil || found {
		return false, err
	}
	s.buckets[hv] = append(s.buckets[hv], v)
	return true, nil
}

// truncateForMessage shortens a text quoted in an error message.
func truncateForMessage(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d more bytes)", len(s)-cut)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
