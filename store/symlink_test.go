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

// TestSymlinkLayout plants links in place of the store's own folders,
// pointing outside the data dir or to another folder inside it: Open fails
// instead of cleaning, reading or writing through them.
func TestSymlinkLayout(t *testing.T) {
	for _, name := range []string{"tmp", "records", "blobs", "blobs/temp", "blobs/assets"} {
		for _, inside := range []bool{false, true} {
			out, outFiles := outsideDir(t)
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o700); err != nil {
				t.Fatal(err)
			}
			target := out
			if inside { // a folder of the data dir holding a record-like file
				target = filepath.Join(dir, "elsewhere")
				os.MkdirAll(target, 0o700)
				os.WriteFile(filepath.Join(target, "secret.json"), []byte(`{"secret":true}`), 0o600)
				target, _ = filepath.Rel(filepath.Join(dir, filepath.Dir(name)), target)
			}
			if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			db, err := Open(dir, Options{})
			if err == nil {
				db.Close()
				t.Errorf("Open with %s linked to %s = nil, want an error", name, target)
			}
			if got := strings.Join(outFiles(), ","); got != "secret.json,secret.txt" {
				t.Errorf("with %s linked: outside folder holds %q, want secret.json,secret.txt", name, got)
			}
			if data, _ := os.ReadFile(filepath.Join(out, "secret.txt")); string(data) != "top secret" {
				t.Errorf("with %s linked: outside secret.txt = %q, want unchanged", name, data)
			}
		}
	}
}

// TestSymlinkInsideRoot plants links whose targets are inside the data
// dir (which os.Root alone would follow): from public blobs into private
// records, between buckets, and among records. Nothing is read, written,
// listed or deleted through any of them, and the targets are untouched.
func TestSymlinkInsideRoot(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, dataDir(t), Options{})
	dir := db.Dir()
	secret := `{"owner":"alice","private":true}`
	if err := db.PutRaw("workflows", "w1", []byte(secret)); err != nil {
		t.Fatal(err)
	}
	assets, temp := bucket(t, db, "assets"), bucket(t, db, "temp")
	if _, err := assets.Put(ctx, "real/file.txt", strings.NewReader("real"), -1); err != nil {
		t.Fatal(err)
	}
	if _, err := assets.Put(ctx, "real/r.json", strings.NewReader(`{"r":1}`), -1); err != nil {
		t.Fatal(err)
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	link("../../records/workflows", "blobs/assets/wf")                  // folder link, relative, inside
	link("../../records/workflows/w1.json", "blobs/assets/w1.json")     // file link, relative, inside
	link(filepath.Join(dir, "records/workflows"), "blobs/assets/abswf") // folder link, absolute, inside
	link("../assets/real", "blobs/temp/fromtemp")                       // folder link between buckets
	link("../assets/real/file.txt", "blobs/temp/file.txt")              // file link between buckets
	link("real", "blobs/assets/alias")                                  // folder link within a bucket
	link("../blobs/assets/real", "records/evil")                        // a record kind that is a link
	link("w1.json", "records/workflows/w2.json")                        // a record that is a link

	reads := []struct {
		b   *Blobs
		key string
	}{
		{assets, "wf/w1.json"}, {assets, "w1.json"}, {assets, "abswf/w1.json"}, {assets, "alias/file.txt"},
		{temp, "fromtemp/file.txt"}, {temp, "file.txt"},
	}
	for _, tc := range reads {
		if f, _, err := tc.b.Open(tc.key); !errors.Is(err, ErrNotFound) {
			if err == nil {
				data, _ := io.ReadAll(f)
				f.Close()
				t.Errorf("%s.Open(%q) read %q, want ErrNotFound", tc.b.Bucket(), tc.key, data)
			} else {
				t.Errorf("%s.Open(%q) = %v, want ErrNotFound", tc.b.Bucket(), tc.key, err)
			}
		}
		if info, err := tc.b.Stat(tc.key); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s.Stat(%q) = %+v, %v, want ErrNotFound", tc.b.Bucket(), tc.key, info, err)
		}
		if err := tc.b.Delete(tc.key); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s.Delete(%q) = %v, want ErrNotFound", tc.b.Bucket(), tc.key, err)
		}
	}
	for _, tc := range []struct {
		b   *Blobs
		key string
	}{
		{assets, "wf/w1.json"}, {assets, "wf/new.json"}, {assets, "abswf/w1.json"}, {assets, "wf/sub/new.json"},
		{assets, "alias/file.txt"}, {temp, "fromtemp/file.txt"}, {temp, "fromtemp/new/x"},
	} {
		if _, err := tc.b.Put(ctx, tc.key, strings.NewReader(`{"owner":"mallory"}`), -1); !errors.Is(err, ErrConflict) {
			t.Errorf("%s.Put(%q) = %v, want ErrConflict", tc.b.Bucket(), tc.key, err)
		}
	}
	for _, b := range []*Blobs{assets, temp} {
		list, err := b.List("")
		if err != nil {
			t.Fatalf("%s.List = %v", b.Bucket(), err)
		}
		for _, info := range list {
			if b == temp || (info.Key != "real/file.txt" && info.Key != "real/r.json") {
				t.Errorf("%s.List has %q, want only real/ in assets", b.Bucket(), info.Key)
			}
		}
	}
	if err := db.PutRaw("evil", "x", []byte(`{}`)); err == nil {
		t.Errorf("PutRaw(evil, x) through a linked kind = nil, want an error")
	}
	if _, err := db.Delete("evil", "r"); err == nil {
		t.Errorf("Delete(evil, r) through a linked kind = nil, want an error")
	}
	// Putting a blob whose key is a file link replaces the link, not its
	// target.
	if _, err := temp.Put(ctx, "file.txt", strings.NewReader("mine"), -1); err != nil {
		t.Errorf("temp.Put(file.txt) over a file link = %v, want nil", err)
	}

	db = reopen(t, db, Options{})
	if data, ok := db.Get("workflows", "w2"); ok {
		t.Errorf("Get(workflows, w2) (a link) = %q, want missing", data)
	}
	if recs := db.List("evil"); len(recs) != 0 {
		t.Errorf("List(evil) (a linked kind) = %d records, want none", len(recs))
	}
	if data, ok := db.Get("workflows", "w1"); !ok || string(data) != secret {
		t.Errorf("Get(workflows, w1) = %q, %v, want the untouched record", data, ok)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "records/workflows/w1.json")); string(got) != secret {
		t.Errorf("records/workflows/w1.json = %q, want untouched", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "blobs/assets/real/file.txt")); string(got) != "real" {
		t.Errorf("blobs/assets/real/file.txt = %q, want untouched", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "blobs/assets/real/r.json")); string(got) != `{"r":1}` {
		t.Errorf("blobs/assets/real/r.json = %q, want untouched", got)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "records/workflows"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, ","); got != "w1.json,w2.json" {
		t.Errorf("records/workflows holds %q, want w1.json,w2.json", got)
	}
}

