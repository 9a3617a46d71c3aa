package authn

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"nodetool/durable"
)

// Token sources, the values of TokenInfo.Source.
const (
	SourceEnv       = "env"       // WORKER_AUTH_TOKEN
	SourceFile      = "file"      // the file named by WORKER_AUTH_TOKEN_FILE
	SourceConfig    = "config"    // worker_auth_token in deployment.yaml
	SourceGenerated = "generated" // newly generated and written to deployment.yaml
)

// DeploymentFile is the name of the file in the config dir that holds the
// worker token (and NodeTool's deploy configuration).
const DeploymentFile = "deployment.yaml"

// MaxTokenLen is the longest token, static or JWT, that is accepted.
const MaxTokenLen = 8 << 10

// TokenInfo is the static worker token and where it came from.
//
// Its String, GoString and LogValue methods mask the token, so printing or
// logging a TokenInfo does not leak it; only the Token field itself holds
// the secret. Show the full token only when Generated is true (the operator
// has no other way to learn it), and masked otherwise.
type TokenInfo struct {
	Token     string
	Source    string // SourceEnv, SourceFile, SourceConfig or SourceGenerated
	Path      string // the file read or written; "" for SourceEnv
	Generated bool   // the token was created by this call
}

// String describes t with the token masked.
func (t TokenInfo) String() string {
	s := fmt.Sprintf("%s (%s", Mask(t.Token), t.Source)
	if t.Path != "" {
		s += " " + t.Path
	}
	return s + ")"
}

// GoString is String, so that %#v masks the token too.
func (t TokenInfo) GoString() string { return t.String() }

// LogValue logs t with the token masked.
func (t TokenInfo) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("token", Mask(t.Token)),
		slog.String("source", t.Source),
		slog.String("path", t.Path),
		slog.Bool("generated", t.Generated),
	)
}

// Mask returns a form of token that is safe to print: the first four and
// last four characters around an ellipsis ("abcd…wxyz"). Tokens shorter
// than 16 bytes, where that would reveal too much, become "****".
func Mask(token string) string {
	if len(token) < 16 {
		return "****"
	}
	return token[:4] + "…" + token[len(token)-4:]
}

// ConfigDir returns NodeTool's config dir: NODETOOL_CONFIG_DIR if set, else
// $XDG_CONFIG_HOME/nodetool, else $HOME/.config/nodetool. Paths must be
// absolute; a relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
func ConfigDir(getenv func(string) string) (string, error) {
	if d := getenv("NODETOOL_CONFIG_DIR"); d != "" {
		if !filepath.IsAbs(d) {
			return "", fmt.Errorf("authn: NODETOOL_CONFIG_DIR must be an absolute path")
		}
		return filepath.Clean(d), nil
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "nodetool"), nil
	}
	home := getenv("HOME")
	if home == "" && runtime.GOOS == "windows" {
		home = getenv("USERPROFILE")
	}
	if home == "" || !filepath.IsAbs(home) {
		return "", fmt.Errorf("authn: cannot find the config dir: set NODETOOL_CONFIG_DIR or HOME")
	}
	return filepath.Join(home, ".config", "nodetool"), nil
}

