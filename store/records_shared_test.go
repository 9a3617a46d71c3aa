package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSharedRecords: two servers (two DBs, two data dirs) on one storage
// see each other's records of the shared kinds at once through Lookup and
// Scan, while other kinds stay in each data dir.
func TestSharedRecords(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be *testBackend) {
		ctx := context.Background()
		var a, b *DB
		if be.file {
			// file:// storage in a folder of its own: one server at a time
			// (the folder is locked), so the second DB opens after the first
			// closes.
			st, err := ParseStorageURL("file://"+filepath.Join(t.TempDir(), "shared"), func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			a = openDB(t, dataDir(t), Options{Storage: st, Shared: []string{"workflows"}})
			if err := a.PutRaw("workflows", "w1", []byte(`{"v":1}`)); err != nil {
				t.Fatalf("PutRaw = %v", err)
			}
			if err := a.PutRaw("jobs", "j1", []byte(`{}`)); err != nil {
				t.Fatalf("PutRaw(jobs) = %v", err)
			}
			if _, err := os.Stat(filepath.Join(st.path, "records/workflows/w1.json")); err != nil {
				t.Errorf("the shared record is not in the storage folder: %v", err)
			}
			if _, err := os.Stat(filepath.Join(a.Dir(), "records/jobs/j1.json")); err != nil {
				t.Errorf("the unshared record is not in the data dir: %v", err)
			}
			a.Close()
			b = openDB(t, dataDir(t), Options{Storage: st, Shared: []string{"workflows"}})
			if rec, ok, err := b.Lookup(ctx, "workflows", "w1"); err != nil || !ok || string(rec.Data) != `{"v":1}` {
				t.Errorf("Lookup(w1) on the second server = %s, %v, %v", rec.Data, ok, err)
			}
			if _, ok := b.Get("jobs", "j1"); ok {
				t.Errorf("Get(jobs/j1) on the second server found the first's unshared record")
			}
			return
		}
		opts := be.options(Options{Shared: []string{"workflows"}})
		a = openDB(t, dataDir(t), opts)
		b = openDB(t, dataDir(t), opts)
		if !a.Remote("workflows") || a.Remote("jobs") {
			t.Fatalf("Remote(workflows), Remote(jobs) = %v, %v, want true, false", a.Remote("workflows"), a.Remote("jobs"))
		}
		if _, ok, err := b.Lookup(ctx, "workflows", "w1"); ok || err != nil {
			t.Errorf("Lookup(w1) before any write = %v, %v, want missing", ok, err)
		}
		if err := a.PutRaw("workflows", "w1", []byte(`{"v":1}`)); err != nil {
			t.Fatalf("PutRaw = %v", err)
		}
		rec1, ok, err := b.Lookup(ctx, "workflows", "w1")
		if err != nil || !ok || string(rec1.Data) != `{"v":1}` || rec1.Version == "" {
			t.Fatalf("Lookup(w1) on the other server = %+v, %v, %v", rec1, ok, err)
		}
		again, _, _ := b.Lookup(ctx, "workflows", "w1")
		if again.Version != rec1.Version || string(again.Data) != `{"v":1}` {
			t.Errorf("Lookup(w1) again = %+v, want the same version", again)
		}
		if err := a.PutRaw("workflows", "w1", []byte(`{"v":2}`)); err != nil {
			t.Fatalf("PutRaw = %v", err)
		}
		if err := a.PutRaw("workflows", "w2", []byte(`{"v":3}`)); err != nil {
			t.Fatalf("PutRaw = %v", err)
		}
		rec2, _, _ := b.Lookup(ctx, "workflows", "w1")
		if string(rec2.Data) != `{"v":2}` || rec2.Version == rec1.Version {
			t.Errorf("Lookup(w1) after a change = %+v, want v2 with a new version", rec2)
		}
		recs, err := b.Scan(ctx, "workflows")
		if err != nil || len(recs) != 2 || recs[0].ID != "w1" || recs[1].ID != "w2" || string(recs[1].Data) != `{"v":3}` {
			t.Errorf("Scan = %+v, %v, want w1 and w2", recs, err)
		}
		existed, err := b.Delete("workflows", "w1")
		if err != nil || !existed {
			t.Errorf("Delete(w1) = %v, %v, want true", existed, err)
		}
		if existed, err := b.Delete("workflows", "w1"); err != nil || existed {
			t.Errorf("Delete(w1) again = %v, %v, want false", existed, err)
		}
		if _, ok, err := a.Lookup(ctx, "workflows", "w1"); ok || err != nil {
			t.Errorf("Lookup(w1) after the other server deleted it = %v, %v, want missing", ok, err)
		}
		if _, ok := a.Get("workflows", "w1"); ok {
			t.Errorf("Get(w1) after Lookup saw it deleted = found, want the cache dropped")
		}
		if recs, _ := a.Scan(ctx, "workflows"); len(recs) != 1 || recs[0].ID != "w2" {
			t.Errorf("Scan after delete = %+v, want w2", recs)
		}
		// Unshared kinds stay in each data dir.
		if err := a.PutRaw("jobs", "j1", []byte(`{}`)); err != nil {
			t.Fatalf("PutRaw(jobs) = %v", err)
		}
		if _, ok, _ := b.Lookup(ctx, "jobs", "j1"); ok {
			t.Errorf("Lookup(jobs/j1) on the other server found an unshared record")
		}
		objs, _ := bucket(t, a, "assets").be.(*s3Blobs).c.ListObjects(ctx, be.prefix+"records/jobs/", "")
		if len(objs.Objects) != 0 {
			t.Errorf("unshared records in the bucket: %v", objs.Objects)
		}
		if _, ok, err := a.Lookup(ctx, "workflows", "../x"); ok || err != nil {
			t.Errorf("Lookup(invalid id) = %v, %v, want missing", ok, err)
		}
		if err := a.PutRaw("workflows", "../x", []byte(`{}`)); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("PutRaw(invalid id) = %v, want ErrInvalidKey", err)
		}
	})
}

