package search_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
	"nodetool/nodes/search"
	"nodetool/nodes/search/serpfake"
)

const testKey = "sk-test+KEY/with=chars&more"

// fakeService starts the recorded SERP service and a registry whose
// search nodes use it.
func fakeService(t *testing.T) (*serpfake.Server, *engine.Registry) {
	t.Helper()
	fake := serpfake.New(nil)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, registryFor(t, srv.URL, nil)
}

func registryFor(t *testing.T, base string, userKey func(context.Context, string) (string, error)) *engine.Registry {
	t.Helper()
	c, err := search.New(search.Config{BaseURL: base, Key: testKey, UserKey: userKey})
	if err != nil {
		t.Fatal(err)
	}
	return nodes.NewRegistry(nodes.Deps{Search: c})
}

// runSearchNode runs one node of typ with props, each output slot feeding
// an Output node named after it, and returns the run's result and events.
func runSearchNode(t *testing.T, reg *engine.Registry, typ string, props any, opts engine.RunOptions) (*engine.Result, []engine.Event) {
	t.Helper()
	data, err := json.Marshal(props)
	if err != nil {
		t.Fatal(err)
	}
	def, ok := reg.Lookup(typ)
	if !ok {
		t.Fatalf("unknown node type %s", typ)
	}
	g := &nodetest.Graph{}
	g.Node("n", typ, string(data))
	for _, o := range def.Outputs {
		g.Node("out_"+o.Name, "nodetool.output.Output", fmt.Sprintf(`{"name":%q}`, o.Name)).Edge("n", o.Name, "out_"+o.Name, "value")
	}
	plan := nodetest.Compile(t, reg, g.JSON())
	var events []engine.Event
	opts.OnEvent = func(e engine.Event) { events = append(events, e) }
	if opts.JobID == "" {
		opts.JobID = "job"
	}
	return plan.Run(context.Background(), opts), events
}