// ResolveToken finds the static worker token, in this order:
//
//  1. WORKER_AUTH_TOKEN, if not empty (surrounding space is trimmed);
//  2. the file named by WORKER_AUTH_TOKEN_FILE, which must be a regular file
//     not accessible to group or others (mode 0600 or 0400), holding only the
//     token and optional surrounding space;
//  3. worker_auth_token in deployment.yaml in the config dir (see ConfigDir),
//     which must not be accessible to group or others either;
//  4. otherwise a new token, 32 bytes from crypto/rand in unpadded base64url
//     (43 characters), written to deployment.yaml: the file is created with
//     mode 0600 from the start, atomically and durably (see writeFileAtomic),
//     in a config dir created with mode 0700. An existing deployment.yaml is
//     kept byte for byte except for the added worker_auth_token line.
//     Generation holds a lock on the config dir (flock, where the system
//     has it), so servers starting together agree on one token.
//
// A deployment.yaml that cannot be read with confidence (see parseDeployment
// for the accepted subset) is an error naming the file and line, and it is
// never overwritten. A token must be 1 to MaxTokenLen printable ASCII
// characters without spaces. Errors never contain the token.
func ResolveToken(getenv func(string) string) (TokenInfo, error) {
	if tok := strings.TrimSpace(getenv("WORKER_AUTH_TOKEN")); tok != "" {
		if err := checkToken(tok); err != nil {
			return TokenInfo{}, fmt.Errorf("authn: WORKER_AUTH_TOKEN %w", err)
		}
		return TokenInfo{Token: tok, Source: SourceEnv}, nil
	}
	if path := getenv("WORKER_AUTH_TOKEN_FILE"); path != "" {
		tok, err := readSecretFile("WORKER_AUTH_TOKEN_FILE", path)
		if err != nil {
			return TokenInfo{}, err
		}
		if err := checkToken(tok); err != nil {
			return TokenInfo{}, fmt.Errorf("authn: WORKER_AUTH_TOKEN_FILE: the token in %s %w", path, err)
		}
		return TokenInfo{Token: tok, Source: SourceFile, Path: path}, nil
	}
	dir, err := ConfigDir(getenv)
	if err != nil {
		return TokenInfo{}, err
	}
	path := filepath.Join(dir, DeploymentFile)
	d, err := readDeployment(path)
	if err != nil {
		return TokenInfo{}, err
	}
	if d.token == "" {
		// Generate, holding the config dir's lock so that two servers
		// starting at once agree on one token; look again first, since
		// another one may just have written it.
		unlock, err := lockConfigDir(dir)
		if err != nil {
			return TokenInfo{}, err
		}
		defer unlock()
		if d, err = readDeployment(path); err != nil {
			return TokenInfo{}, err
		}
	}
	if d.token != "" {
		if err := checkToken(d.token); err != nil {
			return TokenInfo{}, fmt.Errorf("authn: %s: %s %w", path, tokenKey, err)
		}
		return TokenInfo{Token: d.token, Source: SourceConfig, Path: path}, nil
	}
	tok, err := writeNewToken(path, d)
	if err != nil {
		return TokenInfo{}, err
	}
	return TokenInfo{Token: tok, Source: SourceGenerated, Path: path, Generated: true}, nil
}

// RotateToken replaces the worker token in deployment.yaml with a new one
// and returns it (Source SourceGenerated). It refuses when the token in use
// comes from WORKER_AUTH_TOKEN or WORKER_AUTH_TOKEN_FILE, since a new token
// in deployment.yaml would not take effect, and says what to change instead.
// A malformed deployment.yaml is an error and left unchanged. Servers
// already running keep the old token until they restart.
func RotateToken(getenv func(string) string) (TokenInfo, error) {
	if strings.TrimSpace(getenv("WORKER_AUTH_TOKEN")) != "" {
		return TokenInfo{}, errors.New("authn: the worker token comes from WORKER_AUTH_TOKEN: set a new value there to rotate it")
	}
	if path := getenv("WORKER_AUTH_TOKEN_FILE"); path != "" {
		return TokenInfo{}, fmt.Errorf("authn: the worker token comes from WORKER_AUTH_TOKEN_FILE: write a new token to %s to rotate it", path)
	}
	dir, err := ConfigDir(getenv)
	if err != nil {
		return TokenInfo{}, err
	}
	path := filepath.Join(dir, DeploymentFile)
	unlock, err := lockConfigDir(dir)
	if err != nil {
		return TokenInfo{}, err
	}
	defer unlock()
	d, err := readDeployment(path)
	if err != nil {
		return TokenInfo{}, err
	}
	tok, err := writeNewToken(path, d)
	if err != nil {
		return TokenInfo{}, err
	}
	return TokenInfo{Token: tok, Source: SourceGenerated, Path: path, Generated: true}, nil
}

// checkToken reports whether tok can be used as a bearer token. The error
// completes a sentence that starts with the token's origin.
func checkToken(tok string) error {
	if len(tok) == 0 || len(tok) > MaxTokenLen {
		return fmt.Errorf("must be 1 to %d characters long", MaxTokenLen)
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < 0x21 || tok[i] > 0x7e {
			return errors.New("must be printable ASCII without spaces")
		}
	}
	return nil
}

