package bounded

import (
	"errors"
	"fmt"
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// Parsing JSON costs more memory than the text: "{}," is three bytes and
// an empty dict several times that, so a few megabytes of text can make
// gigabytes of values. Nodes that parse JSON text use decodeJSONBounded,
// which charges what it builds to the node's max-value budget before it
// allocates (pyval.DecodeLimits) and stops with the max-value error.

// decodeJSONBounded is pyval.Decode for a node: the same values and
// errors, within the node's max-value budget (ctx nil in tests: the
// default budget).
func DecodeJSON(ctx *engine.Ctx, data []byte) (any, error) {
	limit := int64(engine.DefaultMaxValue)
	if ctx != nil {
		limit = ctx.MaxValue()
	}
	v, err := pyval.DecodeLimits(data, pyval.Limits{MaxBytes: limit, MaxItems: int(min(limit/engine.ItemCost, 1<<40))})
	var le *pyval.LimitError
	if errors.As(err, &le) && le.Kind != pyval.LimitDepth {
		msg := fmt.Sprintf("the parsed JSON would be over the %s limit of %s", engine.LimitValue, engine.FormatBytes(limit))
		if ctx == nil {
			return nil, errors.New(msg)
		}
		return nil, ctx.LimitError(engine.LimitValue, msg)
	}
	return v, err
}

// parseJSONText is decodeJSONText within the node's budgets: the JSON
// value of s, with an error that says where it failed.
func ParseJSONText(ctx *engine.Ctx, s string) (any, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("invalid JSON: the text is empty")
	}
	v, err := DecodeJSON(ctx, []byte(s))
	if err != nil {
		if engine.IsLimit(err) || ctx != nil && ctx.Err() != nil {
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