// normal is v as plain JSON values (maps, slices, float64), for deep
// comparison of pyval values with decoded JSON.
func normal(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func flat(q url.Values) map[string]string {
	out := map[string]string{}
	for k, v := range q {
		if k != "api_key" {
			out[k] = strings.Join(v, ",")
		}
	}
	return out
}

// TestNodesMatchOriginal runs every search node on the recorded answers
// and compares the request it sends and the outputs it returns with what
// NodeTool's own node did with the same answers (testdata/original).
func TestNodesMatchOriginal(t *testing.T) {
	files, err := filepath.Glob("testdata/original/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded originals: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			NodeType string              `json:"node_type"`
			Props    map[string]any      `json:"props"`
			Requests []map[string]string `json:"requests"`
			Outputs  map[string]any      `json:"outputs"`
			Error    string              `json:"error"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		seen[rec.NodeType] = true
		t.Run(filepath.Base(f), func(t *testing.T) {
			fake, reg := fakeService(t)
			res, _ := runSearchNode(t, reg, rec.NodeType, rec.Props, engine.RunOptions{})
			if res.Status != engine.StatusCompleted {
				t.Fatalf("%s(%v): status %s, error %q", rec.NodeType, rec.Props, res.Status, res.Error)
			}
			var got []map[string]string
			for _, q := range fake.Requests() {
				if q.Get("api_key") != testKey {
					t.Errorf("%s sent api_key %q, want the configured key", rec.NodeType, q.Get("api_key"))
				}
				got = append(got, flat(q))
			}
			if !reflect.DeepEqual(got, rec.Requests) {
				t.Errorf("%s(%v) sent\n  %v\nwant\n  %v", rec.NodeType, rec.Props, got, rec.Requests)
			}
			for slot, want := range rec.Outputs {
				vals := res.Outputs[slot]
				if want == nil {
					if len(vals) != 0 {
						t.Errorf("%s: slot %s produced %s, want nothing", rec.NodeType, slot, nodetest.Repr(vals))
					}
					continue
				}
				if len(vals) != 1 {
					t.Errorf("%s: slot %s produced %d values, want 1", rec.NodeType, slot, len(vals))
					continue
				}
				if g := normal(t, vals[0]); !reflect.DeepEqual(g, want) {
					if s, ok := want.(string); ok {
						t.Errorf("%s: %s =\n%s\n--- want ---\n%s", rec.NodeType, slot, vals[0], s)
					} else {
						gb, _ := json.Marshal(g)
						wb, _ := json.Marshal(want)
						t.Errorf("%s: %s =\n%.2000s\nwant\n%.2000s", rec.NodeType, slot, gb, wb)
					}
				}
			}
		})
	}
	// Every search node but the abstract base has a recorded original.
	for _, typ := range nodetest.Registry().Types() {
		if strings.HasPrefix(typ, "search.") && typ != "search._base.Serp" && !seen[typ] {
			t.Errorf("%s has no recorded original in testdata/original", typ)
		}
	}
}

// TestNodesNumResults: num_results bounds what every node returns (the
// original sent it to SerpAPI but did not always cut the answer).
func TestNodesNumResults(t *testing.T) {
	cases := []struct {
		typ   string
		props map[string]any
		slot  string
		want  int
	}{
		{"search.google.GoogleSearch", map[string]any{"keyword": "x", "num_results": 2}, "results", 2},
		{"search.google.GoogleMaps", map[string]any{"query": "x", "num_results": 1}, "results", 1},
		{"search.google.GoogleShopping", map[string]any{"query": "x", "num_results": 0}, "results", 0},
		{"search.google.GoogleImages", map[string]any{"keyword": "x", "num_results": 2}, "output", 2},
		{"search.google.GoogleLens", map[string]any{"image_url": "http://x/a.png", "num_results": 1}, "images", 1},
		{"search.amazon.AmazonSearch", map[string]any{"query": "x", "num_results": 1}, "results", 1},
		{"search.youtube.YouTubeSearch", map[string]any{"query": "x", "num_results": 2}, "results", 2},
		{"search.google_play.GooglePlaySearch", map[string]any{"query": "x", "num_results": 2}, "results", 2},
		{"search.bing.BingImages", map[string]any{"query": "x", "num_results": 1}, "images", 1},
		{"search.google.GoogleSearch", map[string]any{"keyword": "x", "num_results": -1}, "results", 4},
	}
	_, reg := fakeService(t)
	for _, c := range cases {
		res, _ := runSearchNode(t, reg, c.typ, c.props, engine.RunOptions{})
		nodetest.WantCompleted(t, res)
		got := res.Outputs[c.slot]
		if len(got) != 1 {
			t.Fatalf("%s: %d values on %s", c.typ, len(got), c.slot)
		}
		if l, _ := got[0].([]any); len(l) != c.want || l == nil {
			t.Errorf("%s(%v): %d %s, want %d", c.typ, c.props, len(l), c.slot, c.want)
		}
	}
}

// TestNodesRequiredInputs: each node refuses to search without its main
// input, with the original's message, and sends nothing.
func TestNodesRequiredInputs(t *testing.T) {
	cases := []struct{ typ, data, want string }{
		{"search.google.GoogleSearch", `{}`, "Keyword is required"},
		{"search.google.GoogleNews", `{}`, "Keyword is required"},
		{"search.google.GoogleImages", `{}`, "One of 'keyword' or 'image_url' is required."},
		{"search.google.GoogleFinance", `{}`, "Query is required for Google Finance search."},
		{"search.google.GoogleJobs", `{}`, "Query is required for Google Jobs search."},
		{"search.google.GoogleLens", `{}`, "Image URL is required for Google Lens search."},
		{"search.google.GoogleMaps", `{}`, "Query is required for map search."},
		{"search.google.GoogleShopping", `{}`, "Query is required for Google Shopping search."},
		{"search.amazon.AmazonSearch", `{}`, "Query is required"},
		{"search.amazon.AmazonProduct", `{}`, "Product ID (ASIN) is required"},
		{"search.yelp.YelpSearch", `{}`, "Query is required"},
		{"search.yelp.YelpSearch", `{"query":"ramen"}`, "Location is required for Yelp search"},
		{"search.youtube.YouTubeSearch", `{}`, "Query is required"},
		{"search.scholar.GoogleScholar", `{}`, "Query is required"},
		{"search.trends.GoogleTrends", `{}`, "Query is required"},
		{"search.duckduckgo.DuckDuckGoSearch", `{}`, "Query is required"},
		{"search.bing.BingSearch", `{}`, "Query is required"},
		{"search.bing.BingNews", `{}`, "Query is required"},
		{"search.bing.BingImages", `{}`, "Query is required"},
		{"search.ebay.EbaySearch", `{}`, "Query is required"},
		{"search.ebay.EbayProduct", `{}`, "Product ID is required"},
		{"search.extended.YouTubeVideo", `{}`, "Video ID is required"},
		{"search.extended.DuckDuckGoNews", `{}`, "Query is required"},
		{"search.extended.YelpReviews", `{}`, "Place ID is required"},
		{"search.extended.GoogleScholarAuthor", `{}`, "Author ID is required"},
		{"search.google_extra.GoogleEvents", `{}`, "Query is required"},
		{"search.google_extra.GoogleFlights", `{"departure_id":"JFK"}`, "Both departure_id and arrival_id are required"},
		{"search.google_extra.GoogleFlights", `{"departure_id":"JFK","arrival_id":"LHR"}`, "Outbound date is required"},
		{"search.google_extra.GoogleFlights", `{"departure_id":"JFK","arrival_id":"LHR","outbound_date":"2026-05-01"}`, "Return date is required for round trip flights"},
		{"search.google_extra.GoogleHotels", `{}`, "Query is required"},
		{"search.google_extra.GoogleHotels", `{"query":"Paris","check_in_date":"2026-06-15"}`, "Both check_in_date and check_out_date are required"},
		{"search.google_extra.GooglePatents", `{}`, "Query is required"},
		{"search.google_extra.GoogleVideos", `{}`, "Query is required"},
		{"search.google_extra.GoogleAutocomplete", `{}`, "Query is required"},
		{"search.google_play.GooglePlaySearch", `{}`, "Query is required"},
		{"search.international.BaiduSearch", `{}`, "Query is required"},
		{"search.international.YahooSearch", `{}`, "Query is required"},
		{"search.international.NaverSearch", `{}`, "Query is required"},
		{"search.more_engines.GoogleMapsReviews", `{}`, "data_id is required. Use a Google Maps search to find the place data_id."},
		{"search.more_engines.BingShopping", `{}`, "Query is required"},
		{"search.more_engines.BingVideos", `{}`, "Query is required"},
		{"search.more_engines.YouTubeTranscript", `{}`, "video_id is required"},
		{"search.retail.HomeDepotSearch", `{}`, "Query is required"},
		{"search.retail.HomeDepotProduct", `{}`, "Product ID is required"},
		{"search.retail.AppleAppStore", `{}`, "Query is required"},
		{"search.walmart.WalmartSearch", `{}`, "Query is required"},
		{"search.walmart.WalmartProduct", `{}`, "Product ID is required"},
	}
	fake, reg := fakeService(t)
	for _, c := range cases {
		var props map[string]any
		json.Unmarshal([]byte(c.data), &props)
		res, _ := runSearchNode(t, reg, c.typ, props, engine.RunOptions{})
		if res.Status != engine.StatusFailed || !strings.Contains(res.Error, c.want) {
			t.Errorf("%s(%s): status %s, error %q; want failed with %q", c.typ, c.data, res.Status, res.Error, c.want)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d searches sent for nodes missing their input, want none", n)
	}
}

// TestNodesWithoutKey: with no SerpAPI key configured, search nodes fail
// validation saying how to configure one; the abstract base node runs and
// does nothing.
func TestNodesWithoutKey(t *testing.T) {
	w, err := engine.ParseWorkflow([]byte(nodetest.OneNode("search.google.GoogleSearch", `{"keyword":"x"}`)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = nodetest.Registry().Compile(&w.Graph)
	if err == nil || !strings.Contains(err.Error(), "SERPAPI_API_KEY") {
		t.Errorf("Compile without a key: %v, want a problem naming SERPAPI_API_KEY", err)
	}
	res := nodetest.RunLimits(t, nil, `{"nodes":[{"id":"n","type":"search._base.Serp","data":{}}],"edges":[]}`, engine.Limits{})
	nodetest.WantCompleted(t, res)
}

// TestNodeErrors: what the SERP service says goes wrong fails the node
// with a message naming the engine, and the key is in no event.
func TestNodeErrors(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"bad key", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error": "Invalid API key %s (query %s)"}`, r.URL.Query().Get("api_key"), r.URL.RawQuery)
		}, "serpapi google_light: HTTP 401 Unauthorized: Invalid API key REDACTED"},
		{"out of searches", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"error": "Your account has run out of searches."}`)
		}, "serpapi google_light: Your account has run out of searches."},
		{"status error", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"search_metadata": {"status": "Error"}, "error": "Google hasn't returned any results for this query."}`)
		}, "serpapi google_light: Google hasn't returned any results"},
		{"server error", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream exploded "+r.URL.String(), http.StatusBadGateway)
		}, "serpapi google_light: HTTP 502 Bad Gateway: upstream exploded"},
		{"not json", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<html>captcha</html>`)
		}, "serpapi google_light: the answer is not JSON"},
	}
	for _, c := range cases {
		srv := httptest.NewServer(c.handler)
		reg := registryFor(t, srv.URL, nil)
		res, events := runSearchNode(t, reg, "search.google.GoogleSearch", map[string]any{"keyword": "x"}, engine.RunOptions{})
		srv.Close()
		if res.Status != engine.StatusFailed || res.NodeID != "n" || !strings.Contains(res.Error, c.want) {
			t.Errorf("%s: status %s node %q error %q, want failed in n with %q", c.name, res.Status, res.NodeID, res.Error, c.want)
		}
		all, _ := json.Marshal(events)
		for _, k := range []string{testKey, url.QueryEscape(testKey)} {
			if strings.Contains(res.Error, k) || strings.Contains(string(all), k) {
				t.Errorf("%s: the key appears in the error or the events: %s", c.name, all)
			}
		}
	}
}

// TestNodeNoResults: SerpAPI's "hasn't returned any results" with status
// Success is an empty answer, not a failure.
func TestNodeNoResults(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"search_metadata": {"status": "Success"}, "search_information": {"organic_results_state": "Fully empty"},
			"error": "Google hasn't returned any results for this query."}`)
	}))
	defer srv.Close()
	reg := registryFor(t, srv.URL, nil)
	for typ, props := range map[string]map[string]any{
		"search.google.GoogleSearch":        {"keyword": "zzqx"},
		"search.google_extra.GoogleHotels":  {"query": "zzqx", "check_in_date": "2026-01-01", "check_out_date": "2026-01-02"},
		"search.google_extra.GooglePatents": {"query": "zzqx"},
	} {
		res, _ := runSearchNode(t, reg, typ, props, engine.RunOptions{})
		nodetest.WantCompleted(t, res)
		text := res.Outputs["text"][0]
		want := map[string]string{"search.google.GoogleSearch": "", "search.google_extra.GoogleHotels": "No hotels found.",
			"search.google_extra.GooglePatents": "No patents found."}[typ]
		if text != want || len(res.Outputs["results"][0].([]any)) != 0 {
			t.Errorf("%s: results %s text %q, want none and %q", typ, nodetest.Repr(res.Outputs["results"]), text, want)
		}
	}
}

