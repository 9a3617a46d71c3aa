// Package libsvg holds NodeTool's lib.svg nodes: SVG elements built as
// values (svg_element dicts, as the original's SVGElement), combined into
// a document (an svg ref holding the document's text), and rasterised to
// a PNG image by a small pure-Go renderer (SVGToImage; see raster.go and
// draw.go for what it draws).
package libsvg

import (
	"fmt"
	"strings"

	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
)

// Element is an SVG element as the nodes build it: NodeTool's SVGElement
// value, {"type": "svg_element", "name", "attributes", "content",
// "children"}.
func Element(name string, attrs [][2]string, content any, children ...any) *pyval.Dict {
	a := pyval.NewDict(len(attrs))
	for _, kv := range attrs {
		a.Set(kv[0], kv[1])
	}
	if children == nil {
		children = []any{}
	}
	return pyval.DictOf("type", "svg_element", "name", name, "attributes", a, "content", content, "children", children)
}

// MaxDepth bounds how deep elements nest.
const MaxDepth = 256

// isName reports whether s is an XML name of the kind SVG uses (ASCII
// letters, digits, '-', '_', '.', ':'; not starting with a digit, '-' or
// '.'), so an element or attribute name cannot break the markup.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == ':':
		case c >= '0' && c <= '9', c == '-', c == '.':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// escaper escapes text for XML content and attribute values.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\x00", "")

// attrText is an attribute's value as the original's str() writes it.
func attrText(v any) string {
	if v == nil {
		return "None"
	}
	return pyval.Str(v)
}

// writer renders elements as SVG markup into a builder bounded by
// max-value.
type writer struct {
	b *bounded.TextBuilder
}

// element writes v (an svg_element dict) as
// <name attr="value" ...>content children</name>, as the original's
// SVGElement.__str__ does, with two fixes: attribute values and text are
// escaped (the original wrote them raw, so a quote or "<" in user text
// broke the document), and an element without content gets none (the
// original wrote "None"). An element without a name (the empty default)
// writes nothing.
func (w *writer) element(v any, depth int) error {
	if err := w.b.Budget.Tick(); err != nil {
		return err
	}
	d, ok := v.(*pyval.Dict)
	if !ok {
		if s, ok := v.(string); ok {
			return w.b.Add(s) // raw markup, as the original inserts strings
		}
		return fmt.Errorf("an SVG element must be an svg_element, got %s", pyval.TypeName(v))
	}
	name := d.Str("name")
	if name == "" {
		return nil
	}
	if depth > MaxDepth {
		return fmt.Errorf("SVG elements nest deeper than %d levels", MaxDepth)
	}
	if !isName(name) {
		return fmt.Errorf("%q is not an SVG element name", clip(name))
	}
	if err := w.add("<", name); err != nil {
		return err
	}
	if a, ok := get(d, "attributes").(*pyval.Dict); ok {
		var err error
		a.Range(func(k string, v any) bool {
			if !isName(k) {
				err = fmt.Errorf("%q is not an SVG attribute name", clip(k))
				return false
			}
			err = w.add(" ", k, `="`, escaper.Replace(attrText(v)), `"`)
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	if err := w.b.Add(">"); err != nil {
		return err
	}
	if c := get(d, "content"); c != nil {
		if err := w.b.Add(escaper.Replace(pyval.Str(c))); err != nil {
			return err
		}
	}
	if kids, ok := get(d, "children").([]any); ok {
		for _, k := range kids {
			if k, ok := k.(string); ok {
				// A child is an element; a string child is text.
				if err := w.b.Add(escaper.Replace(k)); err != nil {
					return err
				}
				continue
			}
			if err := w.element(k, depth+1); err != nil {
				return err
			}
		}
	}
	return w.add("</", name, ">")
}

func (w *writer) add(parts ...string) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if err := w.b.Room(n); err != nil {
		return err
	}
	for _, p := range parts {
		w.b.WriteString(p)
	}
	return nil
}

func get(d *pyval.Dict, k string) any {
	v, _ := d.Get(k)
	return v
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// content writes a Document's content: markup text as it is, one
// element, or a list of elements one per line.
func (w *writer) content(v any) error {
	switch c := v.(type) {
	case nil:
		return nil
	case string:
		return w.b.Add(c)
	case []any:
		for i, e := range c {
			if i > 0 {
				if err := w.b.Add("\n"); err != nil {
					return err
				}
			}
			if err := w.element(e, 0); err != nil {
				return err
			}
		}
		return nil
	}
	return w.element(v, 0)
}
