package libhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"nodetool/egress"
	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
)

// site serves recorded responses of real servers (example.com, GitHub's
// API, raw GitHub files, httpbin's echo routes) from testdata, with the
// headers those servers send.
type site struct {
	*httptest.Server
	mu       sync.Mutex
	lastBody []byte
	flaky    atomic.Int64
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{}
	file := func(name, ctype string, extra ...string) http.HandlerFunc {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			for i := 0; i+1 < len(extra); i += 2 {
				w.Header().Set(extra[i], extra[i+1])
			}
			w.Write(data)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/example", file("example.html", "text/html; charset=UTF-8", "Cache-Control", "max-age=3046", "Etag", `"84238dfc8092e5d9c0dac8ef93371a07:1736799080.121134"`))
	mux.Handle("/latin1", file("latin1.html", "text/html; charset=iso-8859-1"))
	mux.Handle("/repos/golang/go", file("github-repo.json", "application/json; charset=utf-8", "X-GitHub-Media-Type", "github.v3; format=json"))
	mux.Handle("/datasets/gdp/main/data/gdp.csv", file("gdp.csv", "text/plain; charset=utf-8"))
	mux.Handle("/countries.json", file("countries.json", "application/json"))
	mux.Handle("/pixel.png", file("pixel.png", "image/png"))
	mux.Handle("/sample.pdf", file("sample.pdf", "application/pdf"))
	mux.Handle("/papers/1706.03762", file("sample.pdf", "application/pdf", "Content-Disposition", `attachment; filename="attention.pdf"`))
	mux.Handle("/evil", file("sample.pdf", "application/pdf", "Content-Disposition", `attachment; filename="../../escape.txt"`))
	mux.HandleFunc("/anything", s.echo)
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.WriteHeader(code)
	})
	mux.HandleFunc("/redirect-to", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("url"), http.StatusFound)
	})
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if s.flaky.Add(1)%2 == 1 {
			http.Error(w, "upstream busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "recovered")
	})
	mux.HandleFunc("/commas.csv", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "a,b\n"+strings.Repeat(",", 30000)+"\n")
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
		for range 64 { // 4 MiB, no Content-Length
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// echo answers as httpbin.org/anything does.
func (s *site) echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.lastBody = body
	s.mu.Unlock()
	headers := map[string]string{}
	for k, v := range r.Header {
		headers[k] = strings.Join(v, ",")
	}
	headers["Host"] = r.Host
	var js any
	if json.Unmarshal(body, &js) != nil {
		js = nil
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"args": map[string]any{}, "data": string(body), "files": map[string]any{}, "form": map[string]any{},
		"headers": headers, "json": js, "method": r.Method, "origin": "127.0.0.1", "url": "http://" + r.Host + r.URL.String(),
	})
}

func (s *site) body() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastBody
}

// registry is the node library with an egress client allowing allow.
func registry(t *testing.T, mode egress.Mode, allow string) *engine.Registry {
	t.Helper()
	rules, err := egress.ParseRules(allow)
	if err != nil {
		t.Fatal(err)
	}
	c := egress.New(egress.Policy{Mode: mode, Allow: rules}, egress.Options{RetryWait: time.Millisecond})
	return nodes.NewRegistry(nodes.Deps{HTTP: c})
}

// runNode runs one node of reg with data, each output slot feeding an
// Output node of its name; workspace is the run's folder ("" for none).
func runNode(t *testing.T, reg *engine.Registry, typ, data, workspace string, lim engine.Limits) (map[string][]any, *engine.Result) {
	t.Helper()
	def, ok := reg.Lookup(typ)
	if !ok {
		t.Fatalf("unknown node type %s", typ)
	}
	g := (&nodetest.Graph{}).Node("n", typ, data)
	for _, o := range def.Outputs {
		g.Node("out_"+o.Name, "nodetool.output.Output", fmt.Sprintf(`{"name":%q}`, o.Name)).Edge("n", o.Name, "out_"+o.Name, "value")
	}
	p := nodetest.Compile(t, reg, g.JSON())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res := p.Run(ctx, engine.RunOptions{JobID: "j", Workspace: workspace, Limits: lim})
	return res.Outputs, res
}

