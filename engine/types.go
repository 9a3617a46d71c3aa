package engine

import (
	"fmt"
	"math"
	"strings"
	"unsafe"

	"nodetool/lang/pyval"
)

// TypeMeta is NodeTool's TypeMetadata: a type name with generic arguments,
// as it appears in node metadata and in a node's dynamic_outputs.
type TypeMeta struct {
	Type     string     `json:"type"`
	Optional bool       `json:"optional,omitempty"`
	Values   []any      `json:"values,omitempty"`
	TypeArgs []TypeMeta `json:"type_args,omitempty"`
	TypeName string     `json:"type_name,omitempty"`
}

// String renders the type as NodeTool writes it in messages: list[str],
// dict[str, any], union[int, float].
func (t TypeMeta) String() string {
	s := t.Type
	if len(t.TypeArgs) > 0 {
		args := make([]string, len(t.TypeArgs))
		for i, a := range t.TypeArgs {
			args[i] = a.String()
		}
		s += "[" + strings.Join(args, ", ") + "]"
	}
	if t.Optional {
		s = "optional[" + s + "]"
	}
	return s
}

// ParseType reads the compact notation used by node definitions:
// "str", "list[dict[str, any]]", "union[int, float]", "enum(a, b, c)",
// with a trailing "?" for an optional type.
func ParseType(s string) (TypeMeta, error) {
	p := typeParser{s: s}
	t, err := p.parse()
	if err != nil {
		return TypeMeta{}, err
	}
	if p.i != len(p.s) {
		return TypeMeta{}, fmt.Errorf("type %q: unexpected %q", s, p.s[p.i:])
	}
	return t, nil
}

// MustType is ParseType for literals in node definitions.
func MustType(s string) TypeMeta {
	t, err := ParseType(s)
	if err != nil {
		panic(err)
	}
	return t
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) skipSpace() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *typeParser) parse() (TypeMeta, error) {
	p.skipSpace()
	start := p.i
	for p.i < len(p.s) && strings.IndexByte("[](),? ", p.s[p.i]) < 0 {
		p.i++
	}
	if start == p.i {
		return TypeMeta{}, fmt.Errorf("type %q: name expected at %d", p.s, start)
	}
	t := TypeMeta{Type: p.s[start:p.i]}
	if p.i < len(p.s) && p.s[p.i] == '[' {
		p.i++
		for {
			a, err := p.parse()
			if err != nil {
				return t, err
			}
			t.TypeArgs = append(t.TypeArgs, a)
			p.skipSpace()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == ']' {
				p.i++
				break
			}
			return t, fmt.Errorf("type %q: ']' expected at %d", p.s, p.i)
		}
	}
	if t.Type == "enum" && p.i < len(p.s) && p.s[p.i] == '(' {
		end := strings.IndexByte(p.s[p.i:], ')')
		if end < 0 {
			return t, fmt.Errorf("type %q: ')' expected", p.s)
		}
		for _, v := range strings.Split(p.s[p.i+1:p.i+end], ",") {
			t.Values = append(t.Values, strings.TrimSpace(v))
		}
		p.i += end + 1
	}
	if p.i < len(p.s) && p.s[p.i] == '?' {
		t.Optional = true
		p.i++
	}
	return t, nil
}

// assetTypes are the AssetRef family: values are dicts whose "type" names
// the kind.
var assetTypes = map[string]bool{
	"asset": true, "image": true, "audio": true, "video": true, "text": true,
	"document": true, "dataframe": true, "folder": true, "model_ref": true,
	"json": true, "svg": true, "excel": true, "model_3d": true, "file_path": true,
}

func isList(t TypeMeta) bool { return t.Type == "list" }

func elem(t TypeMeta) TypeMeta {
	if len(t.TypeArgs) > 0 {
		return t.TypeArgs[0]
	}
	return TypeMeta{Type: "any"}
}

// Compatible reports whether an output of type src may feed an input of type
// dst (the edge check of engine §2.3 with the relaxed rules of Appendix A.4:
// T may feed list[T], and a union source is fine if any member fits).
func Compatible(src, dst TypeMeta) bool {
	return compatible(src, dst, true)
}

func compatible(src, dst TypeMeta, allowWrap bool) bool {
	if dst.Type == "any" || src.Type == "any" {
		return true
	}
	numeric := func(s string) bool { return s == "int" || s == "float" }
	if numeric(src.Type) && numeric(dst.Type) {
		return true
	}
	if src.Type == "union" {
		for _, m := range src.TypeArgs {
			if compatible(m, dst, allowWrap) {
				return true
			}
		}
		return len(src.TypeArgs) == 0
	}
	if dst.Type == "union" {
		for _, m := range dst.TypeArgs {
			if compatible(src, m, allowWrap) {
				return true
			}
		}
		return len(dst.TypeArgs) == 0
	}
	if src.Type == dst.Type {
		switch src.Type {
		case "list":
			return compatible(elem(src), elem(dst), false)
		case "dict":
			if len(src.TypeArgs) == 2 && len(dst.TypeArgs) == 2 {
				return compatible(src.TypeArgs[0], dst.TypeArgs[0], false) &&
					compatible(src.TypeArgs[1], dst.TypeArgs[1], false)
			}
			return true
		case "enum":
			if len(src.Values) == 0 || len(dst.Values) == 0 {
				return true
			}
			return sameValues(src.Values, dst.Values)
		}
		return true
	}
	if allowWrap && dst.Type == "list" && len(dst.TypeArgs) > 0 {
		return compatible(src, elem(dst), false)
	}
	// An enum is a string on the wire.
	if (src.Type == "enum" && dst.Type == "str") || (src.Type == "str" && dst.Type == "enum") {
		return true
	}
	return false
}

