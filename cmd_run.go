package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/ffmpeg"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/llm"
	"nodetool/nodes/search"
	"nodetool/providers/vendors"
)

// runHelp is nodetool run's help; the example names are added when printed.
var runHelp = help{
	usage: "run FILE|EXAMPLE [flags]",
	about: `Runs a workflow file, or one of the example workflows shipped in the binary, by name.
Prints progress on stderr and the result as JSON on stdout ({"output name": [values...]}).
Exit status: 0 completed, 1 failed or cancelled, 2 bad usage.`,
	env: append(append(append(append(append([]string{}, envBudgets...), envProviders...), envAccess...), append(envSearch, envVendors...)...), append(append(envModelMap, "NODETOOL_WORKSPACE", "NODETOOL_OUTPUT_DIR"), envFFmpeg...)...),
}

// runJob is what nodetool run's command line and stdin resolve to.
type runJob struct {
	wf      *engine.Workflow
	name    string      // the file or example named, or "stdin", for messages
	req     *pyval.Dict // the RunJobRequest read with --stdin, or nil
	params  stringsFlag // --param name=value, in order
	models  llm.Models
	reg     *engine.Registry
	access  access
	search  *search.Client
	kie     *vendors.Kie
	fal     *vendors.Fal
	ffmpeg  *ffmpeg.Tools
	noFF    error // why ffmpeg is missing
	limits  engine.Limits
	lenient bool // --drop-invalid-edges
	// workspace is --workspace: the run's folder for files, kept; "" for
	// a temporary one in tmpDir (TMPDIR; "" the system's), removed at exit.
	workspace, tmpDir string
	jsonl             bool
	quiet             bool
	// outputDir is --output-dir: media results are written there as
	// files, their paths in the result JSON ("" keeps them inline).
	outputDir string
}

// cmdRun loads a workflow, checks it, sets its inputs and runs it in
// process: parse the command line, compile, set the params, run.
func cmdRun(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	job, err := parseRun(args, getenv, stdin, stdout)
	if err != nil {
		return err
	}
	plan, err := job.compile(stderr)
	if err != nil {
		return err
	}
	values, err := job.values(plan)
	if err != nil {
		return err
	}
	return job.run(ctx, plan, values, stdout, stderr)
}

// parseRun reads the flags, the environment, the RunJobRequest on stdin
// (with --stdin) and the workflow to run.
func parseRun(args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) (*runJob, error) {
	fs := newFlagSet("run")
	job := &runJob{}
	fs.Var(&job.params, "param", "set an input: `name=value` (repeatable); the value is converted to the input's type; name=@PATH loads a local file into an image, audio, video or document input (its kind checked by content)")
	fs.StringVar(&job.outputDir, "output-dir", "", "write media results (images, audio, video, documents) as files in this folder and print their paths in the result JSON, instead of inline data: URIs (env NODETOOL_OUTPUT_DIR)")
	fromStdin := fs.Bool("stdin", false, "read a RunJobRequest JSON object from stdin ({\"params\": {...}}, optionally with \"graph\")")
	fs.BoolVar(&job.jsonl, "jsonl", false, "print every event as one JSON object per line on stdout, instead of progress and result")
	fs.BoolVar(&job.quiet, "q", false, "do not print progress on stderr")
	budgets := addBudgetFlags(fs, 0)
	pf := addProviderFlags(fs)
	af := addAccessFlags(fs)
	serp := addSearchFlags(fs)
	vf := addVendorFlags(fs)
	mm := addModelMapFlag(fs)
	addFFmpegFlag(fs)
	fs.StringVar(&job.workspace, "workspace", "", "the run's folder for files that nodes read and write (made if missing, kept); default a temporary folder removed at exit (env NODETOOL_WORKSPACE)")
	fs.BoolVar(&job.lenient, "drop-invalid-edges", false, "drop edges that name a missing node or handle (with a warning), as NodeTool's own engine does, instead of refusing the workflow")
	st := newSettings(fs, getenv)
	h := runHelp
	if ex, err := exampleWorkflows(); err == nil {
		h.about += "\nExamples: " + strings.Join(sortedNames(ex), ", ") + "."
	}
	pos, err := parseArgs(fs, h, args, stdout)
	if err != nil {
		return nil, err
	}
	if len(pos) > 1 {
		return nil, usageError("run takes one workflow, got %d: %s", len(pos), strings.Join(pos, " "))
	}
	st.parsed()
	set, err := pf.build(st, getenv, nil)
	if err != nil {
		return nil, usageError("%v", err)
	}
	if job.search, err = serp.build(st, getenv, nil); err != nil {
		return nil, usageError("%v", err)
	}
	if job.kie, job.fal, err = vf.build(st, getenv, nil, nil); err != nil {
		return nil, usageError("%v", err)
	}
	mmap, err := mm.resolve(st)
	if err != nil {
		return nil, usageError("%v", err)
	}
	job.models = nodeModels(set, mmap)
	if job.ffmpeg, job.noFF, err = findFFmpeg(st); err != nil {
		return nil, usageError("%v", err)
	}
	if job.limits, err = budgets.limits(st); err != nil {
		return nil, usageError("%v", err)
	}
	if job.access, err = af.resolve(st, ""); err != nil {
		return nil, usageError("%v", err)
	}
	job.workspace = st.str("workspace", "NODETOOL_WORKSPACE")
	job.outputDir = st.str("output-dir", "NODETOOL_OUTPUT_DIR")
	job.tmpDir = getenv("TMPDIR")
	if *fromStdin {
		if job.req, err = readRunRequest(stdin); err != nil {
			return nil, err
		}
	}
	if err := job.load(pos); err != nil {
		return nil, err
	}
	return job, nil
}

