package agent

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"nodetool/lang/pyval"
)

// Workspace is a run's folder for files, as the workspace tools reach it:
// every name is taken relative to it and opened through an os.Root on it,
// so nothing outside can be read or written, and a name that passes
// through a symbolic link is refused (a link inside could only lead back
// inside, but the tools follow none, so a planted link reveals nothing).
// Absolute names are accepted when they lie inside the folder (its own
// path, or "/workspace/...", the name the tools give it).
type Workspace struct {
	open func() (*os.Root, error)
}

// NewWorkspace returns the workspace that open opens (a workflow node's
// Ctx.Workspace); nil open gives a workspace whose tools answer that there
// is none.
func NewWorkspace(open func() (*os.Root, error)) *Workspace {
	if open == nil {
		return nil
	}
	return &Workspace{open: open}
}

// WorkspaceDir returns the workspace of folder dir ("" for none).
func WorkspaceDir(dir string) *Workspace {
	if dir == "" {
		return nil
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return NewWorkspace(func() (*os.Root, error) { return os.OpenRoot(dir) })
}

// workspaceName is how the tools name the workspace to the model.
const workspaceName = "/workspace"

// Limits of the workspace tools, besides the max-value budget.
const (
	maxWalk        = 20000     // entries a Glob, Grep or listing visits
	maxMatches     = 1000      // paths or lines a Glob or Grep returns
	maxToolOutput  = 256 << 10 // bytes of a tool's answer
	readLines      = 2000      // lines Read returns by default
	readLineLength = 2000      // characters of a line Read returns
	maxPattern     = 4096      // bytes of a Glob or Grep pattern
)

// errNoWorkspace answers a tool call on a run without a workspace.
var errNoWorkspace = errors.New("this run has no workspace folder")

// root opens the workspace.
func (w *Workspace) root() (*os.Root, error) {
	if w == nil {
		return nil, errNoWorkspace
	}
	r, err := w.open()
	if err != nil {
		return nil, clean(err)
	}
	return r, nil
}

// rel turns a name the model gave into a clean path relative to the
// workspace, refusing names that leave it and names that pass through a
// symbolic link (each existing element is checked with Lstat, through
// root).
func (w *Workspace) rel(root *os.Root, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errors.New("no path given")
	}
	if strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("the path %q holds a NUL character", name)
	}
	if filepath.IsAbs(name) {
		rest, ok := "", false
		dir := root.Name()
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		for _, prefix := range []string{dir, workspaceName} {
			if name == prefix {
				rest, ok = ".", true
				break
			}
			if strings.HasPrefix(name, prefix+"/") {
				rest, ok = name[len(prefix)+1:], true
				break
			}
		}
		if !ok {
			return "", fmt.Errorf("the path %q is outside the workspace: give a path relative to it (or under %s)", name, workspaceName)
		}
		name = rest
	}
	rel := filepath.Clean(name)
	if rel != "." && !filepath.IsLocal(rel) {
		return "", fmt.Errorf("the path %q leaves the workspace", name)
	}
	if rel == "." {
		return rel, nil
	}
	parts := strings.Split(rel, string(filepath.Separator))
	for i := range parts {
		sub := filepath.Join(parts[:i+1]...)
		fi, err := root.Lstat(sub)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%s: %v", sub, clean(err))
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return "", fmt.Errorf("%s is a symbolic link: the workspace tools do not follow links", sub)
		}
	}
	return rel, nil
}

