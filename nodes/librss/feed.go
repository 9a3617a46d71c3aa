package librss

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// The feed reader: RSS 0.9x and 2.0, RSS 1.0 (RDF) and Atom 1.0 (and
// 0.3), read as a stream of XML tokens with the fields NodeTool's nodes
// use from feedparser. Elements are matched by local name within the
// namespaces feeds use (Dublin Core's creator and date, Atom inside RSS),
// HTML entities are known, and an XML error after some entries keeps the
// entries read so far (feedparser's "bozo" feeds), with the error
// reported beside them.

// Feed is what a feed says about itself and its entries.
type Feed struct {
	Title, Description, Link, Language, Updated, Generator string
	Entries                                                []Entry
	// Err is an XML error met after the feed started (the entries before
	// it are kept).
	Err error
}

// Entry is one item of a feed.
type Entry struct {
	Title, Link, Summary, Author string
	// Published is the entry's date in UTC (publication, else last
	// update), zero when it has none that parses.
	Published time.Time
}

// ErrNotFeed is the error for a document that is not RSS or Atom.
var ErrNotFeed = errors.New("the document is not an RSS or Atom feed")

const (
	nsAtom = "http://www.w3.org/2005/Atom"
	nsDC   = "http://purl.org/dc/elements/1.1/"
)

// parse reads a feed. tick is called for every XML token (the node's
// budget check); its error stops the parse.
func parse(data []byte, tick func() error) (*Feed, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charsetReader
	p := &parser{}
	for {
		if err := tick(); err != nil {
			return nil, err
		}
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !p.started {
				return nil, fmt.Errorf("%w: %v", ErrNotFeed, err)
			}
			p.finishEntry()
			p.feed.Err = err
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			p.start(t)
		case xml.EndElement:
			p.end(t)
		case xml.CharData:
			p.text(t)
		}
	}
	if !p.started {
		return nil, ErrNotFeed
	}
	p.finishEntry()
	return &p.feed, nil
}

// parser follows the element stack; text is collected for the field the
// innermost interesting element names.
type parser struct {
	feed    Feed
	started bool
	atom    bool // an Atom feed (links are in href attributes)
	stack   []frame
	entry   *entryFields // the entry being read, or nil
	pending []pendingField
}

type frame struct {
	name  xml.Name
	field *strings.Builder // where this element's text goes, or nil
}

// entryFields collects one entry's raw fields before they are chosen.
type entryFields struct {
	title, link, description, summary, content, author, authorName, creator strings.Builder
	published, pubDate, updated, dcDate                                     strings.Builder
	linkAlt, linkAny                                                        string
	inAuthor                                                                bool
	authors                                                                 []string
}

func local(n xml.Name) string { return strings.ToLower(n.Local) }

func (p *parser) start(t xml.StartElement) {
	name := local(t.Name)
	f := frame{name: t.Name}
	defer func() { p.stack = append(p.stack, f) }()
	if !p.started {
		switch name {
		case "rss", "rdf", "channel":
			p.started = true
		case "feed":
			p.started, p.atom = true, true
		}
		return
	}
	parent := ""
	if n := len(p.stack); n > 0 {
		parent = local(p.stack[n-1].name)
	}
	if name == "item" || name == "entry" {
		p.finishEntry()
		p.entry = &entryFields{}
		return
	}
	if e := p.entry; e != nil {
		f.field = p.entryField(e, t, name, parent)
		return
	}
	f.field = p.feedField(t, name, parent)
}

// entryField picks where the text of an element inside an entry goes.
func (p *parser) entryField(e *entryFields, t xml.StartElement, name, parent string) *strings.Builder {
	if parent != "item" && parent != "entry" {
		if e.inAuthor && (parent == "author" || parent == "contributor") && name == "name" {
			return &e.authorName
		}
		return nil
	}
	switch name {
	case "title":
		return &e.title
	case "link":
		if href := attr(t, "href"); href != "" || t.Name.Space == nsAtom || p.atom {
			rel := attr(t, "rel")
			if (rel == "" || rel == "alternate") && e.linkAlt == "" {
				e.linkAlt = href
			}
			if e.linkAny == "" {
				e.linkAny = href
			}
			return nil
		}
		return &e.link
	case "description":
		return &e.description
	case "summary":
		return &e.summary
	case "content", "encoded":
		return &e.content
	case "author":
		if p.atom || t.Name.Space == nsAtom {
			e.inAuthor = true
			return nil
		}
		return &e.author
	case "creator":
		return &e.creator
	case "published", "issued":
		return &e.published
	case "pubdate":
		return &e.pubDate
	case "updated", "modified":
		return &e.updated
	case "date":
		return &e.dcDate
	}
	return nil
}