// readRunRequest reads a RunJobRequest JSON object from stdin.
func readRunRequest(stdin io.Reader) (*pyval.Dict, error) {
	data, err := readLimited(stdin, "stdin")
	if err != nil {
		return nil, usageError("%v", err)
	}
	v, err := pyval.Decode(data)
	if err != nil {
		return nil, usageError("stdin: %v", err)
	}
	d, ok := v.(*pyval.Dict)
	if !ok {
		return nil, usageError("stdin: a RunJobRequest must be a JSON object")
	}
	return d, nil
}

// load picks the workflow: the file or example named on the command line,
// or the graph of the request on stdin (not both).
func (job *runJob) load(pos []string) error {
	fromStdin := job.req != nil && job.req.Has("graph")
	switch {
	case len(pos) == 1 && fromStdin:
		return usageError("give either a workflow file or a graph on stdin, not both")
	case len(pos) == 1:
		wf, name, err := loadWorkflow(pos[0])
		if err != nil {
			return usageError("%v", err)
		}
		job.wf, job.name = wf, name
	case fromStdin:
		gv, _ := job.req.Get("graph")
		g, err := engine.GraphFromValue(gv)
		if err != nil {
			return usageError("stdin: %v", err)
		}
		job.wf, job.name = &engine.Workflow{Graph: *g}, "stdin"
	default:
		return usageError("run needs a workflow file or example name (see \"nodetool run -h\")")
	}
	return nil
}

// compile checks the workflow and plans its run, printing every problem
// (exit status 1) or warning on stderr.
func (job *runJob) compile(stderr io.Writer) (*engine.Plan, error) {
	reg := nodes.NewRegistry(nodes.Deps{Models: job.models, HTTP: job.access.http, Secrets: job.access.secrets, Search: job.search, AgentShell: job.access.shell,
		FFmpeg: job.ffmpeg, FFmpegMissing: job.noFF, Kie: job.kie, Fal: job.fal})
	job.reg = reg
	plan, err := reg.CompileWith(&job.wf.Graph, engine.CompileOptions{DropInvalidEdges: job.lenient})
	if err != nil {
		var verr *engine.ValidationError
		if errors.As(err, &verr) {
			fmt.Fprintf(stderr, "%s: %d problem(s):\n", job.name, len(verr.Problems))
			for _, p := range verr.Problems {
				fmt.Fprintf(stderr, "  - %s\n", p.Message)
			}
			return nil, &exitError{code: 1}
		}
		return nil, &exitError{code: 1, msg: err.Error()}
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w.Message)
	}
	if !job.quiet {
		for _, line := range modelRewrites(reg, &job.wf.Graph, job.models) {
			fmt.Fprintf(stderr, "model map: %s\n", line)
		}
	}
	return plan, nil
}

