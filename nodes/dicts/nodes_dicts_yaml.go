package dicts

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// dictToYAML renders d as PyYAML's yaml.dump(d) does with its defaults:
// block style, keys sorted, indent 2, lines folded at 80 columns, strings
// quoted only when a plain scalar would read back differently, and
// non-ASCII characters escaped (allow_unicode is off). It follows PyYAML's
// emitter step by step for the values the engine has (None, bool, int,
// float, str, list, dict). PyYAML's anchors for a list or dict object that
// appears twice are not reproduced: every occurrence is written out.
//
// The text is bounded by the node's max-value budget: the emitter stops
// with the budget error as soon as it would pass it, so neither deep
// indentation nor a value that repeats one big dict many times can make it
// build more.
func dictToYAML(ctx *engine.Ctx, d *pyval.Dict) (string, error) {
	e := &dictYAMLEmitter{indent: -1, whitespace: true, indention: true, ctx: ctx, limit: ctx.MaxValue()}
	e.node(d, false, false)
	e.writeIndent() // document end
	if e.err != nil {
		return "", e.err
	}
	return e.b.String(), nil
}

const (
	dictYAMLBestIndent = 2
	dictYAMLBestWidth  = 80
)

// dictYAMLEmitter holds the state of PyYAML's Emitter that block-style output
// of plain data uses. indent -1 stands for Python's None.
type dictYAMLEmitter struct {
	b          strings.Builder
	indent     int
	indents    []int
	column     int
	whitespace bool
	indention  bool
	mappingCtx bool
	simpleKey  bool

	ctx   *engine.Ctx
	limit int64 // the most bytes the text may have
	err   error // why the emitter stopped
}

// fits reports whether n more bytes keep the text within its limit, and
// stops the emitter when they do not.
func (e *dictYAMLEmitter) fits(n int) bool {
	if e.err == nil && int64(e.b.Len())+int64(n) > e.limit {
		e.err = e.ctx.CheckSize(-1)
	}
	return e.err == nil
}

func (e *dictYAMLEmitter) increaseIndent(flow, indentless bool) {
	e.indents = append(e.indents, e.indent)
	switch {
	case e.indent < 0 && flow:
		e.indent = dictYAMLBestIndent
	case e.indent < 0:
		e.indent = 0
	case !indentless:
		e.indent += dictYAMLBestIndent
	}
}

func (e *dictYAMLEmitter) popIndent() {
	e.indent = e.indents[len(e.indents)-1]
	e.indents = e.indents[:len(e.indents)-1]
}

func (e *dictYAMLEmitter) node(v any, mapping, simpleKey bool) {
	if e.err == nil {
		e.err = e.ctx.Tick()
	}
	if e.err != nil {
		return
	}
	e.mappingCtx, e.simpleKey = mapping, simpleKey
	switch t := v.(type) {
	case []any:
		if len(t) == 0 {
			e.emptyFlow("[", "]")
			return
		}
		e.increaseIndent(false, e.mappingCtx && !e.indention)
		for _, item := range t {
			if e.err != nil {
				return
			}
			e.writeIndent()
			e.writeIndicator("-", true, false, true)
			e.node(item, false, false)
		}
		e.popIndent()
	case *pyval.Dict:
		if t.Len() == 0 {
			e.emptyFlow("{", "}")
			return
		}
		keys := slices.Clone(t.Keys())
		slices.Sort(keys)
		e.increaseIndent(false, false)
		for _, k := range keys {
			// A key is written at least as long as it is.
			if !e.fits(len(k)) {
				return
			}
			e.writeIndent()
			val, _ := t.Get(k)
			if a := dictYAMLAnalyze([]rune(k)); len(a.scalar) < 128 && !a.empty && !a.multiline {
				e.node(k, true, true)
				e.writeIndicator(":", false, false, false)
			} else {
				e.writeIndicator("?", true, false, true)
				e.node(k, true, false)
				e.writeIndent()
				e.writeIndicator(":", true, false, true)
			}
			e.node(val, true, false)
		}
		e.popIndent()
	default:
		text, implicit := dictYAMLScalar(v)
		// A scalar is written at least as long as it is (escapes and
		// folding only add): check before taking it apart.
		if !e.fits(len(text)) {
			return
		}
		a := dictYAMLAnalyze([]rune(text))
		style := a.style(implicit, e.simpleKey)
		e.increaseIndent(true, false)
		split := !e.simpleKey
		switch style {
		case '"':
			e.writeDoubleQuoted(a.scalar, split)
		case '\'':
			e.writeSingleQuoted(a.scalar, split)
		default:
			e.writePlain(a.scalar, split)
		}
		e.popIndent()
	}
}