func TestParseStorageURL(t *testing.T) {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "very-secret-value", "AWS_ENDPOINT_URL": "http://127.0.0.1:8333"}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		url, kind, str, err string
	}{
		{"", "", "", ""},
		{"file:///srv/nodetool", "file", "/srv/nodetool", ""},
		{"file://relative/path", "", "", "want file:///absolute/path"},
		{"s3://bucket", "s3", "s3://bucket at http://127.0.0.1:8333 (path-style)", ""},
		{"s3://bucket/some/prefix?addressing=virtual", "s3", "s3://bucket/some/prefix?addressing=virtual at http://127.0.0.1:8333 (virtual-host)", ""},
		{"s3://bucket/..", "", "", "the prefix"},
		{"s3://", "", "", "no bucket"},
		{"s3://AK:secret@bucket", "", "", "credentials do not belong in the URL"},
		{"s3://bucket?region=x", "", "", "unknown parameter"},
		{"s3://bucket?addressing=sideways", "", "", "addressing must be virtual or path"},
		{"http://bucket", "", "", "the scheme must be file or s3"},
	} {
		st, err := ParseStorageURL(tc.url, getenv)
		if tc.err != "" {
			if err == nil || !contains(err.Error(), tc.err) {
				t.Errorf("ParseStorageURL(%q) = %v, want an error saying %q", tc.url, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseStorageURL(%q) = %v", tc.url, err)
			continue
		}
		if tc.kind == "" {
			if st != nil {
				t.Errorf("ParseStorageURL(%q) = %v, want nil", tc.url, st)
			}
			continue
		}
		if st.Kind() != tc.kind || st.String() != tc.str {
			t.Errorf("ParseStorageURL(%q) = %s %q, want %s %q", tc.url, st.Kind(), st.String(), tc.kind, tc.str)
		}
		if contains(st.String(), "very-secret-value") {
			t.Errorf("String() shows the secret")
		}
	}
	delete(env, "AWS_SECRET_ACCESS_KEY")
	if _, err := ParseStorageURL("s3://bucket", getenv); err == nil || !contains(err.Error(), "AWS_SECRET_ACCESS_KEY") {
		t.Errorf("ParseStorageURL without a secret = %v, want it to name AWS_SECRET_ACCESS_KEY", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
