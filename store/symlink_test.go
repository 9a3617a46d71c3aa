package store

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// outsideDir makes a folder outside the data dir holding secret.txt and
// secret.json, and returns it with a function listing its files.
func outsideDir(t *testing.T) (string, func() []string) {
	t.Helper()
	out := t.TempDir()
	for name, content := range map[string]string{"secret.txt": "top secret", "secret.json": `{"secret":true}`} {
		if err := os.WriteFile(filepath.Join(out, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return out, func() []string {
		entries, err := os.ReadDir(out)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
}

// TestSymlinkBlobs plants symlinks to an outside folder and an outside
// file among the blobs and checks that nothing outside is read, written or
// removed through them.
func TestSymlinkBlobs(t *testing.T) {
	out, outFiles := outsideDir(t)
	db := openDB(t, dataDir(t), Options{})
	b := bucket(t, db, "assets")
	ctx := context.Background()
	base := filepath.Join(db.Dir(), "blobs/assets")
	if err := os.Symlink(out, filepath.Join(base, "linkdir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(out, "secret.txt"), filepath.Join(base, "linkfile")); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(base, out)
	if err := os.Symlink(rel, filepath.Join(base, "rellink")); err != nil {
		t.Fatal(err)
	}

	for _, key := range []string{"linkdir/secret.txt", "linkfile", "rellink/secret.txt"} {
		if f, _, err := b.Open(key); err == nil {
			data, _ := io.ReadAll(f)
			f.Close()
			t.Errorf("Open(%q) = %q, nil, want an error", key, data)
		}
		if info, err := b.Stat(key); err == nil {
			t.Errorf("Stat(%q) = %+v, nil, want an error", key, info)
		}
		if err := b.Delete(key); err == nil {
			t.Errorf("Delete(%q) = nil, want an error", key)
		}
	}
	for _, key := range []string{"linkdir/new.txt", "linkdir/sub/new.txt", "rellink/new.txt", "linkdir/secret.txt"} {
		if _, err := b.Put(ctx, key, strings.NewReader("planted"), -1); err == nil {
			t.Errorf("Put(%q) = nil, want an error", key)
		}
	}
	// Putting the key of a planted file symlink replaces the link itself.
	if _, err := b.Put(ctx, "linkfile", strings.NewReader("replaced"), -1); err != nil {
		t.Errorf("Put(linkfile) = %v, want nil (replaces the link)", err)
	}
	if data, _ := readBlob(t, b, "linkfile"); string(data) != "replaced" {
		t.Errorf("Open(linkfile) = %q, want %q", data, "replaced")
	}
	if list, err := b.List(""); err != nil || len(list) != 1 {
		t.Errorf("List(\"\") = %+v, %v, want only linkfile", list, err)
	}

	if got := strings.Join(outFiles(), ","); got != "secret.json,secret.txt" {
		t.Errorf("outside folder holds %q, want secret.json,secret.txt", got)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "secret.txt")); string(data) != "top secret" {
		t.Errorf("outside secret.txt = %q, want unchanged", data)
	}
	if got := tmpFiles(t, db.Dir()); len(got) != 0 {
		t.Errorf("tmp = %q, want empty", got)
	}
}

// TestSymlinkRecords plants a record kind folder that links outside: it is
// not loaded, and writes and deletes through it fail.
func TestSymlinkRecords(t *testing.T) {
	out, outFiles := outsideDir(t)
	var logs logBuffer
	db := openDB(t, dataDir(t), Options{})
	dir := db.Dir()
	db.Close()
	if err := os.Symlink(out, filepath.Join(dir, "records/evil")); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, dir, Options{Logger: logs.logger()})
	if data, ok := db.Get("evil", "secret"); ok {
		t.Errorf("Get(evil, secret) = %q, want missing", data)
	}
	if !strings.Contains(logs.String(), "records/evil") {
		t.Errorf("log does not mention the planted link:\n%s", logs.String())
	}
	if err := db.PutRaw("evil", "new", []byte(`{}`)); err == nil {
		t.Errorf("PutRaw(evil, new) = nil, want an error")
	}
	if existed, err := db.Delete("evil", "secret"); err == nil {
		t.Errorf("Delete(evil, secret) = %v, nil, want an error", existed)
	}
	if got := strings.Join(outFiles(), ","); got != "secret.json,secret.txt" {
		t.Errorf("outside folder holds %q, want secret.json,secret.txt", got)
	}
}

// TestSymlinkLayout plants links in place of the store's own folders:
// Open fails instead of cleaning, reading or writing outside.
func TestSymlinkLayout(t *testing.T) {
	for _, name := range []string{"tmp", "records", "blobs", "blobs/temp", "lock"} {
		out, outFiles := outsideDir(t)
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o700); err != nil {
			t.Fatal(err)
		}
		target := out
		if name == "lock" {
			target = filepath.Join(out, "secret.txt")
		}
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		db, err := Open(dir, Options{})
		if err == nil {
			db.Close()
			t.Errorf("Open with %s linked outside = nil, want an error", name)
		}
		if got := strings.Join(outFiles(), ","); got != "secret.json,secret.txt" {
			t.Errorf("with %s linked: outside folder holds %q, want secret.json,secret.txt", name, got)
		}
		if data, _ := os.ReadFile(filepath.Join(out, "secret.txt")); string(data) != "top secret" {
			t.Errorf("with %s linked: outside secret.txt = %q, want unchanged", name, data)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	for _, tc := range []struct {
		dir  string
		opts Options
	}{
		{file, Options{}},
		{filepath.Join(file, "below"), Options{}},
		{t.TempDir(), Options{TempTTL: -1}},
	} {
		if db, err := Open(tc.dir, tc.opts); err == nil || errors.Is(err, ErrNotFound) {
			if db != nil {
				db.Close()
			}
			t.Errorf("Open(%q, %+v) = %v, want an error", tc.dir, tc.opts, err)
		}
	}
}

// TestSymlinkInTmp plants links inside tmp: Open's clean-up removes the
// links, not what they point to.
func TestSymlinkInTmp(t *testing.T) {
	out, outFiles := outsideDir(t)
	db := openDB(t, dataDir(t), Options{})
	dir := db.Dir()
	db.Close()
	if err := os.Symlink(out, filepath.Join(dir, "tmp/dir.tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(out, "secret.txt"), filepath.Join(dir, "tmp/file.tmp")); err != nil {
		t.Fatal(err)
	}
	openDB(t, dir, Options{})
	if got := tmpFiles(t, dir); len(got) != 0 {
		t.Errorf("tmp after Open = %q, want empty", got)
	}
	if got := strings.Join(outFiles(), ","); got != "secret.json,secret.txt" {
		t.Errorf("outside folder holds %q, want secret.json,secret.txt", got)
	}
}
