// Package pystr holds Python's string semantics that NodeTool's text nodes
// keep: case mapping with Unicode's special cases, whitespace and line
// splitting, strip, int(), slicing by code point, NFKD decomposition, and
// helpers to quote user text in messages.
package pystr

// The Unicode tables (nfkd_table.go, pycase_table.go) are Python 3.11's
// (Unicode 14.0.0), written by this command:
//
//go:generate python3 ../../testdata/unicodetables/gen.py --package pystr .

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Python string semantics the text nodes rely on: whitespace, case mapping,
// slicing and searching by code point, and NFKD decomposition.

// pyIsSpace reports Python's str.isspace for one character: Unicode
// White_Space plus the information separators U+001C..U+001F.
func IsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

func Strip(s string) string  { return strings.TrimFunc(s, IsSpace) }
func LStrip(s string) string { return strings.TrimLeftFunc(s, IsSpace) }
func RStrip(s string) string { return strings.TrimRightFunc(s, IsSpace) }

// pySplitWhitespace is Python's str.split() without arguments.
func SplitWhitespace(s string) []string { return strings.FieldsFunc(s, IsSpace) }

// pyIsLineBreak reports the characters str.splitlines splits on.
func pyIsLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// pySplitlines is Python's str.splitlines() (line ends dropped).
func Splitlines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !pyIsLineBreak(r) {
			i += size
			continue
		}
		lines = append(lines, s[start:i])
		i += size
		if r == '\r' && i < len(s) && s[i] == '\n' {
			i++
		}
		start = i
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

// pyCountWords is len(s.split()), without building the list.
func CountWords(s string) int64 {
	var n int64
	inWord := false
	for _, r := range s {
		space := IsSpace(r)
		if !space && !inWord {
			n++
		}
		inWord = !space
	}
	return n
}

// pyCountLines is len(s.splitlines()), or the number of non-empty lines
// with skipEmpty, without building the list.
func CountLines(s string, skipEmpty bool) int64 {
	var n int64
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !pyIsLineBreak(r) {
			i += size
			continue
		}
		if i > start || !skipEmpty {
			n++
		}
		i += size
		if r == '\r' && i < len(s) && s[i] == '\n' {
			i++
		}
		start = i
	}
	if start < len(s) {
		n++
	}
	return n
}

// pyIsCased reports the Unicode Cased property (Python's notion of a cased
// character for title()).
func pyIsCased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

// pyCaseIgnorable approximates the Unicode Case_Ignorable property, used by
// the final-sigma rule of lower().
func pyCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', 0xb7, 0x2018, 0x2019, 0x2024, 0x2027:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

// The case mappings can make a text longer (ß becomes SS, ΐ three
// characters), so each has a form with a byte limit, which gives up (ok
// false) as soon as the result would pass it: max < 0 is no limit.

// pyLower is Python's str.lower(): full case mapping, with the Greek final
// sigma rule.
func Lower(s string) string { r, _ := LowerMax(s, -1); return r }

func LowerMax(s string, max int64) (string, bool) {
	if isASCII(s) {
		return strings.ToLower(s), max < 0 || int64(len(s)) <= max
	}
	var b strings.Builder
	for i, r := range s {
		b.WriteString(pyLowerRune(s, i, r))
		if max >= 0 && int64(b.Len()) > max {
			return "", false
		}
	}
	return b.String(), true
}

// pyLowerRune lowercases r, the character at byte i of s.
func pyLowerRune(s string, i int, r rune) string {
	if r == 'Σ' {
		return finalSigma(s, i)
	}
	if m, ok := pyLowerSpecial[r]; ok {
		return m
	}
	return string(unicode.ToLower(r))
}

// finalSigma lowercases the capital sigma at byte i of s: ς at the end of
// a word (preceded by a cased letter and not followed by one), σ
// otherwise.
func finalSigma(s string, i int) string {
	before := false
	for j := i; j > 0; {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
		if pyCaseIgnorable(r) {
			continue
		}
		before = pyIsCased(r)
		break
	}
	after := false
	for j := i + len("Σ"); j < len(s); {
		r, size := utf8.DecodeRuneInString(s[j:])
		j += size
		if pyCaseIgnorable(r) {
			continue
		}
		after = pyIsCased(r)
		break
	}
	if before && !after {
		return "ς"
	}
	return "σ"
}

// pyUpper is Python's str.upper() (full case mapping: ß becomes SS).
func Upper(s string) string { r, _ := UpperMax(s, -1); return r }