// output runs a node that must complete and returns the value of slot.
func output(t *testing.T, reg *engine.Registry, typ, data, slot string) any {
	t.Helper()
	outs, res := runNode(t, reg, typ, data, "", engine.Limits{})
	nodetest.WantCompleted(t, res)
	if len(outs[slot]) != 1 {
		t.Fatalf("%s: slot %s got %d values", typ, slot, len(outs[slot]))
	}
	return outs[slot][0]
}

func failure(t *testing.T, reg *engine.Registry, typ, data string) string {
	t.Helper()
	_, res := runNode(t, reg, typ, data, "", engine.Limits{})
	if res.Status != engine.StatusFailed || res.NodeID != "n" {
		t.Fatalf("%s %s: status %s node %q, want failed in n", typ, data, res.Status, res.NodeID)
	}
	return res.Error
}

func urlData(u string) string { return fmt.Sprintf(`{"url":%q}`, u) }

func TestTextRequests(t *testing.T) {
	s := newSite(t)
	reg := registry(t, egress.Public, "127.0.0.1")
	want, _ := os.ReadFile("testdata/example.html")
	if got := output(t, reg, "lib.http.GetRequest", urlData(s.URL+"/example"), "output"); got != string(want) {
		t.Errorf("GetRequest = %.80q, want example.html", got)
	}
	got := output(t, reg, "lib.http.GetRequest", urlData(s.URL+"/latin1"), "output").(string)
	if !strings.Contains(got, "Grüße aus München") || !strings.Contains(got, "21°C") {
		t.Errorf("latin-1 page decoded as %q", got)
	}
	for _, c := range []struct{ typ, method string }{
		{"lib.http.PostRequest", "POST"}, {"lib.http.PutRequest", "PUT"}, {"lib.http.DeleteRequest", "DELETE"},
	} {
		got := output(t, reg, c.typ, fmt.Sprintf(`{"url":%q,"data":"name=Ada&lang=go"}`, s.URL+"/anything"), "output").(string)
		var echo struct{ Method, Data string }
		if err := json.Unmarshal([]byte(got), &echo); err != nil {
			t.Fatalf("%s: %v in %q", c.typ, err, got)
		}
		wantData := "name=Ada&lang=go"
		if c.method == "DELETE" {
			wantData = ""
		}
		if echo.Method != c.method || echo.Data != wantData {
			t.Errorf("%s: server saw %s %q", c.typ, echo.Method, echo.Data)
		}
	}
	// A retried GET recovers from a 503.
	if got := output(t, reg, "lib.http.GetRequest", urlData(s.URL+"/flaky"), "output"); got != "recovered" {
		t.Errorf("flaky = %q", got)
	}
}

func TestErrorStatusFailsTheNode(t *testing.T) {
	s := newSite(t)
	reg := registry(t, egress.Public, "127.0.0.1")
	msg := failure(t, reg, "lib.http.GetRequest", urlData(s.URL+"/status/404?token=SECRET"))
	if !strings.Contains(msg, "404") || strings.Contains(msg, "SECRET") {
		t.Errorf("404 error = %q", msg)
	}
	msg = failure(t, reg, "lib.http.JSONGetRequest", urlData(s.URL+"/example"))
	if !strings.Contains(msg, "not JSON") {
		t.Errorf("JSON of HTML: %q", msg)
	}
}

func TestHeadRequest(t *testing.T) {
	s := newSite(t)
	reg := registry(t, egress.Public, "127.0.0.1")
	h := output(t, reg, "lib.http.HeadRequest", urlData(s.URL+"/example"), "output").(*pyval.Dict)
	if h.Str("content-type") != "text/html; charset=UTF-8" || h.Str("cache-control") != "max-age=3046" || h.Str("content-length") != "1256" {
		t.Errorf("HEAD headers = %s", nodetest.Repr(h))
	}
}

