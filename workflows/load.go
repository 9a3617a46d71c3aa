package workflows

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"nodetool/engine"
	"nodetool/store"
)

// MaxFileBytes bounds a workflow file read at start-up.
const MaxFileBytes = 64 << 20

// LoadFile reads a workflow file as a read-only workflow. A workflow with
// no id (NodeTool's exported examples have "") gets one from its file name:
// "Conditional Logic Engine.json" becomes "conditional-logic-engine".
func LoadFile(path string) (Fixed, error) {
	f, err := os.Open(path)
	if err != nil {
		return Fixed{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return Fixed{}, fmt.Errorf("%s: %v", path, err)
	}
	if len(data) > MaxFileBytes {
		return Fixed{}, fmt.Errorf("%s: larger than %d MiB", path, MaxFileBytes>>20)
	}
	return Parse(data, path, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
}

// Parse reads workflow JSON as a read-only workflow from source, naming it
// after base when it has no id or name.
func Parse(data []byte, source, base string) (Fixed, error) {
	w, err := engine.ParseWorkflow(data)
	if err != nil {
		return Fixed{}, fmt.Errorf("%s: %v", source, err)
	}
	if w.ID == "" {
		w.ID = Slug(base)
	}
	if err := store.ValidateID(w.ID); err != nil {
		return Fixed{}, fmt.Errorf("%s: workflow id %q: %v", source, w.ID, err)
	}
	if w.Name == "" {
		w.Name = base
	}
	if w.Access == "" {
		w.Access = "public"
	}
	return Fixed{Workflow: w, Source: source}, nil
}

// LoadDir reads every *.json file of dir, in name order.
func LoadDir(dir string) ([]Fixed, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	sort.Strings(paths)
	out := make([]Fixed, 0, len(paths))
	for _, p := range paths {
		f, err := LoadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// Slug turns a name into an id: lower case, runs of anything but letters
// and digits become one "-".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "workflow"
	}
	return b.String()
}