// values gathers the run's params: the request's "params", then each
// --param converted to its input's type, all checked against the plan.
func (job *runJob) values(plan *engine.Plan) (*pyval.Dict, error) {
	values := pyval.NewDict(len(job.params))
	if job.req != nil {
		if pv, ok := job.req.Get("params"); ok && pv != nil {
			pd, ok := pv.(*pyval.Dict)
			if !ok {
				return nil, usageError("stdin: \"params\" must be an object")
			}
			pd.Range(func(k string, v any) bool { values.Set(k, v); return true })
		}
	}
	inputs := map[string]engine.InputInfo{}
	for _, in := range plan.Inputs() {
		inputs[in.Name] = in
	}
	for _, p := range job.params {
		k, raw, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, usageError("--param %q: use name=value", p)
		}
		info, ok := inputs[k]
		if !ok {
			return nil, usageError("--param %s: the workflow has no input named %q (inputs: %s)", k, k, inputList(plan))
		}
		var v any
		var err error
		if path, ok := strings.CutPrefix(raw, "@"); ok && isMediaType(info.Type) {
			v, err = loadMediaParam(path, info.Type, cmp.Or(job.limits.Value, engine.DefaultMaxValue))
		} else {
			v, err = convertParam(raw, info.Type)
		}
		if err != nil {
			return nil, usageError("--param %s: %v", k, err)
		}
		values.Set(k, v)
	}
	if probs := plan.CheckParams(values); len(probs) > 0 {
		msgs := make([]string, len(probs))
		for i, p := range probs {
			msgs[i] = p.Message
		}
		return nil, usageError("%s", strings.Join(msgs, "; "))
	}
	return values, nil
}

// run runs the plan: events as JSON lines on stdout with --jsonl, else
// progress on stderr (unless -q) and the outputs as one JSON line on
// stdout. A run that did not complete is exit status 1.
func (job *runJob) run(ctx context.Context, plan *engine.Plan, values *pyval.Dict, stdout, stderr io.Writer) error {
	ws, removeWS, err := runWorkspace(job.workspace, job.tmpDir)
	if err != nil {
		return err
	}
	defer removeWS()
	opts := engine.RunOptions{JobID: newID(), WorkflowID: job.wf.ID, Params: values, Limits: job.limits, Workspace: ws}
	var writeErr error
	if job.jsonl {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		opts.OnEvent = func(ev engine.Event) {
			if writeErr == nil {
				writeErr = enc.Encode(ev)
			}
		}
	} else if !job.quiet {
		opts.OnEvent = progressPrinter(stderr, time.Now())
		fmt.Fprintf(stderr, "running %s (%d nodes)\n", displayName(job.wf, job.name), len(job.wf.Graph.Nodes))
	}
	res := plan.Run(ctx, opts)
	if writeErr != nil {
		return &exitError{code: 1, msg: "writing events: " + writeErr.Error()}
	}
	if !job.jsonl {
		if err := job.report(res, stdout, stderr); err != nil {
			return err
		}
	}
	if res.Status != engine.StatusCompleted {
		return &exitError{code: 1}
	}
	return nil
}

// runWorkspace makes the run's workspace: dir (made 0700 if missing,
// kept), or a temporary folder in tmp that remove deletes.
func runWorkspace(dir, tmp string) (path string, remove func(), err error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", nil, &exitError{code: 1, msg: fmt.Sprintf("--workspace: %v", err)}
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return "", nil, &exitError{code: 1, msg: fmt.Sprintf("--workspace: %s is not a folder", dir)}
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", nil, &exitError{code: 1, msg: fmt.Sprintf("--workspace: %v", err)}
		}
		return abs, func() {}, nil
	}
	ws, err := os.MkdirTemp(tmp, "nodetool-run-")
	if err != nil {
		return "", nil, &exitError{code: 1, msg: fmt.Sprintf("cannot make the run's workspace folder: %v (set --workspace)", err)}
	}
	return ws, func() { os.RemoveAll(ws) }, nil
}

// report prints how the run ended: the outputs on stdout if it completed,
// else why on stderr.
func (job *runJob) report(res *engine.Result, stdout, stderr io.Writer) error {
	switch res.Status {
	case engine.StatusCompleted:
		if !job.quiet {
			fmt.Fprintf(stderr, "completed in %s\n", res.Duration.Round(time.Microsecond))
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		outputs := res.Outputs
		if outputs == nil {
			outputs = map[string][]any{}
		}
		if job.outputDir != "" {
			if err := writeMediaOutputs(job.outputDir, outputs); err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
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

// progressPrinter prints one line per node state change, and the
// warnings and errors nodes log.
func progressPrinter(w io.Writer, start time.Time) func(engine.Event) {
	last := map[string]string{}
	return func(ev engine.Event) {
		if lu, ok := ev.(*engine.LogUpdate); ok {
			if lu.Severity == "warning" || lu.Severity == "error" {
				fmt.Fprintf(w, "%8s  %-10s node %s (%s): %s\n", time.Since(start).Round(time.Millisecond), lu.Severity, lu.NodeID, lu.NodeName, lu.Content)
			}
			return
		}
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
