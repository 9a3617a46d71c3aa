package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func serveEnv(t *testing.T) map[string]string {
	dir := t.TempDir()
	return map[string]string{"HOME": dir, "NODETOOL_DATA_DIR": filepath.Join(dir, "data"), "NODETOOL_CONFIG_DIR": filepath.Join(dir, "config")}
}

// TestServeLockHoldsAfterDelete: with one serve running, deleting every
// file of its data dir (the lock file of earlier versions among them)
// does not let a second serve start on it.
func TestServeLockHoldsAfterDelete(t *testing.T) {
	env := serveEnv(t)
	data := env["NODETOOL_DATA_DIR"]
	os.MkdirAll(data, 0o700)
	os.WriteFile(filepath.Join(data, "lock"), nil, 0o600)
	startServer(t, env, "serve", "--port", "0")
	entries, err := os.ReadDir(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			if err := os.Remove(filepath.Join(data, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, errOut, code := runCLIEnv(t, env, "serve", "--port", "0")
	if code == 0 || !strings.Contains(errOut, "in use") {
		t.Errorf("second serve on the same data dir: exit %d, %q; want it refused as in use", code, errOut)
	}
	_, errOut, code = runCLIEnv(t, env, "worker", "--port", "0", "--data-dir", data)
	if code == 0 || !strings.Contains(errOut, "in use") {
		t.Errorf("worker on the same data dir: exit %d, %q; want it refused as in use", code, errOut)
	}
}

// TestServeRefusesUnsafeTerminal: the terminal is refused at start-up with
// multi-user auth, and the data dir may not be the config dir.
func TestServeRefusesUnsafeTerminal(t *testing.T) {
	env := serveEnv(t)
	env["NODETOOL_ENABLE_TERMINAL_WS"] = "1"
	env["AUTH_PROVIDER"] = "supabase"
	env["SUPABASE_JWT_SECRET"] = "serve-test-jwt-secret-0123456789abcdef"
	env["WORKER_AUTH_TOKEN"] = "serve-test-token-0123456789"
	_, errOut, code := runCLIEnv(t, env, "serve", "--port", "0")
	if code != 2 || !strings.Contains(errOut, "NODETOOL_ENABLE_TERMINAL_WS") || !strings.Contains(errOut, "supabase") {
		t.Errorf("serve with the terminal and supabase: exit %d, %q; want exit 2 naming both", code, errOut)
	}
	env = serveEnv(t)
	env["NODETOOL_DATA_DIR"] = env["NODETOOL_CONFIG_DIR"]
	_, errOut, code = runCLIEnv(t, env, "serve", "--port", "0")
	if code != 2 || !strings.Contains(errOut, "config dir") {
		t.Errorf("serve with data dir = config dir: exit %d, %q; want exit 2", code, errOut)
	}
}