func TestJSONRequests(t *testing.T) {
	s := newSite(t)
	reg := registry(t, egress.Public, "127.0.0.1")
	repo := output(t, reg, "lib.http.JSONGetRequest", urlData(s.URL+"/repos/golang/go"), "output").(*pyval.Dict)
	if repo.Str("full_name") != "golang/go" {
		t.Errorf("GET JSON = %.200s", nodetest.Repr(repo))
	}
	for _, c := range []struct{ typ, method string }{
		{"lib.http.JSONPostRequest", "POST"}, {"lib.http.JSONPutRequest", "PUT"}, {"lib.http.JSONPatchRequest", "PATCH"},
	} {
		echo := output(t, reg, c.typ, fmt.Sprintf(`{"url":%q,"data":{"title":"Grüße","tags":["a","b"],"n":1.5}}`, s.URL+"/anything"), "output").(*pyval.Dict)
		headers, _ := echo.Get("headers")
		if echo.Str("method") != c.method || echo.Str("data") != `{"title": "Grüße", "tags": ["a", "b"], "n": 1.5}` ||
			headers.(*pyval.Dict).Str("Content-Type") != "application/json" {
			t.Errorf("%s: echo %s", c.typ, nodetest.Repr(echo))
		}
	}
}

func TestBinaryAndDocument(t *testing.T) {
	s := newSite(t)
	reg := registry(t, egress.Public, "127.0.0.1")
	png, _ := os.ReadFile("testdata/pixel.png")
	if got := output(t, reg, "lib.http.GetRequestBinary", urlData(s.URL+"/pixel.png"), "output"); !bytes.Equal(got.([]byte), png) {
		t.Errorf("GET Binary = %v", got)
	}
	pdf, _ := os.ReadFile("testdata/sample.pdf")
	doc := output(t, reg, "lib.http.GetRequestDocument", urlData(s.URL+"/sample.pdf"), "output").(*pyval.Dict)
	data, _ := doc.Get("data")
	if doc.Str("type") != "document" || !bytes.Equal(data.([]byte), pdf) {
		t.Errorf("GET Document = %.100s", nodetest.Repr(doc))
	}
	output(t, reg, "lib.http.PostRequestBinary", fmt.Sprintf(`{"url":%q,"data":"raw text"}`, s.URL+"/anything"), "output")
	if string(s.body()) != "raw text" {
		t.Errorf("POST Binary sent %q", s.body())
	}
	// Bytes from one node are the body of the next.
	g := (&nodetest.Graph{}).
		Node("get", "lib.http.GetRequestBinary", urlData(s.URL+"/pixel.png")).
		Node("post", "lib.http.PostRequestBinary", urlData(s.URL+"/anything")).
		Edge("get", "output", "post", "data").Output("post", "r")
	nodetest.WantCompleted(t, g.Run(t, reg, engine.Limits{}))
	if !bytes.Equal(s.body(), png) {
		t.Errorf("POST Binary of bytes sent %q", s.body())
	}
}

func TestFetchPage(t *testing.T) {
	s := newSite(t)
	reg := registry(t, egress.Public, "127.0.0.1")
	outs, res := runNode(t, reg, "lib.http.FetchPage", urlData(s.URL+"/example"), "", engine.Limits{})
	nodetest.WantCompleted(t, res)
	if !strings.Contains(outs["html"][0].(string), "<h1>Example Domain</h1>") || outs["success"][0] != true || outs["error_message"][0] != "" {
		t.Errorf("FetchPage = %s", nodetest.Repr(outs))
	}
	outs, res = runNode(t, reg, "lib.http.FetchPage", urlData(s.URL+"/status/500"), "", engine.Limits{})
	nodetest.WantCompleted(t, res)
	if outs["success"][0] != false || !strings.Contains(outs["error_message"][0].(string), "500") {
		t.Errorf("FetchPage of a 500 = %s", nodetest.Repr(outs))
	}
}

