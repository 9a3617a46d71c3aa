package text

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/jinja"
	"nodetool/lang/pyval"
)

func registerTemplates(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:  "nodetool.text.FormatText",
		Title: "Format Text",
		Description: "Renders a Jinja2 template (filters, if, for) with the node's dynamic inputs as variables; {name} works like {{ name }}. " +
			"Names are case-insensitive: input names and the first name in each {{ }} are lowercased, so {{ TOPIC }} reads the input TOPIC.",
		Props:       []engine.Prop{engine.P("template", "str", `""`, "The template, e.g. Hello, {{ name }} or {{ title|truncate(20) }}.")},
		Outputs:     engine.Out("output", "str"),
		BasicFields: []string{"template"},
		Dynamic:     true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			src, conv := convertSingleBraces(in.Str("template"))
			src = lowercaseHeads(src)
			vars := pyval.NewDict(in.Dynamic().Len())
			in.Dynamic().Range(func(k string, v any) bool {
				vars.Set(strings.ToLower(k), v)
				return true
			})
			out, err := renderTemplate(ctx, src, vars, conv)
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "nodetool.text.Template",
		Description: "Renders a Jinja2 template (filters, if, for) with the keys of values and the node's dynamic inputs as variables; " +
			"{name} works like {{ name }}.",
		Props: []engine.Prop{
			engine.P("string", "str", `""`, "The template, e.g. Hello, {{ name }}!"),
			engine.P("values", "any", "{}", "A dictionary of variables for the template; dynamic inputs are added to it."),
		},
		Outputs:     engine.Out("output", "str"),
		BasicFields: []string{"string", "values"},
		Dynamic:     true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			src, conv := convertSingleBraces(in.Str("string"))
			vars := pyval.NewDict(in.Dynamic().Len())
			if d, ok := in.Get("values").(*pyval.Dict); ok {
				d.Range(func(k string, v any) bool { vars.Set(k, v); return true })
			}
			in.Dynamic().Range(func(k string, v any) bool { vars.Set(k, v); return true })
			out, err := renderTemplate(ctx, src, vars, conv)
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
}

// renderTemplate parses and renders src within the run's budgets: the
// output, every value the template builds and all of them together are
// bounded by max-value (the last by 4 * max-value), and the render stops
// when the node is cancelled or times out. Errors read "Template error:"
// with the line and column in the user's template (before {x} became
// {{ x }}); a broken max-value budget is a *LimitError.
func renderTemplate(ctx *engine.Ctx, src string, vars *pyval.Dict, conv []braceConv) (string, error) {
	t, err := jinja.ParseWithLimits(src, templateLimits(ctx.MaxValue()))
	if err == nil {
		var out string
		if out, err = t.RenderContext(ctx, vars); err == nil {
			return out, nil
		}
	}
	var je *jinja.Error
	if !errors.As(err, &je) {
		return "", err // the node was cancelled or timed out
	}
	line, col := originalPosition(conv, je.Line, je.Col)
	msg := fmt.Sprintf("Template error: line %d, column %d: %s", line, col, je.Msg)
	switch je.Limit {
	case jinja.LimitOutput, jinja.LimitAlloc, jinja.LimitItems:
		return "", &engine.LimitError{Limit: engine.LimitValue, Node: ctx.Label(),
			Msg: fmt.Sprintf("%s (the %s limit is %s)", msg, engine.LimitValue, engine.FormatBytes(ctx.MaxValue()))}
	}
	return "", errors.New(msg)
}

// templateLimits are the jinja limits of a run whose max-value budget is
// maxValue: no string over maxValue, no list over maxValue/16 items (as
// CheckItems counts), at most 4 * maxValue built in total. The work of a
// render is bounded by jinja's step and iteration budgets and its time by
// the node's own deadlines; jinja's clock is only a backstop for steps
// whose cost was underestimated.
func templateLimits(maxValue int64) jinja.Limits {
	lim := jinja.DefaultLimits()
	lim.Timeout = time.Minute
	lim.MaxOutput = int(min(maxValue, math.MaxInt32))
	lim.MaxAlloc = int(min(4*maxValue, math.MaxInt32))
	lim.MaxItems = int(min(int64(lim.MaxItems), maxValue/engine.ItemCost))
	return lim
}

// braceConv records one {name} rewritten as {{ name }}: its line and
// column (1-based, in characters) in the rewritten text and the length of
// the name in characters.
type braceConv struct{ line, col, nameLen int }

// convertSingleBraces rewrites each {identifier} that is not part of {{ or
// }} as {{ identifier }}, as NodeTool does before rendering.
func convertSingleBraces(s string) (string, []braceConv) {
	var b strings.Builder
	var conv []braceConv
	line, col := 1, 1 // position in the output
	for i := 0; i < len(s); {
		if s[i] == '{' && (i == 0 || s[i-1] != '{') {
			if end, ok := braceIdent(s, i); ok {
				name := s[i+1 : end]
				n := utf8.RuneCountInString(name)
				conv = append(conv, braceConv{line, col, n})
				b.WriteString("{{ " + name + " }}")
				col += n + 6
				i = end + 1
				continue
			}
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+size])
		i += size
		switch {
		case c == '\r' && i < len(s) && s[i] == '\n':
			b.WriteByte('\n')
			i++
			fallthrough
		case c == '\n' || c == '\r':
			line, col = line+1, 1
		default:
			col++
		}
	}
	return b.String(), conv
}

// braceIdent matches {[A-Za-z_]\w*} at i, not followed by another },
// and returns the index of the closing brace.
func braceIdent(s string, i int) (int, bool) {
	j := i + 1
	if j >= len(s) || !(s[j] == '_' || s[j] < utf8.RuneSelf && unicode.IsLetter(rune(s[j]))) {
		return 0, false
	}
	for j < len(s) {
		c, size := utf8.DecodeRuneInString(s[j:])
		if c != '_' && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			break
		}
		j += size
	}
	if j >= len(s) || s[j] != '}' || (j+1 < len(s) && s[j+1] == '}') {
		return 0, false
	}
	return j, true
}

// originalPosition maps a position in the rewritten template back to the
// user's text.
func originalPosition(conv []braceConv, line, col int) (int, int) {
	shift := 0
	for _, c := range conv {
		if c.line != line || c.col >= col {
			continue
		}
		if col < c.col+c.nameLen+6 {
			return line, c.col - shift // inside the placeholder: point at its {
		}
		shift += 4
	}
	return line, col - shift
}

// lowercaseHeads lowercases the identifier that starts each {{ ... }}
// expression, NodeTool's rule that makes {{ NAME }} read the input NAME
// (whose name is lowercased too). Literal text and the rest of the
// expression are left alone.
func lowercaseHeads(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + 2
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			j++
		}
		for j < len(s) {
			c, size := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsSpace(c) {
				break
			}
			j += size
		}
		k := j
		for k < len(s) {
			c, size := utf8.DecodeRuneInString(s[k:])
			if c != '_' && !unicode.IsLetter(c) && !(k > j && unicode.IsDigit(c)) {
				break
			}
			k += size
		}
		b.WriteString(s[:j])
		b.WriteString(strings.ToLower(s[j:k]))
		s = s[k:]
	}
}
