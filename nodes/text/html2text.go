package text

import (
	"html"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"

	"nodetool/engine"
)

// html2text turns HTML into Markdown-structured text as the html2text
// Python package (which the original's HtmlToText uses) does with its
// defaults and the node's settings: paragraphs and headings separated by
// blank lines, **strong**, _emphasis_, `code`, [links](url) resolved
// against the base URL, <url> for a link whose text is its URL, lists as
// "  * " and "  1. ", > quotes, indented <pre>, | tables, entities
// decoded (a few, such as &mdash;, to ASCII as html2text does), scripts
// and styles dropped, lines wrapped at bodyWidth (0: never). It is a port
// of html2text's HTML2Text parser for those settings; Google Docs styles,
// reference-style links and padded tables are not supported. The text it
// builds is bounded by the run's max-value budget.
type html2text struct {
	ctx                 *engine.Ctx
	baseURL             string
	bodyWidth           int
	ignoreImages        bool
	ignoreMailtoLinks   bool
	out                 strings.Builder
	err                 error
	lastWasNL           bool
	quiet               int
	pP                  int
	start               bool
	space               bool
	astack              []map[string]string // nil entries: anchors that are not links
	maybeAutomaticLink  *string
	emptyLink           bool
	list                []*listElem
	blockquote          int
	pre, startpre       bool
	preIndent           string
	listCodeIndent      string
	code, quote         bool
	brToggle            string
	lastWasList         bool
	stressed            bool
	precedingStressed   bool
	precedingData       string
	currentTag          string
	splitNextTD         bool
	tdCount             int
	tableStart          bool
	abbrTitle, abbrData *string
	abbrs               [][2]string
	inheader            bool
}

type listElem struct {
	name string
	num  int
}

// nbspMark stands for &nbsp; until the end, so that whitespace collapsing
// keeps it (html2text's "&nbsp_place_holder;").
const nbspMark = "\uE000nbsp\uE000"

func htmlToText(ctx *engine.Ctx, src, baseURL string, bodyWidth int, ignoreImages, ignoreMailto bool) (string, error) {
	h := &html2text{ctx: ctx, baseURL: baseURL, bodyWidth: bodyWidth, ignoreImages: ignoreImages,
		ignoreMailtoLinks: ignoreMailto, start: true}
	src = strings.ReplaceAll(src, "</' + 'script>", "</ignore>")
	z := xhtml.NewTokenizer(strings.NewReader(src))
	z.SetMaxBuf(0)
	for h.err == nil {
		if err := ctx.Tick(); err != nil {
			return "", err
		}
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return h.finish()
		case xhtml.TextToken:
			h.text(string(z.Raw()))
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if _, dup := attrs[string(k)]; !dup {
					attrs[string(k)] = string(v)
				}
			}
			h.tag(string(name), attrs, true)
			if tt == xhtml.SelfClosingTagToken {
				h.tag(string(name), nil, false)
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			h.tag(string(name), nil, false)
		}
	}
	return "", h.err
}

// text splits raw text into data and character references, as Python's
// HTMLParser reports them (convert_charrefs=False).
func (h *html2text) text(raw string) {
	for raw != "" && h.err == nil {
		i := strings.IndexByte(raw, '&')
		if i < 0 {
			h.data(raw, false)
			return
		}
		if i > 0 {
			h.data(raw[:i], false)
			raw = raw[i:]
		}
		ref, n := charRef(raw)
		if n == 0 {
			h.data("&", false)
			raw = raw[1:]
			continue
		}
		if ref != "" {
			h.data(ref, true)
		}
		raw = raw[n:]
	}
}

// unifiable are the entities html2text writes as ASCII.
var unifiable = map[string]string{
	"rsquo": "'", "lsquo": "'", "rdquo": `"`, "ldquo": `"`, "copy": "(C)", "mdash": "--",
	"nbsp": nbspMark, "rarr": "->", "larr": "<-", "middot": "*", "ndash": "-", "oelig": "oe",
	"aelig": "ae", "agrave": "a", "aacute": "a", "acirc": "a", "atilde": "a", "auml": "a",
	"aring": "a", "egrave": "e", "eacute": "e", "ecirc": "e", "euml": "e", "igrave": "i",
	"iacute": "i", "icirc": "i", "iuml": "i", "ograve": "o", "oacute": "o", "ocirc": "o",
	"otilde": "o", "ouml": "o", "ugrave": "u", "uacute": "u", "ucirc": "u", "uuml": "u",
	"lrm": "", "rlm": "",
}

