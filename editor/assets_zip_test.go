package editor

import (
	"archive/zip"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// readZip returns the entries of a ZIP archive: name -> content ("/"
// for folders).
func readZip(t *testing.T, body string) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a ZIP archive: %v", err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		if _, dup := out[f.Name]; dup {
			t.Errorf("entry %q twice", f.Name)
		}
		if strings.HasSuffix(f.Name, "/") {
			out[f.Name] = "/"
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("entry %q: %v", f.Name, err)
		}
		out[f.Name] = string(b)
	}
	return out
}

func TestAssetDownload(t *testing.T) {
	now := time.Date(2025, 12, 19, 14, 3, 11, 0, time.UTC)
	e := newTestEditor(t, testOptions{deps: func(d *Deps) { d.Now = func() time.Time { return now } }})
	c := e.A
	photos := folder(t, c, "Photos", "")
	sub := folder(t, c, "Sub", photos.ID)
	// Clashing names are numbered in id order, and ids are ordered only
	// from one millisecond to the next.
	later := func() { time.Sleep(2 * time.Millisecond) }
	cat1 := file(t, c, "cat", "image/png", photos.ID, "cat one")
	later()
	file(t, c, "cat.png", "image/png", photos.ID, "cat two")
	later()
	file(t, c, "CAT.PNG", "image/png", photos.ID, "cat three")
	file(t, c, "notes", "text/plain", sub.ID, "some notes")
	file(t, c, "../../evil", "text/plain", sub.ID, "evil")
	mustUpload(t, c, map[string]any{"name": "empty", "content_type": "text/plain"}, "") // no content: skipped
	later()
	folder(t, c, "Sub", photos.ID) // a second "Sub"
	lone := file(t, c, "lone.json", "application/json", "", `{"a":1}`)
	other := file(t, e.B, "b.txt", "text/plain", "", "B's file")

	body, _ := json.Marshal(map[string]any{"asset_ids": []string{photos.ID, lone.ID, other.ID, cat1.ID, "0123456789abcdef0123456789abcdef"}})
	code, got, h := c.do(t, "POST", "/api/assets/download", string(body), "Content-Type", "application/json")
	if code != 200 || h.Get("Content-Type") != "application/zip" ||
		h.Get("Content-Disposition") != "attachment; filename=assets_20251219_140311.zip" || !strings.Contains(h.Get("Cache-Control"), "no-cache") {
		t.Fatalf("download = %d %v", code, h)
	}
	entries := readZip(t, got)
	want := map[string]string{
		"Photos/":                   "/",
		"Photos/Sub/":               "/",
		"Photos/Sub_1/":             "/",
		"Photos/cat.png":            "cat one",
		"Photos/cat_1.png":          "cat two",
		"Photos/CAT_2.PNG":          "cat three",
		"Photos/Sub/notes.txt":      "some notes",
		"Photos/Sub/.._.._evil.txt": "evil",
		"lone.json":                 `{"a":1}`,
	}
	if !maps.Equal(entries, want) {
		t.Errorf("entries:\n got %v\nwant %v", slices.Sorted(maps.Keys(entries)), slices.Sorted(maps.Keys(want)))
		for k, v := range entries {
			if want[k] != v {
				t.Errorf("%q = %q, want %q", k, v, want[k])
			}
		}
	}
	// A file alone is put under its folders' names.
	body, _ = json.Marshal(map[string]any{"asset_ids": []string{cat1.ID}})
	_, got, _ = c.do(t, "POST", "/api/assets/download", string(body))
	if entries := readZip(t, got); !maps.Equal(entries, map[string]string{"Photos/cat.png": "cat one"}) {
		t.Errorf("one file = %v", entries)
	}
	// Only another user's assets: an empty archive.
	body, _ = json.Marshal(map[string]any{"asset_ids": []string{other.ID}})
	if _, got, _ = c.do(t, "POST", "/api/assets/download", string(body)); len(readZip(t, got)) != 0 {
		t.Errorf("B's file was downloaded by A")
	}
	// The whole home folder.
	body, _ = json.Marshal(map[string]any{"asset_ids": []string{"user-a"}})
	if _, got, _ = c.do(t, "POST", "/api/assets/download", string(body)); len(readZip(t, got)) != len(want) {
		t.Errorf("home download = %v", readZip(t, got))
	}
	c.wantDetail(t, "POST", "/api/assets/download", `{"asset_ids":[]}`, 400, "No asset IDs provided")
	c.wantDetail(t, "POST", "/api/assets/download", `{}`, 400, "No asset IDs provided")
	c.wantDetail(t, "POST", "/api/assets/download", `{"asset_ids":"x"}`, 422, "asset_ids")
	c.wantDetail(t, "POST", "/api/assets/download", `[`, 400, "malformed JSON")
}

func TestSafeName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a.txt", "a.txt"}, {"..", "unnamed"}, {".", "unnamed"}, {"", "unnamed"}, {"a/b", "a_b"},
		{`a\b`, "a_b"}, {"../../x", ".._.._x"}, {"C:x", "C_x"}, {"a\x00b\nc", "a_b_c"}, {" x ", "x"},
		{"bad\xffutf8", "bad_utf8"},
	}
	for _, c := range cases {
		if got := safeName(c.in); got != c.want {
			t.Errorf("safeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
