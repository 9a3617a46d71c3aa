// Package terminal runs an interactive shell on a pseudo-terminal, for the
// editor's terminal WebSocket (editor-api §4.4).
//
// Start opens a pseudo-terminal pair through /dev/ptmx and starts the shell
// as the leader of a new session whose controlling terminal is the pair's
// slave side. The returned Session reads the shell's output from the master
// side, writes input to it, resizes the window, waits for the shell and ends
// the whole session on Close.
//
// Pseudo-terminals are supported on Linux only. Elsewhere Start returns
// ErrUnsupported.
//
// Close ends every process of the shell's session, and only those: the
// shell's jobs become orphans when it dies, and init reaps them. A server
// that runs as PID 1 (in a container) must reap them itself or run under an
// init such as "docker run --init", or they stay zombies.
//
// Security: the shell runs with the privileges of the calling process and
// the environment the caller passes. Whoever can reach a Session can run any
// command the server's user can run; gating access is the caller's job. A
// server's environment holds its secrets (SUPABASE_JWT_SECRET, provider API
// keys, WORKER_AUTH_TOKEN), so a server passes SafeEnv, never os.Environ.
package terminal

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrUnsupported is returned by Start on systems other than Linux. It wraps
// errors.ErrUnsupported.
var ErrUnsupported = fmt.Errorf("terminal: terminals need Linux pseudo-terminals: %w", errors.ErrUnsupported)

// Options configures Start. The zero value starts a login shell in an 80x24
// window with only TERM set in its environment.
type Options struct {
	// Shell is the program to run, best given as an absolute path: a name
	// without a slash is looked up in the PATH of the current process, not
	// in Env. If empty, Start uses $SHELL from Env, then /bin/bash, then
	// /bin/sh: the first that exists.
	Shell string
	// Args are the shell's arguments. Nil means ["-l"], a login shell, as
	// the original server runs "$SHELL -l". Pass an empty, non-nil slice
	// for no arguments.
	Args []string
	// Env is the shell's whole environment. Start never reads the process
	// environment: callers that want the shell to inherit it pass
	// os.Environ(). TERM=xterm-256color is added when Env has no TERM.
	Env []string
	// Dir is the working directory. If empty, Start uses $HOME from Env
	// when it is a directory, else "/".
	Dir string
	// Cols and Rows are the initial window size. Zero means 80 columns
	// and 24 rows.
	Cols, Rows uint16
}

// SafeEnvNames are the only variables SafeEnv passes on to a shell: what a
// login shell needs to find programs, its home and its locale, and nothing
// that could hold a secret.
var SafeEnvNames = []string{
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "COLORTERM", "TZ", "TMPDIR",
	"LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_COLLATE", "LC_MESSAGES", "LC_MONETARY", "LC_NUMERIC", "LC_TIME",
}

// SafeEnv returns the environment for a shell started on behalf of a
// client: the variables of SafeEnvNames that getenv (the server's
// environment) sets, and no other.
func SafeEnv(getenv func(string) string) []string {
	var env []string
	for _, k := range SafeEnvNames {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// Default values applied by Start.
const (
	defaultTerm = "xterm-256color"
	defaultCols = 80
	defaultRows = 24
)

// withDefaults returns o with every default filled in. It looks at the file
// system (to pick a shell and a directory) but not at the environment of the
// current process.
func (o Options) withDefaults() Options {
	if o.Shell == "" {
		o.Shell = "/bin/sh"
		for _, c := range []string{lookupEnv(o.Env, "SHELL"), "/bin/bash"} {
			if isFile(c) {
				o.Shell = c
				break
			}
		}
	}
	if o.Args == nil {
		o.Args = []string{"-l"}
	}
	env := make([]string, 0, len(o.Env)+1)
	env = append(env, o.Env...)
	if !hasEnv(env, "TERM") {
		env = append(env, "TERM="+defaultTerm)
	}
	o.Env = env
	if o.Dir == "" {
		o.Dir = "/"
		if home := lookupEnv(o.Env, "HOME"); isDir(home) {
			o.Dir = home
		}
	}
	if o.Cols == 0 {
		o.Cols = defaultCols
	}
	if o.Rows == 0 {
		o.Rows = defaultRows
	}
	return o
}

// lookupEnv returns the value of key in env, the last entry winning as in
// os/exec, or "" if it is absent.
func lookupEnv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// hasEnv reports whether env sets key, even to the empty string.
func hasEnv(env []string, key string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, key+"=") {
			return true
		}
	}
	return false
}

func isFile(path string) bool {
	if path == "" {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func isDir(path string) bool {
	if path == "" {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