// clean shortens an os error to its cause: a *PathError's path is the
// workspace's own, which the model needs not see.
func clean(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readFile reads a file of the workspace within the max-value budget (a
// bigger file is a problem for the model, not the end of the run).
func readFile(b Budget, root *os.Root, rel string) ([]byte, error) {
	f, err := root.Open(rel)
	if err != nil {
		return nil, clean(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, clean(err)
	}
	if fi.IsDir() {
		return nil, errors.New("it is a folder, not a file")
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("it is not a regular file")
	}
	if fi.Size() > b.MaxValue() {
		return nil, fmt.Errorf("the file is %d bytes, over the %d-byte limit of one value", fi.Size(), b.MaxValue())
	}
	data, err := io.ReadAll(io.LimitReader(f, b.MaxValue()+1))
	if err != nil {
		return nil, clean(err)
	}
	if int64(len(data)) > b.MaxValue() {
		return nil, fmt.Errorf("the file grew over the %d-byte limit of one value while it was read", b.MaxValue())
	}
	return data, nil
}

// writeFile writes data to a file of the workspace (0600), making its
// folders (0700).
func writeFile(root *os.Root, rel string, data []byte, appendTo bool) (created bool, err error) {
	if rel == "." {
		return false, errors.New("give a file name, not the workspace itself")
	}
	if dir := filepath.Dir(rel); dir != "." {
		if err := root.MkdirAll(dir, 0o700); err != nil {
			return false, clean(err)
		}
	}
	_, statErr := root.Lstat(rel)
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appendTo {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := root.OpenFile(rel, flags, 0o600)
	if err != nil {
		return false, clean(err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return false, clean(err)
	}
	return errors.Is(statErr, fs.ErrNotExist), clean(f.Close())
}

// walk visits the entries under rel (rel itself first), in lexical
// order, without following links, at most maxWalk of them; fn gets each
// entry's path relative to the workspace. The walk stops with b's error.
func walk(b Budget, root *os.Root, rel string, fn func(p string, d fs.DirEntry) error) error {
	n := 0
	return fs.WalkDir(root.FS(), filepath.ToSlash(rel), func(p string, d fs.DirEntry, err error) error {
		if err := b.Tick(); err != nil {
			return err
		}
		if err != nil {
			return nil // an unreadable folder is skipped
		}
		if n++; n > maxWalk {
			return fs.SkipAll
		}
		return fn(p, d)
	})
}

// matchGlob matches a slash-separated path against a pattern whose
// elements are path.Match patterns, "**" matching any number of elements.
func matchGlob(pattern, name string) bool {
	return matchParts(strings.Split(pattern, "/"), strings.Split(name, "/"), 0)
}

func matchParts(pat, name []string, depth int) bool {
	if depth > 64 {
		return false
	}
	for len(pat) > 0 {
		if pat[0] == "**" {
			for len(pat) > 1 && pat[1] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 1 {
				return true
			}
			for i := 0; i <= len(name); i++ {
				if matchParts(pat[1:], name[i:], depth+1) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// textOf makes file data readable text: invalid UTF-8 is replaced.
func textOf(data []byte) string {
	if utf8.Valid(data) {
		return string(data)
	}
	return strings.ToValidUTF8(string(data), "\uFFFD")
}

// argStr, argInt and argBool read a tool's arguments leniently, as models
// send them (numbers as text, booleans as text).
func argStr(args *pyval.Dict, k string) string {
	v, _ := args.Get(k)
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	}
	return pyval.Str(v)
}

func argInt(args *pyval.Dict, k string, def int64) int64 {
	v, _ := args.Get(k)
	switch t := v.(type) {
	case int64:
		return t
	case float64:
		return int64(t)
	case string:
		var n int64
		if _, err := fmt.Sscan(strings.TrimSpace(t), &n); err == nil {
			return n
		}
	}
	return def
}

func argBool(args *pyval.Dict, k string) bool {
	v, _ := args.Get(k)
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(strings.TrimSpace(t), "true")
	}
	return false
}

// byModTime sorts paths newest first (then by name), as Claude's Glob.
type fileEntry struct {
	path string
	mod  time.Time
}

func sortNewest(fs []fileEntry) {
	sort.Slice(fs, func(i, j int) bool {
		if !fs[i].mod.Equal(fs[j].mod) {
			return fs[i].mod.After(fs[j].mod)
		}
		return fs[i].path < fs[j].path
	})
}

// capText cuts a tool's answer at maxToolOutput bytes (on a rune
// boundary), saying so.
func capText(s string) string {
	if len(s) <= maxToolOutput {
		return s
	}
	cut := maxToolOutput
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "\n[the rest was cut: the answer is over " + fmt.Sprint(maxToolOutput>>10) + " KiB]"
}