func UpperMax(s string, max int64) (string, bool) {
	if isASCII(s) {
		return strings.ToUpper(s), max < 0 || int64(len(s)) <= max
	}
	var b strings.Builder
	for _, r := range s {
		if m, ok := pyUpperSpecial[r]; ok {
			b.WriteString(m)
		} else {
			b.WriteRune(unicode.ToUpper(r))
		}
		if max >= 0 && int64(b.Len()) > max {
			return "", false
		}
	}
	return b.String(), true
}

func pyTitleRune(r rune) string {
	if m, ok := pyTitleSpecial[r]; ok {
		return m
	}
	return string(unicode.ToTitle(r))
}

// pyTitle is Python's str.title(): a character following a cased character
// is lowercased, any other is titlecased ("they're" becomes "They'Re").
func Title(s string) string { r, _ := TitleMax(s, -1); return r }

func TitleMax(s string, max int64) (string, bool) {
	var b strings.Builder
	prevCased := false
	for i, r := range s {
		if prevCased {
			b.WriteString(pyLowerRune(s, i, r))
		} else {
			b.WriteString(pyTitleRune(r))
		}
		if max >= 0 && int64(b.Len()) > max {
			return "", false
		}
		prevCased = pyIsCased(r)
	}
	return b.String(), true
}

// pyCapitalize is Python's str.capitalize(): the first character
// titlecased, the rest lowercased.
func Capitalize(s string) string { r, _ := CapitalizeMax(s, -1); return r }

func CapitalizeMax(s string, max int64) (string, bool) {
	var b strings.Builder
	for i, r := range s {
		if i == 0 {
			b.WriteString(pyTitleRune(r))
		} else {
			b.WriteString(pyLowerRune(s, i, r))
		}
		if max >= 0 && int64(b.Len()) > max {
			return "", false
		}
	}
	return b.String(), true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// pySliceIndices resolves a Python slice [start:stop:step] (each nil when
// omitted) over a sequence of length n, like slice.indices. step must not
// be 0.
func SliceIndices(n int, start, stop *int, step int) (lo, hi int) {
	clamp := func(p *int, def, low, high int) int {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += n
			if v < low {
				v = low
			}
		} else if v > high {
			v = high
		}
		return v
	}
	if step > 0 {
		return clamp(start, 0, 0, n), clamp(stop, n, 0, n)
	}
	return clamp(start, n-1, -1, n-1), clamp(stop, -1, -1, n-1)
}

// pySliceRunes returns s[start:stop:step] by code point. The result is
// never longer than s.
func SliceRunes(s string, start, stop *int, step int) (string, error) {
	if step == 0 {
		return "", fmt.Errorf("slice step cannot be zero")
	}
	n := utf8.RuneCountInString(s)
	lo, hi := SliceIndices(n, start, stop, step)
	if (step > 0 && lo >= hi) || (step < 0 && lo <= hi) {
		return "", nil
	}
	if step == 1 {
		from := RuneOffset(s, lo)
		return s[from : from+RuneOffset(s[from:], hi-lo)], nil
	}
	// Walk the characters once, forwards or backwards, taking every
	// step-th from lo.
	var b strings.Builder
	if step > 0 {
		idx, next := 0, lo
		for _, r := range s {
			if idx == next && idx < hi {
				b.WriteRune(r)
				next += step
			}
			idx++
		}
		return b.String(), nil
	}
	idx, next := n-1, lo
	for j := len(s); j > 0 && idx > hi; idx-- {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
		if idx == next {
			b.WriteRune(r)
			next += step
		}
	}
	return b.String(), nil
}

