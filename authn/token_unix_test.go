//go:build unix

package authn

// Tests that depend on Unix paths, permissions and symlinks.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigDir(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string // "" for an error
	}{
		{map[string]string{"NODETOOL_CONFIG_DIR": "/etc/nt/", "XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/etc/nt"},
		{map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/nodetool"},
		{map[string]string{"XDG_CONFIG_HOME": "relative", "HOME": "/h"}, "/h/.config/nodetool"},
		{map[string]string{"HOME": "/h"}, "/h/.config/nodetool"},
		{map[string]string{"NODETOOL_CONFIG_DIR": "rel/dir"}, ""},
		{map[string]string{}, ""},
	}
	for _, c := range cases {
		got, err := ConfigDir(env(c.env))
		if c.want == "" {
			if err == nil {
				t.Errorf("ConfigDir(%v) = %q, want an error", c.env, got)
			}
			continue
		}
		if got != c.want || err != nil {
			t.Errorf("ConfigDir(%v) = %q, %v; want %q", c.env, got, err, c.want)
		}
	}
}

func TestResolveTokenRefusesSharedFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, DeploymentFile, "worker_auth_token: abcdefghijklmnopqrstuvwxyz\n", 0o644)
	_, err := ResolveToken(env(map[string]string{"NODETOOL_CONFIG_DIR": dir}))
	if err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), "abcdefgh") {
		t.Errorf("ResolveToken(0644 file) = %v, want an error saying chmod 600 without the token", err)
	}
}

func TestResolveTokenSymlink(t *testing.T) {
	dir := t.TempDir()
	target := writeFile(t, t.TempDir(), "real.yaml", "version: 1\n", 0o600)
	if err := os.Symlink(target, filepath.Join(dir, DeploymentFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := ResolveToken(env(map[string]string{"NODETOOL_CONFIG_DIR": dir})); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("ResolveToken(symlink without token) = %v, want a symbolic link error", err)
	}
	if got := readFile(t, target); got != "version: 1\n" {
		t.Errorf("symlink target changed to %q", got)
	}
	writeFile(t, filepath.Dir(target), "real.yaml", "worker_auth_token: via-link-0123456789\n", 0o600)
	if ti, err := ResolveToken(env(map[string]string{"NODETOOL_CONFIG_DIR": dir})); err != nil || ti.Token != "via-link-0123456789" {
		t.Errorf("ResolveToken(symlink with token) = %q, %v", ti.Token, err)
	}
}
