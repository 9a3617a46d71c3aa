package durable

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func openRoot(t *testing.T) (*os.Root, string) {
	t.Helper()
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root, dir
}

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestWriteFile: the file holds the data with the mode asked for, a
// second write replaces it, and no temp file is left behind.
func TestWriteFile(t *testing.T) {
	root, dir := openRoot(t)
	if err := root.Mkdir("sub", 0o700); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{"first", "second, longer", ""} {
		if err := WriteFile(root, "sub/f.json", []byte(data), 0o600); err != nil {
			t.Fatalf("WriteFile(sub/f.json, %q) = %v", data, err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "sub", "f.json"))
		if err != nil || string(got) != data {
			t.Fatalf("after WriteFile(%q): ReadFile = %q, %v", data, got, err)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, "sub", "f.json"))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	if got := entries(t, filepath.Join(dir, "sub")); len(got) != 1 || got[0] != "f.json" {
		t.Errorf("folder holds %q, want only f.json", got)
	}
	if err := WriteFile(root, "top.txt", []byte("x"), 0o600); err != nil {
		t.Fatalf("WriteFile(top.txt) = %v", err)
	}
}

// TestWriteFileReplacesSymlink: a symlink at the name is replaced by the
// file, and its target is untouched.
func TestWriteFileReplacesSymlink(t *testing.T) {
	root, dir := openRoot(t)
	target := filepath.Join(t.TempDir(), "target")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "link")); err != nil {
		if runtime.GOOS == "windows" {
			return // symlinks need privileges there
		}
		t.Fatal(err)
	}
	if err := WriteFile(root, "link", []byte("new"), 0o600); err != nil {
		t.Fatalf("WriteFile(link) = %v", err)
	}
	if got, _ := os.ReadFile(target); string(got) != "keep" {
		t.Errorf("symlink target = %q, want it untouched", got)
	}
	fi, err := os.Lstat(filepath.Join(dir, "link"))
	if err != nil || !fi.Mode().IsRegular() {
		t.Errorf("Lstat(link) = %v, %v; want a regular file", fi, err)
	}
}

// TestWriteFileFailsCleanly: a write into a missing folder fails, and a
// commit over a folder fails without leaving its temp file.
func TestWriteFileFailsCleanly(t *testing.T) {
	root, dir := openRoot(t)
	if err := WriteFile(root, "missing/f", []byte("x"), 0o600); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteFile(missing/f) = %v, want not exist", err)
	}
	if err := root.Mkdir("d", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := root.WriteFile("d/x", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(root, "d", []byte("x"), 0o600); err == nil {
		t.Errorf("WriteFile over a non-empty folder = nil, want an error")
	}
	if got := entries(t, dir); len(got) != 1 || got[0] != "d" {
		t.Errorf("root holds %q after the failed write, want only d", got)
	}
}

// TestCreateTempCommit: the steps one by one, with the temp file in
// another folder of the root, as the store does.
func TestCreateTempCommit(t *testing.T) {
	root, dir := openRoot(t)
	for _, d := range []string{"tmp", "final"} {
		if err := root.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	f, tmp, err := CreateTemp(root, "tmp", "", 0o600)
	if err != nil {
		t.Fatalf("CreateTemp = %v", err)
	}
	if !strings.HasPrefix(tmp, "tmp/") || !strings.HasSuffix(tmp, ".tmp") {
		t.Errorf("CreateTemp name = %q, want tmp/<random>.tmp", tmp)
	}
	if _, err := f.Write([]byte("content")); err != nil {
		t.Fatal(err)
	}
	if err := Finish(f); err != nil {
		t.Fatalf("Finish = %v", err)
	}
	renamed, err := Commit(root, tmp, "final/name")
	if !renamed || err != nil {
		t.Fatalf("Commit = %v, %v; want true, nil", renamed, err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "final", "name")); !bytes.Equal(got, []byte("content")) {
		t.Errorf("final/name = %q", got)
	}
	if got := entries(t, filepath.Join(dir, "tmp")); len(got) != 0 {
		t.Errorf("tmp holds %q after Commit", got)
	}
	// A rename that cannot happen removes the temp file.
	f, tmp, err = CreateTemp(root, "tmp", "", 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if renamed, err := Commit(root, tmp, "nowhere/name"); renamed || err == nil {
		t.Errorf("Commit into a missing folder = %v, %v; want false and an error", renamed, err)
	}
	if got := entries(t, filepath.Join(dir, "tmp")); len(got) != 0 {
		t.Errorf("tmp holds %q after a failed Commit", got)
	}
}