func TestImageDownloader(t *testing.T) {
	s := newSite(t)
	reg := registry(t, egress.Public, "127.0.0.1")
	png, _ := os.ReadFile("testdata/pixel.png")
	outs, res := runNode(t, reg, "lib.http.ImageDownloader",
		fmt.Sprintf(`{"images":["/pixel.png","status/404","%s/pixel.png","ftp://x/y.png"],"base_url":%q,"max_concurrent_downloads":2}`, s.URL, s.URL+"/"), "", engine.Limits{})
	nodetest.WantCompleted(t, res)
	images, failed := outs["images"][0].([]any), outs["failed_urls"][0].([]any)
	if len(images) != 2 || len(failed) != 2 || failed[0] != s.URL+"/status/404" || failed[1] != "ftp://x/y.png" {
		t.Fatalf("ImageDownloader = %d images, failed %s", len(images), nodetest.Repr(failed))
	}
	for _, img := range images {
		d := img.(*pyval.Dict)
		data, _ := d.Get("data")
		if d.Str("type") != "image" || !bytes.Equal(data.([]byte), png) {
			t.Errorf("image = %.100s", nodetest.Repr(d))
		}
	}
}

func TestFilterValidURLs(t *testing.T) {
	s := newSite(t)
	reg := registry(t, egress.Public, "127.0.0.1")
	urls := []string{s.URL + "/example", s.URL + "/status/404", s.URL + "/redirect-to?url=/example", "mailto:someone@example.com", "http://127.0.0.1:1/closed", s.URL + "/status/503", s.URL + "/pixel.png"}
	js, _ := json.Marshal(urls)
	got := output(t, reg, "lib.http.FilterValidURLs", fmt.Sprintf(`{"urls":%s,"max_concurrent_requests":3}`, js), "output").([]any)
	want := []any{urls[0], urls[2], urls[6]}
	if nodetest.Repr(got) != nodetest.Repr(want) {
		t.Errorf("FilterValidURLs = %s, want %s", nodetest.Repr(got), nodetest.Repr(want))
	}
}

func TestDownloadFiles(t *testing.T) {
	s := newSite(t)
	reg := registry(t, egress.Public, "127.0.0.1")
	ws := t.TempDir()
	urls := []string{s.URL + "/papers/1706.03762", s.URL + "/sample.pdf", s.URL + "/status/500", s.URL + "/evil", s.URL + "/"}
	js, _ := json.Marshal(urls)
	outs, res := runNode(t, reg, "lib.http.DownloadFiles", fmt.Sprintf(`{"urls":%s,"output_folder":"papers/2017"}`, js), ws, engine.Limits{})
	nodetest.WantCompleted(t, res)
	got := nodetest.Repr(outs["success"][0]) + " " + nodetest.Repr(outs["failed"][0])
	want := nodetest.Repr([]any{"papers/2017/attention.pdf", "papers/2017/sample.pdf", "papers/2017/escape.txt"}) + " " + nodetest.Repr([]any{urls[2], urls[4]})
	if got != want {
		t.Errorf("DownloadFiles = %s, want %s", got, want)
	}
	pdf, _ := os.ReadFile("testdata/sample.pdf")
	for _, name := range []string{"attention.pdf", "sample.pdf", "escape.txt"} {
		if data, err := os.ReadFile(filepath.Join(ws, "papers", "2017", name)); err != nil || !bytes.Equal(data, pdf) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(ws), "escape.txt")); err == nil {
		t.Error("a Content-Disposition file name left the folder")
	}
	for _, folder := range []string{"../outside", "/etc", "a/../../b", ""} {
		_, res := runNode(t, reg, "lib.http.DownloadFiles", fmt.Sprintf(`{"urls":%s,"output_folder":%q}`, js, folder), ws, engine.Limits{})
		if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "output_folder") {
			t.Errorf("output_folder %q: %s %q", folder, res.Status, res.Error)
		}
	}
	// A symlink in the workspace cannot lead out of it.
	if err := os.Symlink(t.TempDir(), filepath.Join(ws, "link")); err != nil {
		t.Fatal(err)
	}
	outs, res = runNode(t, reg, "lib.http.DownloadFiles", fmt.Sprintf(`{"urls":[%q],"output_folder":"link"}`, urls[1]), ws, engine.Limits{})
	if res.Status == engine.StatusCompleted && len(outs["success"][0].([]any)) != 0 {
		t.Errorf("DownloadFiles wrote through a symlink: %s", nodetest.Repr(outs))
	}
	_, res = runNode(t, reg, "lib.http.DownloadFiles", fmt.Sprintf(`{"urls":%s}`, js), "", engine.Limits{})
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "workspace") {
		t.Errorf("no workspace: %s %q", res.Status, res.Error)
	}
}

