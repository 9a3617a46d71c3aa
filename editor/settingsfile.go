package editor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"nodetool/durable"
)

// The settings and secrets files are small JSON documents in the config
// dir, read whole and replaced whole. Their names come from the server's
// configuration, never from a request; all access goes through an os.Root
// of their folder.

// readJSONFile decodes the JSON file path into v; a missing file leaves v
// untouched. With private set, a file that its group or others may read or
// write is refused, as a secrets file must be 0600.
func readJSONFile(path string, v any, private bool) error {
	root, name, err := openFolder(path, false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer root.Close()
	if private {
		fi, err := root.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("editor: %w", err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return fmt.Errorf("editor: %s has mode %v: it holds secrets, so only its owner may use it (chmod 600)", path, fi.Mode().Perm())
		}
	}
	data, err := root.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("editor: read %s: %w", path, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("editor: read %s: %w", path, err)
	}
	return nil
}

// writeJSONFile replaces the file path with v as JSON, mode 0600,
// atomically and durably (package durable: a temp file created 0600 in the
// same folder, written and fsynced, renamed over path, the folder fsynced),
// creating the folder (0700) if it is missing. On failure the old file is
// untouched.
func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("editor: write %s: %w", path, err)
	}
	root, name, err := openFolder(path, true)
	if err != nil {
		return err
	}
	defer root.Close()
	if err := durable.WriteFile(root, name, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("editor: write %s: %w", path, err)
	}
	return nil
}

// openFolder opens the folder of path as an os.Root (creating it with mode
// 0700 when create is set) and returns the file's name within it.
func openFolder(path string, create bool) (*os.Root, string, error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if name == "" {
		return nil, "", fmt.Errorf("editor: %q is not a file name", path)
	}
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, "", fmt.Errorf("editor: create %s: %w", dir, err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", fmt.Errorf("editor: open %s: %w", dir, err)
	}
	return root, name, nil
}
