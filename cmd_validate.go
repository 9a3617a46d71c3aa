package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"nodetool/engine"
)

// cmdValidate checks workflow files without running them.
func cmdValidate(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nodetool validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pf := addProviderFlags(fs)
	lenient := fs.Bool("drop-invalid-edges", false, "report edges that name a missing node or handle as warnings instead of problems")
	st := newSettings(fs, getenv)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: nodetool validate [flags] FILE...\n\nChecks workflow files without running them and prints OK or every problem found.\nLLM nodes are checked against the model provider flags.\nExit status: 0 all valid, 1 a file has problems, 2 bad usage.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if isHelp(err) {
			return nil
		}
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return usageError("validate needs at least one file")
	}
	st.parsed()
	set, err := pf.build(st, getenv)
	if err != nil {
		return usageError("%v", err)
	}
	reg := engine.NewRegistry()
	reg.SetModels(set)
	bad := 0
	for _, file := range files {
		wf, _, err := loadWorkflow(file)
		if err != nil {
			bad++
			fmt.Fprintf(stdout, "%s: cannot load: %v\n", file, err)
			continue
		}
		plan, err := reg.CompileWith(&wf.Graph, engine.CompileOptions{DropInvalidEdges: *lenient})
		if err != nil {
			bad++
			var verr *engine.ValidationError
			if !errors.As(err, &verr) {
				fmt.Fprintf(stdout, "%s: %v\n", file, err)
				continue
			}
			fmt.Fprintf(stdout, "%s: %d problem(s)\n", file, len(verr.Problems))
			for _, p := range verr.Problems {
				fmt.Fprintf(stdout, "  - %s\n", p.Message)
			}
			continue
		}
		fmt.Fprintf(stdout, "%s: OK (%d nodes, %d edges)\n", file, len(wf.Graph.Nodes), len(wf.Graph.Edges))
		for _, w := range plan.Warnings {
			fmt.Fprintf(stdout, "  warning: %s\n", w.Message)
		}
	}
	if bad > 0 {
		return &exitError{code: 1}
	}
	return nil
}
