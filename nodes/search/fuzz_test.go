package search_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
	"nodetool/nodes/search"
	"nodetool/nodes/search/serpfake"
)

// answerTransport answers every request with body, as a SERP service
// would, without a network.
type answerTransport []byte

func (a answerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(a)), ContentLength: int64(len(a)), Request: r}, nil
}

// fuzzNodes are the nodes the fuzzer feeds answers to, with inputs that
// pass their checks.
var fuzzNodes = []struct{ typ, data string }{
	{"search.google.GoogleSearch", `{"keyword":"x"}`},
	{"search.google.GoogleImages", `{"keyword":"x"}`},
	{"search.google.GoogleLens", `{"image_url":"x"}`},
	{"search.google.GoogleMaps", `{"query":"x"}`},
	{"search.google.GoogleShopping", `{"query":"x"}`},
	{"search.amazon.AmazonSearch", `{"query":"x"}`},
	{"search.ebay.EbaySearch", `{"query":"x"}`},
	{"search.walmart.WalmartSearch", `{"query":"x"}`},
	{"search.yelp.YelpSearch", `{"query":"x","location":"y"}`},
	{"search.youtube.YouTubeSearch", `{"query":"x"}`},
	{"search.scholar.GoogleScholar", `{"query":"x"}`},
	{"search.extended.YelpReviews", `{"place_id":"x"}`},
	{"search.extended.YouTubeVideo", `{"video_id":"x"}`},
	{"search.google_extra.GoogleFlights", `{"departure_id":"a","arrival_id":"b","outbound_date":"c","trip_type":2}`},
	{"search.google_extra.GoogleHotels", `{"query":"x","check_in_date":"a","check_out_date":"b"}`},
	{"search.google_extra.GooglePatents", `{"query":"x"}`},
	{"search.google_extra.GoogleAutocomplete", `{"query":"x"}`},
	{"search.google_play.GooglePlaySearch", `{"query":"x"}`},
	{"search.google_trends_extra.GoogleTrendingNow", `{}`},
	{"search.more_engines.GoogleMapsReviews", `{"data_id":"x"}`},
	{"search.more_engines.YouTubeTranscript", `{"video_id":"x"}`},
	{"search.bing.BingImages", `{"query":"x"}`},
}

// FuzzSearchAnswer feeds arbitrary answers to the search nodes: each run
// completes or fails with an error, never with a panic, and within its
// budget.
func FuzzSearchAnswer(f *testing.F) {
	for i, eng := range serpfake.Engines() {
		data, err := serpfake.Recorded().Open(eng + ".json")
		if err != nil {
			f.Fatal(err)
		}
		b, _ := io.ReadAll(data)
		data.Close()
		f.Add(uint8(i), b)
	}
	f.Add(uint8(0), []byte(`{"organic_results": [null, 1, "x", [], {"position": {"a": []}}]}`))
	f.Fuzz(func(t *testing.T, which uint8, answer []byte) {
		c, err := search.New(search.Config{Key: "k", Transport: answerTransport(answer)})
		if err != nil {
			t.Fatal(err)
		}
		reg := nodes.NewRegistry(nodes.Deps{Search: c})
		n := fuzzNodes[int(which)%len(fuzzNodes)]
		def, _ := reg.Lookup(n.typ)
		g := (&nodetest.Graph{}).Node("n", n.typ, n.data)
		for _, o := range def.Outputs {
			g.Node("o_"+o.Name, "nodetool.output.Output", `{"name":"`+o.Name+`"}`).Edge("n", o.Name, "o_"+o.Name, "value")
		}
		res := g.Run(t, reg, nodetest.SmallLimits)
		if res.Status != engine.StatusCompleted && (res.Status != engine.StatusFailed || strings.Contains(res.Error, "internal error")) {
			t.Fatalf("%s on %q: status %s, error %q", n.typ, answer, res.Status, res.Error)
		}
	})
}
