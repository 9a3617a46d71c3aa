package pyval

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DumpOptions mirror the arguments of Python's json.dumps that nodes use.
type DumpOptions struct {
	// Indent < 0 means no indentation: items separated by ", " and keys by
	// ": ". Indent >= 0 puts every item on its own line, indented by that
	// many spaces per level.
	Indent int
	// EnsureASCII escapes every character outside printable ASCII as \uXXXX.
	EnsureASCII bool
	// SortKeys writes dict keys in sorted order.
	SortKeys bool
}

// Dumps renders v as Python's json.dumps does with the given options, so
// nodes that produce JSON text match the original byte for byte.
func Dumps(v any, o DumpOptions) string {
	var b strings.Builder
	dump(&b, v, o, 0)
	return b.String()
}

func dump(b *strings.Builder, v any, o DumpOptions, level int) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case int:
		b.WriteString(strconv.Itoa(t))
	case float64:
		switch {
		case math.IsNaN(t):
			b.WriteString("NaN")
		case math.IsInf(t, 1):
			b.WriteString("Infinity")
		case math.IsInf(t, -1):
			b.WriteString("-Infinity")
		default:
			b.WriteString(FormatFloat(t))
		}
	case string:
		dumpString(b, t, o.EnsureASCII)
	case []any:
		if len(t) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, e := range t {
			separate(b, o, i, level+1)
			dump(b, e, o, level+1)
		}
		closeLine(b, o, level)
		b.WriteByte(']')
	case *Dict:
		if t.Len() == 0 {
			b.WriteString("{}")
			return
		}
		keys := t.Keys()
		if o.SortKeys {
			sortStrings(keys)
		}
		b.WriteByte('{')
		for i, k := range keys {
			separate(b, o, i, level+1)
			dumpString(b, k, o.EnsureASCII)
			b.WriteString(": ")
			e, _ := t.Get(k)
			dump(b, e, o, level+1)
		}
		closeLine(b, o, level)
		b.WriteByte('}')
	default:
		dumpString(b, fmt.Sprint(t), o.EnsureASCII)
	}
}

func separate(b *strings.Builder, o DumpOptions, i, level int) {
	if o.Indent < 0 {
		if i > 0 {
			b.WriteString(", ")
		}
		return
	}
	if i > 0 {
		b.WriteByte(',')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Repeat(" ", o.Indent*level))
}

func closeLine(b *strings.Builder, o DumpOptions, level int) {
	if o.Indent >= 0 {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", o.Indent*level))
	}
}

func dumpString(b *strings.Builder, s string, ascii bool) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20:
				fmt.Fprintf(b, `\u%04x`, r)
			case ascii && r > 0x7e:
				if r > 0xffff {
					r -= 0x10000
					fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					fmt.Fprintf(b, `\u%04x`, r)
				}
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}
