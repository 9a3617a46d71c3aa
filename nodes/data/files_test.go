package data_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/nodes/base"
	"nodetool/nodes/data"
	"nodetool/nodes/nodetest"
)

// runIn runs a graph with dir as the run's workspace ("" for none).
func runIn(t *testing.T, reg *engine.Registry, g *nodetest.Graph, dir string) *engine.Result {
	t.Helper()
	if reg == nil {
		reg = nodetest.Registry()
	}
	return nodetest.Compile(t, reg, g.JSON()).Run(context.Background(), engine.RunOptions{JobID: "j", Workspace: dir})
}

func TestSaveAndLoadCSVFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o700); err != nil {
		t.Fatal(err)
	}
	frame := fr("name,n,x,ok,note", `[["a, b", 1, 1.5, true, null], ["say \"hi\"", 2, null, false, [1, 2]]]`)
	var g nodetest.Graph
	g.Node("save", "nodetool.data.SaveCSVDataframeFile", `{"dataframe":`+frame+`,"folder":"out","filename":"t-%Y.csv"}`).
		Node("keep", "nodetool.data.SaveDataframe", `{"name":"plain.csv"}`).
		Edge("save", "output", "keep", "df").
		Output("save", "saved").Output("keep", "kept")
	res := runIn(t, nil, &g, dir)
	nodetest.WantCompleted(t, res)
	// df.to_csv(index=False): floats as repr, NaN and None empty, objects
	// as str(), QUOTE_MINIMAL.
	want := "name,n,x,ok,note\n\"a, b\",1,1.5,True,\n\"say \"\"hi\"\"\",2,,False,\"[1, 2]\"\n"
	name := filepath.Join(dir, "out", fmt.Sprintf("t-%d.csv", time.Now().Year()))
	got, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("SaveCSVDataframeFile wrote %q, want %q", got, want)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "plain.csv")); string(got) != want {
		t.Errorf("SaveDataframe wrote %q, want %q", got, want)
	}
	if got := render(t, res.Outputs["kept"][0]); got != "name:object n:int x:float ok:object note:object | ['a, b', 1, 1.5, True, None] ['say \"hi\"', 2, None, False, [1, 2]]" {
		t.Errorf("SaveDataframe output %s", got)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "out", ".tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Read back: the same frame, but note's list is now its text.
	var g2 nodetest.Graph
	g2.Node("load", "nodetool.data.LoadCSVFile", `{"file_path":"out/../plain.csv"}`).Output("load", "r")
	res = runIn(t, nil, &g2, dir)
	nodetest.WantCompleted(t, res)
	if got := render(t, res.Outputs["r"][0]); got != "name:object n:int x:float ok:object note:object | ['a, b', 1, 1.5, True, None] ['say \"hi\"', 2, None, False, '[1, 2]']" {
		t.Errorf("LoadCSVFile = %s", got)
	}
}

