package libbeautifulsoup

import (
	"io"
	"strings"

	"golang.org/x/net/html"

	"nodetool/engine"
)

// The document tree the nodes read, built as BeautifulSoup's html.parser
// builder builds it: from the tokens of golang.org/x/net/html's tokenizer,
// without the HTML5 tree construction rules (no implied elements, no
// reparenting): a start tag opens an element (but void elements such as
// img and br), an end tag closes the innermost open element of its name
// (an end tag with none open is dropped), and script and style hold raw
// text. Any depth is fine: nothing here recurses. Every element and text
// is charged to the node's max-value budget as it is built.

type node struct {
	tag      string // "" for a text node
	text     string
	attrs    []html.Attribute
	parent   *node
	children []*node
}

// voidTags are the elements that never have content (BeautifulSoup's
// list for html.parser).
var voidTags = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true, "input": true,
	"keygen": true, "link": true, "menuitem": true, "meta": true, "param": true, "source": true, "track": true,
	"wbr": true, "basefont": true, "bgsound": true, "command": true, "frame": true, "image": true, "isindex": true,
	"nextid": true, "spacer": true,
}

// hiddenText are the elements whose text get_text leaves out.
var hiddenText = map[string]bool{"script": true, "style": true, "template": true}

// nodeCost is what an element or text node costs beyond its strings.
const nodeCost = 96

// parseHTML builds the tree of s. tick is called for every token; charge
// adds bytes to the budget (either may stop the parse).
func parseHTML(s string, tick func() error, charge func(int64) error) (*node, error) {
	root := &node{tag: "[document]"}
	cur := root
	open := map[string]int{}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		if err := tick(); err != nil {
			return nil, err
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return root, nil
			}
			return nil, z.Err()
		case html.TextToken:
			text := string(z.Text())
			if err := charge(nodeCost + int64(len(text))); err != nil {
				return nil, err
			}
			cur.children = append(cur.children, &node{text: text, parent: cur})
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			name := tok.Data
			if tt == html.StartTagToken && name != "script" && name != "style" {
				// Only script and style hold raw text for html.parser:
				// markup inside title, textarea or noscript is parsed.
				z.NextIsNotRawText()
			}
			cost := int64(nodeCost + len(name))
			for _, a := range tok.Attr {
				cost += 32 + int64(len(a.Key)+len(a.Val))
			}
			if err := charge(cost); err != nil {
				return nil, err
			}
			el := &node{tag: name, attrs: tok.Attr, parent: cur}
			cur.children = append(cur.children, el)
			if tt == html.StartTagToken && !voidTags[name] {
				cur = el
				open[name]++
			}
		case html.EndTagToken:
			tok := z.Token()
			if open[tok.Data] == 0 {
				continue
			}
			for cur != root {
				name := cur.tag
				open[name]--
				cur = cur.parent
				if name == tok.Data {
					break
				}
			}
		}
	}
}

func (n *node) attr(key string) (string, bool) {
	for _, a := range n.attrs {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// walk calls fn on every element under n (n excluded), in document
// order; fn returns false to skip an element's children.
func (n *node) walk(fn func(*node) bool) {
	type frame struct {
		n *node
		i int
	}
	stack := []frame{{n, 0}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i >= len(top.n.children) {
			stack = stack[:len(stack)-1]
			continue
		}
		c := top.n.children[top.i]
		top.i++
		if c.tag == "" {
			continue
		}
		if fn(c) && len(c.children) > 0 {
			stack = append(stack, frame{c, 0})
		}
	}
}

// findAll lists the elements under n whose tag is one of tags.
func (n *node) findAll(tags ...string) []*node {
	var out []*node
	n.walk(func(c *node) bool {
		for _, t := range tags {
			if c.tag == t {
				out = append(out, c)
				break
			}
		}
		return true
	})
	return out
}

// find is the first element under n matching ok, or nil.
func (n *node) find(ok func(*node) bool) *node {
	var found *node
	n.walk(func(c *node) bool {
		if found == nil && ok(c) {
			found = c
		}
		return found == nil
	})
	return found
}

// remove takes n out of its parent (BeautifulSoup's decompose).
func (n *node) remove() {
	p := n.parent
	if p == nil {
		return
	}
	for i, c := range p.children {
		if c == n {
			p.children = append(p.children[:i], p.children[i+1:]...)
			break
		}
	}
	n.parent = nil
}

// getText is BeautifulSoup's get_text(): the text under n in document
// order, without comments and the text of script, style and template.
func (n *node) getText() string {
	var b strings.Builder
	if n.tag == "" {
		return n.text
	}
	type frame struct {
		n *node
		i int
	}
	stack := []frame{{n, 0}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i >= len(top.n.children) {
			stack = stack[:len(stack)-1]
			continue
		}
		c := top.n.children[top.i]
		top.i++
		switch {
		case c.tag == "":
			b.WriteString(c.text)
		case !hiddenText[c.tag]:
			stack = append(stack, frame{c, 0})
		}
	}
	return b.String()
}

// str is BeautifulSoup's .string: the text of an element whose only
// child is a text (or an element with such a .string), else "" (None).
func (n *node) str() string {
	for n != nil {
		if len(n.children) != 1 {
			return ""
		}
		c := n.children[0]
		if c.tag == "" {
			return c.text
		}
		n = c
	}
	return ""
}

// budget adapts a node's Ctx to parseHTML.
func budget(ctx *engine.Ctx) (tick func() error, charge func(int64) error) {
	var used int64
	return ctx.Tick, func(n int64) error {
		used += n
		return ctx.CheckSize(used)
	}
}
