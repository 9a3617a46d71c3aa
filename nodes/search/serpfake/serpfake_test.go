package serpfake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"nodetool/nodes/search/serpfake"
)

func get(t *testing.T, method, u string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if method == http.MethodGet {
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%s %s: %v: %s", method, u, err, body)
		}
	}
	return resp.StatusCode, m
}

func TestFake(t *testing.T) {
	fake := serpfake.New(nil)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cases := []struct {
		method, path string
		status       int
		want         string // a key of the answer, or its error
	}{
		{"GET", "/search.json?engine=google_light&q=x&api_key=k", 200, "organic_results"},
		{"GET", "/search.json?engine=walmart&query=tv&api_key=k", 200, "organic_results"},
		{"GET", "/search?engine=google_flights&api_key=k", 200, "best_flights"},
		{"GET", "/search.json?q=x&api_key=k", 200, "organic_results"}, // engine google by default
		{"HEAD", "/search.json?engine=bing&api_key=k", 200, ""},
		{"GET", "/search.json?engine=google_light&q=x", 401, "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key"},
		{"GET", "/search.json?engine=google_light&api_key=%20", 401, "Invalid API key"},
		{"GET", "/search.json?engine=nope&api_key=k", 400, "Unsupported `nope` search engine."},
		{"GET", "/search.json?engine=..%2Fserpfake&api_key=k", 400, "Unsupported"},
		{"GET", "/search.json?engine=Bing&api_key=k", 400, "Unsupported"},
		{"GET", "/other", 404, "Not found"},
		{"POST", "/search.json?engine=bing&api_key=k", 405, ""},
	}
	for _, c := range cases {
		status, m := get(t, c.method, srv.URL+c.path)
		if status != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, status, c.status)
			continue
		}
		if c.want == "" || c.method != "GET" {
			continue
		}
		if _, ok := m[c.want]; !ok {
			if e, _ := m["error"].(string); !strings.Contains(e, c.want) {
				t.Errorf("%s %s: answer %v, want %q", c.method, c.path, m, c.want)
			}
		}
	}
	reqs := fake.Requests()
	if len(reqs) != 10 || reqs[0].Get("q") != "x" || reqs[0].Get("api_key") != "k" {
		t.Errorf("requests: %d, first %v", len(reqs), reqs[0])
	}
}

func TestFakeOwnAnswers(t *testing.T) {
	srv := httptest.NewServer(serpfake.New(fstest.MapFS{"bing.json": {Data: []byte(`{"organic_results": [{"title": "mine"}]}`)}}))
	defer srv.Close()
	status, m := get(t, "GET", srv.URL+"/search.json?engine=bing&api_key=k")
	if status != 200 || m["organic_results"].([]any)[0].(map[string]any)["title"] != "mine" {
		t.Errorf("own answer: %d %v", status, m)
	}
	if status, _ := get(t, "GET", srv.URL+"/search.json?engine=yahoo&api_key=k"); status != 400 {
		t.Errorf("engine without an answer: %d, want 400", status)
	}
}

// TestRecordedAnswersAreSerpAPIShaped: every recorded answer is a JSON
// object with SerpAPI's search_metadata (status Success) and the
// search_parameters naming its engine.
func TestRecordedAnswersAreSerpAPIShaped(t *testing.T) {
	engines := serpfake.Engines()
	if len(engines) != 45 {
		t.Errorf("%d recorded engines, want 45", len(engines))
	}
	for _, eng := range engines {
		data, err := fsRead(eng)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Meta   map[string]any `json:"search_metadata"`
			Params map[string]any `json:"search_parameters"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Errorf("%s: %v", eng, err)
			continue
		}
		if m.Meta["status"] != "Success" || m.Params["engine"] != eng {
			t.Errorf("%s: search_metadata %v, search_parameters %v", eng, m.Meta, m.Params)
		}
	}
}

func fsRead(eng string) ([]byte, error) {
	f, err := serpfake.Recorded().Open(eng + ".json")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