// TestNodeAnswerOverBudget: an answer larger than the run's max-value
// fails the node with the max-value limit before it is parsed.
func TestNodeAnswerOverBudget(t *testing.T) {
	big := `{"organic_results": [` + strings.Repeat(`{"title": "`+strings.Repeat("x", 1000)+`"},`, 100) + `{}]}`
	for _, length := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !length {
				w.(http.Flusher).Flush() // chunked: no Content-Length
			}
			fmt.Fprint(w, big)
		}))
		reg := registryFor(t, srv.URL, nil)
		g := (&nodetest.Graph{}).Node("n", "search.google.GoogleSearch", `{"keyword":"x"}`)
		g.Node("o", "nodetool.output.Output", `{"name":"r"}`).Edge("n", "results", "o", "value")
		res := g.Run(t, reg, nodetest.SmallLimits)
		srv.Close()
		nodetest.WantLimit(t, res, engine.LimitValue, "n")
		if !strings.Contains(res.Error, "serpapi google_light") {
			t.Errorf("error %q does not name the engine", res.Error)
		}
	}
}

// TestNodeUsesUserKey: on a server that keeps user secrets, a run of user
// u1 searches with u1's own key; a user without one gets the operator's.
func TestNodeUsesUserKey(t *testing.T) {
	fake := serpfake.New(nil)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	var asked []string
	reg := registryFor(t, srv.URL, func(_ context.Context, user string) (string, error) {
		asked = append(asked, user)
		if user == "u1" {
			return " u1-own-key\n", nil
		}
		return "", nil
	})
	for _, user := range []string{"u1", "u2"} {
		res, _ := runSearchNode(t, reg, "search.bing.BingSearch", map[string]any{"query": "x"}, engine.RunOptions{UserID: user})
		nodetest.WantCompleted(t, res)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[0].Get("api_key") != "u1-own-key" || reqs[1].Get("api_key") != testKey {
		t.Errorf("keys sent: %v, want u1's own then the operator's", reqs)
	}
	if !reflect.DeepEqual(asked, []string{"u1", "u2"}) {
		t.Errorf("user keys asked for %v", asked)
	}
}

// TestNodeTextOfOddAnswers: answers of unexpected shapes (items that are
// not dicts, nulls, numbers where text was expected) still give a text,
// written as Python writes the values, where the original would crash.
func TestNodeTextOfOddAnswers(t *testing.T) {
	cases := []struct {
		typ, answer string
		props       map[string]any
		want        string
	}{
		{"search.google.GoogleSearch", `{"organic_results": ["str", null, {"position": null, "title": null, "snippet": 0, "link": [1, 2], "date": 2.5}]}`,
			map[string]any{"keyword": "x"}, "[1] Untitled\n\n[2] Untitled\n\n[None] None\n    [1, 2]\n    Date: 2.5\n"},
		{"search.youtube.YouTubeSearch", `{"video_results": [{"title": "a", "views": 1234567}, {"title": "b", "views": "12K views", "channel": null}, {"title": "c", "views": 1234.5}]}`,
			map[string]any{"query": "x"}, "[1] a\n    Views: 1,234,567\n\n[2] b\n    Views: 12K views\n\n[3] c\n    Views: 1,234.5\n"},
		{"search.google_extra.GoogleFlights", `{"best_flights": [{"price": 10, "total_duration": 61.5, "carbon_emissions": null, "flights": [{"departure_airport": null}], "layovers": ["x"]}], "other_flights": {"a": 1}}`,
			map[string]any{"departure_id": "A", "arrival_id": "B", "outbound_date": "d", "trip_type": 2},
			"=== Best Flights ===\n--- Option 1 ---\n  Price: 10\n  Total Duration: 1.0h 1.5m\n  Leg 1: ? (?) ? -> ? (?) ?\n  Layover: ? (?) - ? min\n"},
		{"search.google_trends_extra.GoogleTrendingNow", `{"trending_searches": [], "daily_searches": [{"title": "t", "search_volume": 12345678, "active": 0, "categories": [{"name": "A"}, {"id": 1}, "x"], "trend_breakdown": [1, "b", null, "d", "e", "f"]}]}`,
			map[string]any{}, "[1] t\n    Traffic: 12,345,678+ searches\n    Active: No\n    Categories: A\n    Related: 1, b, None, d, e\n"},
		{"search.extended.YelpReviews", `{"reviews": [{"user": "bob", "comment": "` + strings.Repeat("é", 201) + `", "tags": ["x", 2]}]}`,
			map[string]any{"place_id": "p"}, "[1] Review by Anonymous\n    " + strings.Repeat("é", 197) + "...\n    Tags: x, 2\n"},
	}
	for _, c := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, c.answer) }))
		reg := registryFor(t, srv.URL, nil)
		res, _ := runSearchNode(t, reg, c.typ, c.props, engine.RunOptions{})
		srv.Close()
		nodetest.WantCompleted(t, res)
		if got := res.Outputs["text"][0]; got != c.want {
			t.Errorf("%s on %s: text\n%q\nwant\n%q", c.typ, c.answer, got, c.want)
		}
	}
}

