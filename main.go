// Command nodetool runs NodeTool workflows: in-process from the command line,
// or behind one of NodeTool's three API surfaces.
//
// Usage:
//
//	nodetool run FILE|EXAMPLE [--param name=value]... [--stdin] [--jsonl]
//	nodetool validate FILE...
//	nodetool version
//
// nodetool run loads a workflow file exported from NodeTool (a full Workflow
// object or a bare {"nodes","edges"} graph), or one of the embedded example
// workflows by id, validates it and runs it. Progress goes to stderr, one
// line per node state change; the result ({"output name": [values...]}) goes
// to stdout as one line of JSON. With --jsonl, stdout gets every engine event
// as one JSON object per line instead (the last one is the final job_update).
// --param name=value sets the input node called name; the value is converted
// to that input's type (numbers, booleans; JSON for lists and objects).
// --stdin reads a RunJobRequest JSON object ({"params": {...}}, optionally
// with a "graph" to run instead of FILE). Exit status: 0 completed, 1 failed
// or cancelled, 2 bad usage.
//
// nodetool validate checks workflow files without running them and prints,
// per file, OK or every problem found (unsupported node types with their node
// ids, edges to missing nodes or handles, type mismatches, missing required
// inputs, invalid property values, cycles). Exit status 1 if any file has a
// problem.
//
// Files read: the workflow files named on the command line (at most 64 MiB
// each). Nothing is written.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, "nodetool:", ee.msg)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "nodetool:", err)
		os.Exit(1)
	}
}
