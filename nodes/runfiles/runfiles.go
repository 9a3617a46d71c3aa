// Package runfiles gives node code the files of its run's workspace
// folder (engine.Ctx.Workspace, an os.Root, so no path a workflow names
// leaves it): reads bounded by the run's max-value budget, writes that
// replace a file whole, and file names expanded from strftime patterns as
// NodeTool's save nodes expand them.
package runfiles

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/lang/pystr"
)

// Open opens the run's workspace; what names the node for the message
// when the run has none ("Load CSV File reads").
func Open(ctx *engine.Ctx, what string) (*os.Root, error) {
	root, err := ctx.Workspace()
	if errors.Is(err, engine.ErrNoWorkspace) {
		return nil, fmt.Errorf("%s files in the run's workspace folder, and this run has none", what)
	}
	return root, err
}

// Clean checks a path a workflow gives: relative to the workspace, with
// forward slashes, not leaving it. The os.Root refuses escapes anyway
// (symlinks included); this gives the clearer message first.
func Clean(p string) (string, error) {
	if p == "" {
		return "", errors.New("the path is empty")
	}
	q := strings.ReplaceAll(p, "\\", "/")
	if strings.HasPrefix(q, "/") || strings.HasPrefix(q, "~") || len(q) > 1 && q[1] == ':' {
		return "", fmt.Errorf("path %s: paths are relative to the run's workspace folder", pystr.ClipQuote(p))
	}
	q = path.Clean(q)
	if q == ".." || strings.HasPrefix(q, "../") {
		return "", fmt.Errorf("path %s leaves the run's workspace folder", pystr.ClipQuote(p))
	}
	return q, nil
}

// pathError rewrites an error of the os.Root for the user.
func pathError(p string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist in the run's workspace folder", pystr.ClipQuote(p))
	case strings.Contains(err.Error(), "escapes"):
		return fmt.Errorf("path %s leaves the run's workspace folder", pystr.ClipQuote(p))
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pystr.ClipQuote(p), pe.Err)
	}
	return err
}

// Read reads a workspace file whole; a file larger than the run's
// max-value budget is refused before it is read.
func Read(ctx *engine.Ctx, what, name string) ([]byte, error) {
	p, err := Clean(name)
	if err != nil {
		return nil, err
	}
	root, err := Open(ctx, what)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.Open(p)
	if err != nil {
		return nil, pathError(name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, pathError(name, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a folder, not a file", pystr.ClipQuote(name))
	}
	if err := ctx.CheckSize(st.Size()); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, ctx.MaxValue()+1))
	if err != nil {
		return nil, pathError(name, err)
	}
	if err := ctx.CheckSize(int64(len(data))); err != nil {
		return nil, err
	}
	return data, nil
}

// Write writes data as file name in folder ("" or "." for the workspace
// itself), which must exist, replacing any file of that name: the data
// goes to a temporary file first, renamed over the name once written, so
// a reader never sees half a file. It returns the file's path in the
// workspace.
func Write(ctx *engine.Ctx, what, folder, name string, data []byte) (string, error) {
	if folder == "" {
		folder = "."
	}
	dir, err := Clean(folder)
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", errors.New("the file name is empty")
	}
	p, err := Clean(path.Join(dir, name))
	if err != nil {
		return "", err
	}
	root, err := Open(ctx, what)
	if err != nil {
		return "", err
	}
	defer root.Close()
	st, err := root.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("folder %s does not exist in the run's workspace", pystr.ClipQuote(folder))
		}
		return "", pathError(folder, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is a file, not a folder", pystr.ClipQuote(folder))
	}
	tmp := path.Join(path.Dir(p), ".tmp-"+rand.Text())
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", pathError(name, err)
	}
	_, werr := f.Write(data)
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr == nil {
		werr = root.Rename(tmp, p)
	}
	if werr != nil {
		root.Remove(tmp)
		return "", pathError(name, werr)
	}
	return p, nil
}

// MaxRenames bounds the names WriteNew tries.
const MaxRenames = 10000

// WriteNew writes data as a new file name in folder (which must exist),
// never replacing one: when the name is taken it tries name_1.ext,
// name_2.ext..., as NodeTool's save nodes rename. It returns the file's
// path in the workspace.
func WriteNew(ctx *engine.Ctx, what, folder, name string, data []byte) (string, error) {
	if folder == "" {
		folder = "."
	}
	dir, err := Clean(folder)
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", errors.New("the file name is empty")
	}
	p, err := Clean(path.Join(dir, name))
	if err != nil {
		return "", err
	}
	root, err := Open(ctx, what)
	if err != nil {
		return "", err
	}
	defer root.Close()
	if st, err := root.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("folder %s does not exist in the run's workspace", pystr.ClipQuote(folder))
	}
	ext := path.Ext(p)
	stem := strings.TrimSuffix(p, ext)
	for i := 0; i <= MaxRenames; i++ {
		if err := ctx.Tick(); err != nil {
			return "", err
		}
		try := p
		if i > 0 {
			try = fmt.Sprintf("%s_%d%s", stem, i, ext)
		}
		f, err := root.OpenFile(try, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", pathError(name, err)
		}
		_, werr := f.Write(data)
		if err := f.Close(); werr == nil {
			werr = err
		}
		if werr != nil {
			root.Remove(try)
			return "", pathError(name, werr)
		}
		return try, nil
	}
	return "", fmt.Errorf("%s and %d renamed copies already exist", pystr.ClipQuote(name), MaxRenames)
}

// Name expands the strftime codes of pattern with t, as Python's
// datetime.strftime does for the codes it shares with C: %Y %y %m %d %H
// %I %M %S %f %p %j %a %A %b %B %w %u %z %Z %%. Other codes stay as they
// are.
func Name(pattern string, t time.Time) string {
	if !strings.Contains(pattern, "%") {
		return pattern
	}
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '%' || i+1 == len(pattern) {
			b.WriteByte(c)
			continue
		}
		i++
		switch pattern[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			fmt.Fprintf(&b, "%02d", (t.Hour()+11)%12+1)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'a':
			b.WriteString(t.Weekday().String()[:3])
		case 'A':
			b.WriteString(t.Weekday().String())
		case 'b':
			b.WriteString(t.Month().String()[:3])
		case 'B':
			b.WriteString(t.Month().String())
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'u':
			fmt.Fprintf(&b, "%d", (int(t.Weekday())+6)%7+1)
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			zone, _ := t.Zone()
			b.WriteString(zone)
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(pattern[i])
		}
	}
	return b.String()
}