func TestDownloadDataframe(t *testing.T) {
	s := newSite(t)
	reg := registry(t, egress.Public, "127.0.0.1")
	cols := `{"type":"record_type","columns":[{"name":"Country Name","data_type":"string"},{"name":"Year","data_type":"int"},{"name":"Value","data_type":"float"},{"name":"Missing","data_type":"float"}]}`
	df := output(t, reg, "lib.http.DownloadDataframe", fmt.Sprintf(`{"url":%q,"columns":%s}`, s.URL+"/datasets/gdp/main/data/gdp.csv", cols), "output").(*pyval.Dict)
	data, _ := df.Get("data")
	rows := data.([]any)
	if len(rows) != 11 || nodetest.Repr(rows[5]) != "['Korea, Rep.', 2020, 1644312831906.0, None]" || nodetest.Repr(rows[10]) != "['United States', 2022, 25744108000000.0, None]" {
		t.Errorf("CSV rows %d: %s", len(rows), nodetest.Repr(rows))
	}
	columns, _ := df.Get("columns")
	if nodetest.Repr(columns.([]any)[1]) != "{'name': 'Year', 'data_type': 'int', 'description': ''}" || df.Str("type") != "dataframe" {
		t.Errorf("columns %s", nodetest.Repr(columns))
	}
	jcols := `{"type":"record_type","columns":[{"name":"name","data_type":"string"},{"name":"population","data_type":"int"},{"name":"area","data_type":"float"},{"name":"independent","data_type":"object"},{"name":"founded","data_type":"datetime"}]}`
	df = output(t, reg, "lib.http.DownloadDataframe", fmt.Sprintf(`{"url":%q,"file_format":"json","columns":%s}`, s.URL+"/countries.json", jcols), "output").(*pyval.Dict)
	data, _ = df.Get("data")
	want := "[['Germany', 83240525, 357114.0, True, '1949-05-23T00:00:00'], ['France', 67391582, 551695.0, True, '1958-10-04T00:00:00+00:00'], " +
		"['Japan', 125836021, 377930.0, True, '2018-05-01T00:00:00+00:00'], ['Greenland', None, None, False, 'unknown']]"
	if got := nodetest.Repr(data); got != want {
		t.Errorf("JSON rows = %s\nwant %s", got, want)
	}
	df = output(t, reg, "lib.http.DownloadDataframe", fmt.Sprintf(`{"url":%q}`, s.URL+"/datasets/gdp/main/data/gdp.csv"), "output").(*pyval.Dict)
	if nodetest.Repr(df) != "{'type': 'dataframe', 'uri': '', 'asset_id': None, 'data': [], 'metadata': None, 'columns': []}" {
		t.Errorf("no columns: %s", nodetest.Repr(df))
	}
	for _, c := range []struct{ data, want string }{
		{fmt.Sprintf(`{"url":%q,"columns":%s,"delimiter":";;"}`, s.URL+"/datasets/gdp/main/data/gdp.csv", cols), "delimiter"},
		{fmt.Sprintf(`{"url":%q,"columns":%s,"encoding":"klingon"}`, s.URL+"/datasets/gdp/main/data/gdp.csv", cols), "encoding"},
		{fmt.Sprintf(`{"url":%q,"columns":%s,"file_format":"json"}`, s.URL+"/example", cols), "JSON"},
	} {
		if msg := failure(t, reg, "lib.http.DownloadDataframe", c.data); !strings.Contains(msg, c.want) {
			t.Errorf("error %q, want %q", msg, c.want)
		}
	}
}

