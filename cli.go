package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

//go:embed testdata/examples/*.json
var examplesFS embed.FS

// exitError carries a process exit status out of run.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageError(format string, a ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, a...)}
}

const usage = `nodetool runs NodeTool workflows.

Usage:
  nodetool worker [flags]          serve the Worker API (default 0.0.0.0:8000)
  nodetool run FILE|EXAMPLE [--param name=value]... [--stdin] [--jsonl] [--provider P]
  nodetool validate FILE... [--provider P]
  nodetool token [--rotate]        show (or replace) the worker token
  nodetool version

Run "nodetool COMMAND -h" for a command's flags.
`

// run is the whole program: it parses args, reads the environment only
// through getenv, and writes only to stdout and stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return usageError("")
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "run":
		return cmdRun(ctx, rest, getenv, stdin, stdout, stderr)
	case "validate":
		return cmdValidate(rest, getenv, stdout, stderr)
	case "worker":
		return cmdWorker(ctx, rest, getenv, stdout, stderr)
	case "token":
		return cmdToken(rest, getenv, stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "nodetool %s (%s, %s/%s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError("unknown command %q", cmd)
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

// exampleWorkflows returns the embedded example workflows by id (file name
// without .json).
func exampleWorkflows() (map[string][]byte, error) {
	entries, err := examplesFS.ReadDir("testdata/examples")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := examplesFS.ReadFile("testdata/examples/" + e.Name())
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(e.Name(), ".json")] = data
	}
	return out, nil
}

// isHelp reports whether err is the flag package's -h request.
func isHelp(err error) bool { return errors.Is(err, errHelp) }

var errHelp = errors.New("help requested")
