package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/engine/pyval"
)

// paramFlags collects repeatable --param name=value flags in order.
type paramFlags []string

func (p *paramFlags) String() string     { return strings.Join(*p, " ") }
func (p *paramFlags) Set(v string) error { *p = append(*p, v); return nil }

// parseInterspersed parses flags that may come before or after positional
// arguments ("run FILE --param x=1").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func cmdRun(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nodetool run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var params paramFlags
	fs.Var(&params, "param", "set an input: `name=value` (repeatable); the value is converted to the input's type")
	fromStdin := fs.Bool("stdin", false, "read a RunJobRequest JSON object from stdin ({\"params\": {...}}, optionally with \"graph\")")
	jsonl := fs.Bool("jsonl", false, "print every event as one JSON object per line on stdout, instead of progress and result")
	quiet := fs.Bool("q", false, "do not print progress on stderr")
	budgets := addBudgetFlags(fs, 0)
	pf := addProviderFlags(fs)
	lenient := fs.Bool("drop-invalid-edges", false, "drop edges that name a missing node or handle (with a warning), as NodeTool's own engine does, instead of refusing the workflow")
	st := newSettings(fs, getenv)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: nodetool run FILE|EXAMPLE [flags]\n\nRuns a workflow file or an embedded example (")
		if ex, err := exampleWorkflows(); err == nil {
			fmt.Fprint(stderr, strings.Join(sortedNames(ex), ", "))
		}
		fmt.Fprint(stderr, ").\nPrints progress on stderr and the result as JSON on stdout.\nExit status: 0 completed, 1 failed or cancelled, 2 bad usage.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if isHelp(err) {
			return nil
		}
		return err
	}
	if len(pos) > 1 {
		return usageError("run takes one workflow, got %d: %s", len(pos), strings.Join(pos, " "))
	}
	st.parsed()
	set, err := pf.build(st, getenv)
	if err != nil {
		return usageError("%v", err)
	}
	limits, err := budgets.limits(st)
	if err != nil {
		return usageError("%v", err)
	}

	var req *pyval.Dict
	if *fromStdin {
		data, err := readLimited(stdin, "stdin")
		if err != nil {
			return usageError("%v", err)
		}
		v, err := pyval.Decode(data)
		if err != nil {
			return usageError("stdin: %v", err)
		}
		d, ok := v.(*pyval.Dict)
		if !ok {
			return usageError("stdin: a RunJobRequest must be a JSON object")
		}
		req = d
	}

	var wf *engine.Workflow
	name := ""
	switch {
	case len(pos) == 1 && req != nil && req.Has("graph"):
		return usageError("give either a workflow file or a graph on stdin, not both")
	case len(pos) == 1:
		wf, name, err = loadWorkflow(pos[0])
		if err != nil {
			return usageError("%v", err)
		}
	case req != nil && req.Has("graph"):
		gv, _ := req.Get("graph")
		g, err := engine.GraphFromValue(gv)
		if err != nil {
			return usageError("stdin: %v", err)
		}
		wf, name = &engine.Workflow{Graph: *g}, "stdin"
	default:
		fs.Usage()
		return usageError("run needs a workflow file or example name")
	}

	reg := engine.NewRegistry()
	reg.SetModels(set)
	plan, err := reg.CompileWith(&wf.Graph, engine.CompileOptions{DropInvalidEdges: *lenient})
	if err != nil {
		var verr *engine.ValidationError
		if errors.As(err, &verr) {
			fmt.Fprintf(stderr, "%s: %d problem(s):\n", name, len(verr.Problems))
			for _, p := range verr.Problems {
				fmt.Fprintf(stderr, "  - %s\n", p.Message)
			}
			return &exitError{code: 1}
		}
		return &exitError{code: 1, msg: err.Error()}
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w.Message)
	}

	values := pyval.NewDict(len(params))
	if req != nil {
		if pv, ok := req.Get("params"); ok && pv != nil {
			pd, ok := pv.(*pyval.Dict)
			if !ok {
				return usageError("stdin: \"params\" must be an object")
			}
			pd.Range(func(k string, v any) bool { values.Set(k, v); return true })
		}
	}
	inputs := map[string]engine.InputInfo{}
	for _, in := range plan.Inputs() {
		inputs[in.Name] = in
	}
	for _, p := range params {
		k, raw, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return usageError("--param %q: use name=value", p)
		}
		info, ok := inputs[k]
		if !ok {
			return usageError("--param %s: the workflow has no input named %q (inputs: %s)", k, k, inputList(plan))
		}
		v, err := convertParam(raw, info.Type)
		if err != nil {
			return usageError("--param %s: %v", k, err)
		}
		values.Set(k, v)
	}
	if probs := plan.CheckParams(values); len(probs) > 0 {
		msgs := make([]string, len(probs))
		for i, p := range probs {
			msgs[i] = p.Message
		}
		return usageError("%s", strings.Join(msgs, "; "))
	}

	jobID := newID()
	opts := engine.RunOptions{JobID: jobID, WorkflowID: wf.ID, Params: values, Limits: limits}
	var writeErr error
	if *jsonl {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		opts.OnEvent = func(ev engine.Event) {
			if writeErr == nil {
				writeErr = enc.Encode(ev)
			}
		}
	} else if !*quiet {
		opts.OnEvent = progressPrinter(stderr, time.Now())
	}
	if !*jsonl && !*quiet {
		fmt.Fprintf(stderr, "running %s (%d nodes)\n", displayName(wf, name), len(wf.Graph.Nodes))
	}
	res := plan.Run(ctx, opts)
	if writeErr != nil {
		return &exitError{code: 1, msg: "writing events: " + writeErr.Error()}
	}
	if !*jsonl {
		switch res.Status {
		case engine.StatusCompleted:
			if !*quiet {
				fmt.Fprintf(stderr, "completed in %s\n", res.Duration.Round(time.Microsecond))
			}
			enc := json.NewEncoder(stdout)
			enc.SetEscapeHTML(false)
			outputs := res.Outputs
			if outputs == nil {
				outputs = map[string][]any{}
			}
			if err := enc.Encode(outputs); err != nil {
				return &exitError{code: 1, msg: "writing result: " + err.Error()}
			}
		case engine.StatusCancelled:
			fmt.Fprintln(stderr, "cancelled")
		default:
			where := ""
			if res.NodeID != "" {
				where = fmt.Sprintf(" in node %s (%s)", res.NodeID, res.NodeType)
			}
			fmt.Fprintf(stderr, "failed%s: %s\n", where, res.Error)
		}
	}
	if res.Status != engine.StatusCompleted {
		return &exitError{code: 1}
	}
	return nil
}

