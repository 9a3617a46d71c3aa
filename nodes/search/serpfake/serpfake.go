// Package serpfake is a SERP service for tests and offline runs: it
// answers SerpAPI's GET /search.json with a recorded answer of the engine
// asked for, so that workflows with search nodes run with SERPAPI_BASE_URL
// pointing at it and no network.
//
// The recorded answers (testdata/ENGINE.json, built into the package)
// follow SerpAPI's documented response of each engine the search nodes
// use. Like SerpAPI, the fake answers 401 {"error": ...} to a request
// without an api_key and 400 to an engine it does not know; it does not
// look at the other parameters (every query of an engine gets the same
// answer), and it records every request it gets.
//
// testdata/serpfake is the same fake as a program.
package serpfake

import (
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
)

//go:embed testdata/*.json
var recorded embed.FS

// Recorded returns the recorded answers built into the package, one
// ENGINE.json file each.
func Recorded() fs.FS {
	sub, err := fs.Sub(recorded, "testdata")
	if err != nil {
		panic(err)
	}
	return sub
}

// Engines lists the engines of the recorded answers, sorted.
func Engines() []string {
	names, _ := fs.Glob(Recorded(), "*.json")
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, strings.TrimSuffix(n, ".json"))
	}
	sort.Strings(out)
	return out
}

// Server is the fake SERP service, an http.Handler.
type Server struct {
	answers fs.FS
	mu      sync.Mutex
	reqs    []url.Values
}

// New returns a fake answering from the ENGINE.json files of answers (nil:
// the recorded answers built in).
func New(answers fs.FS) *Server {
	if answers == nil {
		answers = Recorded()
	}
	return &Server{answers: answers}
}

// Requests returns the query parameters of every search request received
// so far, api_key included, in order.
func (s *Server) Requests() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]url.Values, len(s.reqs))
	for i, q := range s.reqs {
		out[i] = cloneValues(q)
	}
	return out
}

// maxRequests is how many requests the fake remembers (the oldest go).
const maxRequests = 10000

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/search.json" && r.URL.Path != "/search" {
		answer(w, http.StatusNotFound, `{"error": "Not found: use GET /search.json"}`)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		answer(w, http.StatusMethodNotAllowed, `{"error": "Use GET."}`)
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	if len(s.reqs) == maxRequests {
		s.reqs = s.reqs[1:]
	}
	s.reqs = append(s.reqs, cloneValues(q))
	s.mu.Unlock()
	if strings.TrimSpace(q.Get("api_key")) == "" {
		answer(w, http.StatusUnauthorized, `{"error": "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key"}`)
		return
	}
	engine := q.Get("engine")
	if engine == "" {
		engine = "google"
	}
	body, err := s.recorded(engine)
	if err != nil {
		msg, _ := json.Marshal(map[string]string{"error": "Unsupported `" + engine + "` search engine."})
		answer(w, http.StatusBadRequest, string(msg))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(body)
	}
}

// recorded reads the answer of engine; "google" without a recording of
// its own gets google_light's (SerpAPI's organic results have one shape).
func (s *Server) recorded(engine string) ([]byte, error) {
	for _, c := range engine {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return nil, errors.New("bad engine name")
		}
	}
	body, err := fs.ReadFile(s.answers, path.Clean(engine+".json"))
	if errors.Is(err, fs.ErrNotExist) && engine == "google" {
		return fs.ReadFile(s.answers, "google_light.json")
	}
	return body, err
}

func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(body))
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}
