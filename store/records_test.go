package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestRecords(t *testing.T) {
	db := openDB(t, dataDir(t), Options{})
	type workflow struct {
		Name string `json:"name"`
	}
	puts := []struct {
		kind, id string
		v        any
		want     string
	}{
		{"workflows", "b", workflow{"second"}, `{"name":"second"}`},
		{"workflows", "a", workflow{"first"}, `{"name":"first"}`},
		{"workflows", "c.json", []int{1, 2}, `[1,2]`},
		{"settings", "Theme-1_x.y", "dark", `"dark"`},
		{"jobs", "00ff", nil, `null`},
	}
	for _, p := range puts {
		if err := db.Put(p.kind, p.id, p.v); err != nil {
			t.Fatalf("Put(%q, %q) = %v", p.kind, p.id, err)
		}
	}
	if err := db.PutRaw("workflows", "b", []byte(`{"name": "second", "v": 2}`)); err != nil {
		t.Fatalf("PutRaw(workflows, b) = %v", err)
	}
	puts[0].want = `{"name": "second", "v": 2}` // kept byte for byte
	check := func(db *DB) {
		t.Helper()
		for _, p := range puts {
			got, ok := db.Get(p.kind, p.id)
			if !ok || string(got) != p.want {
				t.Errorf("Get(%q, %q) = %q, %v, want %q, true", p.kind, p.id, got, ok, p.want)
			}
		}
		var ids []string
		for _, r := range db.List("workflows") {
			ids = append(ids, r.ID)
		}
		if got, want := strings.Join(ids, ","), "a,b,c.json"; got != want {
			t.Errorf("List(workflows) ids = %q, want %q", got, want)
		}
	}
	check(db)
	db = reopen(t, db, Options{})
	check(db)

	// Callers cannot change the index through returned slices.
	got, _ := db.Get("workflows", "a")
	got[0] = 'X'
	db.List("workflows")[0].Data[0] = 'X'
	if again, _ := db.Get("workflows", "a"); string(again) != `{"name":"first"}` {
		t.Errorf("Get(workflows, a) after caller mutation = %q", again)
	}

	for _, tc := range []struct {
		kind, id string
		want     bool
	}{
		{"workflows", "a", true},
		{"workflows", "a", false},
		{"workflows", "never", false},
		{"nokind", "x", false},
	} {
		existed, err := db.Delete(tc.kind, tc.id)
		if err != nil || existed != tc.want {
			t.Errorf("Delete(%q, %q) = %v, %v, want %v, nil", tc.kind, tc.id, existed, err, tc.want)
		}
	}
	db = reopen(t, db, Options{})
	if _, ok := db.Get("workflows", "a"); ok {
		t.Errorf("Get(workflows, a) after Delete and reopen = found, want missing")
	}
	if n := len(db.List("workflows")); n != 2 {
		t.Errorf("len(List(workflows)) = %d, want 2", n)
	}
	if n := len(db.List("Bad Kind")); n != 0 {
		t.Errorf("len(List(%q)) = %d, want 0", "Bad Kind", n)
	}
	checkModes(t, db.Dir())
}

func TestRecordNames(t *testing.T) {
	db := openDB(t, dataDir(t), Options{})
	tests := []struct {
		kind, id string
		want     string // "" = accepted, else a substring of the error
	}{
		{"workflows", "abc", ""},
		{strings.Repeat("k", 32), strings.Repeat("I", 128), ""},
		{"a_1", "x..y", ""},
		{"a", "-._", ""},
		{"", "x", "kind must be 1 to 32 characters of a-z, 0-9 and _"},
		{strings.Repeat("k", 33), "x", "kind must be"},
		{"Workflows", "x", "kind must be"},
		{"work-flows", "x", "kind must be"},
		{"../x", "x", "kind must be"},
		{"a/b", "x", "kind must be"},
		{"k", "", `id must be 1 to 128 characters of A-Z, a-z, 0-9, "_", "." and "-", not starting with "."`},
		{"k", strings.Repeat("i", 129), "id must be"},
		{"k", ".", "id must be"},
		{"k", "..", "id must be"},
		{"k", ".hidden", "id must be"},
		{"k", "a/b", "id must be"},
		{"k", `a\b`, "id must be"},
		{"k", "a b", "id must be"},
		{"k", "a\x00", "id must be"},
		{"k", "é", "id must be"},
	}
	for _, tc := range tests {
		err := db.PutRaw(tc.kind, tc.id, []byte(`{}`))
		if tc.want == "" {
			if err != nil {
				t.Errorf("PutRaw(%q, %q) = %v, want nil", tc.kind, tc.id, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("PutRaw(%q, %q) = %v, want ErrInvalidKey saying %q", tc.kind, tc.id, err, tc.want)
		}
		if _, err := db.Delete(tc.kind, tc.id); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q, %q) = %v, want ErrInvalidKey", tc.kind, tc.id, err)
		}
		if _, ok := db.Get(tc.kind, tc.id); ok {
			t.Errorf("Get(%q, %q) = found, want missing", tc.kind, tc.id)
		}
	}
	for _, data := range []string{"", "{", `{"a":1}x`, "nul\x00"} {
		if err := db.PutRaw("k", "x", []byte(data)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
			t.Errorf("PutRaw(k, x, %q) = %v, want not valid JSON", data, err)
		}
	}
	if err := db.Put("k", "x", func() {}); err == nil {
		t.Errorf("Put(k, x, func) = nil, want error")
	}
	if got := tmpFiles(t, db.Dir()); len(got) != 0 {
		t.Errorf("tmp after failed puts = %q, want empty", got)
	}
}