// emptyFlow writes an empty list or dict in flow style.
func (e *dictYAMLEmitter) emptyFlow(open, close string) {
	e.writeIndicator(open, true, true, false)
	e.increaseIndent(true, false)
	e.popIndent()
	e.writeIndicator(close, false, false, false)
}

// dictYAMLScalar returns the text of a scalar as PyYAML's representer writes
// it, and whether it may be written plain (implicit): always for non-strings,
// and for strings that would not read back as another type.
func dictYAMLScalar(v any) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "null", true
	case bool:
		if t {
			return "true", true
		}
		return "false", true
	case int64:
		return strconv.FormatInt(t, 10), true
	case float64:
		switch {
		case math.IsNaN(t):
			return ".nan", true
		case math.IsInf(t, 1):
			return ".inf", true
		case math.IsInf(t, -1):
			return "-.inf", true
		}
		s := strings.ToLower(pyval.FormatFloat(t))
		if !strings.Contains(s, ".") && strings.Contains(s, "e") {
			s = strings.Replace(s, "e", ".0e", 1)
		}
		return s, true
	case string:
		return t, !dictYAMLResolvesToOther(t)
	}
	return fmt.Sprint(v), false
}

// dictYAMLResolvers are PyYAML's implicit resolvers, by the first characters
// they apply to: a plain scalar matching one is read as that type.
var dictYAMLResolvers = []struct {
	first string
	re    *regexp.Regexp
}{
	{"yYnNtTfFoO", regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)},
	{"-+0123456789.", regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)},
	{"-+0123456789", regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)},
	{"<", regexp.MustCompile(`^(?:<<)$`)},
	{"~nN", regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)},
	{"0123456789", regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)},
	{"=", regexp.MustCompile(`^(?:=)$`)},
	{"!&*", regexp.MustCompile(`^(?:!|&|\*)$`)},
}

func dictYAMLResolvesToOther(s string) bool {
	if s == "" {
		return true // the null resolver also applies to the empty string
	}
	for _, r := range dictYAMLResolvers {
		if strings.IndexByte(r.first, s[0]) >= 0 && r.re.MatchString(s) {
			return true
		}
	}
	return false
}

// dictYAMLAnalysis is PyYAML's ScalarAnalysis: which styles can carry a
// scalar.
type dictYAMLAnalysis struct {
	scalar                          []rune
	empty, multiline                bool
	allowBlockPlain, allowSingleQuo bool
}

func dictYAMLIsBreak(r rune) bool {
	return r == '\n' || r == '\u0085' || r == '\u2028' || r == '\u2029'
}

func dictYAMLIsSpaceOrBreak(r rune) bool {
	return r == 0 || r == ' ' || r == '\t' || r == '\r' || dictYAMLIsBreak(r)
}

