package authn

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeFile writes content to dir/name with mode perm and returns the path.
func writeFile(t *testing.T, dir, name, content string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil { // beat the umask
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %04o, want %04o", path, got, want)
	}
}

func TestResolveTokenPrecedence(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, DeploymentFile, "worker_auth_token: from-config-0123456789\n", 0o600)
	tokFile := writeFile(t, t.TempDir(), "token", "  from-file-0123456789\n", 0o600)
	cases := []struct {
		name   string
		env    map[string]string
		token  string
		source string
	}{
		{"env wins", map[string]string{"WORKER_AUTH_TOKEN": "from-env-0123456789", "WORKER_AUTH_TOKEN_FILE": tokFile, "NODETOOL_CONFIG_DIR": dir}, "from-env-0123456789", SourceEnv},
		{"env trimmed", map[string]string{"WORKER_AUTH_TOKEN": " from-env-0123456789\n", "NODETOOL_CONFIG_DIR": dir}, "from-env-0123456789", SourceEnv},
		{"blank env is unset", map[string]string{"WORKER_AUTH_TOKEN": "  ", "WORKER_AUTH_TOKEN_FILE": tokFile}, "from-file-0123456789", SourceFile},
		{"file", map[string]string{"WORKER_AUTH_TOKEN_FILE": tokFile, "NODETOOL_CONFIG_DIR": dir}, "from-file-0123456789", SourceFile},
		{"config", map[string]string{"NODETOOL_CONFIG_DIR": dir}, "from-config-0123456789", SourceConfig},
	}
	for _, c := range cases {
		ti, err := ResolveToken(env(c.env))
		if err != nil || ti.Token != c.token || ti.Source != c.source || ti.Generated {
			t.Errorf("%s: ResolveToken() = %q from %q (generated %v), %v; want %q from %q", c.name, ti.Token, ti.Source, ti.Generated, err, c.token, c.source)
		}
	}
}

func TestResolveTokenFileErrors(t *testing.T) {
	d := t.TempDir()
	cases := []struct {
		name, path string
		want       string
	}{
		{"missing", filepath.Join(d, "nope"), "WORKER_AUTH_TOKEN_FILE"},
		{"empty", writeFile(t, d, "empty", " \n", 0o600), "empty"},
		{"space inside", writeFile(t, d, "space", "two words\n", 0o600), "printable ASCII"},
		{"directory", d, "not a regular file"},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases, struct{ name, path, want string }{"world readable", writeFile(t, d, "open", "tok-0123456789abcdef", 0o644), "chmod 600"})
	}
	for _, c := range cases {
		_, err := ResolveToken(env(map[string]string{"WORKER_AUTH_TOKEN_FILE": c.path}))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: ResolveToken() = %v, want an error containing %q", c.name, err, c.want)
		}
	}
	// The token itself never appears in errors.
	p := writeFile(t, d, "bad", "secret\tvalue-abcdef", 0o600)
	if _, err := ResolveToken(env(map[string]string{"WORKER_AUTH_TOKEN_FILE": p})); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("ResolveToken(bad token file) = %v, want an error without the token", err)
	}
}