// feedField picks where the text of an element of the feed itself goes.
func (p *parser) feedField(t xml.StartElement, name, parent string) *strings.Builder {
	if parent != "channel" && parent != "feed" && !(parent == "rss" && name == "channel") {
		return nil
	}
	f := &p.feed
	switch name {
	case "title":
		return p.sink(&f.Title)
	case "description", "subtitle", "tagline":
		return p.sink(&f.Description)
	case "link":
		if href := attr(t, "href"); href != "" || t.Name.Space == nsAtom || p.atom {
			rel := attr(t, "rel")
			if (rel == "" || rel == "alternate") && f.Link == "" {
				f.Link = href
			}
			return nil
		}
		return p.sink(&f.Link)
	case "language":
		return p.sink(&f.Language)
	case "lastbuilddate", "updated", "modified":
		return p.sink(&f.Updated)
	case "date":
		if t.Name.Space == nsDC {
			return p.sink(&f.Updated)
		}
	case "generator":
		return p.sink(&f.Generator)
	}
	return nil
}

// sink collects the text of a feed field until its element ends; the
// first element of a field wins.
func (p *parser) sink(dst *string) *strings.Builder {
	if *dst != "" {
		return nil // the first one wins
	}
	b := &strings.Builder{}
	p.pending = append(p.pending, pendingField{dst: dst, b: b})
	return b
}

type pendingField struct {
	dst *string
	b   *strings.Builder
}

func (p *parser) end(t xml.EndElement) {
	if len(p.stack) == 0 {
		return
	}
	top := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	name := local(top.name)
	switch {
	case (name == "item" || name == "entry") && p.entry != nil:
		p.finishEntry()
	case name == "author" || name == "contributor":
		if e := p.entry; e != nil && e.inAuthor {
			e.inAuthor = false
			if n := strings.TrimSpace(e.authorName.String()); n != "" && name == "author" {
				e.authors = append(e.authors, n)
			}
			e.authorName.Reset()
		}
	}
	if top.field != nil {
		for i, pf := range p.pending {
			if pf.b == top.field {
				*pf.dst = strings.TrimSpace(pf.b.String())
				p.pending = append(p.pending[:i], p.pending[i+1:]...)
				break
			}
		}
	}
}

// text adds character data to the field of the innermost element that
// has one (markup inside a field, such as Atom's xhtml content, adds its
// text).
func (p *parser) text(t xml.CharData) {
	for i := len(p.stack) - 1; i >= 0; i-- {
		if f := p.stack[i].field; f != nil {
			f.Write(t)
			return
		}
	}
}

// finishEntry chooses an entry's fields, as feedparser does.
func (p *parser) finishEntry() {
	e := p.entry
	if e == nil {
		return
	}
	p.entry = nil
	first := func(bs ...*strings.Builder) string {
		for _, b := range bs {
			if s := strings.TrimSpace(b.String()); s != "" {
				return s
			}
		}
		return ""
	}
	link := first(&e.link)
	if link == "" {
		link = e.linkAlt
	}
	if link == "" {
		link = e.linkAny
	}
	out := Entry{
		Title:   first(&e.title),
		Link:    link,
		Summary: first(&e.description, &e.summary, &e.content),
		Author:  first(&e.author, &e.creator),
	}
	if out.Author == "" {
		out.Author = strings.Join(e.authors, ", ")
	}
	for _, s := range []string{first(&e.published), first(&e.pubDate), first(&e.dcDate), first(&e.updated)} {
		if t, ok := parseDate(s); ok {
			out.Published = t
			break
		}
	}
	p.feed.Entries = append(p.feed.Entries, out)
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if strings.EqualFold(a.Name.Local, name) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// charsetReader decodes the single-byte charsets feeds declare besides
// UTF-8 (which encoding/xml reads itself).
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	var high *[32]rune
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii":
	case "windows-1252", "cp1252":
		high = &cp1252
	case "utf-8", "utf8":
		return input, nil
	default:
		return nil, fmt.Errorf("charset %q is not supported", charset)
	}
	data, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)+len(data)/4)
	for _, b := range data {
		r := rune(b)
		if high != nil && b >= 0x80 && b < 0xA0 && high[b-0x80] != 0 {
			r = high[b-0x80]
		}
		out = utf8.AppendRune(out, r)
	}
	return bytes.NewReader(out), nil
}

var cp1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}
