package pyval

import (
	"errors"
	"math"
)

// Budget bounds work on values whose cost the caller cannot know in
// advance: values are shared, so a list holding one dict a million times is
// small in memory but huge when walked. The walkers and writers here call
// Tick on every step and stop with its error, and size what they build
// with CheckSize before building it. A workflow node passes its *engine.Ctx,
// which carries the run's deadlines and its max-value budget; Unlimited is
// for callers with no budget.
type Budget interface {
	// Tick counts one step and, every so many, reports why the work must
	// stop (a deadline, a cancellation), or nil.
	Tick() error
	// Check reports at once why the work must stop, or nil.
	Check() error
	// MaxValue is the most bytes one value may take.
	MaxValue() int64
	// CheckSize returns the error for a value of n bytes (n < 0: too large
	// to count) when it is over MaxValue, else nil.
	CheckSize(n int64) error
	// CheckItems is CheckSize for a list or dict of n items.
	CheckItems(n int64) error
}

// Unlimited is a Budget with no limit: it never stops the work.
var Unlimited Budget = unlimited{}

type unlimited struct{}

func (unlimited) Tick() error     { return nil }
func (unlimited) Check() error    { return nil }
func (unlimited) MaxValue() int64 { return math.MaxInt64 }

func (unlimited) CheckSize(n int64) error {
	if n < 0 {
		return errTooLarge
	}
	return nil
}

func (unlimited) CheckItems(n int64) error { return unlimited{}.CheckSize(n) }

var errTooLarge = errors.New("the value is too large")
