// Command corpuscheck runs "nodetool validate" on every workflow file of a
// folder (NodeTool's exported examples) and checks that it never crashes and
// that a refusal names every unsupported node type with its node id.
//
//	go run ./testdata/corpuscheck -nodetool ./nodetool ../shared/workflows/nodetool-base
//
// With -run it instead runs every file whose node types are all supported,
// offline (the fake model provider, every model mapped to it, a SERP
// service at -serp or a stub, local copies of the files' internet
// resources from -resources), checks each result's structure, checks that
// validate refuses the others naming each unsupported node type, and
// prints how many run (see run.go):
//
//	go run ./testdata/corpuscheck -nodetool ./nodetool -run -resources testdata/corpus-resources ../shared/workflows/nodetool-base
//
// It reads the files itself (with encoding/json, not the engine's loader) to
// know which nodes each holds, and asks the engine's registry which types are
// supported. Exit status 1 on any failed check.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"nodetool/engine"
	"nodetool/nodes"
)

func main() {
	bin := flag.String("nodetool", "nodetool", "path of the nodetool binary to check")
	runAll := flag.Bool("run", false, "run every file whose node types are all supported, offline, and check the results")
	serp := flag.String("serp", "", "with -run: the SERP service's base URL for SERPAPI_BASE_URL (default: a stub served here)")
	resources := flag.String("resources", "", "with -run: a folder of local copies of the files' internet resources, HOST/PATH")
	mediaDir := flag.String("media", "testdata/corpus-media", "with -run: a folder of test files for media inputs, KIND-* (audio-*.wav, video-*.mp4, image-*.png)")
	flag.Parse()
	if *runAll && flag.NArg() == 1 {
		os.Exit(runCorpus(*bin, flag.Arg(0), *serp, *resources, *mediaDir))
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: corpuscheck -nodetool BIN DIR")
		os.Exit(2)
	}
	files, err := filepath.Glob(filepath.Join(flag.Arg(0), "*.json"))
	if err != nil || len(files) == 0 {
		fmt.Fprintf(os.Stderr, "corpuscheck: no workflow files in %s\n", flag.Arg(0))
		os.Exit(2)
	}
	reg := nodes.NewRegistry(nodes.Deps{})
	failures, valid, refused := 0, 0, 0
	for _, file := range files {
		problems, ok := checkFile(*bin, reg, file)
		if ok {
			valid++
		} else {
			refused++
		}
		for _, p := range problems {
			failures++
			fmt.Printf("FAIL %s: %s\n", filepath.Base(file), p)
		}
	}
	fmt.Printf("corpuscheck: %d files, %d valid, %d refused, %d failed checks\n", len(files), valid, refused, failures)
	if failures > 0 {
		os.Exit(1)
	}
}

// checkFile validates one file and returns the failed checks, and whether
// the file validated.
func checkFile(bin string, reg *engine.Registry, file string) ([]string, bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		return []string{err.Error()}, false
	}
	var wf struct {
		Graph struct {
			Nodes []struct {
				ID   string `json:"id"`
				Type string `json:"type"`
			} `json:"nodes"`
		} `json:"graph"`
	}
	if err := json.Unmarshal(data, &wf); err != nil {
		return []string{"not a workflow file: " + err.Error()}, false
	}
	cmd := exec.Command(bin, "validate", file)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err = cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		return []string{"cannot run nodetool: " + err.Error()}, false
	}
	all := out.String() + stderr.String()
	var problems []string
	if strings.Contains(all, "panic:") || strings.Contains(all, "goroutine ") {
		problems = append(problems, "nodetool crashed:\n"+all)
	}
	if code != 0 && code != 1 {
		problems = append(problems, fmt.Sprintf("exit status %d, want 0 or 1", code))
	}
	unsupported := 0
	for _, n := range wf.Graph.Nodes {
		if _, ok := reg.Lookup(n.Type); ok {
			continue
		}
		unsupported++
		want := fmt.Sprintf("unsupported node type %s (node %s)", n.Type, n.ID)
		if !strings.Contains(all, want) {
			problems = append(problems, fmt.Sprintf("output does not say %q", want))
		}
	}
	if unsupported > 0 && code != 1 {
		problems = append(problems, fmt.Sprintf("%d unsupported nodes but exit status %d", unsupported, code))
	}
	if code == 0 && !strings.Contains(out.String(), ": OK") {
		problems = append(problems, "exit status 0 without OK")
	}
	return problems, code == 0
}