func TestCommasAndDivmod(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{int64(0), "0"}, {int64(999), "999"}, {int64(1000), "1,000"}, {int64(-1234567), "-1,234,567"},
		{1234567.25, "1,234,567.25"}, {1e16, "1e+16"}, {-1000.0, "-1,000.0"}, {true, "1"}, {"12K", "12K"}, {nil, "None"},
	} {
		if got := search.Commas(c.v); got != c.want {
			t.Errorf("Commas(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	for _, c := range []struct {
		v    any
		q, r string
	}{
		{int64(125), "2", "5"}, {int64(-5), "-1", "55"}, {125.5, "2.0", "5.5"}, {-5.0, "-1.0", "55.0"},
	} {
		q, r, ok := search.Divmod60(c.v)
		if !ok || pyval.Str(q) != c.q || pyval.Str(r) != c.r {
			t.Errorf("Divmod60(%v) = %v, %v, %v; want %s, %s", c.v, q, r, ok, c.q, c.r)
		}
	}
	if _, _, ok := search.Divmod60("1h"); ok {
		t.Errorf("Divmod60 of a string is ok")
	}
}

// TestSearchNodeMetadata: every search node is a tool with every property
// basic, as NodeTool lists them.
func TestSearchNodeMetadata(t *testing.T) {
	var types []string
	for _, m := range nodetest.Registry().Metadata() {
		if !strings.HasPrefix(m.NodeType, "search.") {
			continue
		}
		types = append(types, m.NodeType)
		if !m.ExposeAsTool {
			t.Errorf("%s is not exposed as a tool", m.NodeType)
		}
		if len(m.BasicFields) != len(m.Properties) {
			t.Errorf("%s: basic fields %v", m.NodeType, m.BasicFields)
		}
	}
	sort.Strings(types)
	if len(types) != 45 {
		t.Errorf("%d search node types, want 45: %v", len(types), types)
	}
}
