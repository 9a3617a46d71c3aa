package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"nodetool/lang/pyval"
)

// Limits are the budgets of one run. Every surface runs every workflow
// inside them, so no workflow can take the process down: a run that breaks
// one fails with a *LimitError naming the node and the limit.
type Limits struct {
	// Run bounds the whole run (0: none).
	Run time.Duration
	// Node bounds the time a node works on one invocation: one batch of a
	// buffered or generator node, or one input item of a node that reads
	// its own inbox. Time spent blocked waiting for input or for a busy
	// downstream node does not count (0: none).
	Node time.Duration
	// Value bounds the size in bytes of any one value a node produces:
	// a string, a byte string, a list, a dict, a rendered template
	// (0: DefaultMaxValue).
	Value int64
	// Results bounds the bytes a run accumulates: the values recorded by
	// its output nodes and the items nodes hold while waiting for other
	// inputs (0: DefaultMaxResults).
	Results int64
}

// Default budgets.
const (
	DefaultMaxValue   = 64 << 20
	DefaultMaxResults = 128 << 20
	// DefaultRunTimeout is what servers use unless configured; nodetool
	// run has none.
	DefaultRunTimeout = 10 * time.Minute
)

func (l Limits) withDefaults() Limits {
	if l.Value <= 0 {
		l.Value = DefaultMaxValue
	}
	if l.Results <= 0 {
		l.Results = DefaultMaxResults
	}
	return l
}

// Limit names, as the flags that set them are named.
const (
	LimitRunTimeout  = "run-timeout"
	LimitNodeTimeout = "node-timeout"
	LimitValue       = "max-value"
	LimitResults     = "max-results"
)

// LimitError reports a run that broke one of its budgets.
type LimitError struct {
	// Limit is the name of the budget (LimitValue, ...), as the flag that
	// sets it is named.
	Limit string
	// Node is the label of the node that broke it ("" for the run).
	Node string
	// Msg says what happened, for the user.
	Msg string
}

func (e *LimitError) Error() string {
	if e.Node == "" {
		return e.Msg
	}
	return e.Node + ": " + e.Msg
}

// IsLimit reports whether err is (or wraps) a broken budget.
func IsLimit(err error) bool {
	var le *LimitError
	return errors.As(err, &le)
}

// FormatBytes writes a byte count as people read it: 512 B, 64 MiB, 1.5 GiB.
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	s := fmt.Sprintf("%.1f", v)
	if v == float64(int64(v)) {
		s = fmt.Sprintf("%d", int64(v))
	}
	return s + " " + string("KMGTPE"[exp]) + "iB"
}

// Costs used to size values without walking them: what a list item and a
// dict entry cost in memory beyond their contents, and what a number takes
// (boxed in its interface).
const (
	ItemCost   = 16
	EntryCost  = 48
	scalarCost = 8
)

// CheckSize fails when a value of n bytes would break the run's max-value
// budget. A node calls it before it builds a value whose size its inputs
// decide (a padded text, a repeated list, a rendered document), so the
// allocation never happens.
func (c *Ctx) CheckSize(n int64) error {
	if n < 0 || n > c.r.limits.Value {
		return c.valueError(n)
	}
	return nil
}

// ItemSize estimates what v adds to a list or dict that holds it: the slot
// plus v's own size (strings and byte strings by length, lists and dicts by
// item count, without walking into them). A node that builds a value piece
// by piece sums ItemSize of the pieces and calls CheckSize on the total.
func ItemSize(v any) int64 { return shallowSize(v) + ItemCost }

// CheckItems is CheckSize for a list or dict of n items.
func (c *Ctx) CheckItems(n int64) error {
	if n < 0 || n > c.r.limits.Value/ItemCost {
		return &LimitError{Limit: LimitValue, Node: c.n.label(), Msg: fmt.Sprintf("a list of %d items is over the %s limit of %s", n, LimitValue, FormatBytes(c.r.limits.Value))}
	}
	return nil
}

// MaxValue is the run's max-value budget in bytes, for code that must pass
// a bound to a library (a renderer, an encoder).
func (c *Ctx) MaxValue() int64 { return c.r.limits.Value }