func TestWorkspaceConfinement(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.csv"), []byte("a\n1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.csv"), filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linkdir")); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ typ, data, want string }{
		{"nodetool.data.LoadCSVFile", `{"file_path":"../` + filepath.Base(outside) + `/secret.csv"}`, "leaves the run's workspace folder"},
		{"nodetool.data.LoadCSVFile", `{"file_path":` + nodetest.JS(filepath.Join(outside, "secret.csv")) + `}`, "paths are relative to the run's workspace folder"},
		{"nodetool.data.LoadCSVFile", `{"file_path":"~/secret.csv"}`, "paths are relative"},
		{"nodetool.data.LoadCSVFile", `{"file_path":"link.csv"}`, "leaves the run's workspace folder"},
		{"nodetool.data.LoadCSVFile", `{"file_path":"missing.csv"}`, `"missing.csv" does not exist in the run's workspace folder`},
		{"nodetool.data.LoadCSVFile", `{"file_path":""}`, "file_path cannot be empty"},
		{"nodetool.data.SaveCSVDataframeFile", `{"folder":"linkdir","filename":"x.csv"}`, "leaves the run's workspace folder"},
		{"nodetool.data.SaveCSVDataframeFile", `{"folder":"..","filename":"x.csv"}`, "leaves the run's workspace folder"},
		{"nodetool.data.SaveCSVDataframeFile", `{"folder":".","filename":"../x.csv"}`, "leaves the run's workspace folder"},
		{"nodetool.data.SaveCSVDataframeFile", `{"folder":"nope","filename":"x.csv"}`, `folder "nope" does not exist`},
		{"nodetool.data.SaveCSVDataframeFile", `{"folder":"","filename":"x.csv"}`, "folder cannot be empty"},
		{"nodetool.data.SaveCSVDataframeFile", `{"folder":".","filename":""}`, "filename cannot be empty"},
	}
	for _, c := range cases {
		var g nodetest.Graph
		g.Node("n", c.typ, c.data).Output("n", "r")
		res := runIn(t, nil, &g, dir)
		if res.Status != engine.StatusFailed || !strings.Contains(res.Error, c.want) {
			t.Errorf("%s(%s): status %s, error %q; want an error containing %q", c.typ, c.data, res.Status, res.Error, c.want)
		}
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 1 {
		t.Errorf("the folder outside the workspace holds %d files, want 1", len(entries))
	}
	// Without a workspace the file nodes say so.
	for _, typ := range []string{"nodetool.data.LoadCSVFile", "nodetool.data.SaveDataframe"} {
		var g nodetest.Graph
		g.Node("src", "nodetool.data.ImportCSV", `{"csv_data":"a\n1"}`).
			Node("n", typ, `{"file_path":"a.csv"}`).Edge("src", "output", "n", "df").Output("n", "r")
		if typ == "nodetool.data.LoadCSVFile" {
			g = nodetest.Graph{}
			g.Node("n", typ, `{"file_path":"a.csv"}`).Output("n", "r")
		}
		res := runIn(t, nil, &g, "")
		if !strings.Contains(res.Error, "files in the run's workspace folder, and this run has none") {
			t.Errorf("%s without a workspace: %q", typ, res.Error)
		}
	}
}

// csvServer serves the head of the gdp.csv file Data Visualization
// Pipeline reads, and a body too large for the budget.
func csvServer(t *testing.T) *httptest.Server {
	body, err := os.ReadFile("testdata/gdp-head.csv")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gdp.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Write(body)
	})
	mux.HandleFunc("GET /big.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x\n", 1<<17)))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// plainFetch is a Fetch over net/http, bounded as the egress client is.
func plainFetch(ctx context.Context, url string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return nil, fmt.Errorf("GET %s: the server answered %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if int64(len(b)) > max {
		return nil, errors.New("the response is too large")
	}
	return b, err
}

func TestLoadCSVURL(t *testing.T) {
	srv := csvServer(t)
	reg := engine.NewRegistry()
	base.Register(reg)
	data.Register(reg, plainFetch)
	run := func(url string, lim engine.Limits) *engine.Result {
		var g nodetest.Graph
		g.Node("n", "nodetool.data.LoadCSVURL", `{"url":`+nodetest.JS(url)+`}`).Output("n", "r")
		return g.Run(t, reg, lim)
	}
	res := run(srv.URL+"/gdp.csv", engine.Limits{})
	nodetest.WantCompleted(t, res)
	got := render(t, res.Outputs["r"][0])
	if want := "Country Name:object Country Code:object Year:int Value:float | ['Aruba', 'ABW', 1986, 405586592.178771] ['Aruba', 'ABW', 1987, 487709497.206704] ['United States', 'USA', 1960, 543300000000.0] ['United States', 'USA', 1961, 563300000000.0] ['United States', 'USA', 1962, 605100000000.0]"; got != want {
		t.Errorf("LoadCSVURL = %s\nwant %s", got, want)
	}
	if res := run(srv.URL+"/missing.csv", engine.Limits{}); !strings.Contains(res.Error, "404 Not Found") {
		t.Errorf("LoadCSVURL of a missing file: %q", res.Error)
	}
	// A body over max-value is refused by the fetcher, before it is read.
	if res := run(srv.URL+"/big.csv", nodetest.SmallLimits); res.NodeID != "n" || !strings.Contains(res.Error, "too large") {
		t.Errorf("LoadCSVURL of a large file: node %q, error %q", res.NodeID, res.Error)
	}
	if res := run("", engine.Limits{}); !strings.Contains(res.Error, "url cannot be empty") {
		t.Errorf("LoadCSVURL without a URL: %q", res.Error)
	}
	// The library registered without network access refuses.
	if got := nodetest.Error(t, "nodetool.data.LoadCSVURL", `{"url":"http://127.0.0.1:1/x.csv"}`); !strings.Contains(got, "no network access") {
		t.Errorf("LoadCSVURL without a fetcher: %q", got)
	}
}