func sameValues(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, v := range a {
		seen[fmt.Sprint(v)] = true
	}
	for _, v := range b {
		if !seen[fmt.Sprint(v)] {
			return false
		}
	}
	return true
}

// coerce checks v against t and returns the value to assign: the value
// itself, an int for an integral float given to an int, a float for an int
// given to a float, or v wrapped in a list for a list[T] input given a T.
// It reports a clear error when the value cannot be used.
func Coerce(v any, t TypeMeta) (any, error) {
	if fits(v, t) {
		switch t.Type {
		case "float":
			if i, ok := v.(int64); ok {
				return float64(i), nil
			}
		case "int":
			if f, ok := v.(float64); ok {
				return int64(f), nil
			}
		}
		return v, nil
	}
	if t.Type == "list" {
		if fits(v, elem(t)) {
			return []any{v}, nil
		}
	}
	return nil, fmt.Errorf("expects %s, got %s", t, describe(v))
}

func describe(v any) string {
	if d, ok := v.(*pyval.Dict); ok {
		if k := d.Str("type"); k != "" {
			return k + " object"
		}
	}
	return pyval.TypeName(v)
}

// fits is run-time assignability (engine §2.4), with the lenient numeric
// rules: an int fits a float, an integral float fits an int.
func fits(v any, t TypeMeta) bool {
	var f fitter
	return f.fits(v, &t)
}

// fitter checks a value against a type. Values may share structure (one
// dict held a million times by a list), so a container already found to fit
// an element type is not walked again: the check costs the value's distinct
// containers, not its references.
type fitter struct {
	ok map[fitKey]bool
}

type fitKey struct {
	p unsafe.Pointer // the container: its dict, or its list's items
	n int            // the list's length (-1 for a dict)
	t *TypeMeta      // the element type it fits: a node of the type's tree
}

// elem checks an element of a container against et, skipping a container
// already found to fit et.
func (f *fitter) elem(e any, et *TypeMeta) bool {
	var k fitKey
	container := true
	switch c := e.(type) {
	case []any:
		k = fitKey{unsafe.Pointer(unsafe.SliceData(c)), len(c), et}
	case *pyval.Dict:
		k = fitKey{unsafe.Pointer(c), -1, et}
	default:
		container = false
	}
	if container && f.ok[k] {
		return true
	}
	if !f.fits(e, et) {
		return false
	}
	if container {
		if f.ok == nil {
			f.ok = map[fitKey]bool{}
		}
		f.ok[k] = true
	}
	return true
}

func (f *fitter) fits(v any, t *TypeMeta) bool {
	if v == nil {
		return t.Optional || t.Type == "any" || t.Type == "none"
	}
	switch t.Type {
	case "any", "object":
		return true
	case "str":
		_, ok := v.(string)
		return ok
	case "int":
		switch n := v.(type) {
		case int64:
			return true
		case float64:
			return n == math.Trunc(n) && math.Abs(n) < 1<<53
		}
		return false
	case "float":
		switch v.(type) {
		case int64, float64:
			return true
		}
		return false
	case "bool":
		_, ok := v.(bool)
		return ok
	case "bytes":
		_, ok := v.([]byte)
		return ok
	case "enum":
		if len(t.Values) == 0 {
			return true
		}
		for _, ev := range t.Values {
			if pyval.Equal(ev, v) {
				return true
			}
		}
		return false
	case "list", "tuple":
		l, ok := v.([]any)
		if !ok {
			return false
		}
		if t.Type == "tuple" || len(t.TypeArgs) == 0 || t.TypeArgs[0].Type == "any" {
			return true
		}
		et := &t.TypeArgs[0]
		for _, e := range l {
			if !f.elem(e, et) {
				return false
			}
		}
		return true
	case "dict":
		d, ok := v.(*pyval.Dict)
		if !ok {
			return false
		}
		if len(t.TypeArgs) == 2 && t.TypeArgs[1].Type != "any" {
			et := &t.TypeArgs[1]
			ok := true
			d.Range(func(_ string, e any) bool {
				ok = f.elem(e, et)
				return ok
			})
			return ok
		}
		return true
	case "union":
		for i := range t.TypeArgs {
			if f.fits(v, &t.TypeArgs[i]) {
				return true
			}
		}
		return false
	case "none":
		return false
	}
	// Structured types (asset refs, model selectors, color, date, ...) are
	// dicts whose "type" names the kind.
	d, ok := v.(*pyval.Dict)
	if !ok {
		// Older NodeTool files give a font by its file name, a string
		// (Add Subtitles To Video: "font": "FreeSans.ttf").
		_, isStr := v.(string)
		return isStr && t.Type == "font"
	}
	kind := d.Str("type")
	if kind == t.Type {
		return true
	}
	if t.Type == "tool_name" && !d.Has("type") {
		return true // NodeTool writes ToolName defaults as {"name": ...}: the type is implied
	}
	if t.Type == "asset" && assetTypes[kind] {
		return true
	}
	return false
}
