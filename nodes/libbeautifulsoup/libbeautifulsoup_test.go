package libbeautifulsoup_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/libbeautifulsoup"
	"nodetool/nodes/nodetest"
)

func page(t testing.TB, name string) string {
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// collect runs a streaming node and gathers each output slot into a list
// (results alone would fold repeated values).
func collect(t *testing.T, typ, data string, slots ...string) map[string]string {
	t.Helper()
	g := (&nodetest.Graph{}).Node("n", typ, data)
	for _, s := range slots {
		g.Node("c_"+s, "nodetool.control.Collect", "").Edge("n", s, "c_"+s, "input_item").Output("c_"+s, s)
	}
	res := g.Run(t, nil, engine.Limits{})
	nodetest.WantCompleted(t, res)
	out := map[string]string{}
	for _, s := range slots {
		if len(res.Outputs[s]) != 1 {
			t.Fatalf("%s: %d values", s, len(res.Outputs[s]))
		}
		out[s] = nodetest.Repr(res.Outputs[s][0])
	}
	return out
}

func TestExtractLinks(t *testing.T) {
	got := collect(t, "lib.beautifulsoup.ExtractLinks", fmt.Sprintf(`{"html":%s,"base_url":"https://www.bbc.com"}`, nodetest.JS(page(t, "article.html"))), "href", "text", "type")
	want := map[string]string{
		"href": "['/', '/news', '/news/world', 'https://www.bbc.co.uk/sport', '/news/articles/cz7k1n2e3q9o', 'https://www.met.ie/warnings', 'https://www.metoffice.gov.uk/', '/news/science-environment', '/usingthebbc/terms']",
		"text": "['BBC', 'Home', 'World', 'Sport', 'ferry crossings', 'Met Éireann', 'Met Office', 'Climate', 'Terms of Use']",
		"type": "['internal', 'internal', 'internal', 'external', 'internal', 'external', 'external', 'internal', 'internal']",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s\nwant %s", k, got[k], v)
		}
	}
	// Without a base URL only paths are internal.
	got = collect(t, "lib.beautifulsoup.ExtractLinks", `{"html":"<a href='https://x.org/a'>x</a><a href='/b'> b </a><a>none</a>"}`, "type", "text")
	if got["type"] != "['external', 'internal']" || got["text"] != "['x', 'b']" {
		t.Errorf("no base: %v", got)
	}
}

func TestExtractMedia(t *testing.T) {
	html := nodetest.JS(page(t, "article.html"))
	img := collect(t, "lib.beautifulsoup.ExtractImages", fmt.Sprintf(`{"html":%s,"base_url":"https://www.bbc.com/news/articles/c0r4e8g1m2po"}`, html), "image")
	if img["image"] != "[{'type': 'image', 'uri': 'https://ichef.bbci.co.uk/news/976/cpsprodpb/6d3b/live/storm.jpg', 'asset_id': None, 'data': None, 'metadata': None}]" {
		t.Errorf("images = %s", img["image"])
	}
	vid := collect(t, "lib.beautifulsoup.ExtractVideos", fmt.Sprintf(`{"html":%s,"base_url":"https://www.bbc.com/news/articles/c0r4e8g1m2po"}`, html), "video")
	if vid["video"] != "[{'type': 'video', 'uri': 'https://www.bbc.com/video/storm.mp4', 'asset_id': None, 'data': None, 'metadata': None, 'duration': None, 'format': None}, "+
		"{'type': 'video', 'uri': 'https://www.youtube.com/embed/dQw4w9WgXcQ', 'asset_id': None, 'data': None, 'metadata': None, 'duration': None, 'format': None}]" {
		t.Errorf("videos = %s", vid["video"])
	}
	aud := collect(t, "lib.beautifulsoup.ExtractAudio", fmt.Sprintf(`{"html":%s,"base_url":"https://www.bbc.com/news/articles/c0r4e8g1m2po"}`, html), "audio")
	if aud["audio"] != "[{'type': 'audio', 'uri': 'https://www.bbc.com/audio/forecast.mp3', 'asset_id': None, 'data': None, 'metadata': None}, "+
		"{'type': 'audio', 'uri': 'https://www.bbc.com/audio/forecast.ogg', 'asset_id': None, 'data': None, 'metadata': None}]" {
		t.Errorf("audio = %s", aud["audio"])
	}
}