func TestCorruptRecordSkipped(t *testing.T) {
	var logs logBuffer
	db := openDB(t, dataDir(t), Options{})
	if err := db.PutRaw("jobs", "good", []byte(`{"ok":true}`)); err != nil {
		t.Fatalf("PutRaw(jobs, good) = %v", err)
	}
	dir := db.Dir()
	db.Close()
	plant := map[string]string{
		"records/jobs/torn.json":   `{"ok":tr`,
		"records/jobs/notes.txt":   `{}`,
		"records/jobs/.x.json":     `{}`,
		"records/Bad-Kind/x.json":  `{}`,
		"records/stray-file.json":  `{}`,
		"tmp/leftover-from-crash":  `half`,
		"records/jobs/empty.json":  ``,
		"records/jobs/spaces.json": "  \n",
	}
	for name, content := range plant {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db = openDB(t, dir, Options{Logger: logs.logger()})
	if got, ok := db.Get("jobs", "good"); !ok || string(got) != `{"ok":true}` {
		t.Errorf("Get(jobs, good) = %q, %v, want the record", got, ok)
	}
	for _, id := range []string{"torn", "empty", "spaces"} {
		if _, ok := db.Get("jobs", id); ok {
			t.Errorf("Get(jobs, %q) = found, want skipped", id)
		}
		if !strings.Contains(logs.String(), "records/jobs/"+id+".json") {
			t.Errorf("log does not mention corrupt record %q:\n%s", id, logs.String())
		}
	}
	if n := len(db.List("jobs")); n != 1 {
		t.Errorf("len(List(jobs)) = %d, want 1", n)
	}
	if got := tmpFiles(t, dir); len(got) != 0 {
		t.Errorf("tmp after Open = %q, want empty", got)
	}
	// Delete clears a corrupt file the index never held.
	if existed, err := db.Delete("jobs", "torn"); existed || err != nil {
		t.Errorf("Delete(jobs, torn) = %v, %v, want false, nil", existed, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "records/jobs/torn.json")); !os.IsNotExist(err) {
		t.Errorf("Stat(torn.json) after Delete = %v, want not exist", err)
	}
}

// TestConcurrentRecords runs many writers on shared and private ids and
// checks that the index agrees with the disk (as seen after reopening) and
// every value is one that was written whole.
func TestConcurrentRecords(t *testing.T) {
	db := openDB(t, dataDir(t), Options{})
	const writers, rounds = 16, 40
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				ids := []string{fmt.Sprintf("shared%d", i%3), fmt.Sprintf("own%d", w)}
				for _, id := range ids {
					v := map[string]any{"w": w, "i": i, "pad": strings.Repeat("x", (w*i)%5000)}
					if err := db.Put("jobs", id, v); err != nil {
						t.Errorf("Put(jobs, %q) = %v", id, err)
						return
					}
				}
				if i%7 == 0 {
					if _, err := db.Delete("jobs", fmt.Sprintf("shared%d", (i+1)%3)); err != nil {
						t.Errorf("Delete = %v", err)
					}
				}
				db.Get("jobs", "shared0")
				db.List("jobs")
			}
		})
	}
	wg.Wait()
	before := db.List("jobs")
	db = reopen(t, db, Options{})
	after := db.List("jobs")
	if len(before) != len(after) {
		t.Fatalf("len(List) before reopen = %d, after = %d", len(before), len(after))
	}
	for i := range before {
		if before[i].ID != after[i].ID || string(before[i].Data) != string(after[i].Data) {
			t.Errorf("record %d: before reopen %s=%s, after %s=%s", i, before[i].ID, before[i].Data, after[i].ID, after[i].Data)
		}
		var v struct{ W, I int }
		if err := json.Unmarshal(after[i].Data, &v); err != nil {
			t.Errorf("record %s = %q: %v", after[i].ID, after[i].Data, err)
		}
	}
	for w := range writers {
		got, ok := db.Get("jobs", fmt.Sprintf("own%d", w))
		want := fmt.Sprintf(`{"i":%d,"pad":%q,"w":%d}`, rounds-1, strings.Repeat("x", (w*(rounds-1))%5000), w)
		if !ok || string(got) != want {
			t.Errorf("Get(jobs, own%d) = %.60q, want %.60q", w, got, want)
		}
	}
	if got := tmpFiles(t, db.Dir()); len(got) != 0 {
		t.Errorf("tmp = %q, want empty", got)
	}
}