// TestEgressPolicyRefusesLoopback runs the HTTP nodes under the default
// policy: the test server is on loopback, so every one is refused, naming
// the host and the flag that would allow it.
func TestEgressPolicyRefusesLoopback(t *testing.T) {
	s := newSite(t)
	var hits atomic.Int64
	counted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer counted.Close()
	public := registry(t, egress.Public, "")
	cases := []struct{ typ, data string }{
		{"lib.http.GetRequest", urlData(counted.URL)},
		{"lib.http.PostRequest", urlData(counted.URL)},
		{"lib.http.JSONGetRequest", urlData(counted.URL)},
		{"lib.http.HeadRequest", urlData(counted.URL)},
		{"lib.http.GetRequestBinary", urlData("http://169.254.169.254/latest/meta-data/")},
		{"lib.http.GetRequestDocument", urlData("http://10.0.0.1/doc.pdf")},
		{"lib.http.FetchPage", urlData("http://[::1]:8080/")},
		{"lib.http.GetRequest", urlData("http://localhost" + counted.URL[len("http://127.0.0.1"):])},
		{"lib.http.DownloadDataframe", urlData(counted.URL)},
		{"lib.http.ImageDownloader", fmt.Sprintf(`{"images":[%q]}`, counted.URL)},
		{"lib.http.FilterValidURLs", fmt.Sprintf(`{"urls":[%q]}`, counted.URL)},
	}
	for _, c := range cases {
		msg := failure(t, public, c.typ, c.data)
		if !strings.Contains(msg, "egress") || !strings.Contains(msg, "--allow-net") {
			t.Errorf("%s %s: %q, want a refusal naming --allow-net", c.typ, c.data, msg)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback server got %d requests", hits.Load())
	}
	// Allowed is the first hop only: a redirect to metadata is refused.
	_, port, _ := strings.Cut(strings.TrimPrefix(s.URL, "http://"), ":")
	oneHop := registry(t, egress.Public, "127.0.0.1:"+port)
	msg := failure(t, oneHop, "lib.http.GetRequest", urlData(s.URL+"/redirect-to?url=http://169.254.169.254/latest/meta-data/"))
	if !strings.Contains(msg, "169.254.169.254") || !strings.Contains(msg, "redirected") {
		t.Errorf("redirect to metadata: %q", msg)
	}
	msg = failure(t, oneHop, "lib.http.GetRequest", urlData(s.URL+"/redirect-to?url="+counted.URL))
	if !strings.Contains(msg, "--allow-net 127.0.0.1") {
		t.Errorf("redirect to another loopback port: %q", msg)
	}
	none := registry(t, egress.None, "")
	if msg := failure(t, none, "lib.http.GetRequest", urlData("https://example.com/")); !strings.Contains(msg, "--egress none") {
		t.Errorf("none: %q", msg)
	}
	// Without an HTTP client (nodes.Deps.HTTP nil) nothing is fetched.
	if msg := nodetest.Error(t, "lib.http.GetRequest", urlData(counted.URL)); !strings.Contains(msg, "no network access") {
		t.Errorf("no client: %q", msg)
	}
}

func TestResponsesWithinMaxValue(t *testing.T) {
	s := newSite(t)
	reg := registry(t, egress.Public, "127.0.0.1")
	lim := nodetest.SmallLimits
	big := s.URL + "/big"
	for _, c := range []struct{ typ, data string }{
		{"lib.http.GetRequest", urlData(big)},
		{"lib.http.GetRequestBinary", urlData(big)},
		{"lib.http.FetchPage", urlData(big)},
		{"lib.http.JSONGetRequest", urlData(big)},
		{"lib.http.DownloadDataframe", urlData(big)},
		{"lib.http.ImageDownloader", fmt.Sprintf(`{"images":[%q,%q]}`, big, big)},
		{"lib.http.DownloadFiles", fmt.Sprintf(`{"urls":[%q]}`, big)},
		// 30 KB of commas are 30,000 cells.
		{"lib.http.DownloadDataframe", fmt.Sprintf(`{"url":%q,"columns":{"type":"record_type","columns":[{"name":"a","data_type":"string"}]}}`, s.URL+"/commas.csv")},
	} {
		_, res := runNode(t, reg, c.typ, c.data, t.TempDir(), lim)
		nodetest.WantValueLimit(t, res, "n")
	}
}