func TestMetadataAndText(t *testing.T) {
	outs, res := nodetest.RunNode(t, "lib.beautifulsoup.ExtractMetadata", `{"html":`+nodetest.JS(page(t, "article.html"))+`}`)
	nodetest.WantCompleted(t, res)
	got := nodetest.Repr([]any{outs["title"], outs["description"], outs["keywords"]})
	if got != "[['Storm Éowyn brings record winds to western Europe - BBC News'], "+
		"['Forecasters issue rare red warnings as gusts of over 90mph are expected along the Atlantic coast.'], ['storm, weather, Europe, wind']]" {
		t.Errorf("metadata = %s", got)
	}
	outs, _ = nodetest.RunNode(t, "lib.beautifulsoup.ExtractMetadata", `{"html":"<meta name=Description><p>no title</p>"}`)
	if got := nodetest.Repr([]any{outs["title"], outs["description"], outs["keywords"]}); got != "[[''], [''], ['']]" {
		t.Errorf("empty metadata = %s", got)
	}
	nodetest.RunCases(t, "lib.beautifulsoup.", []nodetest.Case{
		{"WebsiteContentExtractor", `{"html_content":` + nodetest.JS(page(t, "article.html")) + `}`,
			"'Storm Éowyn brings record winds to western Europe Forecasters have issued rare red warnings as gusts of over 90mph are expected along the Atlantic coast. " +
				"Waves at Galway on Friday Schools will stay closed on Monday, and ferry crossings have been cancelled.Airlines expect delays. Listen to the forecast: " +
				"Red warning: IrelandAmber warning: Scotland Read more on the Met Éireann site & the Met Office.'"},
		{"WebsiteContentExtractor", `{"html_content":` + nodetest.JS(page(t, "wiki.html")) + `}`,
			`'Transformer (deep learning architecture) A transformer is a deep learning architecture based on the multi-head attention mechanism.[1] ` +
				`It was proposed in the 2017 paper "Attention Is All You Need". Introduced2017'`},
		{"WebsiteContentExtractor", `{"html_content":"<html><body><nav>menu</nav><p>  Just   text </p><footer>f</footer></body></html>"}`, "'Just text'"},
		{"WebsiteContentExtractor", `{"html_content":"plain text"}`, "'No main content found'"},
		{"HTMLToText", `{"text":"<h1>Title</h1><p>One<br>two &amp; <b>three</b></p><div>  a   b  </div><ul><li>x</li><li>y</li></ul><script>var s='<p>';</script><!-- c -->"}`,
			`'Title\nOne\ntwo & three\n a b \nx\ny'`},
		{"HTMLToText", `{"text":"<p>a</p>\n\n\n<p>b</p>","preserve_linebreaks":false}`, `'a\n\nb'`},
		{"HTMLToText", `{"text":"<p>a</p> \u00a0 \n \n<p>b</p>"}`, `'a\n\nb'`},
		{"BaseUrl", `{"url":"https://user:pw@www.example.com:8443/a/b?q=1#f"}`, "'https://user:pw@www.example.com:8443'"},
		{"BaseUrl", `{"url":"example.com/path"}`, "'://'"},
	})
	nodetest.RunErrCases(t, "lib.beautifulsoup.", []nodetest.Case{{"BaseUrl", `{"url":""}`, "URL must not be empty"}})
}

func TestDeepAndHostileHTML(t *testing.T) {
	// Far deeper than an HTML5 parser's stack of open elements: the tree
	// is built without recursion and walked without it.
	deep := strings.Repeat("<div>", 200000) + "<a href='/deep'>deep</a>" + strings.Repeat("</span>", 100000)
	got := collect(t, "lib.beautifulsoup.ExtractLinks", `{"html":`+nodetest.JS(deep)+`}`, "href")
	if got["href"] != "['/deep']" {
		t.Errorf("deep links = %s", got["href"])
	}
	nodetest.RunBudgetCases(t, "lib.beautifulsoup.", []nodetest.BudgetCase{
		{"many elements", "HTMLToText", `{"text":` + nodetest.JS(strings.Repeat("<b>", 30000)) + `}`, ""},
		{"many links", "WebsiteContentExtractor", `{"html_content":` + nodetest.JS(strings.Repeat("<a href=x>y</a>", 10000)) + `}`, ""},
		{"small", "HTMLToText", `{"text":"<p>ok</p>"}`, "'ok'"},
	})
}

func FuzzParseHTML(f *testing.F) {
	f.Add(page(f, "article.html"))
	f.Add(page(f, "wiki.html"))
	f.Add("<p>a<br>b</p>\n \n<li>x</li><script>x</script><style>y</style><title><b>t</b></title><textarea><i>z</i></textarea>")
	f.Add("</a></b><div/><img src=x><table><td>cell</table></div></div>")
	f.Fuzz(func(t *testing.T, s string) {
		text, content, err := libbeautifulsoup.TextOf(s)
		if err != nil {
			return
		}
		if text != strings.TrimSpace(text) && strings.TrimSpace(text) != "" && !strings.ContainsAny(text[:1], "\u00a0\u1680") {
			// pyStrip trims Unicode spaces too; an ASCII space must never remain.
			if text[0] == ' ' || text[len(text)-1] == ' ' {
				t.Fatalf("text %q is not stripped", text)
			}
		}
		if strings.Contains(content, "  ") {
			t.Fatalf("content %q has a run of spaces", content)
		}
	})
}