func TestResolveTokenGenerates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "nodetool")
	e := env(map[string]string{"NODETOOL_CONFIG_DIR": dir})
	ti, err := ResolveToken(e)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, DeploymentFile)
	if !ti.Generated || ti.Source != SourceGenerated || ti.Path != path {
		t.Errorf("ResolveToken() = %v generated %v, want generated at %s", ti, ti.Generated, path)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(ti.Token)
	if err != nil || len(raw) != 32 || len(ti.Token) != 43 {
		t.Errorf("generated token is %d chars, %d bytes (%v); want 43 base64url chars of 32 bytes", len(ti.Token), len(raw), err)
	}
	checkMode(t, dir, 0o700)
	checkMode(t, path, 0o600)
	if !strings.Contains(readFile(t, path), "worker_auth_token: \""+ti.Token+"\"\n") {
		t.Errorf("deployment.yaml = %q, want the token line", readFile(t, path))
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*tmp"))
	if len(leftovers) != 0 {
		t.Errorf("temp files left behind: %v", leftovers)
	}

	again, err := ResolveToken(e)
	if err != nil || again.Token != ti.Token || again.Generated || again.Source != SourceConfig {
		t.Errorf("second ResolveToken() = %v generated %v, %v; want the same token from config", again, again.Generated, err)
	}
}

func TestResolveTokenKeepsOtherContent(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"append", "# my deployments\ndeployments:\n  prod:\n    host: example.com   # comment\n    workflows:\n    - abc\nversion: '1.0'\n",
			"# my deployments\ndeployments:\n  prod:\n    host: example.com   # comment\n    workflows:\n    - abc\nversion: '1.0'\nworker_auth_token: \"TOKEN\"\n"},
		{"append no final newline", "version: 1", "version: 1\nworker_auth_token: \"TOKEN\"\n"},
		{"append crlf", "version: 1\r\ndefaults: {}\r\n", "version: 1\r\ndefaults: {}\r\nworker_auth_token: \"TOKEN\"\r\n"},
		{"replace null", "a: 1\nworker_auth_token: ~   # set me\nb: 2\n", "a: 1\nworker_auth_token: \"TOKEN\"\nb: 2\n"},
		{"replace empty", "worker_auth_token:\ndeployments: {}\n", "worker_auth_token: \"TOKEN\"\ndeployments: {}\n"},
		{"replace empty quoted", "worker_auth_token: ''\r\nx: y\r\n", "worker_auth_token: \"TOKEN\"\r\nx: y\r\n"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		path := writeFile(t, dir, DeploymentFile, c.in, 0o644)
		ti, err := ResolveToken(env(map[string]string{"NODETOOL_CONFIG_DIR": dir}))
		if err != nil {
			t.Errorf("%s: ResolveToken() = %v", c.name, err)
			continue
		}
		want := strings.ReplaceAll(c.want, "TOKEN", ti.Token)
		if got := readFile(t, path); got != want || !ti.Generated {
			t.Errorf("%s: deployment.yaml = %q, want %q", c.name, got, want)
		}
		checkMode(t, path, 0o600)
	}
}

func TestResolveTokenMalformedUnchanged(t *testing.T) {
	cases := []struct {
		name, in string
		line     int
	}{
		{"tab indent", "deployments:\n\tprod: {}\n", 2},
		{"not key value", "version: 1\njust text\n", 2},
		{"unterminated quote", "version: 1\nworker_auth_token: \"abc\n", 2},
		{"unterminated single quote", "other: 'abc\n", 1},
		{"flow list", "tags: [a, b]\n", 1},
		{"anchor", "a: &x 1\n", 1},
		{"duplicate token", "worker_auth_token: a-0123456789abcdef\nworker_auth_token: b-0123456789abcdef\n", 2},
		{"token block", "worker_auth_token:\n  nested: x\n", 2},
		{"token block scalar", "worker_auth_token: |\n  abc\n", 1},
		{"indented first line", "  a: 1\n", 1},
		{"indent after scalar", "a: 1\n  b: 2\n", 2},
		{"document marker", "---\na: 1\n", 1},
		{"colon in value", "a: b: c\n", 1},
		{"NUL", "a: 1\nb: \x00\n", 2},
		{"invalid utf8", "a: 1\nb: \xff\n", 2},
		{"nested unterminated", "deployments:\n  prod:\n    host: \"abc\nversion: 1\n", 3},
	}
	for _, c := range cases {
		dir := t.TempDir()
		path := writeFile(t, dir, DeploymentFile, c.in, 0o600)
		_, err := ResolveToken(env(map[string]string{"NODETOOL_CONFIG_DIR": dir}))
		wantMsg := fmt.Sprintf("%s: line %d:", path, c.line)
		if err == nil || !strings.Contains(err.Error(), wantMsg) {
			t.Errorf("%s: ResolveToken() = %v, want an error containing %q", c.name, err, wantMsg)
		}
		if got := readFile(t, path); got != c.in {
			t.Errorf("%s: file changed to %q", c.name, got)
		}
		if _, err := RotateToken(env(map[string]string{"NODETOOL_CONFIG_DIR": dir})); err == nil {
			t.Errorf("%s: RotateToken() on a malformed file = nil, want an error", c.name)
		}
		if got := readFile(t, path); got != c.in {
			t.Errorf("%s: file changed by RotateToken to %q", c.name, got)
		}
	}
}

