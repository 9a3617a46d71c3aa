package text_test

import (
	"strconv"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

// FuzzHtmlToText converts any HTML: the node completes with a text, or
// fails only on the value budget; it never panics or hangs.
func FuzzHtmlToText(f *testing.F) {
	for _, s := range []string{
		`<h1>T</h1><p>a <b>b</b> <i>c</i></p>`, `<ul><li>x<ol><li>y</ol></ul>`, "<pre>a\n b</pre>",
		`<table><tr><th>A<td>1</table>`, `<a href="/x">y</a><img src=i alt=z>`, `&#x;&amp&#99999999;&bogus;`,
		`<blockquote><blockquote>q</blockquote></blockquote>`, `<abbr title="t">A</abbr><code>_</code>`,
		`<script>x</script><style>y</style><p>`,
	} {
		f.Add(s, 40)
	}
	f.Fuzz(func(t *testing.T, html string, width int) {
		if len(html) > 4000 {
			return
		}
		outs, res := nodetest.RunNode(t, "nodetool.text.HtmlToText", `{"html":`+nodetest.JS(html)+`,"body_width":`+strconv.Itoa(width%200)+`}`)
		switch {
		case res.Status == engine.StatusCompleted:
			if len(outs["output"]) != 1 {
				t.Fatalf("HtmlToText(%q) completed with %d outputs", html, len(outs["output"]))
			}
			if _, ok := outs["output"][0].(string); !ok {
				t.Fatalf("HtmlToText(%q) gave %T", html, outs["output"][0])
			}
		case !strings.Contains(res.Error, "max-value"):
			t.Fatalf("HtmlToText(%q): %s %s", html, res.Status, res.Error)
		}
	})
}