func (c *Ctx) valueError(n int64) error {
	size := "too large"
	if n >= 0 {
		size = FormatBytes(n)
	}
	return &LimitError{Limit: LimitValue, Node: c.n.label(), Msg: fmt.Sprintf("the value would be %s, over the %s limit of %s", size, LimitValue, FormatBytes(c.r.limits.Value))}
}

// tickEvery is how many Tick calls pass between two cancellation checks.
const tickEvery = 1024

// Tick counts one step of a loop whose length the node's inputs decide and,
// every so many steps, reports whether the node must stop (its run was
// cancelled or it ran out of time). Loops that can run long call it on
// every iteration.
func (c *Ctx) Tick() error {
	c.ticks++
	if c.ticks%tickEvery != 0 {
		return nil
	}
	return c.Check()
}

// Check reports why the node must stop (its run was cancelled or failed, or
// it broke its node-timeout budget), or nil.
func (c *Ctx) Check() error {
	if c.Context.Err() == nil {
		return nil
	}
	return context.Cause(c.Context)
}

// shallowSize estimates the bytes of v without walking into it: strings
// and byte strings by their length, lists and dicts by their item count,
// numbers by their box.
// It is cheap enough for every value a node emits.
func shallowSize(v any) int64 {
	switch t := v.(type) {
	case string:
		return int64(len(t))
	case []byte:
		return int64(len(t))
	case []any:
		return int64(len(t)) * ItemCost
	case *pyval.Dict:
		return int64(t.Len()) * EntryCost
	case int64, float64:
		return scalarCost
	}
	return 0
}

// deepSize estimates the bytes v holds, walking into lists and dicts, and
// stops counting once the total passes limit.
func DeepSize(v any, limit int64) int64 {
	var total int64
	var walk func(v any) bool
	walk = func(v any) bool {
		total += shallowSize(v)
		if total > limit {
			return false
		}
		switch t := v.(type) {
		case []any:
			for _, e := range t {
				if !walk(e) {
					return false
				}
			}
		case *pyval.Dict:
			ok := true
			t.Range(func(k string, e any) bool {
				total += int64(len(k))
				ok = walk(e)
				return ok
			})
			return ok
		}
		return true
	}
	walk(v)
	return total
}

// nodeClock enforces the node-timeout budget of one node in one run: a
// timer that runs while the node works on an invocation and stops while it
// waits for input or for a busy downstream node. When it fires, the node's
// context is cancelled with a *LimitError. Only the node's own goroutine
// calls its methods.
type nodeClock struct {
	limit     time.Duration
	timer     *time.Timer
	err       *LimitError
	remaining time.Duration
	since     time.Time
	active    bool // an invocation is under way
	running   bool // and the node is working, not waiting
	fired     atomic.Bool
}

func newNodeClock(limit time.Duration, cancel context.CancelCauseFunc, label string) *nodeClock {
	c := &nodeClock{limit: limit}
	c.err = &LimitError{Limit: LimitNodeTimeout, Node: label, Msg: fmt.Sprintf("the node worked for over %s, the %s limit", limit, LimitNodeTimeout)}
	c.timer = time.AfterFunc(time.Hour, func() {
		c.fired.Store(true)
		cancel(c.err)
	})
	c.timer.Stop()
	return c
}

// start begins an invocation with the full budget.
func (c *nodeClock) start() {
	if c == nil {
		return
	}
	c.pause()
	c.active = true
	c.remaining = c.limit
	c.resume()
}

// stop ends an invocation.
func (c *nodeClock) stop() {
	if c == nil {
		return
	}
	c.pause()
	c.active = false
}

// pause stops the clock while the node waits.
func (c *nodeClock) pause() {
	if c == nil || !c.running {
		return
	}
	c.timer.Stop()
	c.remaining -= time.Since(c.since)
	c.running = false
}

// resume restarts the clock after a wait.
func (c *nodeClock) resume() {
	if c == nil || !c.active || c.running || c.fired.Load() {
		return
	}
	c.since = time.Now()
	c.running = true
	c.timer.Reset(max(c.remaining, 0))
}

// expired returns the timeout error once the clock has fired.
func (c *nodeClock) expired() error {
	if c != nil && c.fired.Load() {
		return c.err
	}
	return nil
}

func (c *nodeClock) close() {
	if c != nil {
		c.timer.Stop()
	}
}
