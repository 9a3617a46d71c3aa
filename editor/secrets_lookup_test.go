package editor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserSecret reads back, for the workflows a user runs, the secrets
// each user saved through the API: a user reads only their own.
func TestUserSecret(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	e.A.json(t, "PUT", "/api/settings/secrets/OPENAI_API_KEY", map[string]any{"value": secretA}, 200, nil)
	e.B.json(t, "PUT", "/api/settings/secrets/HF_TOKEN", map[string]any{"value": secretB}, 200, nil)
	path := filepath.Join(e.ConfigDir, "secrets.json")
	cases := []struct {
		user, key, want string
		ok              bool
	}{
		{"user-a", "OPENAI_API_KEY", secretA, true},
		{"user-b", "HF_TOKEN", secretB, true},
		{"user-b", "OPENAI_API_KEY", "", false},
		{"user-a", "HF_TOKEN", "", false},
		{"nobody", "OPENAI_API_KEY", "", false},
	}
	for _, c := range cases {
		v, ok, err := UserSecret(path, c.user, c.key)
		if err != nil || ok != c.ok || v != c.want {
			t.Errorf("UserSecret(%s, %s) = %q, %v, %v", c.user, c.key, v, ok, err)
		}
	}
	// A missing file holds no secret; one others may read is refused,
	// and the error does not show a value.
	if _, ok, err := UserSecret(filepath.Join(t.TempDir(), "none.json"), "user-a", "X"); ok || err != nil {
		t.Errorf("missing file: %v %v", ok, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := UserSecret(path, "user-a", "OPENAI_API_KEY")
	if err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), secretA) {
		t.Errorf("world-readable file: %v", err)
	}
}