// unifiableRunes are the same by code point (nbsp excepted).
var unifiableRunes = func() map[rune]string {
	m := map[rune]string{}
	for name, s := range unifiable {
		if name == "nbsp" {
			continue
		}
		r, _ := utf8.DecodeRuneInString(html.UnescapeString("&" + name + ";"))
		m[r] = s
	}
	return m
}()

// controlReplacements map the C1 controls of numeric references to the
// Windows-1252 characters browsers show.
var controlReplacements = map[int]rune{
	0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
	0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
	0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
	0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
}

// charRef reads a character reference at the start of s ("&amp;", "&#38;",
// "&#x26;"), returning its text as html2text gives it and its length (0:
// not a reference).
func charRef(s string) (string, int) {
	if len(s) > 2 && s[1] == '#' {
		j, base := 2, 10
		if s[2] == 'x' || s[2] == 'X' {
			j, base = 3, 16
		}
		k := j
		for k < len(s) && k-j < 16 && (isDigit(s[k]) || base == 16 && isHex(s[k])) {
			k++
		}
		if k == j || k == len(s) {
			return "", 0
		}
		c, err := strconv.ParseInt(s[j:k], base, 64)
		if err != nil || c <= 0 || c >= 0x110000 || c >= 0xD800 && c < 0xE000 {
			c = 0xFFFD
		}
		if r, ok := controlReplacements[int(c)]; ok {
			c = int64(r)
		}
		if k < len(s) && s[k] == ';' {
			k++
		}
		if u, ok := unifiableRunes[rune(c)]; ok {
			return u, k
		}
		return string(rune(c)), k
	}
	k := 1
	for k < len(s) && (isLetter(s[k]) || k > 1 && (isDigit(s[k]) || s[k] == '-' || s[k] == '.')) {
		k++
	}
	if k == 1 || k == len(s) {
		return "", 0
	}
	name := s[1:k]
	if s[k] == ';' {
		k++
	}
	if u, ok := unifiable[name]; ok {
		return u, k
	}
	if t := html.UnescapeString("&" + name + ";"); t != "&"+name+";" {
		return t, k
	}
	return "&" + name + ";", k
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isHex(c byte) bool    { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// emit appends s to the output, within max-value.
func (h *html2text) emit(s string) {
	if s == "" || h.err != nil {
		return
	}
	if int64(h.out.Len()+len(s)) > h.ctx.MaxValue() {
		h.err = h.ctx.CheckSize(int64(h.out.Len() + len(s)))
		return
	}
	h.out.WriteString(s)
	h.lastWasNL = s[len(s)-1] == '\n'
}

func (h *html2text) pbr() {
	if h.pP == 0 {
		h.pP = 1
	}
}

func (h *html2text) p() { h.pP = 2 }

func (h *html2text) softBR() {
	h.pbr()
	h.brToggle = "  "
}

// o is html2text's o(): it writes data with the pending line breaks,
// blockquote and pre indentation, and spacing.
func (h *html2text) o(data string, puredata bool, force string) {
	if h.abbrData != nil {
		*h.abbrData += data
	}
	if h.quiet != 0 { // html2text's "if not self.quiet": a stray </head> silences too
		return
	}
	if puredata && !h.pre {
		data = collapseSpace(data)
		if data != "" && data[0] == ' ' {
			h.space = true
			data = data[1:]
		}
	}
	if data == "" && force == "" {
		return
	}
	if h.startpre && !strings.HasPrefix(data, "\n") && !strings.HasPrefix(data, "\r\n") {
		data = "\n" + data
	}
	bq := strings.Repeat(">", h.blockquote)
	if !(force != "" && data != "" && data[0] == '>') && h.blockquote > 0 {
		bq += " "
	}
	if h.pre {
		if len(h.list) > 0 {
			bq += h.listCodeIndent
		}
		bq += "    "
		data = strings.ReplaceAll(data, "\n", "\n"+bq)
		h.preIndent = bq
	}
	if h.startpre {
		h.startpre = false
		if len(h.list) > 0 {
			data = strings.TrimLeft(data, "\n"+h.preIndent)
		}
	}
	if h.start {
		h.space = false
		h.pP = 0
		h.start = false
	}
	if force == "end" {
		h.pP = 0
		h.emit("\n")
		h.space = false
	}
	if h.pP > 0 {
		h.emit(strings.Repeat(h.brToggle+"\n"+bq, h.pP))
		h.space = false
		h.brToggle = ""
	}
	if h.space {
		if !h.lastWasNL {
			h.emit(" ")
		}
		h.space = false
	}
	if force == "end" {
		for _, a := range h.abbrs {
			h.emit("  *[" + a[0] + "]: " + a[1] + "\n")
		}
	}
	h.pP = 0
	h.emit(data)
}

// collapseSpace replaces every run of whitespace by one space, as
// re.sub(r"\s+", " ") does.
func collapseSpace(s string) string {
	var b strings.Builder
	inSpace := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\x1c' || r == '\x1d' || r == '\x1e' || r == '\x1f' {
			if !inSpace {
				b.WriteByte(' ')
			}
			inSpace = true
			continue
		}
		inSpace = false
		b.WriteRune(r)
	}
	return b.String()
}

