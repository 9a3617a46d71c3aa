package worker

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"sync"

	"nodetool/engine"
)

// appendEvent appends the JSON of one /run/stream event: the bytes
// encoding/json's Encoder writes with SetEscapeHTML(false), without its
// newline. The events every run posts (node, edge and job updates, the
// final complete or error event) are written field by field, and their
// values (text, numbers, small maps and lists) without reflection; any
// other event or value goes to encoding/json. A stream posts a dozen events
// for a 3-node run, so this is most of a stream's encoding
// (BenchmarkStreamRequest); TestEventEncoding checks the bytes against
// encoding/json.
func appendEvent(b []byte, ev any) ([]byte, error) {
	var err error
	switch e := ev.(type) {
	case *engine.NodeUpdate:
		b = appendField(b, '{', "type", e.Type)
		b = appendField(b, ',', "node_id", e.NodeID)
		b = appendField(b, ',', "node_name", e.NodeName)
		b = appendField(b, ',', "node_type", e.NodeType)
		b = appendField(b, ',', "status", e.Status)
		b = append(b, `,"error":`...)
		b = appendStringPtr(b, e.Error)
		b = append(b, `,"result":`...)
		if b, err = appendValue(b, e.Result); err != nil {
			return nil, err
		}
		b = append(b, `,"properties":`...)
		if b, err = appendValue(b, e.Properties); err != nil {
			return nil, err
		}
		b = appendField(b, ',', "job_id", e.JobID)
		b = appendField(b, ',', "workflow_id", e.WorkflowID)
		return append(b, '}'), nil
	case *engine.EdgeUpdate:
		b = appendField(b, '{', "type", e.Type)
		b = appendField(b, ',', "edge_id", e.EdgeID)
		b = appendField(b, ',', "status", e.Status)
		b = append(b, `,"counter":`...)
		if e.Counter == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendInt(b, *e.Counter, 10)
		}
		b = appendField(b, ',', "job_id", e.JobID)
		b = appendField(b, ',', "workflow_id", e.WorkflowID)
		return append(b, '}'), nil
	case *engine.JobUpdate:
		if e.RunState != nil {
			break // not posted by runs today
		}
		b = appendField(b, '{', "type", e.Type)
		b = appendField(b, ',', "status", e.Status)
		b = appendField(b, ',', "job_id", e.JobID)
		b = appendField(b, ',', "workflow_id", e.WorkflowID)
		b = append(b, `,"message":`...)
		b = appendStringPtr(b, e.Message)
		b = append(b, `,"result":`...)
		if b, err = appendOutputs(b, e.Result); err != nil {
			return nil, err
		}
		b = append(b, `,"error":`...)
		b = appendStringPtr(b, e.Error)
		b = append(b, `,"traceback":`...)
		b = appendStringPtr(b, e.Traceback)
		b = append(b, `,"node_id":`...)
		b = appendStringPtr(b, e.NodeID)
		b = append(b, `,"duration":`...)
		if e.Duration == nil {
			b = append(b, "null"...)
		} else if b, err = appendValue(b, *e.Duration); err != nil {
			return nil, err
		}
		return append(b, `,"run_state":null}`...), nil
	case completeEvent:
		b = appendField(b, '{', "type", e.Type)
		b = append(b, `,"results":`...)
		if b, err = appendValue(b, e.Results); err != nil {
			return nil, err
		}
		return append(b, '}'), nil
	case errorEvent:
		b = appendField(b, '{', "type", e.Type)
		b = appendField(b, ',', "error", e.Error)
		b = append(b, `,"node_id":`...)
		b = appendStringPtr(b, e.NodeID)
		return append(b, '}'), nil
	}
	return appendEncoded(b, ev)
}

// appendField appends sep, "name": and the string s.
func appendField(b []byte, sep byte, name, s string) []byte {
	b = append(b, sep, '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, s)
}

func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

// appendString appends s quoted. A string of printable ASCII without a
// quote or backslash is written as is; others go to encoding/json (which
// escapes control characters, U+2028/9 and invalid UTF-8).
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			b, _ = appendEncoded(b, s) // a string always encodes
			return b
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendOutputs appends a run's outputs (name -> values) with the names
// sorted, as encoding/json writes a map.
func appendOutputs(b []byte, m map[string][]any) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	var buf [8]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendList(b, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendList(b []byte, l []any) ([]byte, error) {
	if l == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, v := range l {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendValue(b, v); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// appendValue appends a value of an event: text, integers, booleans,
// floats, and maps and lists of them written here; anything else (dicts,
// assets, ...) by encoding/json.
func appendValue(b []byte, v any) ([]byte, error) {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, t), nil
	case bool:
		return strconv.AppendBool(b, t), nil
	case int:
		return strconv.AppendInt(b, int64(t), 10), nil
	case int64:
		return strconv.AppendInt(b, t, 10), nil
	case float64:
		return appendFloat(b, t)
	case []any:
		return appendList(b, t)
	case map[string]any:
		if t == nil {
			return append(b, "null"...), nil
		}
		var buf [8]string
		keys := buf[:0]
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, t[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return appendEncoded(b, v)
}

// appendFloat writes f as encoding/json does: the shortest form, with an
// exponent only below 1e-6 or from 1e21, written without a leading zero.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return appendEncoded(b, f) // encoding/json's error
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// encoders write what appendEvent does not by hand.
var encoders = sync.Pool{New: func() any {
	e := &encoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

type encoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func appendEncoded(b []byte, v any) ([]byte, error) {
	e := encoders.Get().(*encoder)
	defer func() {
		if e.buf.Cap() <= 64<<10 {
			encoders.Put(e)
		}
	}()
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return append(b, bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))...), nil
}
