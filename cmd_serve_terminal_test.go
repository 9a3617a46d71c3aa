//go:build linux

package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// TestServeTerminalEnv runs serve with the terminal enabled and secrets in
// its environment: the shell sees PATH and HOME, not the secrets.
func TestServeTerminalEnv(t *testing.T) {
	env := serveEnv(t)
	env["NODETOOL_ENABLE_TERMINAL_WS"] = "1"
	env["PATH"] = os.Getenv("PATH")
	env["SUPABASE_JWT_SECRET"] = "leaked-jwt-secret-0123456789abcdef"
	env["OPENAI_API_KEY"] = "sk-leaked-openai"
	env["ANTHROPIC_API_KEY"] = "sk-ant-leaked"
	s := startServer(t, env, "serve", "--port", "0")
	ws, err := websocket.Dial("ws"+strings.TrimPrefix(s.url, "http")+"/terminal", "", s.url)
	if err != nil {
		t.Fatalf("dial /terminal: %v", err)
	}
	defer ws.Close()
	in, _ := json.Marshal(map[string]string{"type": "input", "data": "env; echo ENV_DONE_$((40+2))\n"})
	if err := websocket.Message.Send(ws, string(in)); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	var out strings.Builder
	for !strings.Contains(out.String(), "ENV_DONE_42") {
		var msg string
		if err := websocket.Message.Receive(ws, &msg); err != nil {
			t.Fatalf("receive: %v (so far %q)", err, out.String())
		}
		var f struct{ Type, Data string }
		json.Unmarshal([]byte(msg), &f)
		out.WriteString(f.Data)
	}
	got := out.String()
	// Let the shell exit (writing its history into HOME) before the test
	// removes HOME.
	bye, _ := json.Marshal(map[string]string{"type": "input", "data": "exit\n"})
	websocket.Message.Send(ws, string(bye))
	for {
		var msg string
		if err := websocket.Message.Receive(ws, &msg); err != nil {
			break // closed after the exit frame
		}
	}
	for _, leak := range []string{"leaked", "SUPABASE_JWT_SECRET", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "NODETOOL_DATA_DIR"} {
		if strings.Contains(got, leak) {
			t.Errorf("the shell's environment holds %q:\n%s", leak, got)
		}
	}
	if !strings.Contains(got, "PATH=") || !strings.Contains(got, "HOME="+env["HOME"]) {
		t.Errorf("the shell lacks PATH or HOME:\n%s", got)
	}
}