func displayName(wf *engine.Workflow, fallback string) string {
	if wf.Name != "" {
		return fmt.Sprintf("%q", wf.Name)
	}
	return fallback
}

func inputList(plan *engine.Plan) string {
	var names []string
	for _, in := range plan.Inputs() {
		names = append(names, in.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// progressPrinter prints one line per node state change.
func progressPrinter(w io.Writer, start time.Time) func(engine.Event) {
	last := map[string]string{}
	return func(ev engine.Event) {
		nu, ok := ev.(*engine.NodeUpdate)
		if !ok || last[nu.NodeID] == nu.Status {
			return
		}
		last[nu.NodeID] = nu.Status
		line := fmt.Sprintf("%8s  %-10s node %s (%s)", time.Since(start).Round(time.Millisecond), nu.Status, nu.NodeID, nu.NodeName)
		if nu.Error != nil {
			line += ": " + *nu.Error
		}
		fmt.Fprintln(w, line)
	}
}

// convertParam turns a command-line string into a value of the input's type.
func convertParam(raw string, t engine.TypeMeta) (any, error) {
	switch t.Type {
	case "str", "enum":
		return raw, nil
	case "int":
		i, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", raw)
		}
		return i, nil
	case "float":
		f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", raw)
		}
		return f, nil
	case "bool":
		switch strings.ToLower(strings.TrimSpace(raw)) {
		case "true", "1", "yes", "on":
			return true, nil
		case "false", "0", "no", "off":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a boolean (use true or false)", raw)
	}
	v, err := pyval.Decode([]byte(raw))
	if err != nil {
		return nil, fmt.Errorf("the input takes %s; give it as JSON (%v)", t, err)
	}
	return v, nil
}

// newID returns a 32-character lowercase hex id.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
