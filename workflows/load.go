package workflows

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyval"
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
	tooBig := fmt.Errorf("%s: larger than %d MiB", path, MaxFileBytes>>20)
	// Stat first so an oversized file is refused without reading it; the
	// limited read still bounds files whose size Stat does not know.
	if fi, err := f.Stat(); err == nil && fi.Size() > MaxFileBytes {
		return Fixed{}, tooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return Fixed{}, fmt.Errorf("%s: %v", path, err)
	}
	if len(data) > MaxFileBytes {
		return Fixed{}, tooBig
	}
	return Parse(data, path, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
}

// Parse reads workflow JSON as a read-only workflow from source, naming it
// after base when it has no id or name. A workflow that does not set its
// access is public: everyone may read it.
func Parse(data []byte, source, base string) (Fixed, error) {
	v, err := pyval.Decode(data)
	if err != nil {
		return Fixed{}, fmt.Errorf("%s: %v", source, err)
	}
	w, err := engine.WorkflowFromValue(v)
	if err != nil {
		return Fixed{}, fmt.Errorf("%s: %v", source, err)
	}
	// WorkflowFromValue defaults access to "private", so look at the file.
	if a, _ := v.(*pyval.Dict).Get("access"); a == nil || a == "" {
		w.Access = "public"
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
	return Fixed{Workflow: w, Source: source}, nil
}

// LoadDir reads every *.json file of dir, in name order. The folder is
// listed, not globbed, so a name like "flows [v2]" is not a pattern.
func LoadDir(dir string) ([]Fixed, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, err
	}
	out := make([]Fixed, 0, len(entries))
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		f, err := LoadFile(filepath.Join(dir, e.Name()))
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
