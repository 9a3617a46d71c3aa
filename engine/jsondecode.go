package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"nodetool/engine/pyval"
)

// Parsing JSON costs more memory than the text: "{}," is three bytes and
// an empty dict about 160, so a few megabytes of text can make gigabytes
// of values. Nodes that parse JSON text use decodeJSONBounded, which counts
// what it builds as it goes (at about what each value holds in memory) and
// stops with the max-value error once that passes the budget.

// Estimated bytes a decoded value holds, beyond its contents.
const (
	decodedDict  = 160 // the dict, its key slice and its map
	decodedEntry = 96  // one more key in a dict
	decodedList  = 40
	decodedItem  = 16 // one more item in a list
	decodedStr   = 32
	decodedOther = 24 // a number, a boolean, null
)

// decodeJSONBounded is pyval.Decode for a node: the same values and
// errors, within the node's max-value budget and polling its context (nil
// in tests: the default budget).
func decodeJSONBounded(ctx *Ctx, data []byte) (any, error) {
	limit := int64(DefaultMaxValue)
	if ctx != nil {
		limit = ctx.MaxValue()
	}
	d := &boundedDecoder{ctx: ctx, dec: json.NewDecoder(bytes.NewReader(data)), limit: limit}
	d.dec.UseNumber()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: unexpected data after the top-level value")
	}
	return v, nil
}

// parseJSONText is decodeJSONText within the node's budgets: the JSON
// value of s, with an error that says where it failed.
func parseJSONText(ctx *Ctx, s string) (any, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("invalid JSON: the text is empty")
	}
	v, err := decodeJSONBounded(ctx, []byte(s))
	if err != nil {
		if IsLimit(err) || ctx != nil && ctx.Err() != nil {
			return nil, err
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "invalid JSON") {
			msg = "invalid JSON: " + msg
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return v, nil
}

type boundedDecoder struct {
	ctx   *Ctx
	dec   *json.Decoder
	limit int64
	cost  int64
}

func (d *boundedDecoder) charge(n int64) error {
	d.cost += n
	if d.cost > d.limit {
		if d.ctx == nil {
			return errors.New("the parsed JSON would be over the max-value limit")
		}
		return d.ctx.CheckSize(-1)
	}
	return nodeTick(d.ctx)
}

func (d *boundedDecoder) value(depth int) (any, error) {
	tok, err := d.dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("invalid JSON: unexpected end of input")
		}
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if (t == '{' || t == '[') && depth >= pyval.MaxDepth {
			return nil, fmt.Errorf("invalid JSON: nesting deeper than %d levels", pyval.MaxDepth)
		}
		switch t {
		case '{':
			if err := d.charge(decodedDict); err != nil {
				return nil, err
			}
			m := pyval.NewDict(4)
			for d.dec.More() {
				kt, err := d.dec.Token()
				if err != nil {
					return nil, fmt.Errorf("invalid JSON: %w", err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("invalid JSON: object key is not a string")
				}
				if err := d.charge(decodedEntry + int64(len(k))); err != nil {
					return nil, err
				}
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				m.Set(k, v)
			}
			if _, err := d.dec.Token(); err != nil {
				return nil, fmt.Errorf("invalid JSON: %w", err)
			}
			return m, nil
		case '[':
			if err := d.charge(decodedList); err != nil {
				return nil, err
			}
			l := []any{}
			for d.dec.More() {
				if err := d.charge(decodedItem); err != nil {
					return nil, err
				}
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			if _, err := d.dec.Token(); err != nil {
				return nil, fmt.Errorf("invalid JSON: %w", err)
			}
			return l, nil
		}
		return nil, fmt.Errorf("invalid JSON: unexpected %q", t)
	case json.Number:
		if err := d.charge(decodedOther); err != nil {
			return nil, err
		}
		return pyval.Number(string(t))
	case string:
		if err := d.charge(decodedStr + int64(len(t))); err != nil {
			return nil, err
		}
		return t, nil
	case bool, nil:
		if err := d.charge(decodedOther); err != nil {
			return nil, err
		}
		return t, nil
	}
	return nil, fmt.Errorf("invalid JSON: unexpected token %v", tok)
}
