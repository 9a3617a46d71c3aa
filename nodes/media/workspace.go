package media

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// TimeName expands the date and time codes NodeTool's save nodes take in
// a file name (%Y %m %d %H %M %S, and %% for a percent sign) at t; other
// codes are kept as written.
func TimeName(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// FolderName is the workspace folder a save node's "folder" value names:
// a folder ref's uri or asset_id, or a text; "" is the workspace itself.
// Folders are relative to the workspace: a leading "/" or "./" is dropped.
func FolderName(v any) string {
	s := ""
	switch v := v.(type) {
	case string:
		s = v
	case *pyval.Dict:
		s = v.Str("uri")
		if s == "" {
			s = v.Str("asset_id")
		}
		s = strings.TrimPrefix(s, "file://")
	}
	s = strings.TrimLeft(strings.TrimPrefix(s, "./"), "/")
	if s == "" {
		return "."
	}
	return path.Clean(s)
}

// WriteFile writes data as folder/name inside the run's workspace (an
// os.Root: names that leave it are refused), creating the folder, and
// returns the file's workspace-relative path.
func WriteFile(ctx *engine.Ctx, folder, name string, data []byte) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", fmt.Errorf("the file name %q must be a plain name (no folders)", clip(name))
	}
	root, err := ctx.Workspace()
	if err != nil {
		return "", fmt.Errorf("saving %q: %w", clip(name), err)
	}
	defer root.Close()
	if folder != "." {
		if err := root.MkdirAll(folder, 0o700); err != nil {
			return "", fmt.Errorf("folder %q: %w", clip(folder), unwrapPath(err))
		}
	}
	rel := path.Join(folder, name)
	if err := root.WriteFile(rel, data, 0o600); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("saving %q in the workspace: %w", clip(rel), err)
	}
	return rel, nil
}
