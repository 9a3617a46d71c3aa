package jobs

import (
	"nodetool/engine"
	"nodetool/lang/pyval"
)

// sizeVisits is how many values sizeOf looks at before it extrapolates.
const sizeVisits = 256

// eventOverhead is what an event costs besides its values (the struct, its
// ids and strings), roughly.
const eventOverhead = 256

// eventSize estimates the memory an event holds, cheaply: it looks at a
// bounded number of values, so a huge value costs no more to measure than
// a small one (see sizeOf).
func eventSize(ev engine.Event) int64 {
	n := int64(eventOverhead)
	switch e := ev.(type) {
	case *engine.OutputUpdate:
		n += sizeOf(e.Value)
	case *engine.PreviewUpdate:
		n += sizeOf(e.Value)
	case *engine.NodeUpdate:
		n += sizeOf(e.Result) + sizeOf(e.Properties)
		if e.Error != nil {
			n += int64(len(*e.Error))
		}
	case *engine.JobUpdate:
		if e.Result != nil {
			n += sizeOf(e.Result)
		}
		if e.Error != nil {
			n += int64(len(*e.Error))
		}
	case *engine.LogUpdate:
		n += int64(len(e.Content))
	case *engine.Chunk:
		n += int64(len(e.Content))
	case *engine.NodeProgress:
		n += int64(len(e.Chunk))
	case *engine.ToolCallUpdate:
		n += sizeOf(e.Args)
	case *engine.ToolResultUpdate:
		n += sizeOf(e.Result)
	}
	return n
}

// sizeOf estimates the bytes a decoded value holds: strings and bytes by
// their length, scalars as a word, lists and dicts by their items. It
// looks at no more than sizeVisits values: the items of a list or dict
// that were not looked at are counted as the average of those that were.
func sizeOf(v any) int64 {
	budget := sizeVisits
	return estimate(v, &budget)
}

func estimate(v any, budget *int) int64 {
	*budget--
	switch x := v.(type) {
	case nil:
		return 8
	case string:
		return 16 + int64(len(x))
	case []byte:
		return 24 + int64(len(x))
	case []any:
		return 24 + sample(len(x), budget, func(i int) int64 { return estimate(x[i], budget) })
	case map[string]any:
		return 48 + sampleMap(len(x), budget, func(yield func(k string, v any) bool) {
			for k, v := range x {
				if !yield(k, v) {
					return
				}
			}
		})
	case map[string][]any:
		return 48 + sampleMap(len(x), budget, func(yield func(k string, v any) bool) {
			for k, v := range x {
				if !yield(k, v) {
					return
				}
			}
		})
	case *pyval.Dict:
		if x == nil {
			return 8
		}
		return 48 + sampleMap(x.Len(), budget, func(yield func(k string, v any) bool) { x.Range(yield) })
	default:
		return 16 // numbers, booleans, small structs
	}
}

// sample sums size(i) over the first items of a sequence of n while the
// budget lasts, and extrapolates to all n.
func sample(n int, budget *int, size func(i int) int64) int64 {
	var sum int64
	i := 0
	for ; i < n && *budget > 0; i++ {
		sum += size(i)
	}
	if i == 0 {
		return int64(n) * 16
	}
	if i < n {
		sum = sum / int64(i) * int64(n)
	}
	return sum
}

// sampleMap is sample over a map's entries (keys count too).
func sampleMap(n int, budget *int, each func(yield func(k string, v any) bool)) int64 {
	var sum int64
	i := 0
	each(func(k string, v any) bool {
		if *budget <= 0 {
			return false
		}
		sum += 16 + int64(len(k)) + estimate(v, budget)
		i++
		return true
	})
	if i == 0 {
		return int64(n) * 32
	}
	if i < n {
		sum = sum / int64(i) * int64(n)
	}
	return sum
}