// dictYAMLAnalyze is PyYAML's Emitter.analyze_scalar for block context with
// allow_unicode off.
func dictYAMLAnalyze(s []rune) dictYAMLAnalysis {
	if len(s) == 0 {
		return dictYAMLAnalysis{scalar: s, empty: true, allowBlockPlain: true, allowSingleQuo: true}
	}
	var blockIndicators, lineBreaks, special bool
	var leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	str := string(s)
	if strings.HasPrefix(str, "---") || strings.HasPrefix(str, "...") {
		blockIndicators = true
	}
	precededByWS := true
	followedByWS := len(s) == 1 || dictYAMLIsSpaceOrBreak(s[1])
	prevSpace, prevBreak := false, false
	for i, ch := range s {
		if i == 0 {
			if strings.ContainsRune("#,[]{}&*!|>'\"%@`", ch) {
				blockIndicators = true
			}
			if (ch == '?' || ch == ':') && followedByWS {
				blockIndicators = true
			}
			if ch == '-' && followedByWS {
				blockIndicators = true
			}
		} else {
			if ch == ':' && followedByWS {
				blockIndicators = true
			}
			if ch == '#' && precededByWS {
				blockIndicators = true
			}
		}
		if dictYAMLIsBreak(ch) {
			lineBreaks = true
		}
		if !(ch == '\n' || ch >= 0x20 && ch <= 0x7e) {
			// With allow_unicode off, printable non-ASCII is as special
			// as control characters: only double quotes can carry it.
			special = true
		}
		switch {
		case ch == ' ':
			if i == 0 {
				leadingSpace = true
			}
			if i == len(s)-1 {
				trailingSpace = true
			}
			if prevBreak {
				breakSpace = true
			}
			prevSpace, prevBreak = true, false
		case dictYAMLIsBreak(ch):
			if i == 0 {
				leadingBreak = true
			}
			if i == len(s)-1 {
				trailingBreak = true
			}
			if prevSpace {
				spaceBreak = true
			}
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		precededByWS = dictYAMLIsSpaceOrBreak(ch)
		followedByWS = i+2 >= len(s) || dictYAMLIsSpaceOrBreak(s[i+2])
	}
	a := dictYAMLAnalysis{scalar: s, multiline: lineBreaks, allowBlockPlain: true, allowSingleQuo: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
		a.allowBlockPlain = false
	}
	if breakSpace {
		a.allowBlockPlain, a.allowSingleQuo = false, false
	}
	if spaceBreak || special {
		a.allowBlockPlain, a.allowSingleQuo = false, false
	}
	if lineBreaks || blockIndicators {
		a.allowBlockPlain = false
	}
	return a
}

// style is PyYAML's choose_scalar_style in block context: 0 for plain,
// '\” or '"'.
func (a dictYAMLAnalysis) style(implicit, simpleKey bool) byte {
	if implicit && !(simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain {
		return 0
	}
	if a.allowSingleQuo && !(simpleKey && a.multiline) {
		return '\''
	}
	return '"'
}

func (e *dictYAMLEmitter) write(s []rune) {
	if !e.fits(len(s)) {
		return
	}
	e.column += len(s)
	e.b.WriteString(string(s))
}

func (e *dictYAMLEmitter) writeIndicator(ind string, needWhitespace, whitespace, indention bool) {
	if !e.whitespace && needWhitespace {
		ind = " " + ind
	}
	e.whitespace = whitespace
	e.indention = e.indention && indention
	e.write([]rune(ind))
}

func (e *dictYAMLEmitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.writeLineBreak('\n')
	}
	if e.column < indent && e.fits(indent-e.column) {
		e.whitespace = true
		e.write([]rune(strings.Repeat(" ", indent-e.column)))
	}
}

func (e *dictYAMLEmitter) writeLineBreak(br rune) {
	if !e.fits(utf8.RuneLen(br)) {
		return
	}
	e.whitespace, e.indention = true, true
	e.column = 0
	e.b.WriteRune(br)
}

// writeBreaks writes the line breaks text[start:end] of a quoted or plain
// scalar, as PyYAML does.
func (e *dictYAMLEmitter) writeBreaks(text []rune, start, end int) {
	if text[start] == '\n' {
		e.writeLineBreak('\n')
	}
	for _, br := range text[start:end] {
		e.writeLineBreak(br)
	}
	e.writeIndent()
}

func (e *dictYAMLEmitter) writePlain(text []rune, split bool) {
	if len(text) == 0 {
		return
	}
	if !e.whitespace {
		e.write([]rune(" "))
	}
	e.whitespace, e.indention = false, false
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(text); end++ {
		ch := rune(-1)
		if end < len(text) {
			ch = text[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && e.column > dictYAMLBestWidth && split {
					e.writeIndent()
					e.whitespace, e.indention = false, false
				} else {
					e.write(text[start:end])
				}
				start = end
			}
		case breaks:
			if !dictYAMLIsBreak(ch) {
				e.writeBreaks(text, start, end)
				e.whitespace, e.indention = false, false
				start = end
			}
		default:
			if ch == -1 || ch == ' ' || dictYAMLIsBreak(ch) {
				e.write(text[start:end])
				start = end
			}
		}
		if ch != -1 {
			spaces, breaks = ch == ' ', dictYAMLIsBreak(ch)
		}
	}
}

func (e *dictYAMLEmitter) writeSingleQuoted(text []rune, split bool) {
	e.writeIndicator("'", true, false, false)
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(text); end++ {
		ch := rune(-1)
		if end < len(text) {
			ch = text[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && e.column > dictYAMLBestWidth && split && start != 0 && end != len(text) {
					e.writeIndent()
				} else {
					e.write(text[start:end])
				}
				start = end
			}
		case breaks:
			if !dictYAMLIsBreak(ch) {
				e.writeBreaks(text, start, end)
				start = end
			}
		default:
			if ch == -1 || ch == ' ' || dictYAMLIsBreak(ch) || ch == '\'' {
				if start < end {
					e.write(text[start:end])
					start = end
				}
			}
		}
		if ch == '\'' {
			e.write([]rune("''"))
			start = end + 1
		}
		if ch != -1 {
			spaces, breaks = ch == ' ', dictYAMLIsBreak(ch)
		}
	}
	e.writeIndicator("'", false, false, false)
}

var dictYAMLEscapes = map[rune]string{
	0: `\0`, 0x07: `\a`, 0x08: `\b`, 0x09: `\t`, 0x0a: `\n`, 0x0b: `\v`, 0x0c: `\f`, 0x0d: `\r`,
	0x1b: `\e`, '"': `\"`, '\\': `\\`, 0x85: `\N`, 0xa0: `\_`, 0x2028: `\L`, 0x2029: `\P`,
}

func (e *dictYAMLEmitter) writeDoubleQuoted(text []rune, split bool) {
	e.writeIndicator(`"`, true, false, false)
	start := 0
	for end := 0; end <= len(text); end++ {
		ch := rune(-1)
		if end < len(text) {
			ch = text[end]
		}
		if ch == -1 || ch == '"' || ch == '\\' || ch < 0x20 || ch > 0x7e {
			if start < end {
				e.write(text[start:end])
				start = end
			}
			if ch != -1 {
				esc, ok := dictYAMLEscapes[ch]
				switch {
				case ok:
				case ch <= 0xff:
					esc = fmt.Sprintf(`\x%02X`, ch)
				case ch <= 0xffff:
					esc = fmt.Sprintf(`\u%04X`, ch)
				default:
					esc = fmt.Sprintf(`\U%08X`, ch)
				}
				e.write([]rune(esc))
				start = end + 1
			}
		}
		if 0 < end && end < len(text)-1 && (ch == ' ' || start >= end) && e.column+(end-start) > dictYAMLBestWidth && split {
			var data []rune
			if start < end {
				data = slices.Clone(text[start:end])
			}
			data = append(data, '\\')
			if start < end {
				start = end
			}
			e.write(data)
			e.writeIndent()
			e.whitespace, e.indention = false, false
			if text[start] == ' ' {
				e.write([]rune(`\`))
			}
		}
	}
	e.writeIndicator(`"`, false, false, false)
}