func (h *html2text) data(data string, entity bool) {
	if data == "" {
		return
	}
	if h.stressed {
		data = strings.TrimSpace(data)
		h.stressed = false
		h.precedingStressed = true
	} else if h.precedingStressed {
		r, _ := utf8.DecodeRuneInString(data)
		if !strings.ContainsRune("][(){}.!?", r) && !unicode.IsSpace(r) && hn(h.currentTag) == 0 &&
			h.currentTag != "a" && h.currentTag != "code" && h.currentTag != "pre" {
			data = " " + data
		}
		h.precedingStressed = false
	}
	if h.maybeAutomaticLink != nil {
		href := *h.maybeAutomaticLink
		if href == data && absoluteURL(href) {
			h.o("<"+data+">", false, "")
			h.emptyLink = false
			return
		}
		h.o("[", false, "")
		h.maybeAutomaticLink = nil
		h.emptyLink = false
	}
	if !h.code && !h.pre && !entity {
		data = escapeMDSection(data)
	}
	h.precedingData = data
	h.o(data, true, "")
}

// absoluteURL is html2text's ^[a-zA-Z+]+:// test.
func absoluteURL(s string) bool {
	i := 0
	for i < len(s) && (isLetter(s[i]) || s[i] == '+') {
		i++
	}
	return i > 0 && strings.HasPrefix(s[i:], "://")
}

