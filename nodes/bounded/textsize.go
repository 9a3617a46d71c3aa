package bounded

import (
	"strings"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// Sizing helpers for nodes that build text: overflow-safe size arithmetic,
// a builder that refuses to grow past max-value, work-weighted polling and
// clipped quoting for error messages.

// valueLimit is a broken max-value budget of the running node, with a
// message saying what broke it.
func ValueLimit(ctx *engine.Ctx, msg string) error {
	return ctx.LimitError(engine.LimitValue, msg)
}

// addSize returns a+b for sizes, or -1 (too large to count, which
// CheckSize refuses) when either is -1 or the sum overflows.
func AddSize(a, b int64) int64 {
	if a < 0 || b < 0 || a > maxSize-b {
		return -1
	}
	return a + b
}

// mulSize returns a*b for sizes, or -1 when either is -1 or the product
// overflows.
func MulSize(a, b int64) int64 {
	if a < 0 || b < 0 || (b != 0 && a > maxSize/b) {
		return -1
	}
	return a * b
}

const maxSize = 1<<63 - 1

// TextBuilder builds a string that must fit the budget's max-value: every
// write is checked before it is made, so the string never grows past it.
type TextBuilder struct {
	strings.Builder
	Budget pyval.Budget
}

// Room fails when n more bytes would take the string over max-value.
func (b *TextBuilder) Room(n int) error {
	if size := int64(b.Len()) + int64(n); size > b.Budget.MaxValue() {
		return b.Budget.CheckSize(size)
	}
	return nil
}

// Add writes s, or fails when it would not fit.
func (b *TextBuilder) Add(s string) error {
	if err := b.Room(len(s)); err != nil {
		return err
	}
	b.WriteString(s)
	return nil
}

// AddRune writes r, or fails when it would not fit.
func (b *TextBuilder) AddRune(r rune) error {
	if err := b.Room(utf8.RuneLen(r)); err != nil {
		return err
	}
	b.WriteRune(r)
	return nil
}

// workPoll is how much work (in bytes or comparisons) a loop does between
// two looks at the node's context when each iteration can be large.
const workPoll = 1 << 20

// WorkMeter checks its budget after every workPoll units of work, for loops
// whose iterations cost very different amounts (Tick counts iterations, not
// work).
type WorkMeter struct {
	Budget pyval.Budget
	done   int64
}

// Add counts n units of work and reports whether the work must stop.
func (m *WorkMeter) Add(n int) error {
	if m.done += int64(n) + 1; m.done < workPoll {
		return nil
	}
	m.done = 0
	return m.Budget.Check()
}
