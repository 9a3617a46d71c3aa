package worker

import (
	"encoding/json"
	"slices"
	"sync"
)

// appendResults appends {"results":{name: last value, ...}} for a run's
// outputs: the same bytes as encoding/json of map[string]any{"results":
// lastValues(outputs)} (keys sorted, HTML-escaped), without the map and
// reflection for the common case of text results. A string that needs no
// escaping is copied as is; any other value goes to encoding/json.
// BenchmarkRunRequest pays for it; TestResultsEncoding checks the bytes
// against encoding/json.
func appendResults(b []byte, outputs map[string][]any) ([]byte, error) {
	var buf [8]string
	keys := buf[:0]
	for k, vs := range outputs {
		if len(vs) > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	b = append(b, `{"results":{`...)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendJSONValue(b, k); err != nil {
			return nil, err
		}
		b = append(b, ':')
		vs := outputs[k]
		if b, err = appendJSONValue(b, vs[len(vs)-1]); err != nil {
			return nil, err
		}
	}
	return append(b, "}}"...), nil
}

func appendJSONValue(b []byte, v any) ([]byte, error) {
	if s, ok := v.(string); ok && plainJSON(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"'), nil
	}
	vb, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, vb...), nil
}

// plainJSON reports whether s is written by encoding/json as itself in
// quotes: printable ASCII other than the quote, backslash and the
// characters it escapes for HTML.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// resultBufs are the buffers of the answers of /run; a buffer that grew
// past 64 KiB is dropped rather than kept.
var resultBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}
