package pyval

import (
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"unsafe"
)

// Values are shared between nodes, so one list or dict can appear many
// times inside another: sixty MakeDictionary nodes that each put their
// input under two keys build a value of 2^60 leaves in sixty small dicts.
// The walkers here (equality, ordering, hashing) tick their Budget on every
// step, so such a value costs time the caller's deadline bounds, and they
// treat a list or dict compared with itself as equal without walking it, as
// Python does.

// EqualWithin is Equal within bud: it ticks bud at every container and
// stops with its error, and fails with ErrTooDeep on values nested more
// than MaxReprDepth levels. As in Python, a container equals itself
// without being walked.
func EqualWithin(bud Budget, a, b any) (bool, error) {
	return equal(a, b, &eqWalk{poll: bud.Tick})
}

// JSONEqualWithin is EqualWithin with JSON Schema's equality: a boolean
// equals only the same boolean (true is not 1).
func JSONEqualWithin(bud Budget, a, b any) (bool, error) {
	return equal(a, b, &eqWalk{poll: bud.Tick, json: true})
}

// CompareWithin is Compare within bud.
func CompareWithin(bud Budget, a, b any) (int, error) {
	if err := bud.Tick(); err != nil {
		return 0, err
	}
	x, xl := a.([]any)
	y, yl := b.([]any)
	if !xl || !yl {
		return Compare(a, b) // scalars, or an error at once
	}
	if len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0]) {
		return 0, nil
	}
	for i := 0; i < len(x) && i < len(y); i++ {
		eq, err := EqualWithin(bud, x[i], y[i])
		if err != nil {
			return 0, err
		}
		if !eq {
			return CompareWithin(bud, x[i], y[i])
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

// SortWithin is Sort within bud: a sorted copy in Python order, or the
// first comparison error.
func SortWithin(bud Budget, values []any, descending bool) ([]any, error) {
	out := slices.Clone(values)
	var err error
	slices.SortStableFunc(out, func(a, b any) int {
		if err != nil {
			return 0
		}
		c, e := CompareWithin(bud, a, b)
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

// ContainerKey identifies a list (by its items' memory and length) or a
// dict (by pointer), for memos keyed by identity.
type ContainerKey struct {
	p unsafe.Pointer
	n int
}

// KeyOf returns the identity of a list or dict, and false for other values.
func KeyOf(v any) (ContainerKey, bool) {
	switch t := v.(type) {
	case []any:
		return ContainerKey{unsafe.Pointer(unsafe.SliceData(t)), len(t)}, true
	case *Dict:
		return ContainerKey{unsafe.Pointer(t), -1}, true
	}
	return ContainerKey{}, false
}

// valueHasher hashes values consistently with valueEqual: equal values get
// equal hashes (1, 1.0 and True alike unless jsonBools; dicts whatever
// their key order). Containers that are large or hold containers are
// hashed once per identity, so a value that repeats one list many times
// costs its number of distinct containers, not its size written out.
type valueHasher struct {
	bud       Budget
	seed      maphash.Seed
	mix       uint64
	jsonBools bool
	memo      map[ContainerKey]uint64
}

func newValueHasher(bud Budget, jsonBools bool) *valueHasher {
	seed := maphash.MakeSeed()
	return &valueHasher{bud: bud, seed: seed, mix: maphash.String(seed, "mix") | 1, jsonBools: jsonBools, memo: map[ContainerKey]uint64{}}
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
	if err := h.bud.Tick(); err != nil {
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
		k, _ := KeyOf(t)
		if s, ok := h.memo[k]; ok {
			return s, nil
		}
		sum, nested := uint64(hashList)+uint64(len(t)), false
		for _, e := range t {
			_, isC := KeyOf(e)
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
	case *Dict:
		k, _ := KeyOf(t)
		if s, ok := h.memo[k]; ok {
			return s, nil
		}
		var sum uint64
		nested := false
		var err error
		t.Range(func(key string, e any) bool {
			_, isC := KeyOf(e)
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

// Set holds values for membership tests with Python's == (or JSON
// Schema's equality): hashed, then compared within a hash bucket, so n
// values cost about n steps, not n*n, and every step ticks its Budget.
type Set struct {
	h       *valueHasher
	buckets map[uint64][]any
}

// NewSet returns an empty set comparing with Python's == or, with
// jsonBools, JSON Schema's equality (a boolean equals only a boolean).
func NewSet(bud Budget, jsonBools bool) *Set {
	return &Set{h: newValueHasher(bud, jsonBools), buckets: map[uint64][]any{}}
}

// find reports whether v is in the set, and v's hash.
func (s *Set) find(v any) (bool, uint64, error) {
	hv, err := s.h.hash(v)
	if err != nil {
		return false, 0, err
	}
	for _, o := range s.buckets[hv] {
		eq, err := equal(o, v, &eqWalk{poll: s.h.bud.Tick, json: s.h.jsonBools})
		if err != nil || eq {
			return eq, hv, err
		}
	}
	return false, hv, nil
}

// Has reports whether the set holds a value equal to v.
func (s *Set) Has(v any) (bool, error) {
	found, _, err := s.find(v)
	return found, err
}

// Add puts v in the set and reports whether it was new.
func (s *Set) Add(v any) (bool, error) {
	found, hv, err := s.find(v)
	if err != nil || found {
		return false, err
	}
	s.buckets[hv] = append(s.buckets[hv], v)
	return true, nil
}
