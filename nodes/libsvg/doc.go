package libsvg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"nodetool/lang/pyval"
)

// MaxNodes bounds the elements of a document the renderer reads, and
// maxAttrs their attributes (counted as the document's '=' signs before it
// is parsed: the XML decoder allocates a tag's attributes at once).
const (
	MaxNodes = 100000
	maxAttrs = 4 * MaxNodes
)

// node is an element of a parsed SVG document, or a run of text
// (tag "#text") inside a text element.
type node struct {
	tag   string
	attrs map[string]string
	kids  []*node
	text  string
}

// parseDoc reads an SVG document into a tree. Names lose their namespace
// prefix (xlink:href is href). Entities other than XML's five are
// refused (encoding/xml never expands a DTD's), so no entity can expand.
func parseDoc(b pyval.Budget, doc []byte) (*node, error) {
	if n := bytes.Count(doc, []byte("=")); n > maxAttrs {
		return nil, &LimitExceeded{fmt.Sprintf("the SVG document has more than %d attributes", maxAttrs)}
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var root *node
	var stack []*node
	inText := 0
	count := 0
	for {
		if err := b.Tick(); err != nil {
			return nil, err
		}
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the SVG document is not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if count++; count > MaxNodes {
				return nil, &LimitExceeded{fmt.Sprintf("the SVG document has more than %d elements", MaxNodes)}
			}
			if len(stack) >= MaxDepth {
				return nil, fmt.Errorf("SVG elements nest deeper than %d levels", MaxDepth)
			}
			n := &node{tag: t.Name.Local, attrs: make(map[string]string, len(t.Attr))}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("the SVG document has more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
			if n.tag == "text" {
				inText++
			}
		case xml.EndElement:
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n.tag == "text" {
				inText--
			}
		case xml.CharData:
			if inText > 0 && len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, &node{tag: "#text", text: string(t)})
			}
		}
	}
	if root == nil || root.tag != "svg" {
		return nil, errors.New("the document is not SVG: its root element is not <svg>")
	}
	return root, nil
}

// LimitExceeded is the renderer's error for a document that needs more
// work or geometry than its budget allows.
type LimitExceeded struct{ Msg string }

func (e *LimitExceeded) Error() string { return e.Msg }

// styleDecls reads a style attribute's declarations ("fill:red; stroke:
// blue").
func styleDecls(s string) map[string]string {
	if s == "" {
		return nil
	}
	out := map[string]string{}
	for _, d := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(d, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "!important"))
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}

// prop is an element's value of a presentation property: its style
// declaration, else its attribute.
func (n *node) prop(k string, style map[string]string) (string, bool) {
	if v, ok := style[k]; ok {
		return v, true
	}
	v, ok := n.attrs[k]
	return strings.TrimSpace(v), ok
}

// textContent is a text element's characters in document order, with
// SVG's default white space handling (newlines dropped, tabs as spaces,
// runs of spaces as one, trimmed).
func textContent(n *node, max int) string {
	var b strings.Builder
	var walk func(n *node)
	walk = func(n *node) {
		for _, k := range n.kids {
			if b.Len() > max {
				return
			}
			if k.tag == "#text" {
				b.WriteString(k.text)
			} else if k.tag == "tspan" || k.tag == "a" || k.tag == "textPath" {
				walk(k)
			}
		}
	}
	walk(n)
	s := strings.NewReplacer("\r", "", "\n", "", "\t", " ").Replace(b.String())
	return strings.Join(strings.Fields(s), " ")
}
