// Package durable replaces files so that a reader, or a crash, sees either
// the old content or the complete new one, never a mix, and a write that
// returned nil is on disk. It also holds the folder lock (flock(2)) that
// keeps two processes from writing one folder at once.
//
// Every call works inside an *os.Root: names are relative to it and cannot
// reach outside it. The callers decide what else to check (the store, for
// one, refuses symlinks on the way to a name before calling Commit).
//
// # The syscall sequence
//
// A replacement is acknowledged only once it survives a crash:
//
//  1. open dir/<prefix><random>.tmp with O_CREATE|O_EXCL|O_WRONLY and the
//     file's final mode (0600 for everything this program writes), so the
//     content is never readable by others, not even for a moment, whatever
//     the umask (CreateTemp);
//  2. write the content, fsync(2) the file, close it (Finish);
//  3. the caller creates any missing parent folder of the final name (and
//     fsyncs the folder holding it: SyncDir);
//  4. rename(2) the temp file over the final name: readers and a crash see
//     the old file or the new one (Commit). rename(2) replaces a symlink at
//     the final name itself, never its target;
//  5. fsync(2) the folder holding the final name, so the new entry is on
//     disk too (Commit, SyncDir).
//
// On any failure before the rename the temp file is removed and the final
// name is untouched. The temp file must be in the same file system as the
// final name (the same folder, or a folder of the same root) for the rename
// to be atomic. WriteFile does all five steps for a small file written in
// its own folder.
//
// Windows cannot fsync a folder: there SyncDir does nothing.
package durable

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
)

// ErrLocked is the error of a lock that another open file holds.
var ErrLocked = errors.New("locked by another holder")

// CreateTemp creates a new, empty file named dir/<prefix><random>.tmp in
// root, with O_CREATE|O_EXCL|O_WRONLY and mode perm (step 1), and returns
// it with its name in root. dir "." is root itself.
func CreateTemp(root *os.Root, dir, prefix string, perm fs.FileMode) (*os.File, string, error) {
	for range 10 {
		name := prefix + rand.Text() + ".tmp"
		if dir != "." && dir != "" {
			name = dir + "/" + name
		}
		f, err := root.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("durable: create temp file: %w", err)
		}
		return f, name, nil
	}
	return nil, "", errors.New("durable: create temp file: too many name collisions")
}

// Finish fsyncs f and closes it (step 2). f is closed even on error.
func Finish(f *os.File) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("durable: write %s: %w", f.Name(), err)
	}
	return nil
}

// Commit renames the finished temp file tmp over name and fsyncs the folder
// holding name (steps 4 and 5). The folder must exist. renamed reports
// whether name now holds the new content, which is the case even when only
// the fsync failed (the content is then in place but may not survive a
// crash). If the rename fails, tmp is removed.
func Commit(root *os.Root, tmp, name string) (renamed bool, err error) {
	if err := root.Rename(tmp, name); err != nil {
		root.Remove(tmp)
		return false, err
	}
	return true, SyncDir(root, parent(name))
}

// SyncDir fsyncs the folder dir of root ("." for root itself), so that
// entries created, renamed or removed in it are on disk.
func SyncDir(root *os.Root, dir string) error {
	if runtime.GOOS == "windows" {
		return nil // folders cannot be opened for fsync there
	}
	d, err := root.Open(dir)
	if err != nil {
		return fmt.Errorf("durable: sync folder %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("durable: sync folder %s: %w", dir, err)
	}
	return nil
}

// WriteFile replaces name in root with data, mode perm, by the whole
// sequence (steps 1 to 5), the temp file sitting next to name as
// .<base of name>.<random>.tmp. name's folder must exist. On failure the
// temp file is removed and the old file, if any, is untouched.
func WriteFile(root *os.Root, name string, data []byte, perm fs.FileMode) error {
	dir := parent(name)
	f, tmp, err := CreateTemp(root, dir, "."+base(name)+".", perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		root.Remove(tmp)
		return fmt.Errorf("durable: write %s: %w", name, err)
	}
	if err := Finish(f); err != nil {
		root.Remove(tmp)
		return err
	}
	renamed, err := Commit(root, tmp, name)
	if !renamed {
		return fmt.Errorf("durable: write %s: %w", name, err)
	}
	return err
}

// base returns the last component of the slash-separated name.
func base(name string) string { return name[strings.LastIndexByte(name, '/')+1:] }

// parent returns the folder holding the slash-separated name ("." at the
// top).
func parent(name string) string {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return "."
	}
	return name[:i]
}
