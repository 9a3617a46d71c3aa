package text_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

// TestHtmlToText: the expected texts follow html2text's rules (traced by
// hand through its HTML2Text.handle_tag, o and optwrap).
func TestHtmlToText(t *testing.T) {
	h := func(html, extra string) string { return `{"html":` + nodetest.JS(html) + extra + `}` }
	nodetest.RunCases(t, "nodetool.text.", []nodetest.Case{
		{"HtmlToText", h(`<h1>Title</h1><p>Some <b>bold</b> and <i>it</i> text.</p>`, ``), `'# Title\n\nSome **bold** and _it_ text.\n\n'`},
		{"HtmlToText", h(`<p>See <a href="/docs">the docs</a> or <a href="https://x.org">https://x.org</a>.</p>`, `,"base_url":"https://example.com/a/"`), `'See [the docs](https://example.com/docs) or <https://x.org>.\n\n'`},
		{"HtmlToText", h(`<ul><li>One</li><li>Two</li></ul><ol><li>A</li><li>B</li></ol>`, ``), `'  * One\n  * Two\n\n  1. A\n  2. B\n\n'`},
		{"HtmlToText", h(`<html><head><title>T</title><script>var x=1;</script></head><body><p>a &amp; b &mdash; c&nbsp;&nbsp;d &#8217;e&#x27;</p></body></html>`, ``), `"a & b -- c  d 'e'\n\n"`},
		{"HtmlToText", h("<p>x</p><pre>line1\n  line2</pre><p>y</p>", ``), // The pending breaks before a <pre> carry its indentation, so html2text
			// writes two lines of four spaces there.
			`'x\n\n    \n    \n    line1\n      line2\n\ny\n\n'`},
		{"HtmlToText", h(`<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>`, ``), `'A| B  \n---|---  \n1| 2\n\n'`},
		{"HtmlToText", h(`<blockquote><p>q</p></blockquote><p>after</p>`, ``), `'> q\n\nafter\n\n'`},
		{"HtmlToText", h(`<p>a<br>b</p>`, ``), `'a  \nb\n\n'`},
		{"HtmlToText", h(`<p><img src="i.png" alt="A pic"></p>`, `,"base_url":"https://e.com/x/","ignore_images":false`), `'![A pic](https://e.com/x/i.png)\n\n'`},
		{"HtmlToText", h(`<p><img src="i.png" alt="A pic"></p>`, ``), `'\n\n'`},
		{"HtmlToText", h(``, ``), `'\n\n'`},
		{"HtmlToText", h(`<a href="mailto:x@y.z">mail</a>`, ``), `'mail\n\n'`},
		{"HtmlToText", h(`</blockquote><p>a</p>`, ``), `'a\n\n'`},
		{"HtmlToText", h(`<a href="mailto:x@y.z">mail</a>`, `,"ignore_mailto_links":false`), `'[mail](mailto:x@y.z)\n\n'`},
		{"HtmlToText", h(`<p>1. not a list</p><p>- dash</p><p>C:\path\_x</p>`, ``), `'1\\. not a list\n\n\\- dash\n\nC:\\path\\\\_x\n\n'`},
		{"HtmlToText", h(`<p>one two three four</p>`, `,"body_width":9`), `'one two\nthree\nfour\n\n'`},
		{"HtmlToText", h(`<p>`+strings.Repeat("w ", 3)+`</p><hr><p>code: <code>x_y</code></p>`, ``), `'w w w\n\n* * *\n\ncode: ` + "`x_y`" + `\n\n'`},
	})
}

func runWorkspace(t *testing.T, g *nodetest.Graph, dir string) *engine.Result {
	t.Helper()
	return nodetest.Compile(t, nodetest.Registry(), g.JSON()).Run(context.Background(), engine.RunOptions{JobID: "j", Workspace: dir})
}

func TestTextFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"docs/a.txt": "alpha", "docs/B.MD": "beta", "docs/skip.bin": "x", "docs/sub/c.txt": "gamma",
		"docs/bad.txt": "\xff\xfe", "other/d.txt": "delta",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "other"), filepath.Join(dir, "docs", "link")); err != nil {
		t.Fatal(err)
	}
	load := func(extra string) ([]any, []any, *engine.Result) {
		var g nodetest.Graph
		g.Node("n", "nodetool.text.LoadTextFolder", `{"folder":"docs"`+extra+`}`)
		g.Node("t", "nodetool.output.Output", `{"name":"text"}`).Edge("n", "text", "t", "value")
		g.Node("p", "nodetool.output.Output", `{"name":"path"}`).Edge("n", "path", "p", "value")
		res := runWorkspace(t, &g, dir)
		return res.Outputs["text"], res.Outputs["path"], res
	}
	texts, paths, res := load(``)
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(texts) + nodetest.Repr(paths); got != `['beta', 'alpha']['docs/B.MD', 'docs/a.txt']` {
		t.Errorf("LoadTextFolder = %s", got)
	}
	texts, paths, res = load(`,"include_subdirectories":true,"pattern":"*/a.*"`)
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(texts) + nodetest.Repr(paths); got != `['alpha']['docs/a.txt']` {
		t.Errorf("LoadTextFolder with a pattern = %s", got)
	}
	texts, paths, res = load(`,"include_subdirectories":true,"extensions":[".txt"]`)
	nodetest.WantCompleted(t, res)
	// The symlinked folder is not followed; bad.txt is not UTF-8.
	if got := nodetest.Repr(texts) + nodetest.Repr(paths); got != `['alpha', 'gamma']['docs/a.txt', 'docs/sub/c.txt']` {
		t.Errorf("LoadTextFolder with subfolders = %s", got)
	}

	var g nodetest.Graph
	g.Node("n", "nodetool.text.SaveTextFile", `{"text":"héllo","folder":"other","name":"out-%m.txt"}`).Output("n", "r")
	res = runWorkspace(t, &g, dir)
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["r"][0]); got != `{'type': 'text', 'uri': '', 'asset_id': None, 'data': 'héllo', 'metadata': None}` {
		t.Errorf("SaveTextFile = %s", got)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "other", "out-*.txt"))
	if len(matches) != 1 {
		t.Fatalf("SaveTextFile wrote %v", matches)
	}
	if b, _ := os.ReadFile(matches[0]); string(b) != "héllo" {
		t.Errorf("SaveTextFile wrote %q", b)
	}
	for _, c := range []struct{ typ, data, want string }{
		{"nodetool.text.SaveTextFile", `{"text":"x","folder":"","name":"a.txt"}`, "folder cannot be empty"},
		{"nodetool.text.SaveTextFile", `{"text":"x","folder":"docs/link","name":"a.txt"}`, "leaves the run's workspace folder"},
		{"nodetool.text.LoadTextFolder", `{"folder":"../"}`, "leaves the run's workspace folder"},
		{"nodetool.text.LoadTextFolder", `{"folder":"nope"}`, `folder "nope" does not exist`},
		{"nodetool.text.LoadTextFolder", `{"folder":"docs","pattern":"[z-a]"}`, "pattern"},
	} {
		var g nodetest.Graph
		g.Node("n", c.typ, c.data)
		if res := runWorkspace(t, &g, dir); !strings.Contains(res.Error, c.want) {
			t.Errorf("%s(%s): %q, want it to contain %q", c.typ, c.data, res.Error, c.want)
		}
	}
}

// TestLoadTextAssetsWithoutStore: a process without an asset store (the test
// registry's) refuses asset folders; the store's side is tested with the
// real store in the nodetool package (assets_nodes_test.go).
func TestLoadTextAssetsWithoutStore(t *testing.T) {
	nodetest.RunErrCases(t, "", []nodetest.Case{
		{"nodetool.text.LoadTextAssets", `{"folder":{"type":"folder","asset_id":"f1"}}`, "this process has no asset store"},
		{"nodetool.text.LoadTextAssets", `{}`, "Please select an asset folder."},
	})
}