// TestSymlinkSwappedFolder replaces a folder the store already knows with
// a link after it was used: later writes and reads do not follow it.
func TestSymlinkSwappedFolder(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, dataDir(t), Options{})
	dir := db.Dir()
	assets := bucket(t, db, "assets")
	if _, err := assets.Put(ctx, "d/a.txt", strings.NewReader("a"), -1); err != nil {
		t.Fatal(err)
	}
	if err := db.PutRaw("workflows", "w1", []byte(`{"private":true}`)); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "blobs/assets/d")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../records/workflows", filepath.Join(dir, "blobs/assets/d")); err != nil {
		t.Fatal(err)
	}
	if _, err := assets.Put(ctx, "d/w1.json", strings.NewReader(`{"private":false}`), -1); !errors.Is(err, ErrConflict) {
		t.Errorf("Put(d/w1.json) through a swapped folder = %v, want ErrConflict", err)
	}
	if _, err := assets.Put(ctx, "d/sub/x", strings.NewReader(`x`), -1); !errors.Is(err, ErrConflict) {
		t.Errorf("Put(d/sub/x) through a swapped folder = %v, want ErrConflict", err)
	}
	if _, _, err := assets.Open("d/w1.json"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(d/w1.json) through a swapped folder = %v, want ErrNotFound", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "records/workflows/w1.json")); string(got) != `{"private":true}` {
		t.Errorf("records/workflows/w1.json = %q, want untouched", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, "records/workflows/sub")); err == nil {
		t.Errorf("records/workflows/sub was created through the link")
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
