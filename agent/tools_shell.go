package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"nodetool/lang/pyval"
)

// Shell is the operator's opt-in to the Bash tool (--agent-shell): commands
// a model writes run with the server's rights. They start in the run's
// workspace folder, but nothing confines them to it; only an operator who
// trusts every workflow and model on the server should turn it on.
type Shell struct {
	// Path is the shell (default /bin/sh), run as Path -c COMMAND.
	Path string
	// Env is the commands' whole environment (nothing else of the
	// server's reaches them); HOME and PWD are set to the workspace.
	Env []string
	// Timeout bounds one command (default DefaultShellTimeout), within the
	// caller's deadline.
	Timeout time.Duration
}

// DefaultShellTimeout bounds one Bash command when Shell.Timeout is 0.
const DefaultShellTimeout = 2 * time.Minute

// maxShellOutput is how much of a command's output the model reads back.
const maxShellOutput = 64 << 10

// maxCommand bounds the length of a command the model writes.
const maxCommand = 64 << 10

// BashTool is Claude's Bash on sh: it runs a command in the workspace
// folder with sh's environment, under its timeout and b's deadline (the
// command's whole process group is killed when either comes), and answers
// its exit status and output (stdout and stderr as they interleave, the
// first 64 KiB of it).
func BashTool(w *Workspace, sh *Shell) Tool {
	return NewTool("Bash", "Runs a shell command in the workspace folder and returns its exit status and output.",
		`{"type":"object","properties":{"command":{"type":"string","description":"The command line, run with sh -c"},`+
			`"timeout":{"type":"integer","description":"Milliseconds the command may take (at most the server's limit)"}},"required":["command"],"additionalProperties":false}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			command := argStr(args, "command")
			if strings.TrimSpace(command) == "" || len(command) > maxCommand {
				return failure("give a command of at most %d bytes", maxCommand), nil
			}
			root, err := w.root()
			if err != nil {
				return failure("%v", err), nil
			}
			dir := root.Name()
			root.Close()
			limit := sh.Timeout
			if limit <= 0 {
				limit = DefaultShellTimeout
			}
			if v, ok := args.Get("timeout"); ok {
				if ms, ok := v.(int64); ok && ms > 0 && time.Duration(ms)*time.Millisecond < limit {
					limit = time.Duration(ms) * time.Millisecond
				}
			}
			return sh.run(b, dir, command, limit)
		})
}

// run runs command in dir and reports how it ended. Only b's own end is an
// error (it stops the agent); a failing or timed-out command is a result.
func (sh *Shell) run(b Budget, dir, command string, limit time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(b, limit)
	defer cancel()
	path := sh.Path
	if path == "" {
		path = "/bin/sh"
	}
	cmd := exec.CommandContext(ctx, path, "-c", command)
	cmd.Dir = dir
	cmd.Env = append(append([]string{}, sh.Env...), "HOME="+dir, "PWD="+dir)
	// Its own process group, killed whole: a command's children do not
	// outlive it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	out := &capped{max: maxShellOutput}
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	if b.Err() != nil {
		return "", context.Cause(b)
	}
	res := map[string]any{"output": out.buf.String()}
	if out.dropped > 0 {
		res["output_truncated_bytes"] = out.dropped
	}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		res["error"] = fmt.Sprintf("the command did not end within %s and was killed", limit)
	case errors.As(err, &exit):
		res["exit_code"] = exit.ExitCode()
	case err != nil:
		res["error"] = "the command could not run: " + err.Error()
	default:
		res["exit_code"] = 0
	}
	return jsonText(res), nil
}

// capped keeps the first max bytes written to it and counts the rest.
type capped struct {
	buf     bytes.Buffer
	max     int
	dropped int64
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		n := min(room, len(p))
		c.buf.Write(p[:n])
		c.dropped += int64(len(p) - n)
	} else {
		c.dropped += int64(len(p))
	}
	return len(p), nil
}
