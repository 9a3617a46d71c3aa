//go:build linux

package editor

import (
	"os"
	"strings"
	"testing"

	"nodetool/lang/pyval"
	"nodetool/terminal"
)

// TestTerminalEnv: the shell gets terminal.SafeEnv of the server's
// environment: PATH and HOME, never its secrets.
func TestTerminalEnv(t *testing.T) {
	t.Setenv("SUPABASE_JWT_SECRET", "leaked-jwt-secret-0123456789abcdef")
	t.Setenv("OPENAI_API_KEY", "sk-leaked-openai-key")
	t.Setenv("WORKER_AUTH_TOKEN", "leaked-worker-token")
	t.Setenv("HOME", t.TempDir())
	env := newWSEnv(t, wsOptions{deps: func(d *Deps) {
		d.Terminal = true
		d.TerminalEnv = terminal.SafeEnv(os.Getenv)
	}})
	c := env.dial(t, "/terminal", false)
	c.send(map[string]any{"type": "input", "data": "env; echo ENV_DONE_$((40+2))\n"})
	var out strings.Builder
	c.until(func(d *pyval.Dict) bool {
		out.WriteString(d.Str("data"))
		return strings.Contains(out.String(), "ENV_DONE_42")
	})
	got := out.String()
	// Let the shell exit (writing its history into HOME) before the test
	// removes HOME.
	c.send(map[string]any{"type": "input", "data": "exit\n"})
	c.until(func(d *pyval.Dict) bool { return d.Str("type") == "exit" })
	for _, leak := range []string{"leaked", "SUPABASE_JWT_SECRET", "OPENAI_API_KEY", "WORKER_AUTH_TOKEN"} {
		if strings.Contains(got, leak) {
			t.Errorf("the shell's environment holds %q:\n%s", leak, got)
		}
	}
	if !strings.Contains(got, "PATH=") || !strings.Contains(got, "HOME="+os.Getenv("HOME")) {
		t.Errorf("the shell's environment lacks PATH or HOME:\n%s", got)
	}
}
