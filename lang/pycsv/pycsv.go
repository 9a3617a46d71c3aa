// Package pycsv reads and writes CSV as Python's csv module (excel
// dialect) and pandas' read_csv tokenizer do, within a budget: the reader
// reports every field before it keeps it, so a caller can refuse a record
// of millions of fields before it is built.
package pycsv

import (
	"fmt"
	"strings"
)

// Reader splits CSV text into records as pandas' C tokenizer does with
// its default dialect: fields separated by comma, records by \n, \r\n or
// \r, blank lines skipped; a field starting with a double quote runs to
// the closing quote ("" inside is one quote), and anything after the
// closing quote up to the next separator is kept; a quote inside an
// unquoted field is an ordinary character.
type Reader struct {
	s     string
	i     int
	comma byte
	line  int
}

// NewReader returns a reader of text with comma as the field separator.
func NewReader(text string, comma byte) *Reader { return &Reader{s: text, comma: comma} }

// Line is the line the next record starts on, from 1.
func (r *Reader) Line() int { return max(r.line, 1) }

// Next returns the next record (nil at the end of the text), calling
// field before it keeps each field.
func (r *Reader) Next(field func() error) ([]string, error) {
	s := r.s
	if r.line == 0 {
		r.line = 1
	}
	for r.i < len(s) && (s[r.i] == '\n' || s[r.i] == '\r') {
		if s[r.i] == '\n' || r.i+1 == len(s) || s[r.i+1] != '\n' {
			r.line++
		}
		r.i++
	}
	if r.i >= len(s) {
		return nil, nil
	}
	start := r.line
	var rec []string
	for {
		if err := field(); err != nil {
			return nil, err
		}
		var f string
		if s[r.i] == '"' {
			var b strings.Builder
			r.i++
			for {
				j := strings.IndexByte(s[r.i:], '"')
				if j < 0 {
					return nil, fmt.Errorf("error tokenizing data: EOF inside string starting at line %d", start)
				}
				b.WriteString(s[r.i : r.i+j])
				r.line += strings.Count(s[r.i:r.i+j], "\n")
				r.i += j + 1
				if r.i < len(s) && s[r.i] == '"' {
					b.WriteByte('"')
					r.i++
					continue
				}
				break
			}
			k := r.i
			for k < len(s) && s[k] != r.comma && s[k] != '\n' && s[k] != '\r' {
				k++
			}
			b.WriteString(s[r.i:k])
			r.i = k
			f = b.String()
		} else {
			k := r.i
			for k < len(s) && s[k] != r.comma && s[k] != '\n' && s[k] != '\r' {
				k++
			}
			f = s[r.i:k]
			r.i = k
		}
		rec = append(rec, f)
		if r.i < len(s) && s[r.i] == r.comma {
			r.i++
			if r.i == len(s) {
				if err := field(); err != nil {
					return nil, err
				}
				return append(rec, ""), nil
			}
			continue
		}
		if r.i < len(s) {
			if s[r.i] == '\r' && r.i+1 < len(s) && s[r.i+1] == '\n' {
				r.i++
			}
			r.i++
			r.line++
		}
		return rec, nil
	}
}

// AppendField writes a field as csv.QUOTE_MINIMAL does: quoted (its
// quotes doubled) when it holds the separator, a quote or a line break.
// alone marks a field that is a whole record: empty, it is written "" so
// that the line is not blank.
func AppendField(b *strings.Builder, s string, comma byte, alone bool) {
	switch {
	case alone && s == "":
		b.WriteString(`""`)
	case strings.IndexByte(s, comma) >= 0 || strings.ContainsAny(s, "\"\r\n"):
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(s, `"`, `""`))
		b.WriteByte('"')
	default:
		b.WriteString(s)
	}
}
