// Package bounded holds what node code shares to stay inside its run's
// budgets: JSON parsing, writing and sizing within max-value, text builders
// that refuse to grow past it, and work meters that check the node's
// deadline. Its functions take the node's *engine.Ctx and fail with the
// engine's budget errors.
package bounded

import (
	"fmt"

	"nodetool/engine"
)

// Values are shared between nodes, so one list or dict can appear many
// times inside another: sixty MakeDictionary nodes that each put their
// input under two keys build a value of 2^60 leaves in sixty small dicts.
// The walkers here (equality, ordering, hashing) poll the node's context
// on every step, so such a value costs time the node-timeout budget
// bounds, and they treat a list or dict compared with itself as equal
// without walking it, as Python does.

// nodeTick polls ctx (nil in tests of the walkers themselves).
func Tick(ctx *engine.Ctx) error {
	if ctx == nil {
		return nil
	}
	return ctx.Tick()
}

// heldError reports that what a node keeps while it waits for its other
// inputs passed the max-value budget (the engine's own inbox applies the
// same rule to what waits in it).
func HeldError(ctx *engine.Ctx) error {
	return ctx.LimitError(engine.LimitValue, fmt.Sprintf("the values waiting on its other inputs passed the %s limit of %s", engine.LimitValue, engine.FormatBytes(ctx.MaxValue())))
}

// checkEntries is CheckSize for a dict of n entries.
func CheckEntries(ctx *engine.Ctx, n int64) error {
	if n < 0 || n > ctx.MaxValue()/engine.EntryCost {
		return ctx.CheckSize(-1)
	}
	return ctx.CheckSize(n * engine.EntryCost)
}
