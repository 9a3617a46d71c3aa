package jobs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Workspaces are the per-run workspace folders of a server: one folder
// per run, <dir>/<run id>, mode 0700, which the run's nodes reach only
// through Ctx.Workspace (an os.Root). Folders are made and removed through
// an os.Root on dir, so a link planted in dir leads nowhere. A nil
// *Workspaces gives runs no workspace.
type Workspaces struct {
	dir string
}

// NewWorkspaces makes dir (0700) if needed and returns its workspaces.
func NewWorkspaces(dir string) (*Workspaces, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("workspaces: %v", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("workspaces: %v", err)
	}
	return &Workspaces{dir: abs}, nil
}

// Dir is the folder holding the workspaces.
func (w *Workspaces) Dir() string { return w.dir }

// validID refuses ids that are not one plain folder name (run ids are
// server-made hex, so this never trips on a real one).
func validID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, `/\`+"\x00") {
		return fmt.Errorf("workspaces: %q is not a run id", id)
	}
	return nil
}

// Make creates the workspace of run id and returns its path ("" and nil
// for a nil *Workspaces).
func (w *Workspaces) Make(id string) (string, error) {
	if w == nil {
		return "", nil
	}
	if err := validID(id); err != nil {
		return "", err
	}
	root, err := os.OpenRoot(w.dir)
	if err != nil {
		return "", fmt.Errorf("workspaces: %v", err)
	}
	defer root.Close()
	if err := root.Mkdir(id, 0o700); err != nil {
		return "", fmt.Errorf("workspaces: %v", err)
	}
	return filepath.Join(w.dir, id), nil
}

// Remove deletes the workspace of run id and everything in it; one that
// does not exist is no error.
func (w *Workspaces) Remove(id string) error {
	if w == nil {
		return nil
	}
	if err := validID(id); err != nil {
		return err
	}
	root, err := os.OpenRoot(w.dir)
	if err != nil {
		return fmt.Errorf("workspaces: %v", err)
	}
	defer root.Close()
	if err := root.RemoveAll(id); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("workspaces: %v", err)
	}
	return nil
}

// Sweep removes every workspace whose run keep does not name (left over
// by runs of an earlier process), and returns how many it removed.
func (w *Workspaces) Sweep(keep func(id string) bool) (int, error) {
	if w == nil {
		return 0, nil
	}
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		return 0, fmt.Errorf("workspaces: %v", err)
	}
	n := 0
	var errs []error
	for _, e := range entries {
		if keep != nil && keep(e.Name()) {
			continue
		}
		if err := w.Remove(e.Name()); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
