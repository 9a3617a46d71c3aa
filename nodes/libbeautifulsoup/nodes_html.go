// Package libbeautifulsoup holds the lib.beautifulsoup nodes: links,
// metadata, media and main content read out of HTML, and HTML turned into
// text, with the tree BeautifulSoup's html.parser builds (see dom.go).
package libbeautifulsoup

import (
	"errors"
	"net/url"
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// Register adds the lib.beautifulsoup nodes.
func Register(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type: "lib.beautifulsoup.BaseUrl", Title: "Base Url", BasicFields: []string{"url"},
		Description: "Returns the scheme and host of a URL (\"https://example.com\" for \"https://example.com/a/b?q=1\").",
		Props:       []engine.Prop{engine.P("url", "str", `""`, "The URL.").Titled("URL")},
		Outputs:     engine.Out("output", "str"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			raw := in.Str("url")
			if raw == "" {
				return nil, errors.New("URL must not be empty")
			}
			return engine.Single(baseURL(raw)), nil
		},
	})
	htmlProp := func(desc string) engine.Prop { return engine.P("html", "str", `""`, desc) }
	baseProp := func(desc string) engine.Prop { return engine.P("base_url", "str", `""`, desc) }
	r.Add(&engine.NodeDef{
		Type: "lib.beautifulsoup.ExtractLinks", Title: "Extract Links", StreamingOutput: true,
		BasicFields: []string{"html", "base_url"},
		Description: "Emits every link (<a href>) of an HTML page in order: its href, its text, and its type: internal when the href starts with base_url or \"/\", else external.",
		Props: []engine.Prop{
			htmlProp("The HTML of the page."),
			baseProp("The URL of the page, to tell internal links from external ones."),
		},
		Outputs: engine.Out("href", "str", "text", "str", "type", "str"),
		Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			doc, err := parse(ctx, in.Str("html"))
			if err != nil {
				return err
			}
			base := in.Str("base_url")
			for _, a := range doc.findAll("a") {
				href, ok := a.attr("href")
				if !ok {
					continue
				}
				kind := "external"
				if (base != "" && strings.HasPrefix(href, base)) || strings.HasPrefix(href, "/") {
					kind = "internal"
				}
				for _, o := range [][2]any{{"href", href}, {"text", pyStrip(a.getText())}, {"type", kind}} {
					if err := emit(o[0].(string), o[1]); err != nil {
						return err
					}
				}
			}
			return nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.beautifulsoup.ExtractMetadata", Title: "Extract Metadata", BasicFields: []string{"html"},
		Description: "Reads an HTML page's title and its description and keywords meta tags (each empty when the page has none).",
		Props:       []engine.Prop{htmlProp("The HTML of the page.")},
		Outputs:     engine.Out("title", "str", "description", "str", "keywords", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			doc, err := parse(ctx, in.Str("html"))
			if err != nil {
				return nil, err
			}
			title := ""
			if t := doc.find(func(n *node) bool { return n.tag == "title" }); t != nil {
				title = t.str()
			}
			meta := func(name string) string {
				m := doc.find(func(n *node) bool {
					v, _ := n.attr("name")
					return n.tag == "meta" && strings.EqualFold(v, name)
				})
				if m == nil {
					return ""
				}
				v, _ := m.attr("content")
				return v
			}
			return map[string]any{"title": title, "description": meta("description"), "keywords": meta("keywords")}, nil
		},
	})
	media := func(typ, title, slot, kind, desc string, sources func(doc *node) []string) {
		r.Add(&engine.NodeDef{
			Type: typ, Title: title, StreamingOutput: true, BasicFields: []string{"html", "base_url"},
			Description: desc,
			Props: []engine.Prop{
				htmlProp("The HTML of the page."),
				baseProp("The URL of the page, to resolve relative URLs."),
			},
			Outputs: engine.Out(slot, kind),
			Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
				doc, err := parse(ctx, in.Str("html"))
				if err != nil {
					return err
				}
				base := in.Str("base_url")
				for _, src := range sources(doc) {
					if err := emit(slot, mediaRef(kind, urlJoin(base, src))); err != nil {
						return err
					}
				}
				return nil
			},
		})
	}
	media("lib.beautifulsoup.ExtractImages", "Extract Images", "image", "image",
		"Emits an image reference for every <img src> of an HTML page, its URL resolved against base_url (images without a src are skipped).",
		func(doc *node) []string {
			var out []string
			for _, img := range doc.findAll("img") {
				if src, _ := img.attr("src"); src != "" {
					out = append(out, src)
				}
			}
			return out
		})
	media("lib.beautifulsoup.ExtractVideos", "Extract Videos", "video", "video",
		"Emits a video reference for every <video> (its src, or its first <source>'s) and <iframe src> of an HTML page, resolved against base_url.",
		func(doc *node) []string {
			var out []string
			for _, v := range doc.findAll("video", "iframe") {
				src, _ := v.attr("src")
				if src == "" && v.tag == "video" {
					if s := v.find(func(n *node) bool { return n.tag == "source" }); s != nil {
						src, _ = s.attr("src")
					}
				}
				if src != "" {
					out = append(out, src)
				}
			}
			return out
		})
	media("lib.beautifulsoup.ExtractAudio", "Extract Audio", "audio", "audio",
		"Emits an audio reference for every <audio src> of an HTML page and every <source src> inside an <audio>, resolved against base_url.",
		func(doc *node) []string {
			var out []string
			for _, a := range doc.findAll("audio", "source") {
				if a.tag == "source" && (a.parent == nil || a.parent.tag != "audio") {
					continue
				}
				if src, _ := a.attr("src"); src != "" {
					out = append(out, src)
				}
			}
			return out
		})
	r.Add(&engine.NodeDef{
		Type: "lib.beautifulsoup.WebsiteContentExtractor", Title: "Website Content Extractor", BasicFields: []string{"html_content"},
		Description: "Extracts the main text of a web page: the first <article>, <main>, or <div> whose id or class contains \"content\" (else the body), without scripts, styles, navigation, headers and footers, whitespace collapsed.",
		Props:       []engine.Prop{engine.P("html_content", "str", `""`, "The HTML of the page.")},
		Outputs:     engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			doc, err := parse(ctx, in.Str("html_content"))
			if err != nil {
				return nil, err
			}
			return engine.Single(mainContent(doc)), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.beautifulsoup.HTMLToText", Title: "Convert HTML to Text", BasicFields: []string{"text", "preserve_linebreaks"},
		Description: "Converts HTML to plain text: tags removed, entities decoded, scripts and styles dropped; with preserve_linebreaks, <br> and the ends of paragraphs, divs, headings and list items become line breaks. Runs of blank lines become one blank line, runs of spaces one space.",
		Props: []engine.Prop{
			engine.P("text", "str", `""`, "The HTML.").Titled("HTML"),
			engine.P("preserve_linebreaks", "bool", `true`, "Whether block elements and <br> become line breaks.").Titled("Preserve Line Breaks"),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			doc, err := parse(ctx, in.Str("text"))
			if err != nil {
				return nil, err
			}
			return engine.Single(htmlToText(doc, in.Bool("preserve_linebreaks"))), nil
		},
	})
}