func TestRotateToken(t *testing.T) {
	dir := t.TempDir()
	e := map[string]string{"NODETOOL_CONFIG_DIR": dir}
	path := writeFile(t, dir, DeploymentFile, "deployments:\n  x: {}\nworker_auth_token: old-token-0123456789\nz: 1\n", 0o600)
	ti, err := RotateToken(env(e))
	if err != nil {
		t.Fatal(err)
	}
	if ti.Token == "old-token-0123456789" || !ti.Generated || ti.Path != path {
		t.Errorf("RotateToken() = %v, want a new generated token in %s", ti, path)
	}
	want := "deployments:\n  x: {}\nworker_auth_token: \"" + ti.Token + "\"\nz: 1\n"
	if got := readFile(t, path); got != want {
		t.Errorf("after RotateToken deployment.yaml = %q, want %q", got, want)
	}
	if got, err := ResolveToken(env(e)); err != nil || got.Token != ti.Token {
		t.Errorf("ResolveToken() after rotate = %v, %v; want the new token", got, err)
	}

	// No file yet: rotate creates one.
	fresh := t.TempDir()
	if ti, err := RotateToken(env(map[string]string{"NODETOOL_CONFIG_DIR": fresh})); err != nil || !ti.Generated {
		t.Errorf("RotateToken(no file) = %v, %v", ti, err)
	}

	for _, c := range []struct{ env, want string }{
		{"WORKER_AUTH_TOKEN", "WORKER_AUTH_TOKEN"},
		{"WORKER_AUTH_TOKEN_FILE", "write a new token to"},
	} {
		_, err := RotateToken(env(map[string]string{"NODETOOL_CONFIG_DIR": dir, c.env: "x-0123456789abcdef"}))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("RotateToken(with %s) = %v, want an error containing %q", c.env, err, c.want)
		}
	}
}

func TestMask(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "****"},
		{"short", "****"},
		{"fifteen-chars-x", "****"},
		{"abcdefghijklmnop", "abcd…mnop"},
		{"abcd0123456789012345678901234567890123wxyz", "abcd…wxyz"},
	}
	for _, c := range cases {
		if got := Mask(c.in); got != c.want {
			t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTokenInfoNeverPrintsToken(t *testing.T) {
	ti := TokenInfo{Token: "abcdSECRETSECRETSECRETwxyz", Source: SourceConfig, Path: "/c/deployment.yaml"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("token", "info", ti)
	for _, s := range []string{fmt.Sprint(ti), fmt.Sprintf("%v %+v %#v %s", ti, ti, ti, ti), buf.String()} {
		if strings.Contains(s, "SECRET") || !strings.Contains(s, "abcd…wxyz") {
			t.Errorf("printed TokenInfo = %q, want it masked", s)
		}
	}
}

// TestResolveTokenConcurrent starts several resolvers at once, as when a
// worker and a chat server start together, on a fresh config dir and on a
// deployment.yaml without a token: they must all end up with the one token
// on disk.
func TestResolveTokenConcurrent(t *testing.T) {
	for _, existing := range []string{"", "deployments:\n  a: {}\n"} {
		dir := t.TempDir()
		if existing != "" {
			writeFile(t, dir, DeploymentFile, existing, 0o600)
		}
		e := env(map[string]string{"NODETOOL_CONFIG_DIR": dir})
		const n = 8
		results := make(chan TokenInfo, n)
		for range n {
			go func() {
				ti, err := ResolveToken(e)
				if err != nil {
					t.Error(err)
				}
				results <- ti
			}()
		}
		onDisk := map[string]bool{}
		generated := 0
		for range n {
			ti := <-results
			onDisk[ti.Token] = true
			if ti.Generated {
				generated++
			}
		}
		final, err := ResolveToken(e)
		if err != nil {
			t.Fatal(err)
		}
		if len(onDisk) != 1 || !onDisk[final.Token] {
			t.Errorf("existing %q: %d concurrent ResolveToken() calls returned %d distinct tokens, want the one on disk", existing, n, len(onDisk))
		}
		if generated != 1 {
			t.Errorf("existing %q: %d concurrent ResolveToken() calls generated a token, want 1", existing, generated)
		}
	}
}
