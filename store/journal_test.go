package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var journalOpts = Options{Journaled: []string{"jobs"}}

func journalPath(db *DB) string { return filepath.Join(db.Dir(), "journal", "jobs.log") }

// checkJobs fails t unless db's "jobs" records are want (id -> JSON).
func checkJobs(t *testing.T, db *DB, want map[string]string, when string) {
	t.Helper()
	got := map[string]string{}
	for _, r := range db.List("jobs") {
		got[r.ID] = string(r.Data)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: records = %v, want %v", when, got, want)
	}
}

func TestJournalRecords(t *testing.T) {
	db := openDB(t, dataDir(t), journalOpts)
	for i := range 5 {
		if err := db.PutRaw("jobs", fmt.Sprint("j", i), fmt.Appendf(nil, `{"n":%d}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutRaw("jobs", "j1", []byte(`{"n":"again"}`)); err != nil {
		t.Fatal(err)
	}
	if existed, err := db.Delete("jobs", "j2"); err != nil || !existed {
		t.Fatalf("Delete = %v, %v", existed, err)
	}
	if existed, err := db.Delete("jobs", "j2"); err != nil || existed {
		t.Fatalf("second Delete = %v, %v; want false, nil", existed, err)
	}
	// No file per record: the kind lives in the journal.
	if _, err := os.Stat(filepath.Join(db.Dir(), "records", "jobs")); !os.IsNotExist(err) {
		t.Errorf("records/jobs exists (%v): journaled records must not be written as files", err)
	}
	want := map[string]string{"j0": `{"n":0}`, "j1": `{"n":"again"}`, "j3": `{"n":3}`, "j4": `{"n":4}`}
	checkJobs(t, db, want, "before reopening")
	db = reopen(t, db, journalOpts)
	checkJobs(t, db, want, "after reopening")
	// Open compacts: one entry per live record.
	data, err := os.ReadFile(journalPath(db))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("\n+")) + 1; n != len(want) {
		t.Errorf("compacted journal has %d entries, want %d:\n%s", n, len(want), data)
	}
	checkModes(t, db.Dir())
}

// A kind's record files (left by a version without the journal) move into
// it at Open, and a record deleted afterwards stays deleted even if its
// file came back from before the move.
func TestJournalTakesOverRecordFiles(t *testing.T) {
	dir := dataDir(t)
	db := openDB(t, dir, Options{})
	for _, id := range []string{"a", "b", "c"} {
		if err := db.PutRaw("jobs", id, []byte(`{"id":"`+id+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	db = reopen(t, db, journalOpts)
	if got := len(db.List("jobs")); got != 3 {
		t.Fatalf("after the move: %d records, want 3", got)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "records", "jobs")); len(entries) != 0 {
		t.Errorf("record files left after the move: %v", entries)
	}
	if _, err := db.Delete("jobs", "b"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// A crash between rewriting the journal and removing the files leaves
	// old files behind: the journal's deletes win over them.
	if err := os.WriteFile(filepath.Join(dir, "records", "jobs", "b.json"), []byte(`{"id":"b"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, dir, journalOpts)
	if _, ok := db.Get("jobs", "b"); ok {
		t.Fatal("a deleted record came back from a record file left behind")
	}
	if _, err := os.Stat(filepath.Join(dir, "records", "jobs", "b.json")); !os.IsNotExist(err) {
		t.Errorf("the record file left behind was not removed (%v)", err)
	}
	db = reopen(t, db, journalOpts)
	if _, ok := db.Get("jobs", "b"); ok || len(db.List("jobs")) != 2 {
		t.Fatalf("after reopening: %d records, b present: %v", len(db.List("jobs")), ok)
	}
}

// A log cut short (a crash in the middle of a batch) keeps every whole
// entry, and writes after reopening are kept too.
func TestJournalTornTail(t *testing.T) {
	for _, tail := range []string{"+", "+2 1", "+2 10 abc\nj9{\"", "+2 999999999 0\n", "garbage\n+2 2 0\nj9{}\n"} {
		t.Run(fmt.Sprintf("%.8q", tail), func(t *testing.T) {
			dir := dataDir(t)
			db := openDB(t, dir, journalOpts)
			for i := range 3 {
				if err := db.PutRaw("jobs", fmt.Sprint("j", i), []byte(`{}`)); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			f, err := os.OpenFile(journalPath(db), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(tail)
			f.Close()
			var logs logBuffer
			db = openDB(t, dir, Options{Journaled: []string{"jobs"}, Logger: logs.logger()})
			if got := len(db.List("jobs")); got != 3 {
				t.Fatalf("%d records after a torn tail, want 3; log:\n%s", got, logs.String())
			}
			if !strings.Contains(logs.String(), "journal") {
				t.Errorf("the torn tail was not logged:\n%s", logs.String())
			}
			if err := db.PutRaw("jobs", "after", []byte(`{"n":1}`)); err != nil {
				t.Fatal(err)
			}
			db = reopen(t, db, journalOpts)
			if _, ok := db.Get("jobs", "after"); !ok || len(db.List("jobs")) != 4 {
				t.Fatalf("a write after the torn tail was lost: %d records", len(db.List("jobs")))
			}
		})
	}
}

// A damaged entry (its checksum is wrong) is skipped; the entries around
// it are kept.
func TestJournalDamagedEntry(t *testing.T) {
	dir := dataDir(t)
	db := openDB(t, dir, journalOpts)
	for _, id := range []string{"a", "b", "c"} {
		if err := db.PutRaw("jobs", id, []byte(`{"v":"`+id+id+id+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	data, err := os.ReadFile(journalPath(db))
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte(`bbb`), []byte(`xbb`), 1)
	if err := os.WriteFile(journalPath(db), data, 0o600); err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	db = openDB(t, dir, Options{Journaled: []string{"jobs"}, Logger: logs.logger()})
	if _, ok := db.Get("jobs", "b"); ok {
		t.Error("a damaged entry was taken in")
	}
	for _, id := range []string{"a", "c"} {
		if _, ok := db.Get("jobs", id); !ok {
			t.Errorf("record %s next to a damaged entry was lost", id)
		}
	}
	if !strings.Contains(logs.String(), "damaged journal entry") {
		t.Errorf("the damaged entry was not logged:\n%s", logs.String())
	}
}

// Concurrent writers share batches, and every acknowledged write is there
// after reopening.
func TestJournalConcurrentWriters(t *testing.T) {
	db := openDB(t, dataDir(t), journalOpts)
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := range 20 {
				id := fmt.Sprintf("g%d-%d", g, i)
				if err := db.PutRaw("jobs", id, []byte(`{"s":"running"}`)); err != nil {
					t.Error(err)
					return
				}
				if err := db.PutRaw("jobs", id, []byte(`{"s":"completed"}`)); err != nil {
					t.Error(err)
					return
				}
				if i%4 == 0 {
					if _, err := db.Delete("jobs", id); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	db = reopen(t, db, journalOpts)
	recs := db.List("jobs")
	if len(recs) != 32*15 {
		t.Fatalf("%d records after reopening, want %d", len(recs), 32*15)
	}
	for _, r := range recs {
		if string(r.Data) != `{"s":"completed"}` {
			t.Fatalf("record %s = %s, want its last write", r.ID, r.Data)
		}
	}
}

// The log is rewritten when it grows past twice its live records plus
// compactSlack, so one record written many times keeps it small.
func TestJournalCompactsAsItGrows(t *testing.T) {
	db := openDB(t, dataDir(t), journalOpts)
	big := []byte(`{"pad":"` + strings.Repeat("x", 64<<10) + `"}`)
	for range 2 * compactSlack / len(big) {
		if err := db.PutRaw("jobs", "same", big); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(journalPath(db))
	if err != nil {
		t.Fatal(err)
	}
	if limit := int64(2*len(big) + compactSlack + len(big)); fi.Size() > limit {
		t.Errorf("journal is %d bytes after rewriting one record, want at most %d", fi.Size(), limit)
	}
	db = reopen(t, db, journalOpts)
	if got, _ := db.Get("jobs", "same"); !bytes.Equal(got, big) {
		t.Error("the record was lost by compaction")
	}
}

// A symlink planted as the journal is refused, not followed.
func TestJournalSymlinkRefused(t *testing.T) {
	dir := dataDir(t)
	db := openDB(t, dir, journalOpts)
	db.Close()
	outside := filepath.Join(t.TempDir(), "outside.log")
	os.WriteFile(outside, []byte("+1 2 0\nx{}\n"), 0o600)
	os.Remove(journalPath(db))
	if err := os.Symlink(outside, journalPath(db)); err != nil {
		t.Fatal(err)
	}
	if db, err := Open(dir, journalOpts); err == nil {
		db.Close()
		t.Fatal("Open followed a symlinked journal")
	}
}

// FuzzJournalReplay feeds arbitrary logs to Open: it never panics, and what
// it takes in is valid JSON under valid ids.
func FuzzJournalReplay(f *testing.F) {
	f.Add([]byte("+1 2 0\nx{}\n"))
	f.Add(appendEntry(appendEntry(nil, "a", []byte(`{"n":1}`)), "a", nil))
	f.Add([]byte("+3 999999999999 ffffffff\nabc"))
	f.Fuzz(func(t *testing.T, log []byte) {
		dir := filepath.Join(t.TempDir(), "data")
		os.MkdirAll(filepath.Join(dir, "journal"), 0o700)
		if err := os.WriteFile(filepath.Join(dir, "journal", "jobs.log"), log, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := Open(dir, journalOpts)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, r := range db.List("jobs") {
			if validID(r.ID) != nil || !json.Valid(r.Data) {
				t.Fatalf("took in %q = %q", r.ID, r.Data)
			}
		}
	})
}

// PutMany writes a round of changes: on a journaled kind in one batch (one
// write, one fsync), on others one by one; a change it cannot apply is left
// out and named in the error, the others land.
func TestPutMany(t *testing.T) {
	for _, opts := range []Options{journalOpts, {}} {
		name := "files"
		if len(opts.Journaled) > 0 {
			name = "journal"
		}
		t.Run(name, func(t *testing.T) {
			db := openDB(t, dataDir(t), opts)
			if err := db.PutRaw("jobs", "old", []byte(`{"n":"old"}`)); err != nil {
				t.Fatal(err)
			}
			var size int64
			if fi, err := os.Stat(journalPath(db)); err == nil {
				size = fi.Size()
			}
			err := db.PutMany("jobs", []Change{
				{ID: "a", Data: []byte(`{"n":1}`)},
				{ID: "../x", Data: []byte(`{}`)},
				{ID: "old"},
				{ID: "b", Data: []byte(`{"n":`)},
				{ID: "c", Data: []byte(`{"n":3}`)},
				{ID: "never"},
			})
			if err == nil || !strings.Contains(err.Error(), "jobs/../x") || !strings.Contains(err.Error(), "jobs/b: data is not valid JSON") {
				t.Errorf("PutMany error = %v; want one naming jobs/../x and jobs/b", err)
			}
			want := map[string]string{"a": `{"n":1}`, "c": `{"n":3}`}
			checkJobs(t, db, want, "after PutMany")
			if len(opts.Journaled) > 0 {
				// The four valid changes, appended as one batch after what
				// was there.
				data, err := os.ReadFile(journalPath(db))
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Count(string(data[size:]), "\n") / 2; got != 4 {
					t.Errorf("PutMany appended %d entries, want 4 (a, the delete of old, c, the delete of never):\n%s", got, data[size:])
				}
			}
			checkJobs(t, reopen(t, db, opts), want, "after reopening")
			if err := db.PutMany("Jobs!", nil); err == nil {
				t.Error("PutMany took an invalid kind")
			}
		})
	}
}
