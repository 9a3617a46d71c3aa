package engine

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sizing helpers for nodes that build text: overflow-safe size arithmetic,
// a builder that refuses to grow past max-value, work-weighted polling and
// clipped quoting for error messages.

// valueLimit is a broken max-value budget of the running node, with a
// message saying what broke it.
func valueLimit(ctx *Ctx, msg string) error {
	return &LimitError{Limit: LimitValue, Node: ctx.n.label(), Msg: msg}
}

// addSize returns a+b for sizes, or -1 (too large to count, which
// CheckSize refuses) when either is -1 or the sum overflows.
func addSize(a, b int64) int64 {
	if a < 0 || b < 0 || a > maxSize-b {
		return -1
	}
	return a + b
}

// mulSize returns a*b for sizes, or -1 when either is -1 or the product
// overflows.
func mulSize(a, b int64) int64 {
	if a < 0 || b < 0 || (b != 0 && a > maxSize/b) {
		return -1
	}
	return a * b
}

const maxSize = 1<<63 - 1

// textBuilder builds a string that must fit max-value: every write is
// checked before it is made, so the string never grows past the budget.
type textBuilder struct {
	strings.Builder
	ctx *Ctx
}

// room fails when n more bytes would take the string over max-value.
func (b *textBuilder) room(n int) error {
	if size := int64(b.Len()) + int64(n); size > b.ctx.MaxValue() {
		return b.ctx.CheckSize(size)
	}
	return nil
}

func (b *textBuilder) add(s string) error {
	if err := b.room(len(s)); err != nil {
		return err
	}
	b.WriteString(s)
	return nil
}

func (b *textBuilder) addRune(r rune) error {
	if err := b.room(utf8.RuneLen(r)); err != nil {
		return err
	}
	b.WriteRune(r)
	return nil
}

// workPoll is how much work (in bytes or comparisons) a loop does between
// two looks at the node's context when each iteration can be large.
const workPoll = 1 << 20

// workMeter polls the node's context after every workPoll units of work,
// for loops whose iterations cost very different amounts (Tick counts
// iterations, not work).
type workMeter struct {
	ctx  *Ctx
	done int64
}

// add counts n units of work and reports whether the node must stop.
func (m *workMeter) add(n int) error {
	if m.done += int64(n) + 1; m.done < workPoll {
		return nil
	}
	m.done = 0
	return m.ctx.Check()
}

// clipQuote quotes s for an error message, cut to a readable length.
func clipQuote(s string) string {
	return strconv.Quote(clip(s, 80))
}

// clip cuts s to at most n bytes (at a character boundary), marking the
// cut with "...".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