// escapeMD escapes \ [ ] ( ) inside other Markdown constructs.
func escapeMD(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`\[]()`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// escapeMDSection escapes what would otherwise read as Markdown: a
// backslash before a character Markdown escapes, and at the start of a
// line "1." before a space, "+" before a space, "-" before a space or a
// dash.
func escapeMDSection(s string) string {
	var b strings.Builder
	lineStart := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && strings.IndexByte("\\`*_{}[]()#+-.!", s[i+1]) >= 0 {
			b.WriteString(`\\`)
			lineStart = false
			continue
		}
		if lineStart {
			j := i
			for j < len(s) && isSpaceByte(s[j]) && s[j] != '\n' {
				j++
			}
			k := j
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			next := func(p int) byte {
				if p < len(s) {
					return s[p]
				}
				return 0
			}
			switch {
			case k > j && next(k) == '.' && isSpaceByte(next(k+1)):
				b.WriteString(s[i:k] + `\.`)
				i = k
				lineStart = false
				continue
			case next(j) == '+' && isSpaceByte(next(j+1)):
				b.WriteString(s[i:j] + `\+`)
				i = j
				lineStart = false
				continue
			case next(j) == '-' && (isSpaceByte(next(j+1)) || next(j+1) == '-'):
				b.WriteString(s[i:j] + `\-`)
				i = j
				lineStart = false
				continue
			}
		}
		b.WriteByte(c)
		lineStart = c == '\n'
	}
	return b.String()
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// hn is the level of a heading tag (h1..h9), else 0.
func hn(tag string) int {
	if len(tag) == 2 && tag[0] == 'h' && tag[1] > '0' && tag[1] <= '9' {
		return int(tag[1] - '0')
	}
	return 0
}

// join resolves a link against the base URL, as urllib's urljoin.
func (h *html2text) join(link string) string {
	if h.baseURL == "" {
		return link
	}
	base, err := url.Parse(h.baseURL)
	if err != nil {
		return link
	}
	ref, err := url.Parse(link)
	if err != nil {
		return link
	}
	return base.ResolveReference(ref).String()
}

func (h *html2text) tag(tag string, attrs map[string]string, start bool) {
	h.currentTag = tag
	if start && h.maybeAutomaticLink != nil && tag != "p" && tag != "div" && tag != "style" && tag != "dl" && tag != "dt" &&
		(tag != "img" || h.ignoreImages) {
		h.o("[", false, "")
		h.maybeAutomaticLink = nil
		h.emptyLink = false
	}
	if n := hn(tag); n > 0 {
		if len(h.astack) > 0 {
			if !start {
				h.pP = 0
				h.inheader = false
				return
			}
			h.inheader = true
			if strings.HasSuffix(h.out.String(), "[") {
				s := h.out.String()
				h.out.Reset()
				h.out.WriteString(s[:len(s)-1])
				h.space = false
				h.o(strings.Repeat("#", n)+" ", false, "")
				h.o("[", false, "")
			}
		} else {
			h.p()
			if !start {
				h.inheader = false
				return
			}
			h.inheader = true
			h.o(strings.Repeat("#", n)+" ", false, "")
		}
	}
	switch tag {
	case "p", "div":
		if len(h.astack) == 0 && !h.splitNextTD {
			h.p()
		}
	case "br":
		if start {
			if h.blockquote > 0 {
				h.o("  \n> ", false, "")
			} else {
				h.o("  \n", false, "")
			}
		}
	case "hr":
		if start {
			h.p()
			h.o("* * *", false, "")
			h.p()
		}
	case "head", "style", "script":
		if start {
			h.quiet++
		} else {
			h.quiet--
		}
	case "body":
		h.quiet = 0
	case "blockquote":
		if start {
			h.p()
			h.o("> ", false, "true")
			h.start = true
			h.blockquote++
		} else {
			// An unmatched </blockquote> is ignored (html2text's count
			// goes negative and prefixes later lines with a space).
			h.blockquote = max(h.blockquote-1, 0)
			h.p()
		}
	case "em", "i", "u":
		mark := "_"
		if start && h.precedingData != "" {
			last := h.precedingData[len(h.precedingData)-1]
			if !isSpaceByte(last) && !isPunct(last) {
				mark = " _"
				h.precedingData += " "
			}
		}
		h.o(mark, false, "")
		if start {
			h.stressed = true
		}
	case "strong", "b":
		mark := "**"
		if start && strings.HasSuffix(h.precedingData, "*") {
			mark = " **"
			h.precedingData += " "
		}
		h.o(mark, false, "")
		if start {
			h.stressed = true
		}
	case "del", "strike", "s":
		mark := "~~"
		if start && strings.HasSuffix(h.precedingData, "~") {
			mark = " ~~"
			h.precedingData += " "
		}
		h.o(mark, false, "")
		if start {
			h.stressed = true
		}
	case "kbd", "code", "tt":
		if !h.pre {
			h.o("`", false, "")
			h.code = !h.code
		}
	case "abbr":
		if start {
			h.abbrTitle = nil
			empty := ""
			h.abbrData = &empty
			if t, ok := attrs["title"]; ok {
				h.abbrTitle = &t
			}
		} else {
			if h.abbrTitle != nil && h.abbrData != nil {
				h.abbrs = append(h.abbrs, [2]string{*h.abbrData, *h.abbrTitle})
				h.abbrTitle = nil
			}
			h.abbrData = nil
		}
	case "q":
		h.o(`"`, false, "")
		h.quote = !h.quote
	case "a":
		h.anchor(attrs, start)
	case "img":
		if start && !h.ignoreImages {
			if src, ok := attrs["src"]; ok {
				if h.maybeAutomaticLink != nil {
					h.o("[", false, "")
					h.maybeAutomaticLink = nil
					h.emptyLink = false
				}
				h.o("!["+escapeMD(attrs["alt"])+"]", false, "")
				h.o("("+escapeMD(h.join(src))+")", false, "")
			}
		}
	case "dl":
		if start {
			h.p()
		}
	case "dt":
		if !start {
			h.pbr()
		}
	case "dd":
		if start {
			h.o("    ", false, "")
		} else {
			h.pbr()
		}
	}
	if tag == "ol" || tag == "ul" {
		if len(h.list) == 0 && !h.lastWasList {
			h.p()
		}
		if start {
			num := 0
			if s, ok := attrs["start"]; ok {
				if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
					num = n - 1
				}
			}
			h.list = append(h.list, &listElem{tag, num})
		} else if len(h.list) > 0 {
			h.list = h.list[:len(h.list)-1]
			if len(h.list) == 0 {
				h.o("\n", false, "")
			}
		}
		h.lastWasList = true
	} else {
		h.lastWasList = false
	}
	if tag == "li" {
		h.listCodeIndent = ""
		h.pbr()
		if start {
			li := &listElem{"ul", 0}
			if len(h.list) > 0 {
				li = h.list[len(h.list)-1]
			}
			parent := ""
			var indent strings.Builder
			for _, l := range h.list {
				if int64(indent.Len()) > h.ctx.MaxValue() {
					h.err = h.ctx.CheckSize(int64(indent.Len()))
					return
				}
				if parent == "ol" {
					indent.WriteString("   ")
				} else {
					indent.WriteString("  ")
				}
				parent = l.name
			}
			h.listCodeIndent = indent.String()
			h.o(h.listCodeIndent, false, "")
			switch li.name {
			case "ul":
				h.listCodeIndent += "  "
				h.o("* ", false, "")
			case "ol":
				li.num++
				h.listCodeIndent += "   "
				h.o(strconv.Itoa(li.num)+". ", false, "")
			}
			h.start = true
		}
	}
	switch {
	case tag == "table" && start:
		h.tableStart = true
	case (tag == "td" || tag == "th") && start:
		if h.splitNextTD {
			h.o("| ", false, "")
		}
		h.splitNextTD = true
		h.tdCount++
	case tag == "tr" && start:
		h.tdCount = 0
	case tag == "tr" && !start:
		h.splitNextTD = false
		h.softBR()
		if h.tableStart {
			seps := make([]string, h.tdCount)
			for i := range seps {
				seps[i] = "---"
			}
			h.o(strings.Join(seps, "|"), false, "")
			h.softBR()
			h.tableStart = false
		}
	case tag == "pre":
		if start {
			h.startpre = true
			h.pre = true
			h.preIndent = ""
		} else {
			h.pre = false
		}
		h.p()
	}
}