// privateMode reports whether a secret file's permissions are acceptable:
// no access for group or others. Windows has no such bits.
func privateMode(m fs.FileMode) bool {
	return runtime.GOOS == "windows" || m.Perm()&0o077 == 0
}

// readSecretFile reads a secret from the file at path, named by the
// environment variable name (such as WORKER_AUTH_TOKEN_FILE): a regular file
// not accessible to group or others, holding the secret and optional
// surrounding space.
func readSecretFile(name, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("authn: %s: %w", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("authn: %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("authn: %s: %s is not a regular file", name, path)
	}
	if !privateMode(fi.Mode()) {
		return "", fmt.Errorf("authn: %s: %s is accessible by other users (mode %04o): run chmod 600 %s", name, path, fi.Mode().Perm(), path)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxTokenLen+1024))
	if err != nil {
		return "", fmt.Errorf("authn: %s: %w", name, err)
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return "", fmt.Errorf("authn: %s: %s is empty", name, path)
	}
	return secret, nil
}

// readDeployment reads and parses deployment.yaml. A missing file is an
// empty one. A file holding a token must be private.
func readDeployment(path string) (*deployFile, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		d, _ := parseDeployment(nil)
		return d, nil
	}
	if err != nil {
		return nil, fmt.Errorf("authn: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		fi, err = os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("authn: %w", err)
		}
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("authn: %s is not a regular file", path)
	}
	if fi.Size() > maxDeployFile {
		return nil, fmt.Errorf("authn: %s: larger than %d bytes", path, maxDeployFile)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("authn: %w", err)
	}
	d, err := parseDeployment(data)
	if err != nil {
		return nil, fmt.Errorf("authn: %s: %w (the file was not changed: fix it, or set WORKER_AUTH_TOKEN or WORKER_AUTH_TOKEN_FILE)", path, err)
	}
	if d.token != "" && !privateMode(fi.Mode()) {
		return nil, fmt.Errorf("authn: %s holds the worker token but is accessible by other users (mode %04o): run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	return d, nil
}

// writeNewToken generates a token and writes d with it to path. The caller
// holds the config dir's lock.
func writeNewToken(path string, d *deployFile) (string, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return "", fmt.Errorf("authn: %s is a symbolic link, which a rewrite would replace: add %s to its target yourself, or set WORKER_AUTH_TOKEN", path, tokenKey)
	}
	var raw [32]byte
	rand.Read(raw[:]) // never fails; crashes the program if the system's randomness does
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	data := d.withToken(tok)
	if len(d.data) == 0 {
		data = []byte("# NodeTool deployment configuration. worker_auth_token is the worker's bearer token\n# (AUTH_PROVIDER=static): keep this file private.\n" + string(data))
	}
	if err := writeFileAtomic(path, data); err != nil {
		return "", err
	}
	return tok, nil
}

// writeFileAtomic replaces path with data, mode 0600, by package durable's
// sequence: a temp file created 0600 next to it (so the secret is never
// readable by others, not even for a moment, whatever the umask), written
// and fsynced, renamed over path, and the folder fsynced. A reader, or a
// crash, sees either the old file or the complete new one, and the new
// file is on disk when it returns. On any error before the rename the temp
// file is removed and path is untouched.
func writeFileAtomic(path string, data []byte) error {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("authn: write %s: %w", path, err)
	}
	defer root.Close()
	if err := durable.WriteFile(root, filepath.Base(path), data, 0o600); err != nil {
		return fmt.Errorf("authn: write %s: %w", path, err)
	}
	return nil
}

// lockConfigDir takes an exclusive flock on dir, creating it (mode 0700)
// if needed, so that only one process at a time writes deployment.yaml.
// It gives up after 10 seconds. The lock goes with the process if it
// dies. (Where the system has no flock it locks nothing: two processes
// generating a token at the same moment may then each keep their own.)
func lockConfigDir(dir string) (unlock func(), err error) {
	unlock, err = durable.LockDir(dir, 10*time.Second)
	if err != nil {
		return nil, fmt.Errorf("authn: config dir: %w", err)
	}
	return unlock, nil
}
