package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

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
  nodetool serve [flags]           serve the Editor API for NodeTool's client (default 127.0.0.1:7777)
  nodetool worker [flags]          serve the Worker API (default 0.0.0.0:8000)
  nodetool chat-server [flags]     serve the OpenAI-compatible chat API (default 127.0.0.1:8080)
  nodetool run FILE|EXAMPLE [--param name=value]... [--stdin] [--jsonl]
  nodetool validate FILE...
  nodetool token [--show] [--rotate]  show (or replace) the worker token
  nodetool version

Run "nodetool COMMAND -h" (or "nodetool help COMMAND") for a command's flags
and environment variables.
`

// run is the whole program: it parses args, reads the environment only
// through getenv, and writes only to stdout and stderr. Help goes to
// stdout (exit 0); usage errors are returned as exit status 2, for main to
// print on stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return usageError("")
	}
	cmd, rest := args[1], args[2:]
	if cmd == "help" && len(rest) == 1 {
		cmd, rest = rest[0], []string{"-h"}
	}
	var err error
	switch cmd {
	case "run":
		err = cmdRun(ctx, rest, getenv, stdin, stdout, stderr)
	case "validate":
		err = cmdValidate(rest, getenv, stdout)
	case "serve":
		err = cmdServe(ctx, rest, getenv, stdout, stderr)
	case "worker":
		err = cmdWorker(ctx, rest, getenv, stdout, stderr)
	case "chat-server":
		err = cmdChatServer(ctx, rest, getenv, stdout, stderr)
	case "token":
		err = cmdToken(rest, getenv, stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "nodetool %s (%s, %s/%s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprint(stderr, usage)
		return usageError("unknown command %q", cmd)
	}
	if isHelp(err) {
		return nil
	}
	return err
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
