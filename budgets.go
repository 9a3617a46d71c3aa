package main

import (
	"flag"
	"fmt"
	"time"

	"nodetool/engine"
)

// budgetFlags are the run budgets every command that runs workflows takes
// (worker, serve, run): each flag also reads an environment variable.
type budgetFlags struct {
	runTimeout, nodeTimeout *time.Duration
	maxValue, maxResults    byteSize
}

// budgetEnv names the environment variable of each budget flag.
var budgetEnv = map[string]string{
	"run-timeout":  "NODETOOL_RUN_TIMEOUT",
	"node-timeout": "NODETOOL_NODE_TIMEOUT",
	"max-value":    "NODETOOL_MAX_VALUE",
	"max-results":  "NODETOOL_MAX_RESULTS",
}

// addBudgetFlags registers the budget flags; runTimeout is the command's
// default whole-run deadline (0: none).
func addBudgetFlags(fs *flag.FlagSet, runTimeout time.Duration) *budgetFlags {
	b := &budgetFlags{maxValue: engine.DefaultMaxValue, maxResults: engine.DefaultMaxResults}
	b.runTimeout = fs.Duration("run-timeout", runTimeout, "fail a run that takes longer than this, 0 for no limit (env NODETOOL_RUN_TIMEOUT)")
	b.nodeTimeout = fs.Duration("node-timeout", 0, "fail a node that works longer than this on one input, waiting excluded; 0 for no limit (env NODETOOL_NODE_TIMEOUT)")
	fs.Var(&b.maxValue, "max-value", "largest value a node may produce: text, list, dict, rendered template (env NODETOOL_MAX_VALUE)")
	fs.Var(&b.maxResults, "max-results", "most a run may accumulate in results and in values waiting for other inputs (env NODETOOL_MAX_RESULTS)")
	return b
}

// limits resolves the flags (given ones beat the environment) into the
// engine's budgets.
func (b *budgetFlags) limits(st *settings) (engine.Limits, error) {
	for _, name := range []string{"run-timeout", "node-timeout", "max-value", "max-results"} {
		env := budgetEnv[name]
		v := st.getenv(env)
		if st.set[name] || v == "" {
			continue
		}
		if err := st.fs.Set(name, v); err != nil {
			return engine.Limits{}, fmt.Errorf("%s: %v", env, err)
		}
	}
	for name, d := range map[string]time.Duration{"run-timeout": *b.runTimeout, "node-timeout": *b.nodeTimeout} {
		if d < 0 {
			return engine.Limits{}, fmt.Errorf("--%s must not be negative, got %s", name, d)
		}
	}
	return engine.Limits{Run: *b.runTimeout, Node: *b.nodeTimeout, Value: int64(b.maxValue), Results: int64(b.maxResults)}, nil
}