// runeOffset is the byte offset of character n of s (len(s) when s has
// fewer characters).
func RuneOffset(s string, n int) int {
	if n <= 0 {
		return 0
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// pyFind is Python's str.find / str.rfind with start and end (end nil means
// the end of the string); indexes are code points. It searches bytes with
// the strings package (no quadratic scan) and converts the offsets.
func Find(hay, needle string, start int, end *int, last bool) int {
	h := utf8.RuneCountInString(hay)
	adjust := func(v int) int {
		if v < 0 {
			v += h
			if v < 0 {
				v = 0
			}
		} else if v > h {
			v = h
		}
		return v
	}
	e := h
	if end != nil {
		e = adjust(*end)
	}
	st := start
	if st < 0 {
		st = adjust(st)
	}
	if st > h || e-st < utf8.RuneCountInString(needle) {
		return -1
	}
	from := RuneOffset(hay, st)
	to := from + RuneOffset(hay[from:], e-st)
	window := hay[from:to]
	i := strings.Index(window, needle)
	if last {
		i = strings.LastIndex(window, needle)
	}
	if i < 0 {
		return -1
	}
	return st + utf8.RuneCountInString(window[:i])
}

// pyParseInt parses a string as Python's int() does: surrounding
// whitespace, an optional sign, digits with single underscores between
// them. Values outside int64 are an error.
func ParseInt(s string) (int64, error) {
	t := Strip(s)
	body := strings.TrimLeft(t, "+-")
	if len(t)-len(body) > 1 || body == "" || body[0] == '_' || body[len(body)-1] == '_' || strings.Contains(body, "__") {
		return 0, fmt.Errorf("invalid literal for int(): %s", ClipQuote(s))
	}
	digits := strings.ReplaceAll(body, "_", "")
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("invalid literal for int(): %s", ClipQuote(s))
		}
	}
	// More than 19 significant digits never fit 64 bits: refuse them
	// before parsing (big.Int parsing is superlinear).
	if sig := strings.TrimLeft(digits, "0"); len(sig) > 19 {
		return 0, fmt.Errorf("integer %s is too large", Clip(sig, 40))
	}
	n, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return 0, fmt.Errorf("invalid literal for int(): %s", ClipQuote(s))
	}
	if strings.HasPrefix(t, "-") {
		n.Neg(n)
	}
	if !n.IsInt64() {
		return 0, fmt.Errorf("integer %s is too large", n)
	}
	return n.Int64(), nil
}

// pyCombining reports whether r has a non-zero canonical combining class
// (Python's unicodedata.combining(r) != 0).
func Combining(r rune) bool { return unicode.Is(combiningMarks, r) }

var nfkdMap = sync.OnceValue(func() map[rune]string {
	m := make(map[rune]string, len(nfkdPairs)/2)
	for i := 0; i+1 < len(nfkdPairs); i += 2 {
		r, _ := utf8.DecodeRuneInString(nfkdPairs[i])
		m[r] = nfkdPairs[i+1]
	}
	return m
})

// nfkd decomposes s with compatibility decomposition (NFKD) using the
// generated table in nfkd_table.go: Latin, Greek, Cyrillic, Hebrew and Indic
// letters with marks, compatibility characters (ligatures, super- and
// subscripts, fractions, enclosed, squared, halfwidth and fullwidth forms,
// mathematical alphanumerics) and Hangul syllables. CJK compatibility
// ideographs, Kangxi radicals and Arabic presentation forms pass through
// unchanged, and combining marks are not reordered; both only matter to
// callers that keep the marks, and StripAccents and Slugify drop them.
func NFKD(s string) string { r, _ := NFKDMax(s, -1); return r }

// nfkdMax is nfkd giving up (ok false) once the result would pass max
// bytes (max < 0: no limit): a decomposition can be many times longer than
// its character (U+FDFA is 18 characters).
func NFKDMax(s string, max int64) (string, bool) {
	if isASCII(s) {
		return s, max < 0 || int64(len(s)) <= max
	}
	m := nfkdMap()
	var b strings.Builder
	for _, r := range s {
		if max >= 0 && int64(b.Len()) > max {
			return "", false
		}
		switch {
		case r >= 0xff01 && r <= 0xff5e: // fullwidth ASCII
			b.WriteRune(r - 0xfee0)
		case r >= 0xac00 && r <= 0xd7a3: // Hangul syllables
			const sBase, lBase, vBase, tBase, vCount, tCount = 0xac00, 0x1100, 0x1161, 0x11a7, 21, 28
			idx := r - sBase
			b.WriteRune(lBase + idx/(vCount*tCount))
			b.WriteRune(vBase + (idx%(vCount*tCount))/tCount)
			if t := idx % tCount; t != 0 {
				b.WriteRune(tBase + t)
			}
		default:
			if d, ok := m[r]; ok {
				b.WriteString(d)
			} else {
				b.WriteRune(r)
			}
		}
	}
	if max >= 0 && int64(b.Len()) > max {
		return "", false
	}
	return b.String(), true
}

// RangeLen is len(range(start, stop, step)), saturating at MaxInt64; a
// zero step is an error, as in Python.
func RangeLen(start, stop, step int64) (int64, error) {
	var span, by uint64
	switch {
	case step == 0:
		return 0, fmt.Errorf("step must not be 0")
	case step > 0 && start < stop:
		span, by = uint64(stop)-uint64(start), uint64(step)
	case step < 0 && start > stop:
		span, by = uint64(start)-uint64(stop), -uint64(step)
	default:
		return 0, nil
	}
	n := (span-1)/by + 1
	if n > math.MaxInt64 {
		return math.MaxInt64, nil
	}
	return int64(n), nil
}
