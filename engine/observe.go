package engine

import (
	"errors"
	"time"
)

// Observer is told how runs and their nodes went, for metrics
// (RunOptions.Observer). Its methods are called from a run's goroutines,
// so they must be cheap and safe for concurrent use.
type Observer interface {
	// NodeDone reports that a node's actor finished: the node's type, how
	// long it was active (from the run's start of it to the end of its
	// outputs, waits for input included), and whether its error failed
	// the run.
	NodeDone(nodeType string, elapsed time.Duration, failed bool)
	// RunDone reports how a run ended: its status (completed, failed or
	// cancelled), how long it took, and the budget it broke
	// (LimitRunTimeout, LimitNodeTimeout, LimitValue, LimitResults), or "".
	RunDone(status string, elapsed time.Duration, budget string)
}

// observeNode tells the observer, if any, that n's actor started at start
// has finished. actor defers it first, so it runs after the node's
// failure, if any, is recorded.
func (r *run) observeNode(n *planNode, start time.Time) {
	o := r.opts.Observer
	if o == nil {
		return
	}
	r.failMu.Lock()
	failed := r.failNode == n
	r.failMu.Unlock()
	o.NodeDone(n.node.Type, time.Since(start), failed)
}

// observeRun tells the observer, if any, how the run ended.
func (r *run) observeRun(res *Result) {
	o := r.opts.Observer
	if o == nil {
		return
	}
	r.failMu.Lock()
	err := r.failErr
	r.failMu.Unlock()
	budget := ""
	var le *LimitError
	if res.Status == StatusFailed && errors.As(err, &le) {
		budget = le.Limit
	}
	o.RunDone(res.Status, res.Duration, budget)
}