func isPunct(c byte) bool {
	return c < utf8.RuneSelf && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

// anchor handles <a> and </a>.
func (h *html2text) anchor(attrs map[string]string, start bool) {
	if start {
		href, ok := attrs["href"]
		if ok && !strings.HasPrefix(href, "#") && !(h.ignoreMailtoLinks && strings.HasPrefix(href, "mailto:")) {
			h.astack = append(h.astack, attrs)
			h.maybeAutomaticLink = &href
			h.emptyLink = true
		} else {
			h.astack = append(h.astack, nil)
		}
		return
	}
	if len(h.astack) == 0 {
		return
	}
	a := h.astack[len(h.astack)-1]
	h.astack = h.astack[:len(h.astack)-1]
	if h.maybeAutomaticLink != nil && !h.emptyLink {
		h.maybeAutomaticLink = nil
		return
	}
	if a == nil {
		return
	}
	if h.emptyLink {
		h.o("[", false, "")
		h.emptyLink = false
		h.maybeAutomaticLink = nil
	}
	h.pP = 0
	title := ""
	if t := escapeMD(a["title"]); strings.TrimSpace(t) != "" {
		title = ` "` + t + `"`
	}
	h.o("]("+escapeMD(h.join(a["href"]))+title+")", false, "")
}

// finish ends the document and wraps its lines.
func (h *html2text) finish() (string, error) {
	h.pbr()
	h.o("", false, "end")
	if h.err != nil {
		return "", h.err
	}
	text := h.optwrap(strings.ReplaceAll(h.out.String(), nbspMark, " "))
	if int64(len(text)) > h.ctx.MaxValue() {
		// Wrapping indents continued lines: at most a few times the
		// text the budget already bounded.
		return "", h.ctx.CheckSize(int64(len(text)))
	}
	return text, nil
}

// optwrap wraps every paragraph longer than the body width (textwrap.wrap
// without breaking words), except list items, tables, indented code and
// lines ending a paragraph with a hard break.
func (h *html2text) optwrap(text string) string {
	if h.bodyWidth <= 0 {
		return text
	}
	var b strings.Builder
	newlines := 0
	for _, para := range strings.Split(text, "\n") {
		if para == "" {
			if newlines < 2 {
				b.WriteByte('\n')
				newlines++
			}
			continue
		}
		if skipWrap(para) {
			b.WriteString(para + "\n")
			newlines = 1
			continue
		}
		indent := ""
		if strings.HasPrefix(para, "  *") {
			indent = "    "
		} else if strings.HasPrefix(para, "> ") {
			indent = "> "
		}
		b.WriteString(strings.Join(wrapText(para, h.bodyWidth, indent), "\n"))
		switch {
		case strings.HasSuffix(para, "  "):
			b.WriteString("  \n")
			newlines = 1
		case indent != "":
			b.WriteByte('\n')
			newlines = 1
		default:
			b.WriteString("\n\n")
			newlines = 2
		}
	}
	return b.String()
}

func skipWrap(para string) bool {
	if strings.HasPrefix(para, "    ") || para[0] == '\t' {
		return true
	}
	stripped := strings.TrimLeftFunc(para, unicode.IsSpace)
	if strings.HasPrefix(stripped, "--") && len(stripped) > 2 && stripped[2] != '-' {
		return false
	}
	if (strings.HasPrefix(stripped, "-") || strings.HasPrefix(stripped, "*")) && !strings.HasPrefix(stripped, "**") {
		return true
	}
	if strings.Contains(para, " | ") {
		return true
	}
	i := 0
	for i < len(stripped) && isDigit(stripped[i]) {
		i++
	}
	if i > 0 && i+1 < len(stripped) && stripped[i] == '.' && isSpaceByte(stripped[i+1]) {
		return true
	}
	return len(stripped) > 1 && strings.IndexByte("-*+", stripped[0]) >= 0 && isSpaceByte(stripped[1])
}

// wrapText is textwrap.wrap(s, width, break_long_words=False,
// subsequent_indent=indent) for text without hyphenated words: chunks of
// words and of spaces fill each line greedily; the spaces at a line's end,
// and at the start of every line but the first, are dropped.
func wrapText(s string, width int, indent string) []string {
	s = strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && isSpaceByte(byte(r)) {
			return ' '
		}
		return r
	}, s)
	var chunks []string
	for i := 0; i < len(s); {
		j := i
		space := s[i] == ' '
		for j < len(s) && (s[j] == ' ') == space {
			j++
		}
		chunks = append(chunks, s[i:j])
		i = j
	}
	var lines []string
	var line []string
	lineLen, limit := 0, width
	flush := func() {
		for len(line) > 0 && line[len(line)-1][0] == ' ' {
			line = line[:len(line)-1]
		}
		if len(line) > 0 {
			if len(lines) > 0 {
				line = append([]string{indent}, line...)
			}
			lines = append(lines, strings.Join(line, ""))
		}
		line, lineLen, limit = nil, 0, width-utf8.RuneCountInString(indent)
	}
	for _, c := range chunks {
		n := utf8.RuneCountInString(c)
		if c[0] == ' ' && len(line) == 0 && len(lines) > 0 {
			continue
		}
		if lineLen+n > limit && len(line) > 0 && c[0] != ' ' {
			flush()
		}
		if c[0] == ' ' && len(line) == 0 && len(lines) > 0 {
			continue
		}
		line = append(line, c)
		lineLen += n
	}
	flush()
	return lines
}
