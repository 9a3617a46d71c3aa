package librss_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"nodetool/egress"
	"nodetool/engine"
	"nodetool/nodes"
	"nodetool/nodes/librss"
	"nodetool/nodes/nodetest"
)

// feeds serves the recorded feeds of testdata with the content types
// their servers send.
func feeds(t *testing.T) *httptest.Server {
	t.Helper()
	types := map[string]string{
		"/news/world/europe/rss.xml": "bbc-europe.xml|text/xml; charset=UTF-8",
		"/api/query":                 "arxiv-atom.xml|application/atom+xml; charset=UTF-8",
		"/feed/":                     "wordpress-latin1.xml|application/rss+xml; charset=ISO-8859-1",
		"/Slashdot/slashdotMain":     "slashdot-rdf.xml|application/rdf+xml",
		"/truncated":                 "truncated.xml|text/xml",
		"/page":                      "../../libhttp/testdata/example.html|text/html",
	}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		spec, ok := types[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		file, ctype, _ := strings.Cut(spec, "|")
		data, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", ctype)
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

func registry(t *testing.T, allow string) *engine.Registry {
	rules, err := egress.ParseRules(allow)
	if err != nil {
		t.Fatal(err)
	}
	return nodes.NewRegistry(nodes.Deps{HTTP: egress.New(egress.Policy{Mode: egress.Public, Allow: rules}, egress.Options{RetryWait: time.Millisecond})})
}

func run(t *testing.T, reg *engine.Registry, typ, url string) (map[string][]any, *engine.Result) {
	t.Helper()
	def, _ := reg.Lookup(typ)
	g := (&nodetest.Graph{}).Node("n", typ, fmt.Sprintf(`{"url":%q}`, url))
	for _, o := range def.Outputs {
		g.Node("out_"+o.Name, "nodetool.output.Output", fmt.Sprintf(`{"name":%q}`, o.Name)).Edge("n", o.Name, "out_"+o.Name, "value")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res := nodetest.Compile(t, reg, g.JSON()).Run(ctx, engine.RunOptions{JobID: "j"})
	return res.Outputs, res
}

func TestFetchRSSFeed(t *testing.T) {
	s := feeds(t)
	reg := registry(t, "127.0.0.1")
	cases := []struct {
		path                             string
		n                                int
		title, link, summary, author, at string
	}{
		{"/news/world/europe/rss.xml", 3, "Storm Éowyn brings record winds to western Europe", "https://www.bbc.com/news/articles/c0r4e8g1m2po",
			"Forecasters issue rare red warnings as gusts of over 90mph are expected along the Atlantic coast.", "", "2025-01-13 09:47:12"},
		{"/api/query?search_query=all:attention", 2, "Attention Is All You Need", "http://arxiv.org/abs/1706.03762v7",
			"The dominant sequence transduction models are based on complex recurrent or\nconvolutional neural networks in an encoder-decoder configuration. We propose a\nnew simple network architecture, the Transformer, based solely on attention\nmechanisms, dispensing with recurrence and convolutions entirely.",
			"Ashish Vaswani, Noam Shazeer, Niki Parmar", "2017-06-12 17:57:34"},
		{"/feed/", 2, "Crème brûlée with espresso", "https://cafenotes.example.org/2025/01/10/creme-brulee-espresso/",
			"<p>A custard with a shot of espresso &#8211; and a glass-thin sugar crust.</p>\n<p>The post <a href=\"https://cafenotes.example.org/2025/01/10/creme-brulee-espresso/\">Crème brûlée with espresso</a> appeared first on <a href=\"https://cafenotes.example.org\">Café Notes</a>.</p>",
			"Amélie Durand", "2025-01-10 16:04:11"},
		{"/Slashdot/slashdotMain", 2, "Kernel 6.8 Released With New Scheduler", "https://linux.slashdot.org/story/25/01/13/0412210/kernel-68-released?utm_source=rss1.0mainlinkanon&utm_medium=feed",
			"An anonymous reader writes: The new release brings an improved scheduler & faster file systems.", "msmash", "2025-01-13 04:40:00"},
	}
	for _, c := range cases {
		outs, res := run(t, reg, "lib.rss.FetchRSSFeed", s.URL+c.path)
		nodetest.WantCompleted(t, res)
		// Results skip a value equal to the one before (empty authors).
		for _, slot := range []string{"title", "link", "published", "summary"} {
			if len(outs[slot]) != c.n {
				t.Fatalf("%s: %d %s values, want %d", c.path, len(outs[slot]), slot, c.n)
			}
		}
		got := []string{outs["title"][0].(string), outs["link"][0].(string), outs["summary"][0].(string), outs["author"][0].(string)}
		want := []string{c.title, c.link, c.summary, c.author}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s field %d = %q, want %q", c.path, i, got[i], want[i])
			}
		}
		pub := nodetest.Repr(outs["published"][0])
		var y, mo, d, h, mi, sec int
		fmt.Sscanf(c.at, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &sec)
		wantPub := fmt.Sprintf("{'type': 'datetime', 'year': %d, 'month': %d, 'day': %d, 'hour': %d, 'minute': %d, 'second': %d, 'microsecond': 0, 'tzinfo': 'UTC', 'utc_offset': 0}", y, mo, d, h, mi, sec)
		if pub != wantPub {
			t.Errorf("%s published = %s, want %s", c.path, pub, wantPub)
		}
	}
	// Offsets are turned into UTC: +0100 and -05:00.
	outs, _ := run(t, reg, "lib.rss.FetchRSSFeed", s.URL+"/feed/")
	if p := nodetest.Repr(outs["published"][1]); !strings.Contains(p, "'day': 3, 'hour': 7, 'minute': 30") {
		t.Errorf("+0100 date = %s", p)
	}
	outs, _ = run(t, reg, "lib.rss.FetchRSSFeed", s.URL+"/Slashdot/slashdotMain")
	if p := nodetest.Repr(outs["published"][1]); !strings.Contains(p, "'day': 13, 'hour': 3, 'minute': 0") {
		t.Errorf("-05:00 date = %s", p)
	}
}

func TestExtractFeedMetadata(t *testing.T) {
	s := feeds(t)
	reg := registry(t, "127.0.0.1")
	cases := map[string]string{
		"/news/world/europe/rss.xml": "{'title': 'BBC News', 'description': 'BBC News - Europe', 'link': 'https://www.bbc.co.uk/news/world/europe', 'language': 'en-gb', 'updated': 'Mon, 13 Jan 2025 10:21:42 GMT', 'generator': 'RSS for Node', 'entry_count': 3}",
		"/api/query":                 "{'title': 'ArXiv Query: search_query=all:attention&id_list=&start=0&max_results=2', 'description': '', 'link': '', 'language': '', 'updated': '2025-01-13T00:00:00-05:00', 'generator': '', 'entry_count': 2}",
		"/feed/":                     "{'title': 'Café Notes', 'description': 'Brewing, roasting and the odd recipe', 'link': 'https://cafenotes.example.org', 'language': 'fr-FR', 'updated': 'Fri, 10 Jan 2025 16:04:11 +0000', 'generator': 'https://wordpress.org/?v=6.7.1', 'entry_count': 2}",
		"/Slashdot/slashdotMain":     "{'title': 'Slashdot', 'description': 'News for nerds, stuff that matters', 'link': 'https://slashdot.org/', 'language': 'en-us', 'updated': '2025-01-13T10:40:03+00:00', 'generator': '', 'entry_count': 2}",
	}
	for path, want := range cases {
		outs, res := run(t, reg, "lib.rss.ExtractFeedMetadata", s.URL+path)
		nodetest.WantCompleted(t, res)
		if got := nodetest.Repr(outs["output"][0]); got != want {
			t.Errorf("%s = %s\nwant %s", path, got, want)
		}
	}
}

func TestBrokenFeeds(t *testing.T) {
	s := feeds(t)
	reg := registry(t, "127.0.0.1")
	// A feed cut short keeps the entries before the cut.
	outs, res := run(t, reg, "lib.rss.FetchRSSFeed", s.URL+"/truncated")
	nodetest.WantCompleted(t, res)
	if len(outs["title"]) != 2 || outs["title"][0] != "Storm Éowyn brings record winds to western Europe" {
		t.Errorf("truncated feed: %s", nodetest.Repr(outs["title"]))
	}
	_, res = run(t, reg, "lib.rss.FetchRSSFeed", s.URL+"/page")
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "not an RSS or Atom feed") {
		t.Errorf("HTML page: %s %q", res.Status, res.Error)
	}
	_, res = run(t, reg, "lib.rss.ExtractFeedMetadata", s.URL+"/missing")
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "404") {
		t.Errorf("404: %s %q", res.Status, res.Error)
	}
	// The default policy refuses the loopback server.
	_, res = run(t, registry(t, ""), "lib.rss.FetchRSSFeed", s.URL+"/feed/")
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "--allow-net 127.0.0.1") {
		t.Errorf("loopback under public: %s %q", res.Status, res.Error)
	}
}

func TestFeedWithinMaxValue(t *testing.T) {
	big := strings.Repeat("<item><title>x</title></item>", 10000)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>%s</channel></rss>`, big)
	}))
	defer s.Close()
	res := nodetest.RunLimits(t, registry(t, "127.0.0.1"), nodetest.OneNode("lib.rss.ExtractFeedMetadata", fmt.Sprintf(`{"url":%q}`, s.URL)), nodetest.SmallLimits)
	nodetest.WantValueLimit(t, res, "n")
}

func FuzzParseFeed(f *testing.F) {
	for _, name := range []string{"bbc-europe.xml", "arxiv-atom.xml", "wordpress-latin1.xml", "slashdot-rdf.xml", "truncated.xml"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<feed><entry><author><name>a</name></author><link href="x"/></entry></feed>`))
	f.Add([]byte(`<rss><channel><item><pubDate>31 Feb 99 25:61 EST</pubDate></item>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := librss.Parse(data)
		if err == nil && feed == nil {
			t.Fatal("nil feed without an error")
		}
		if err == nil {
			for _, e := range feed.Entries {
				if !e.Published.IsZero() && e.Published.Location() != time.UTC {
					t.Fatalf("published %v not in UTC", e.Published)
				}
			}
		}
	})
}
