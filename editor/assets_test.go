package editor

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// assetOut is an Asset answer.
type assetOut struct {
	ID          string          `json:"id"`
	UserID      string          `json:"user_id"`
	WorkflowID  *string         `json:"workflow_id"`
	ParentID    string          `json:"parent_id"`
	Name        string          `json:"name"`
	ContentType string          `json:"content_type"`
	Size        *int64          `json:"size"`
	Metadata    json.RawMessage `json:"metadata"`
	CreatedAt   string          `json:"created_at"`
	Duration    *float64        `json:"duration"`
	GetURL      *string         `json:"get_url"`
	ThumbURL    *string         `json:"thumb_url"`
	Children    []assetOut      `json:"children"`
}

// uploadBody streams a multipart body: the json field, then, when file is
// not nil, the file field read from file. Fields are written in the order
// given by jsonFirst.
func uploadBody(jsonField string, file io.Reader, jsonFirst bool) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		writeJSON := func() error {
			if jsonField == "" {
				return nil
			}
			return mw.WriteField("json", jsonField)
		}
		writeFile := func() error {
			if file == nil {
				return nil
			}
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="file"; filename="upload.bin"`)
			h.Set("Content-Type", "application/octet-stream")
			fw, err := mw.CreatePart(h)
			if err != nil {
				return err
			}
			_, err = io.Copy(fw, file)
			return err
		}
		first, second := writeJSON, writeFile
		if !jsonFirst {
			first, second = writeFile, writeJSON
		}
		err := first()
		if err == nil {
			err = second()
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

// upload creates an asset from req and, when file is not nil, its content.
func upload(t *testing.T, c *testClient, req any, file io.Reader) (int, string) {
	t.Helper()
	data, _ := json.Marshal(req)
	body, ctype := uploadBody(string(data), file, true)
	resp := c.request(t, "POST", "/api/assets", body, "Content-Type", ctype)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func mustUpload(t *testing.T, c *testClient, req any, content string) assetOut {
	t.Helper()
	var file io.Reader
	if content != "" {
		file = strings.NewReader(content)
	}
	code, body := upload(t, c, req, file)
	if code != 200 {
		t.Fatalf("upload %v as %q = %d %s", req, c.User, code, body)
	}
	var a assetOut
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func folder(t *testing.T, c *testClient, name, parent string) assetOut {
	t.Helper()
	req := map[string]any{"name": name, "content_type": "folder"}
	if parent != "" {
		req["parent_id"] = parent
	}
	return mustUpload(t, c, req, "")
}

func file(t *testing.T, c *testClient, name, ctype, parent, content string) assetOut {
	t.Helper()
	req := map[string]any{"name": name, "content_type": ctype}
	if parent != "" {
		req["parent_id"] = parent
	}
	return mustUpload(t, c, req, content)
}

// genReader yields n bytes of a repeating pattern without holding them.
type genReader struct{ n, off int64 }

func (g *genReader) Read(p []byte) (int, error) {
	if g.off >= g.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.n-g.off)]
	for i := range p {
		p[i] = byte((g.off + int64(i)) * 7 % 251)
	}
	g.off += int64(len(p))
	return len(p), nil
}

func TestAssetCreateAndGet(t *testing.T) {
	e := newTestEditor(t, testOptions{publicURL: "http://example.test:7777/"})
	c := e.Local
	f := folder(t, c, "Photos", "")
	if f.ParentID != "1" || f.ContentType != "folder" || f.GetURL != nil || f.ThumbURL != nil || f.Size != nil || len(f.ID) != 32 {
		t.Errorf("folder = %+v", f)
	}
	img := file(t, c, "  cat.png ", "image/png", f.ID, "PNGDATA")
	want := "http://example.test:7777/api/storage/" + img.ID + ".png"
	if img.Name != "cat.png" || img.ParentID != f.ID || img.Size == nil || *img.Size != 7 || img.GetURL == nil || *img.GetURL != want || img.ThumbURL != nil {
		t.Errorf("image = %+v, want get_url %s, no thumb_url", img, want)
	}
	if !strings.HasSuffix(img.CreatedAt, "Z") || len(img.CreatedAt) != len("2025-12-19T14:10:00.000000Z") {
		t.Errorf("created_at = %q, want RFC 3339 UTC with microseconds", img.CreatedAt)
	}
	// The content is served at get_url's path.
	if code, body, h := c.do(t, "GET", "/api/storage/"+img.ID+".png", ""); code != 200 || body != "PNGDATA" || h.Get("Content-Type") != "image/png" {
		t.Errorf("GET content = %d %q %s", code, body, h.Get("Content-Type"))
	}
	// A thumbnail blob, once stored, shows in thumb_url.
	c.json(t, "PUT", "/api/storage/"+img.ID+"_thumb.jpg", "JPEG", 200, nil)
	var got assetOut
	c.json(t, "GET", "/api/assets/"+img.ID, nil, 200, &got)
	if got.ThumbURL == nil || *got.ThumbURL != "http://example.test:7777/api/storage/"+img.ID+"_thumb.jpg" {
		t.Errorf("thumb_url = %v", got.ThumbURL)
	}
	// A placeholder without a file keeps the size it was given; metadata
	// and duration are kept.
	ph := mustUpload(t, c, map[string]any{"name": "song", "content_type": "audio/mpeg", "size": 1234,
		"duration": 2.5, "metadata": map[string]any{"k": "v"}, "workflow_id": nil, "extra": "ignored"}, "")
	if *ph.Size != 1234 || *ph.Duration != 2.5 || string(ph.Metadata) != `{"k":"v"}` || *ph.GetURL != "http://example.test:7777/api/storage/"+ph.ID+".mp3" {
		t.Errorf("placeholder = %+v", ph)
	}
	// The home folder.
	raw := c.json(t, "GET", "/api/assets/1", nil, 200, nil)
	if raw != `{"id":"1","user_id":"1","workflow_id":null,"parent_id":"","name":"Home","content_type":"folder","size":null,"metadata":null,"created_at":"","duration":null,"get_url":null,"thumb_url":null}` {
		t.Errorf("home = %s", raw)
	}
	c.wantDetail(t, "GET", "/api/assets/0123456789abcdef0123456789abcdef", "", 404, "Asset not found")
}

func TestAssetCreateErrors(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.A
	f := folder(t, c, "F", "")
	txt := file(t, c, "a.txt", "text/plain", "", "x")
	otherFolder := folder(t, e.B, "B's", "")
	cases := []struct {
		name string
		req  any
		code int
		want string
	}{
		{"no name", map[string]any{"content_type": "text/plain"}, 422, `"name" is required`},
		{"no content type", map[string]any{"name": "x"}, 422, `"content_type" is required`},
		{"blank name", map[string]any{"name": "  ", "content_type": "text/plain"}, 422, "name must not be empty"},
		{"control name", map[string]any{"name": "a\x00b", "content_type": "text/plain"}, 422, "control characters"},
		{"long name", map[string]any{"name": strings.Repeat("n", 1025), "content_type": "text/plain"}, 422, "longer than"},
		{"name type", map[string]any{"name": 5, "content_type": "text/plain"}, 422, `"name" must be a string`},
		{"metadata list", map[string]any{"name": "x", "content_type": "text/plain", "metadata": []int{1}}, 422, "metadata"},
		{"negative size", map[string]any{"name": "x", "content_type": "text/plain", "size": -1}, 422, "size"},
		{"parent missing", map[string]any{"name": "x", "content_type": "text/plain", "parent_id": "0123456789abcdef0123456789abcdef"}, 404, "Parent folder not found"},
		{"parent of another user", map[string]any{"name": "x", "content_type": "text/plain", "parent_id": otherFolder.ID}, 404, "Parent folder not found"},
		{"parent is a file", map[string]any{"name": "x", "content_type": "text/plain", "parent_id": txt.ID}, 422, "must name a folder"},
		{"bad workflow id", map[string]any{"name": "x", "content_type": "text/plain", "workflow_id": "../x"}, 422, "workflow_id"},
	}
	for _, tc := range cases {
		code, body := upload(t, c, tc.req, nil)
		var e struct{ Detail string }
		if code != tc.code || json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Detail, tc.want) {
			t.Errorf("%s: %d %s, want %d %q", tc.name, code, body, tc.code, tc.want)
		}
	}
	_ = f // a folder of A's, so the listing below has two assets

	// Malformed JSON in the json field: 400.
	body, ctype := uploadBody(`{"name":`, nil, true)
	if code, got, _ := doBody(t, c, "POST", "/api/assets", body, ctype); code != 400 || !strings.Contains(got, "malformed JSON") {
		t.Errorf("malformed json field = %d %s", code, got)
	}
	// No json field: 400 "Missing JSON body".
	body, ctype = uploadBody("", nil, true)
	if code, got, _ := doBody(t, c, "POST", "/api/assets", body, ctype); code != 400 || got != `{"detail":"Missing JSON body"}` {
		t.Errorf("no json field = %d %s", code, got)
	}
	// The file before the json field: 400, nothing stored.
	body, ctype = uploadBody(`{"name":"x","content_type":"text/plain"}`, strings.NewReader("data"), false)
	if code, got, _ := doBody(t, c, "POST", "/api/assets", body, ctype); code != 400 || !strings.Contains(got, "Missing JSON body") {
		t.Errorf("file first = %d %s", code, got)
	}
	// A file for a folder: 422.
	if code, got := upload(t, c, map[string]any{"name": "d", "content_type": "folder"}, strings.NewReader("x")); code != 422 {
		t.Errorf("folder with a file = %d %s", code, got)
	}
	// Not multipart at all.
	c.wantDetail(t, "POST", "/api/assets", `{"name":"x","content_type":"folder"}`, 400, "multipart/form-data")

	// Nothing but the three successful assets was stored.
	var list struct{ Assets []assetOut }
	c.json(t, "GET", "/api/assets?parent_id="+c.User, nil, 200, &list)
	if len(list.Assets) != 2 {
		t.Errorf("assets at home = %d, want 2", len(list.Assets))
	}
	if n := len(e.DB.List("assets")); n != 3 {
		t.Errorf("%d asset records, want 3", n)
	}
}

func doBody(t *testing.T, c *testClient, method, path string, body io.Reader, ctype string) (int, string, http.Header) {
	t.Helper()
	resp := c.request(t, method, path, body, "Content-Type", ctype)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestAssetWorkflowOwnership(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	graph := map[string]any{"nodes": []any{}, "edges": []any{}}
	var wfB, wfPublic struct{ ID string }
	e.B.json(t, "POST", "/api/workflows", map[string]any{"name": "b", "access": "private", "graph": graph}, 200, &wfB)
	e.B.json(t, "POST", "/api/workflows", map[string]any{"name": "p", "access": "public", "graph": graph}, 200, &wfPublic)
	var wfA struct{ ID string }
	e.A.json(t, "POST", "/api/workflows", map[string]any{"name": "a", "access": "private", "graph": graph}, 200, &wfA)
	for _, id := range []string{wfB.ID, wfPublic.ID} {
		code, body := upload(t, e.A, map[string]any{"name": "x", "content_type": "text/plain", "workflow_id": id}, nil)
		if code != 404 || body != `{"detail":"Workflow not found"}` {
			t.Errorf("asset for B's workflow = %d %s", code, body)
		}
	}
	a := mustUpload(t, e.A, map[string]any{"name": "x", "content_type": "text/plain", "workflow_id": wfA.ID}, "")
	if a.WorkflowID == nil || *a.WorkflowID != wfA.ID {
		t.Errorf("workflow_id = %v", a.WorkflowID)
	}
	// So is one that does not exist (NodeTool accepted it; refusing
	// only other users' would reveal which ids exist).
	code, body := upload(t, e.A, map[string]any{"name": "y", "content_type": "text/plain", "workflow_id": "0123456789abcdef0123456789abcdef"}, nil)
	if code != 404 || body != `{"detail":"Workflow not found"}` {
		t.Errorf("asset for no workflow = %d %s", code, body)
	}
}

// TestAssetUploadStreamed sends a 20 MiB file from a generator: it is
// stored byte for byte without being held in memory; over the limit it is
// 413 and leaves nothing behind.
func TestAssetUploadStreamed(t *testing.T) {
	const size = 20 << 20
	e := newTestEditor(t, testOptions{maxUpload: size})
	c := e.Local

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	code, body := upload(t, c, map[string]any{"name": "big.bin", "content_type": "application/octet-stream"}, &genReader{n: size})
	runtime.ReadMemStats(&after)
	if code != 200 {
		t.Fatalf("upload = %d %s", code, body)
	}
	t.Logf("allocated %d bytes for a %d-byte upload", after.TotalAlloc-before.TotalAlloc, size)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/2 {
		t.Errorf("uploading %d bytes allocated %d bytes: the file is buffered", size, alloc)
	}
	var big assetOut
	json.Unmarshal([]byte(body), &big)
	if big.Size == nil || *big.Size != size {
		t.Fatalf("size = %v, want %d", big.Size, size)
	}
	resp := c.request(t, "GET", "/api/storage/"+big.ID+".bin", nil)
	h := sha256.New()
	n, _ := io.Copy(h, resp.Body)
	resp.Body.Close()
	want := sha256.New()
	io.Copy(want, &genReader{n: size})
	if n != size || string(h.Sum(nil)) != string(want.Sum(nil)) {
		t.Errorf("stored content differs: %d bytes", n)
	}

	// One byte over the limit: 413, no record, no blob.
	records := len(e.DB.List("assets"))
	code, body = upload(t, c, map[string]any{"name": "huge.bin", "content_type": "application/octet-stream"}, &genReader{n: size + 1})
	if code != 413 || !strings.Contains(body, "limit is 20 MiB") {
		t.Errorf("oversized upload = %d %s, want 413", code, body)
	}
	if got := len(e.DB.List("assets")); got != records {
		t.Errorf("the oversized upload made a record: %d records, want %d", got, records)
	}
	blobs, _ := e.DB.Blobs("assets")
	infos, _ := blobs.List("")
	if len(infos) != 1 {
		t.Errorf("blobs after the oversized upload: %v, want only the first file", infos)
	}
}

func TestAssetListPagination(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.Local
	var ids []string
	for i := range 5 {
		ids = append(ids, file(t, c, fmt.Sprintf("f%d.txt", i), "text/plain", "", "x").ID)
	}
	f := folder(t, c, "sub", "")
	inner := file(t, c, "inner.png", "image/png", f.ID, "x")
	// NodeTool's test: 5 assets, page_size 3 -> 3 and a cursor, then 2 and "".
	var p1, p2 struct {
		Next   string     `json:"next"`
		Assets []assetOut `json:"assets"`
	}
	c.json(t, "GET", "/api/assets?content_type=text&page_size=3", nil, 200, &p1)
	if len(p1.Assets) != 3 || p1.Next != p1.Assets[2].ID {
		t.Fatalf("page 1 = %d assets, next %q", len(p1.Assets), p1.Next)
	}
	c.json(t, "GET", "/api/assets?content_type=text&page_size=3&cursor="+p1.Next, nil, 200, &p2)
	if len(p2.Assets) != 2 || p2.Next != "" {
		t.Fatalf("page 2 = %d assets, next %q", len(p2.Assets), p2.Next)
	}
	var got []string
	for _, a := range append(p1.Assets, p2.Assets...) {
		got = append(got, a.ID)
	}
	if !slices.Equal(got, slices.Sorted(slices.Values(ids))) { // ids made in one millisecond are in any order
		t.Errorf("walk = %v, want %v", got, ids)
	}
	// The root listing (no parameters) has the 5 files and the folder;
	// a folder listing has its children; content_type alone searches
	// every folder.
	var root, sub, images struct{ Assets []assetOut }
	c.json(t, "GET", "/api/assets/", nil, 200, &root)
	c.json(t, "GET", "/api/assets?parent_id="+f.ID, nil, 200, &sub)
	c.json(t, "GET", "/api/assets?content_type=image", nil, 200, &images)
	if len(root.Assets) != 6 || len(sub.Assets) != 1 || sub.Assets[0].ID != inner.ID || len(images.Assets) != 1 {
		t.Errorf("root %d, sub %d, images %d assets", len(root.Assets), len(sub.Assets), len(images.Assets))
	}
	c.wantDetail(t, "GET", "/api/assets?page_size=0", "", 400, "page_size")
	c.wantDetail(t, "GET", "/api/assets?page_size=x", "", 400, "page_size")
}

func TestAssetOwnership(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	fa := folder(t, e.A, "A's", "")
	xa := file(t, e.A, "secret.txt", "text/plain", fa.ID, "A's secret")
	folder(t, e.B, "B's", "")
	// B sees none of A's assets, anywhere.
	var list struct{ Assets []assetOut }
	e.B.json(t, "GET", "/api/assets?parent_id="+fa.ID, nil, 200, &list)
	if len(list.Assets) != 0 {
		t.Errorf("B lists A's folder: %v", list.Assets)
	}
	e.B.json(t, "GET", "/api/assets?content_type=text", nil, 200, &list)
	if len(list.Assets) != 0 {
		t.Errorf("B lists A's files: %v", list.Assets)
	}
	for _, id := range []string{fa.ID, xa.ID} {
		e.B.wantDetail(t, "GET", "/api/assets/"+id, "", 404, "Asset not found")
		e.B.wantDetail(t, "PUT", "/api/assets/"+id, `{"name":"mine","parent_id":null,"content_type":null}`, 404, "Asset not found")
		e.B.wantDetail(t, "DELETE", "/api/assets/"+id, "", 404, "Asset not found")
	}
	var tree struct{ Assets []assetOut }
	e.B.json(t, "GET", "/api/assets/"+fa.ID+"/recursive", nil, 200, &tree)
	if len(tree.Assets) != 0 {
		t.Errorf("B's tree of A's folder = %v", tree.Assets)
	}
	var search struct{ Assets []assetOut }
	e.B.json(t, "GET", "/api/assets/search?query=secret", nil, 200, &search)
	if len(search.Assets) != 0 {
		t.Errorf("B finds A's assets: %v", search.Assets)
	}
	// B's home is not A's.
	var home assetOut
	e.B.json(t, "GET", "/api/assets/user-b", nil, 200, &home)
	if home.Name != "Home" || home.UserID != "user-b" {
		t.Errorf("B's home = %+v", home)
	}
	e.B.wantDetail(t, "GET", "/api/assets/user-a", "", 404, "Asset not found")
	// Nothing changed for A.
	var got assetOut
	e.A.json(t, "GET", "/api/assets/"+xa.ID, nil, 200, &got)
	if got.Name != "secret.txt" || got.ParentID != fa.ID {
		t.Errorf("A's file after B's attempts = %+v", got)
	}
	// Without credentials, the JWT server refuses.
	if code, _, h := e.Anon.do(t, "GET", "/api/assets", ""); code != 401 || h.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("anonymous = %d", code)
	}
}

func TestAssetUpdate(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.A
	f1, f2 := folder(t, c, "one", ""), folder(t, c, "two", "")
	sub := folder(t, c, "sub", f1.ID)
	txt := file(t, c, "notes.txt", "text/plain", "", "old")
	put := func(id string, body any, want int) assetOut {
		t.Helper()
		var a assetOut
		c.json(t, "PUT", "/api/assets/"+id, body, want, &a)
		return a
	}
	// Null and empty values change nothing.
	a := put(txt.ID, map[string]any{"name": nil, "parent_id": "", "content_type": nil, "metadata": map[string]any{}}, 200)
	if a.Name != "notes.txt" || a.ParentID != "user-a" || a.ContentType != "text/plain" || a.Metadata != nil && string(a.Metadata) != "null" {
		t.Errorf("no-op update = %+v", a)
	}
	// Rename (trimmed), move, metadata, and new text content.
	a = put(txt.ID, map[string]any{"name": " renamed.txt ", "parent_id": f1.ID, "content_type": nil,
		"metadata": map[string]any{"a": 1}, "data": "new content"}, 200)
	if a.Name != "renamed.txt" || a.ParentID != f1.ID || string(a.Metadata) != `{"a":1}` || *a.Size != 11 {
		t.Errorf("update = %+v", a)
	}
	if _, body, _ := c.do(t, "GET", "/api/storage/"+txt.ID+".txt", ""); body != "new content" {
		t.Errorf("content after data = %q", body)
	}
	// A content type with another extension moves the content.
	a = put(txt.ID, map[string]any{"name": nil, "parent_id": nil, "content_type": "application/json"}, 200)
	if *a.GetURL != "http://localhost:7777/api/storage/"+txt.ID+".json" {
		t.Errorf("get_url = %s", *a.GetURL)
	}
	if code, body, _ := c.do(t, "GET", "/api/storage/"+txt.ID+".json", ""); code != 200 || body != "new content" {
		t.Errorf("moved content = %d %q", code, body)
	}
	blobs, _ := e.DB.Blobs("assets")
	if _, err := blobs.Stat(txt.ID + ".txt"); err == nil {
		t.Errorf("the old blob is still there")
	}
	// Moves of folders: into a sibling is fine, into itself or below
	// it is not.
	put(f1.ID, map[string]any{"name": nil, "parent_id": f2.ID, "content_type": nil}, 200)
	for _, target := range []string{f1.ID, sub.ID} {
		c.wantDetail(t, "PUT", "/api/assets/"+f1.ID, `{"name":null,"content_type":null,"parent_id":"`+target+`"}`, 422, "cannot be moved into itself")
	}
	c.wantDetail(t, "PUT", "/api/assets/"+f2.ID, `{"name":null,"content_type":null,"parent_id":"`+sub.ID+`"}`, 422, "cannot be moved into itself")
	// Back home by the user id.
	if a := put(f1.ID, map[string]any{"name": nil, "parent_id": "user-a", "content_type": nil}, 200); a.ParentID != "user-a" {
		t.Errorf("moved home: parent %s", a.ParentID)
	}
	bFolder := folder(t, e.B, "B's", "")
	cases := []struct {
		name, id, body string
		code           int
		want           string
	}{
		{"missing name key", txt.ID, `{"parent_id":null,"content_type":null}`, 422, `"name" is required`},
		{"missing parent key", txt.ID, `{"name":null,"content_type":null}`, 422, `"parent_id" is required`},
		{"missing content_type key", txt.ID, `{"name":null,"parent_id":null}`, 422, `"content_type" is required`},
		{"malformed", txt.ID, `{"name":`, 400, "malformed JSON"},
		{"trailing data", txt.ID, `{"name":null,"parent_id":null,"content_type":null} {}`, 400, "malformed JSON"},
		{"wrong type", txt.ID, `{"name":1,"parent_id":null,"content_type":null}`, 422, `"name" must be a string`},
		{"into another user's folder", txt.ID, `{"name":null,"content_type":null,"parent_id":"` + bFolder.ID + `"}`, 404, "Parent folder not found"},
		{"into a file", f2.ID, `{"name":null,"content_type":null,"parent_id":"` + txt.ID + `"}`, 422, "must name a folder"},
		{"folder to file", f2.ID, `{"name":null,"parent_id":null,"content_type":"text/plain"}`, 422, "cannot become"},
		{"file to folder", txt.ID, `{"name":null,"parent_id":null,"content_type":"folder"}`, 422, "cannot become"},
		{"data on a folder", f2.ID, `{"name":null,"parent_id":null,"content_type":null,"data":"x"}`, 422, "a folder has no content"},
		{"blank name", txt.ID, `{"name":"   ","parent_id":null,"content_type":null}`, 422, "name must not be empty"},
		{"missing", "0123456789abcdef0123456789abcdef", `{"name":null,"parent_id":null,"content_type":null}`, 404, "Asset not found"},
		{"home", "user-a", `{"name":"x","parent_id":null,"content_type":null}`, 422, "Home folder cannot be changed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { c.wantDetail(t, "PUT", "/api/assets/"+tc.id, tc.body, tc.code, tc.want) })
	}
}

func TestAssetDelete(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.Local
	top := folder(t, c, "top", "")
	mid := folder(t, c, "mid", top.ID)
	img := file(t, c, "a.png", "image/png", mid.ID, "img")
	c.json(t, "PUT", "/api/storage/"+img.ID+"_thumb.jpg", "thumb", 200, nil)
	txt := file(t, c, "b.txt", "text/plain", top.ID, "txt")
	keep := file(t, c, "keep.txt", "text/plain", "", "keep")

	var res struct {
		Deleted []string `json:"deleted_asset_ids"`
	}
	c.json(t, "DELETE", "/api/assets/"+top.ID, nil, 200, &res)
	want := []string{img.ID, mid.ID, txt.ID, top.ID} // children before their folder, in id order
	if txt.ID < mid.ID {
		want = []string{txt.ID, img.ID, mid.ID, top.ID}
	}
	if !slices.Equal(res.Deleted, want) {
		t.Errorf("deleted = %v, want %v", res.Deleted, want)
	}
	for _, id := range want {
		c.wantDetail(t, "GET", "/api/assets/"+id, "", 404, "Asset not found")
	}
	blobs, _ := e.DB.Blobs("assets")
	infos, _ := blobs.List("")
	if len(infos) != 1 || infos[0].Key != keep.ID+".txt" {
		t.Errorf("blobs left: %v, want only %s.txt", infos, keep.ID)
	}
	// A second delete is 404, not NodeTool's 500.
	c.wantDetail(t, "DELETE", "/api/assets/"+top.ID, "", 404, "Asset not found")
	c.wantDetail(t, "DELETE", "/api/assets/1", "", 422, "Home folder cannot be deleted")
	c.json(t, "DELETE", "/api/assets/"+keep.ID, nil, 200, &res)
	if !slices.Equal(res.Deleted, []string{keep.ID}) {
		t.Errorf("deleted = %v", res.Deleted)
	}
}

func TestAssetSearch(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.Local
	docs := folder(t, c, "Docs", "")
	deep := folder(t, c, "Deep", docs.ID)
	r1 := file(t, c, "Report 2024.txt", "text/plain", deep.ID, "x")
	r2 := file(t, c, "report.png", "image/png", "", "x")
	r3 := file(t, c, "old REPORT.txt", "text/plain", docs.ID, "x")
	file(t, c, "other.txt", "text/plain", "", "x")
	type hit struct {
		assetOut
		FolderName string `json:"folder_name"`
		FolderPath string `json:"folder_path"`
		FolderID   string `json:"folder_id"`
	}
	type page struct {
		Assets     []hit  `json:"assets"`
		NextCursor string `json:"next_cursor"`
		TotalCount int    `json:"total_count"`
		Global     bool   `json:"is_global_search"`
	}
	var p page
	c.json(t, "GET", "/api/assets/search?query=%20rEpOrT%20", nil, 200, &p)
	if len(p.Assets) != 3 || p.TotalCount != 3 || !p.Global || p.NextCursor != "" {
		t.Fatalf("search = %+v", p)
	}
	byID := map[string]hit{}
	for _, h := range p.Assets {
		byID[h.ID] = h
	}
	if h := byID[r1.ID]; h.FolderName != "Deep" || h.FolderPath != "Home / Docs / Deep" || h.FolderID != deep.ID || h.GetURL == nil {
		t.Errorf("deep hit = %+v", h)
	}
	if h := byID[r2.ID]; h.FolderName != "Home" || h.FolderPath != "Home" || h.FolderID != "1" {
		t.Errorf("root hit = %+v", h)
	}
	if h := byID[r3.ID]; h.FolderPath != "Home / Docs" {
		t.Errorf("docs hit = %+v", h)
	}
	// Pages and the content type filter.
	var walk []string
	cursor := ""
	for range 5 {
		var p page
		c.json(t, "GET", "/api/assets/search?query=report&page_size=2&cursor="+cursor, nil, 200, &p)
		for _, h := range p.Assets {
			walk = append(walk, h.ID)
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if !slices.Equal(walk, slices.Sorted(slices.Values([]string{r1.ID, r2.ID, r3.ID}))) {
		t.Errorf("walk = %v", walk)
	}
	c.json(t, "GET", "/api/assets/search?query=report&content_type=image/", nil, 200, &p)
	if len(p.Assets) != 1 || p.Assets[0].ID != r2.ID {
		t.Errorf("images = %+v", p.Assets)
	}
	for _, q := range []string{"", "a", "%20%20b%20", "%C3%A9"} {
		c.wantDetail(t, "GET", "/api/assets/search?query="+q, "", 400, "Search query must be at least 2 characters long")
	}
}

func TestAssetRecursive(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.Local
	top := folder(t, c, "top", "")
	mid := folder(t, c, "mid", top.ID)
	img := file(t, c, "a.png", "image/png", mid.ID, "x")
	txt := file(t, c, "b.txt", "text/plain", top.ID, "x")
	file(t, c, "outside.txt", "text/plain", "", "x")
	var tree struct{ Assets []assetOut }
	c.json(t, "GET", "/api/assets/"+top.ID+"/recursive", nil, 200, &tree)
	if len(tree.Assets) != 1 {
		t.Fatalf("tree = %+v", tree)
	}
	root := tree.Assets[0]
	if root.ID != top.ID || len(root.Children) != 2 || root.Children[0].ID > root.Children[1].ID {
		t.Fatalf("top = %+v", root)
	}
	kids := map[string]assetOut{}
	for _, k := range root.Children {
		kids[k.ID] = k
	}
	m := kids[mid.ID]
	if len(m.Children) != 1 || m.Children[0].ID != img.ID || m.Children[0].GetURL == nil || m.Children[0].Children == nil {
		t.Errorf("mid = %+v", m)
	}
	if b := kids[txt.ID]; b.GetURL == nil || *b.GetURL != "http://localhost:7777/api/storage/"+txt.ID+".txt" {
		t.Errorf("file in tree has no URL: %+v", b)
	}
	// The home folder's tree holds everything.
	c.json(t, "GET", "/api/assets/1/recursive", nil, 200, &tree)
	if len(tree.Assets) != 1 || tree.Assets[0].Name != "Home" || len(tree.Assets[0].Children) != 2 {
		t.Errorf("home tree = %+v", tree)
	}
	raw := c.json(t, "GET", "/api/assets/0123456789abcdef0123456789abcdef/recursive", nil, 200, nil)
	if raw != `{"assets":[]}` {
		t.Errorf("missing folder tree = %s", raw)
	}
}

// TestAssetConcurrentCreates creates assets from many goroutines into one
// folder, while another folder is moved around: every create succeeds with
// a distinct id, and the listing has them all.
func TestAssetConcurrentCreates(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.A
	dst := folder(t, c, "dst", "")
	f1, f2 := folder(t, c, "f1", ""), folder(t, c, "f2", "")
	const n = 24
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, body := upload(t, c, map[string]any{"name": fmt.Sprintf("f%d.txt", i), "content_type": "text/plain", "parent_id": dst.ID},
				strings.NewReader(strings.Repeat("x", i*1000)))
			if code != 200 {
				t.Errorf("create %d = %d %s", i, code, body)
				return
			}
			var a assetOut
			json.Unmarshal([]byte(body), &a)
			ids <- a.ID
		}()
	}
	// Concurrent moves of f1 into f2 and f2 into f1: at most one wins,
	// so no cycle ever forms.
	for _, m := range [][2]string{{f1.ID, f2.ID}, {f2.ID, f1.ID}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.do(t, "PUT", "/api/assets/"+m[0], `{"name":null,"content_type":null,"parent_id":"`+m[1]+`"}`)
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	var list struct{ Assets []assetOut }
	c.json(t, "GET", "/api/assets?parent_id="+dst.ID, nil, 200, &list)
	if len(seen) != n || len(list.Assets) != n {
		t.Errorf("%d distinct ids, %d listed, want %d", len(seen), len(list.Assets), n)
	}
	var a1, a2 assetOut
	c.json(t, "GET", "/api/assets/"+f1.ID, nil, 200, &a1)
	c.json(t, "GET", "/api/assets/"+f2.ID, nil, 200, &a2)
	if a1.ParentID == f2.ID && a2.ParentID == f1.ID {
		t.Errorf("the two folders are inside each other")
	}
}

// TestBodyLimits: JSON bodies and the json field of an upload are bounded
// by MaxBody (413); unknown methods are 405 in JSON.
func TestBodyLimits(t *testing.T) {
	e := newTestEditor(t, testOptions{maxBody: 1000})
	c := e.Local
	a := file(t, c, "a.txt", "text/plain", "", "x")
	big := `{"name":null,"parent_id":null,"content_type":null,"data":"` + strings.Repeat("x", 2000) + `"}`
	c.wantDetail(t, "PUT", "/api/assets/"+a.ID, big, 413, "too large")
	c.wantDetail(t, "POST", "/api/threads", `{"title":"`+strings.Repeat("x", 2000)+`"}`, 413, "too large")
	c.wantDetail(t, "PUT", "/api/settings", `{"settings":{"OLLAMA_API_URL":"`+strings.Repeat("x", 2000)+`"},"secrets":{}}`, 413, "too large")
	code, body := upload(t, c, map[string]any{"name": strings.Repeat("n", 2000), "content_type": "text/plain"}, nil)
	if code != 413 || !strings.Contains(body, "json field is too large") {
		t.Errorf("oversized json field = %d %s", code, body)
	}
	c.wantDetail(t, "PATCH", "/api/assets/"+a.ID, "{}", 405, "Method Not Allowed")
	c.wantDetail(t, "POST", "/api/threads/"+a.ID, "{}", 405, "Method Not Allowed")
}
