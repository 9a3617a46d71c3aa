package main

import (
	"errors"
	"fmt"
	"io"

	"nodetool/engine"
	"nodetool/nodes"
	"nodetool/nodes/llm"
)

var validateHelp = help{
	usage: "validate [flags] FILE...",
	about: `Checks workflow files (or examples, by name) without running them and prints, per file, OK or
every problem found. LLM nodes are checked against the model provider flags.
Exit status: 0 all valid, 1 a file has problems, 2 bad usage.`,
	env: append(append(append(append([]string{}, envProviders...), append(envSearch, envVendors...)...), envModelMap...), envFFmpeg...),
}

// cmdValidate checks workflow files without running them.
func cmdValidate(args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("validate")
	pf := addProviderFlags(fs)
	serp := addSearchFlags(fs)
	vf := addVendorFlags(fs)
	mm := addModelMapFlag(fs)
	addFFmpegFlag(fs)
	lenient := fs.Bool("drop-invalid-edges", false, "report edges that name a missing node or handle as warnings instead of problems")
	st := newSettings(fs, getenv)
	files, err := parseArgs(fs, validateHelp, args, stdout)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError("validate needs at least one file (see \"nodetool validate -h\")")
	}
	st.parsed()
	set, err := pf.build(st, getenv, nil)
	if err != nil {
		return usageError("%v", err)
	}
	searcher, err := serp.build(st, getenv, nil)
	if err != nil {
		return usageError("%v", err)
	}
	kie, fal, err := vf.build(st, getenv, nil, nil)
	if err != nil {
		return usageError("%v", err)
	}
	mmap, err := mm.resolve(st)
	if err != nil {
		return usageError("%v", err)
	}
	tools, noFFmpeg, err := findFFmpeg(st)
	if err != nil {
		return usageError("%v", err)
	}
	models := nodeModels(set, mmap)
	reg := nodes.NewRegistry(nodes.Deps{Models: models, Search: searcher, FFmpeg: tools, FFmpegMissing: noFFmpeg, Kie: kie, Fal: fal})
	bad := 0
	for _, file := range files {
		if !validateFile(stdout, reg, models, file, engine.CompileOptions{DropInvalidEdges: *lenient}) {
			bad++
		}
	}
	if bad > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// validateFile loads and compiles one workflow file, prints OK (and any
// warnings) or its problems, and reports whether it is valid.
func validateFile(w io.Writer, reg *engine.Registry, models llm.Models, file string, opts engine.CompileOptions) bool {
	wf, _, err := loadWorkflow(file)
	if err != nil {
		fmt.Fprintf(w, "%s: cannot load: %v\n", file, err)
		return false
	}
	plan, err := reg.CompileWith(&wf.Graph, opts)
	if err != nil {
		var verr *engine.ValidationError
		if !errors.As(err, &verr) {
			fmt.Fprintf(w, "%s: %v\n", file, err)
			return false
		}
		fmt.Fprintf(w, "%s: %d problem(s)\n", file, len(verr.Problems))
		for _, p := range verr.Problems {
			fmt.Fprintf(w, "  - %s\n", p.Message)
		}
		for _, line := range modelRewrites(reg, &wf.Graph, models) {
			fmt.Fprintf(w, "  model map: %s\n", line)
		}
		return false
	}
	fmt.Fprintf(w, "%s: OK (%d nodes, %d edges)\n", file, len(wf.Graph.Nodes), len(wf.Graph.Edges))
	for _, warn := range plan.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn.Message)
	}
	for _, line := range modelRewrites(reg, &wf.Graph, models) {
		fmt.Fprintf(w, "  model map: %s\n", line)
	}
	return true
}