func parse(ctx *engine.Ctx, s string) (*node, error) {
	tick, charge := budget(ctx)
	return parseHTML(s, tick, charge)
}

// mediaRef is an ImageRef, VideoRef or AudioRef pointing at a URL.
func mediaRef(kind, uri string) *pyval.Dict {
	d := pyval.DictOf("type", kind, "uri", uri, "asset_id", nil, "data", nil, "metadata", nil)
	if kind == "video" {
		d.Set("duration", nil)
		d.Set("format", nil)
	}
	return d
}

// baseURL is Python's f"{p.scheme}://{p.netloc}" of urlparse(url).
func baseURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "://"
	}
	netloc := u.Host
	if u.User != nil {
		netloc = u.User.String() + "@" + netloc
	}
	return u.Scheme + "://" + netloc
}

// urlJoin resolves ref against base as Python's urljoin does for page
// URLs (an empty base leaves ref as it is).
func urlJoin(base, ref string) string {
	if base == "" {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}

// mainContent is NodeTool's extract_content.
func mainContent(doc *node) string {
	for _, s := range doc.findAll("script", "style") {
		s.remove()
	}
	main := doc.find(func(n *node) bool { return n.tag == "article" })
	if main == nil {
		main = doc.find(func(n *node) bool { return n.tag == "main" })
	}
	for _, key := range []string{"id", "class"} {
		if main == nil {
			main = doc.find(func(n *node) bool {
				v, _ := n.attr(key)
				return n.tag == "div" && strings.Contains(v, "content")
			})
		}
	}
	if main == nil {
		main = doc.find(func(n *node) bool { return n.tag == "body" })
	}
	if main == nil {
		return "No main content found"
	}
	for _, e := range main.findAll("nav", "sidebar", "footer", "header") {
		e.remove()
	}
	return collapseSpace(main.getText())
}

// htmlToText is NodeTool's convert_html_to_text.
func htmlToText(doc *node, linebreaks bool) string {
	if linebreaks {
		for _, br := range doc.findAll("br") {
			*br = node{text: "\n", parent: br.parent}
		}
		for _, b := range doc.findAll("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li") {
			b.children = append(b.children, &node{text: "\n", parent: b})
		}
	}
	return pyStrip(collapseSpaces(collapseBlankLines(doc.getText())))
}

// collapseBlankLines is re.sub(r"\n\s*\n", "\n\n", s): a line break
// followed by whitespace holding more line breaks becomes two line breaks
// (what follows the last of them stays).
func collapseBlankLines(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '\n' {
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		end := i + 1
		for end < len(s) {
			r, w := decodeRune(s[end:])
			if !isPySpace(r) {
				break
			}
			end += w
		}
		if k := strings.LastIndexByte(s[i+1:end], '\n'); k >= 0 {
			b.WriteString("\n\n")
			i = i + 1 + k + 1
			continue
		}
		b.WriteByte('\n')
		i++
	}
	return b.String()
}

// collapseSpaces is re.sub(r" +", " ", s).
func collapseSpaces(s string) string {
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && i > 0 && s[i-1] == ' ' {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// collapseSpace is re.sub(r"\s+", " ", s).strip().
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if isPySpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// Text is HTMLToText for other node code (an agent's page-reading tool):
// the text of an HTML document, line breaks kept, within the node's
// budgets.
func Text(ctx *engine.Ctx, html string) (string, error) {
	doc, err := parse(ctx, html)
	if err != nil {
		return "", err
	}
	return htmlToText(doc, true), nil
}

// MainText is WebsiteContentExtractor for other node code: the main text
// of a page (article, main or content block), whitespace collapsed.
func MainText(ctx *engine.Ctx, html string) (string, error) {
	doc, err := parse(ctx, html)
	if err != nil {
		return "", err
	}
	return mainContent(doc), nil
}
