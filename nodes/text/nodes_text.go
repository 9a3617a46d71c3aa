// Package text holds the nodetool.text nodes: string operations with
// Python's semantics, regular expressions (lang/pyre), JSON extraction, and
// the FormatText and Template nodes (lang/jinja).
package text

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/jsonpath"
	"nodetool/lang/pyre"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
)

// The pure nodetool.text.* nodes. Lengths, indexes and slices count code
// points, as Python's str does; regexes follow Python's re syntax (see
// pyregex.go). Deliberate differences from NodeTool:
//   - Collect is a streaming-input node that joins every item (quirk Q3).
//   - HasLength treats 0 as "not set" for each bound (quirk Q11).
//   - IndexOf treats end_index 0 as "to the end" (quirk Q12).
//   - Chunk refuses an overlap as large as the chunk length (the original
//     silently returns [] when it is larger).
//   - FilterString and FilterRegexString filter their configured value once
//     when no edge feeds "value" (the original emits nothing).
//
// Every node sizes what it builds before building it (max-value, through
// ctx.CheckSize and CheckItems) and polls its context in loops whose length
// its inputs decide, so no input can make it exhaust memory or outlive its
// node-timeout.

// addText registers a node whose editor shows every property, as the text
// nodes' metadata does.
func AddText(r *engine.Registry, d *engine.NodeDef) {
	if d.BasicFields == nil {
		for _, p := range d.Props {
			d.BasicFields = append(d.BasicFields, p.Name)
		}
	}
	r.Add(d)
}

// withMin sets a lower bound without an upper one.
func withMin(p engine.Prop, min float64) engine.Prop {
	p.Min = &min
	return p
}

// textFn builds a Process for a node computing one string from "text"
// with a function that gives up (ok false) past a byte limit.
func textFn(f func(s string, max int64) (string, bool)) engine.ProcessFunc {
	return func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
		out, ok := f(in.Str("text"), ctx.MaxValue())
		if !ok {
			return nil, ctx.CheckSize(-1)
		}
		return engine.Single(out), nil
	}
}

func pyIndexPtr(i int64) *int { v := int(i); return &v }

// Register adds the nodetool.text nodes, templates included.
func Register(r *engine.Registry) {
	registerTemplates(r)
	registerHTMLAndFiles(r)
	registerSave(r)
	textProp := engine.P("text", "str", `""`, "The text to work on.")

	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Concat",
		Title:       "Concatenate Text",
		Description: "Joins two texts into one, a followed by b.",
		Props:       []engine.Prop{engine.P("a", "str", `""`, "The first text."), engine.P("b", "str", `""`, "The text appended to a.")},
		Outputs:     engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			a, b := in.Str("a"), in.Str("b")
			if err := ctx.CheckSize(int64(len(a)) + int64(len(b))); err != nil {
				return nil, err
			}
			return engine.Single(a + b), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Join",
		Description: "Joins the items of a list into one text, with a separator between them. Items that are not text are written as Python's str() shows them.",
		Props: []engine.Prop{
			engine.P("strings", "list[any]", `[]`, "The items to join."),
			engine.P("separator", "str", `""`, "The text placed between items."),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			items, sep := in.List("strings"), in.Str("separator")
			parts := make([]string, len(items))
			// The joined size is counted before joining: the items'
			// texts (a list's text is bounded as it is written) and a
			// separator between each two.
			var size int64
			for i, v := range items {
				if err := ctx.Tick(); err != nil {
					return nil, err
				}
				s, ok := pyval.StrLimit(v, int(min(ctx.MaxValue()-size, math.MaxInt)))
				if !ok {
					return nil, ctx.CheckSize(-1)
				}
				parts[i] = s
				if size = bounded.AddSize(size, int64(len(s))); i > 0 {
					size = bounded.AddSize(size, int64(len(sep)))
				}
				if err := ctx.CheckSize(size); err != nil {
					return nil, err
				}
			}
			return engine.Single(strings.Join(parts, sep)), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Collect",
		Description: "Joins every text that streams into it, with a separator between them, and emits the result when the stream ends.",
		Props: []engine.Prop{
			engine.P("input_item", "str", `""`, "A text to collect; connect a stream here."),
			engine.P("separator", "str", `""`, "The text placed between the collected items."),
		},
		Outputs: engine.Out("output", "str"),
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			var items []string
			var size int64 // the items' bytes
			joined := func() int64 {
				return bounded.AddSize(size, bounded.MulSize(int64(max(len(items)-1, 0)), int64(len(in.Str("separator")))))
			}
			for {
				h, v, ok, err := inbox.Next(ctx)
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				if err := in.Set(h, v); err != nil {
					return err
				}
				if h == "input_item" {
					items = append(items, in.Str("input_item"))
					size += int64(len(items[len(items)-1]))
					if err := ctx.CheckSize(joined()); err != nil {
						return err
					}
				}
			}
			if err := ctx.CheckSize(joined()); err != nil {
				return err
			}
			return emit("output", strings.Join(items, in.Str("separator")))
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Replace",
		Title:       "Replace Text",
		Description: "Replaces every occurrence of one text with another.",
		Props: []engine.Prop{
			textProp,
			engine.P("old", "str", `""`, "The text to look for. Empty inserts new between every character."),
			engine.P("new", "str", `""`, "The replacement."),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			text, old, new := in.Str("text"), in.Str("old"), in.Str("new")
			// The result's size, counted first: an empty old matches
			// before every character and at the end.
			n := int64(strings.Count(text, old))
			size := int64(len(text))
			if d := int64(len(new)) - int64(len(old)); d > 0 {
				size = bounded.AddSize(size, bounded.MulSize(n, d))
			} else {
				size += n * d
			}
			if err := ctx.CheckSize(size); err != nil {
				return nil, err
			}
			return engine.Single(strings.ReplaceAll(text, old, new)), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Split",
		Title:       "Split Text",
		Description: "Splits a text into a list at every occurrence of a delimiter.",
		Props:       []engine.Prop{textProp, engine.P("delimiter", "str", `","`, "The text to split at.")},
		Outputs:     engine.Out("output", "list[str]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			text, delim := in.Str("text"), in.Str("delimiter")
			if delim == "" {
				return nil, fmt.Errorf("the delimiter is empty: set the text to split at")
			}
			if err := ctx.CheckItems(int64(strings.Count(text, delim)) + 1); err != nil {
				return nil, err
			}
			return engine.Single(StringsToList(strings.Split(text, delim))), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Extract",
		Title:       "Extract Text",
		Description: "Returns the part of a text from start up to (not including) end, by character position. Negative positions count from the end; end 0 gives an empty text.",
		Props: []engine.Prop{
			textProp,
			engine.P("start", "int", `0`, "The first character position."),
			engine.P("end", "int", `0`, "The position to stop before."),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s, err := pystr.SliceRunes(in.Str("text"), pyIndexPtr(in.Int("start")), pyIndexPtr(in.Int("end")), 1)
			return engine.Single(s), err
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Slice",
		Title:       "Slice Text",
		Description: "Slices a text like Python's text[start:stop:step]: negative positions count from the end and step -1 reverses. stop 0 gives an empty text for a positive step.",
		Props: []engine.Prop{
			textProp,
			engine.P("start", "int", `0`, "The first character position.").Titled("Start Index"),
			engine.P("stop", "int", `0`, "The position to stop before.").Titled("Stop Index"),
			engine.P("step", "int", `1`, "The distance between taken characters; must not be 0."),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s, err := pystr.SliceRunes(in.Str("text"), pyIndexPtr(in.Int("start")), pyIndexPtr(in.Int("stop")), int(in.Int("step")))
			if err != nil {
				return nil, fmt.Errorf("step is 0: use a positive or negative step")
			}
			return engine.Single(s), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Chunk",
		Title:       "Split Text into Chunks",
		Description: "Splits a text into words at the separator and groups them into chunks of length words, each overlapping the previous one by overlap words. Chunks are joined with spaces.",
		Props: []engine.Prop{
			textProp,
			engine.P("length", "int", `100`, "The number of words per chunk.").Range(1, 1000),
			engine.P("overlap", "int", `0`, "How many words each chunk repeats from the previous one."),
			engine.P("separator", "str", `" "`, "The text that separates words."),
		},
		Outputs: engine.Out("output", "list[str]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			length, overlap, sep := in.Int("length"), in.Int("overlap"), in.Str("separator")
			if sep == "" {
				return nil, fmt.Errorf("the separator is empty: set the text that separates words")
			}
			if length < 1 {
				return nil, fmt.Errorf("length must be at least 1, got %d", length)
			}
			if overlap >= length {
				return nil, fmt.Errorf("overlap (%d) must be smaller than length (%d)", overlap, length)
			}
			text := in.Str("text")
			if err := ctx.CheckItems(int64(strings.Count(text, sep)) + 1); err != nil {
				return nil, err
			}
			words := strings.Split(text, sep)
			nw := int64(len(words))
			stride := length - overlap
			if overlap < 0 && stride < length { // overflow: one chunk
				stride = nw
			}
			// A word can be in up to length/stride chunks: count the
			// chunks' bytes (from the words' prefix sums) before joining.
			prefix := make([]int64, nw+1)
			for i, w := range words {
				prefix[i+1] = prefix[i] + int64(len(w))
			}
			var size int64
			for i := int64(0); i < nw; i += min(stride, nw) {
				if err := ctx.Tick(); err != nil {
					return nil, err
				}
				end := i + min(length, nw-i)
				size = bounded.AddSize(size, prefix[end]-prefix[i]+(end-i-1)+engine.ItemCost)
				if err := ctx.CheckSize(size); err != nil {
					return nil, err
				}
			}
			out := []any{}
			for i := int64(0); i < nw; i += min(stride, nw) {
				end := i + min(length, nw-i)
				out = append(out, strings.Join(words[i:end], " "))
			}
			return engine.Single(out), nil
		},
	})

	registerTextRegex(r, textProp)
	registerTextJSON(r)
	registerTextCompare(r, textProp)
	registerTextTransform(r, textProp)
	registerTextMeasure(r, textProp)
	registerTextFilters(r)
}

func StringsToList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func registerTextRegex(r *engine.Registry, textProp engine.Prop) {
	regexFlags := []engine.Prop{
		engine.P("dotall", "bool", `false`, "Let . match newlines too."),
		engine.P("ignorecase", "bool", `false`, "Ignore upper and lower case."),
		engine.P("multiline", "bool", `false`, "Let ^ and $ match at every line."),
	}
	compileFlagged := func(in *engine.Inputs) (*pyre.Regex, error) {
		return pyre.Compile(in.Str("regex"), pyre.Flags{
			DotAll: in.Bool("dotall"), IgnoreCase: in.Bool("ignorecase"), Multiline: in.Bool("multiline"),
		})
	}
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.ExtractRegex",
		Title:       "Extract Regex Groups",
		Description: "Finds the first match of a regular expression and returns its groups as a list (empty when nothing matches).",
		Props:       append([]engine.Prop{textProp, engine.P("regex", "str", `""`, "The regular expression (Python syntax), with groups to extract.")}, regexFlags...),
		Outputs:     engine.Out("output", "list[str]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			re, err := compileFlagged(in)
			if err != nil {
				return nil, err
			}
			text := in.Str("text")
			loc, err := re.SearchWithin(ctx, text)
			if err != nil {
				return nil, err
			}
			if loc == nil {
				return engine.Single([]any{}), nil
			}
			return engine.Single(re.Groups(text, loc)), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.FindAllRegex",
		Title:       "Find All Regex Matches",
		Description: "Returns every match of a regular expression, like Python's re.findall: the matched texts, or the group with one group, or a list of groups per match with several.",
		Props:       append([]engine.Prop{textProp, engine.P("regex", "str", `""`, "The regular expression (Python syntax).")}, regexFlags...),
		Outputs:     engine.Out("output", "list[str]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			re, err := compileFlagged(in)
			if err != nil {
				return nil, err
			}
			out, err := re.FindAllValues(ctx, in.Str("text"))
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.RegexMatch",
		Title:       "Find Regex Matches",
		Description: "Returns one group (0 = the whole match) of every match of a regular expression.",
		Props: []engine.Prop{
			engine.P("text", "str", `""`, "The text to search."),
			engine.P("pattern", "str", `""`, "The regular expression (Python syntax)."),
			engine.P("group", "int", `0`, "The group to return; 0 is the whole match."),
		},
		Outputs: engine.Out("output", "list[str]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			re, err := pyre.Compile(in.Str("pattern"), pyre.Flags{})
			if err != nil {
				return nil, err
			}
			text, g := in.Str("text"), in.Int("group")
			out := []any{}
			err = re.Each(ctx, text, -1, func(loc []int) error {
				if g < 0 || g > int64(re.NumGroups()) {
					return fmt.Errorf("group %d does not exist: the pattern has %d group(s)", g, re.NumGroups())
				}
				if err := ctx.CheckItems(int64(len(out)) + 1); err != nil {
					return err
				}
				out = append(out, re.Group(text, loc, int(g)))
				return nil
			})
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.RegexReplace",
		Title:       "Replace with Regex",
		Description: "Replaces matches of a regular expression. The replacement may refer to groups as \\1 or \\g<name>.",
		Props: []engine.Prop{
			engine.P("text", "str", `""`, "The text to change."),
			engine.P("pattern", "str", `""`, "The regular expression (Python syntax)."),
			engine.P("replacement", "str", `""`, "The replacement text (Python re.sub syntax)."),
			engine.P("count", "int", `0`, "The most matches to replace; 0 replaces all."),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			re, err := pyre.Compile(in.Str("pattern"), pyre.Flags{})
			if err != nil {
				return nil, err
			}
			s, err := re.Sub(ctx, in.Str("text"), in.Str("replacement"), int(in.Int("count")))
			if err != nil {
				return nil, err
			}
			return engine.Single(s), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.RegexSplit",
		Title:       "Split with Regex",
		Description: "Splits a text wherever a regular expression matches. Text matched by groups is kept in the list.",
		Props: []engine.Prop{
			engine.P("text", "str", `""`, "The text to split."),
			engine.P("pattern", "str", `""`, "The regular expression (Python syntax) to split at."),
			engine.P("maxsplit", "int", `0`, "The most splits to make; 0 means no limit."),
		},
		Outputs: engine.Out("output", "list[str]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			re, err := pyre.Compile(in.Str("pattern"), pyre.Flags{})
			if err != nil {
				return nil, err
			}
			out, err := re.Split(ctx, in.Str("text"), int(in.Int("maxsplit")))
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.RegexValidate",
		Title:       "Validate with Regex",
		Description: "Tells whether a regular expression matches at the start of a text (like Python's re.match; add $ to require a full match).",
		Props: []engine.Prop{
			engine.P("text", "str", `""`, "The text to check."),
			engine.P("pattern", "str", `""`, "The regular expression (Python syntax)."),
		},
		Outputs: engine.Out("output", "bool"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			re, err := pyre.Compile(in.Str("pattern"), pyre.Flags{})
			if err != nil {
				return nil, err
			}
			loc, err := re.MatchWithin(ctx, in.Str("text"))
			if err != nil {
				return nil, err
			}
			return engine.Single(loc != nil), nil
		},
	})
}

func registerTextJSON(r *engine.Registry) {
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.ParseJSON",
		Title:       "Parse JSON String",
		Description: "Parses JSON text into a value (object, list, text, number, boolean or null).",
		Props:       []engine.Prop{engine.P("text", "str", `""`, "The JSON text.").Titled("JSON string")},
		Outputs:     engine.Out("output", "any"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			v, err := decodeJSONTextCtx(ctx, in.Str("text"))
			if err != nil {
				return nil, err
			}
			return engine.Single(v), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.ExtractJSON",
		Title:       "Extract JSON",
		Description: "Parses JSON text and picks values out of it with a JSONPath expression such as $.items[0].name. Returns the first match, or every match as a list with find_all.",
		Props: []engine.Prop{
			engine.P("text", "str", `""`, "The JSON text.").Titled("JSON Text"),
			engine.P("json_path", "str", `"$.*"`, "The JSONPath expression.").Titled("JSONPath Expression"),
			engine.P("find_all", "bool", `false`, "Return every match as a list instead of the first one."),
		},
		Outputs: engine.Out("output", "any"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			data, err := decodeJSONTextCtx(ctx, in.Str("text"))
			if err != nil {
				return nil, err
			}
			p, err := jsonpath.Parse(in.Str("json_path"))
			if err != nil {
				return nil, err
			}
			matches, err := p.FindAll(ctx, data)
			if err != nil {
				return nil, err
			}
			if in.Bool("find_all") {
				if err := ctx.CheckItems(int64(len(matches))); err != nil {
					return nil, err
				}
				return engine.Single(matches), nil
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("the JSONPath %s matches nothing in the JSON", pystr.ClipQuote(in.Str("json_path")))
			}
			return engine.Single(matches[0]), nil
		},
	})
}

// decodeJSONTextCtx is decodeJSONText for a node: a text that holds more
// values than max-value allows (counted without decoding it) is refused
// before it is decoded, since decoded values take many times the bytes of
// their text ("0," is two bytes, a list slot and a number 24).
func decodeJSONTextCtx(ctx *engine.Ctx, s string) (any, error) {
	if n := jsonValueCount(s); ctx.CheckItems(n) != nil {
		return nil, bounded.ValueLimit(ctx, fmt.Sprintf("the JSON text holds up to %d values, more than the %s limit of %s allows", n, engine.LimitValue, engine.FormatBytes(ctx.MaxValue())))
	}
	return decodeJSONText(s)
}

// jsonValueCount is an upper bound on the number of values in JSON text:
// one more than the commas and colons outside strings, plus the brackets.
func jsonValueCount(s string) int64 {
	n := int64(1)
	in := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == ',' || c == ':' || c == '[' || c == '{'):
			n++
		}
	}
	return n
}

// decodeJSONText parses JSON text with an error that says where it failed.
func decodeJSONText(s string) (any, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("invalid JSON: the text is empty")
	}
	v, err := pyval.Decode([]byte(s))
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "invalid JSON") {
			msg = "invalid JSON: " + msg
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return v, nil
}

func registerTextCompare(r *engine.Registry, textProp engine.Prop) {
	normalize := func(in *engine.Inputs, s string) string {
		if in.Bool("trim_whitespace") {
			s = pystr.Strip(s)
		}
		if !in.Bool("case_sensitive") {
			s = pystr.Lower(s)
		}
		return s
	}
	cmpProps := func() []engine.Prop {
		return []engine.Prop{
			engine.P("text_a", "str", `""`, "The first text.").Titled("First Text"),
			engine.P("text_b", "str", `""`, "The second text.").Titled("Second Text"),
			engine.P("case_sensitive", "bool", `true`, "Tell upper and lower case apart."),
			engine.P("trim_whitespace", "bool", `false`, "Ignore whitespace at both ends."),
		}
	}
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Compare",
		Title:       "Compare Text",
		Description: `Compares two texts by character code and returns "less", "equal" or "greater".`,
		Props:       cmpProps(),
		Outputs:     engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			a, b := normalize(in, in.Str("text_a")), normalize(in, in.Str("text_b"))
			switch strings.Compare(a, b) {
			case -1:
				return engine.Single("less"), nil
			case 1:
				return engine.Single("greater"), nil
			}
			return engine.Single("equal"), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Equals",
		Description: "Tells whether two texts are equal, optionally ignoring case and surrounding whitespace.",
		Props:       cmpProps(),
		Outputs:     engine.Out("output", "bool"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(normalize(in, in.Str("text_a")) == normalize(in, in.Str("text_b"))), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.StartsWith",
		Description: "Tells whether a text starts with a prefix.",
		Props:       []engine.Prop{textProp, engine.P("prefix", "str", `""`, "The prefix to look for.")},
		Outputs:     engine.Out("output", "bool"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(strings.HasPrefix(in.Str("text"), in.Str("prefix"))), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.EndsWith",
		Description: "Tells whether a text ends with a suffix.",
		Props:       []engine.Prop{textProp, engine.P("suffix", "str", `""`, "The suffix to look for.")},
		Outputs:     engine.Out("output", "bool"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(strings.HasSuffix(in.Str("text"), in.Str("suffix"))), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Contains",
		Title:       "Contains Text",
		Description: "Tells whether a text contains a substring, or any, all or none of a list of substrings.",
		Props: []engine.Prop{
			textProp,
			engine.P("substring", "str", `""`, "The text to look for (when search_values is empty)."),
			engine.P("search_values", "list[str]", `[]`, "Several texts to look for instead of substring."),
			engine.P("case_sensitive", "bool", `true`, "Tell upper and lower case apart."),
			engine.P("match_mode", "enum(any,all,none)", `"any"`, "any: one must occur; all: every one must occur; none: none may occur.").Enum("MatchMode"),
		},
		Outputs: engine.Out("output", "bool"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			// Every needle is searched for in the whole text: poll the
			// context by the work done, not by the needle.
			work := bounded.WorkMeter{Budget: ctx}
			hay := in.Str("text")
			needles := []string{in.Str("substring")}
			absent := 0 // needles too long to be in the text
			if vals := in.List("search_values"); len(vals) > 0 {
				needles = needles[:0]
				for _, v := range vals {
					// Lowercasing shrinks a text at most 3 times and
					// grows it at most 1.5 times: a needle over 5 times
					// the text's length is not in it, whatever its text.
					s, ok := pyval.StrLimit(v, 5*len(hay)+16)
					if err := work.Add(len(s)); err != nil {
						return nil, err
					}
					if !ok {
						absent++
						continue
					}
					needles = append(needles, s)
				}
			}
			if !in.Bool("case_sensitive") {
				hay = pystr.Lower(hay)
				for i := range needles {
					needles[i] = pystr.Lower(needles[i])
				}
			}
			count := 0
			for _, n := range needles {
				if err := work.Add(len(hay)); err != nil {
					return nil, err
				}
				if strings.Contains(hay, n) {
					count++
				}
			}
			switch in.Str("match_mode") {
			case "all":
				return engine.Single(count == len(needles)+absent), nil
			case "none":
				return engine.Single(count == 0), nil
			}
			return engine.Single(count > 0), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.IndexOf",
		Description: "Returns the character position of the first (or last) occurrence of a substring, or -1. The search covers start_index up to end_index; end_index 0 means the end of the text.",
		Props: []engine.Prop{
			textProp,
			engine.P("substring", "str", `""`, "The text to look for."),
			engine.P("case_sensitive", "bool", `true`, "Tell upper and lower case apart."),
			withMin(engine.P("start_index", "int", `0`, "Where the search starts."), 0),
			engine.P("end_index", "int", `0`, "Where the search stops (exclusive); 0 searches to the end, negative counts from the end."),
			engine.P("search_from_end", "bool", `false`, "Find the last occurrence instead of the first."),
		},
		Outputs: engine.Out("output", "int"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			hay, needle := in.Str("text"), in.Str("substring")
			if !in.Bool("case_sensitive") {
				hay, needle = pystr.Lower(hay), pystr.Lower(needle)
			}
			var end *int
			if e := in.Int("end_index"); e != 0 {
				end = pyIndexPtr(e)
			}
			return engine.Single(int64(pystr.Find(hay, needle, int(in.Int("start_index")), end, in.Bool("search_from_end")))), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.IsEmpty",
		Description: "Tells whether a text is empty, by default ignoring whitespace.",
		Props:       []engine.Prop{textProp, engine.P("trim_whitespace", "bool", `true`, "Count a text of only whitespace as empty.")},
		Outputs:     engine.Out("output", "bool"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s := in.Str("text")
			if in.Bool("trim_whitespace") {
				s = pystr.Strip(s)
			}
			return engine.Single(s == ""), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.HasLength",
		Title:       "Check Length",
		Description: "Tells whether a text's length in characters is within bounds. Each bound set to 0 is not checked.",
		Props: []engine.Prop{
			textProp,
			engine.P("min_length", "int", `0`, "The smallest allowed length; 0 for no minimum.").Titled("Minimum Length"),
			engine.P("max_length", "int", `0`, "The largest allowed length; 0 for no maximum.").Titled("Maximum Length"),
			engine.P("exact_length", "int", `0`, "The required length; 0 for any length."),
		},
		Outputs: engine.Out("output", "bool"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			n := int64(utf8.RuneCountInString(in.Str("text")))
			ok := true
			if e := in.Int("exact_length"); e > 0 && n != e {
				ok = false
			}
			if m := in.Int("min_length"); m > 0 && n < m {
				ok = false
			}
			if m := in.Int("max_length"); m > 0 && n > m {
				ok = false
			}
			return engine.Single(ok), nil
		},
	})
}

func registerTextTransform(r *engine.Registry, textProp engine.Prop) {
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.ToUppercase",
		Description: "Converts a text to upper case.",
		Props:       []engine.Prop{textProp},
		Outputs:     engine.Out("output", "str"),
		Process:     textFn(pystr.UpperMax),
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.ToLowercase",
		Description: "Converts a text to lower case.",
		Props:       []engine.Prop{textProp},
		Outputs:     engine.Out("output", "str"),
		Process:     textFn(pystr.LowerMax),
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.ToTitlecase",
		Title:       "To Title Case",
		Description: "Capitalizes every word: a letter that follows a non-letter becomes upper case, the others lower case.",
		Props:       []engine.Prop{textProp},
		Outputs:     engine.Out("output", "str"),
		Process:     textFn(pystr.TitleMax),
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.CapitalizeText",
		Description: "Makes the first character upper case and the rest lower case.",
		Props:       []engine.Prop{textProp},
		Outputs:     engine.Out("output", "str"),
		Process:     textFn(pystr.CapitalizeMax),
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.TrimWhitespace",
		Description: "Removes whitespace from the start and/or the end of a text.",
		Props: []engine.Prop{
			textProp,
			engine.P("trim_start", "bool", `true`, "Remove whitespace at the start."),
			engine.P("trim_end", "bool", `true`, "Remove whitespace at the end."),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s := in.Str("text")
			if in.Bool("trim_start") {
				s = pystr.LStrip(s)
			}
			if in.Bool("trim_end") {
				s = pystr.RStrip(s)
			}
			return engine.Single(s), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.CollapseWhitespace",
		Description: "Replaces every run of whitespace with one replacement (a single space by default).",
		Props: []engine.Prop{
			textProp,
			engine.P("preserve_newlines", "bool", `false`, "Keep line breaks; only collapse other whitespace."),
			engine.P("replacement", "str", `" "`, "The text that replaces each run (Python re.sub syntax: \\n is a newline)."),
			engine.P("trim_edges", "bool", `true`, "Remove whitespace at both ends first."),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s := in.Str("text")
			if in.Bool("trim_edges") {
				s = pystr.Strip(s)
			}
			keepNL := in.Bool("preserve_newlines")
			out, err := replaceRuns(ctx, s, in.Str("replacement"), func(r rune) bool {
				return pystr.IsSpace(r) && !(keepNL && (r == '\n' || r == '\r'))
			})
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.RemovePunctuation",
		Description: "Replaces each punctuation character with a replacement (removes it by default).",
		Props: []engine.Prop{
			textProp,
			engine.P("replacement", "str", `""`, "The text that replaces each punctuation character."),
			engine.P("punctuation", "str", `"!\"#$%&'()*+,-./:;<=>?@[\\]^_`+"`"+`{|}~"`, "The characters to replace.").Titled("Punctuation Characters"),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			punct, repl, text := in.Str("punctuation"), in.Str("replacement"), in.Str("text")
			isPunct := runeSet(punct)
			// Count the characters replaced to size the result first.
			var n, bytes int64
			for _, c := range text {
				if isPunct(c) {
					n++
					bytes += int64(utf8.RuneLen(c))
				}
			}
			if err := ctx.CheckSize(bounded.AddSize(int64(len(text))-bytes, bounded.MulSize(n, int64(len(repl))))); err != nil {
				return nil, err
			}
			var b strings.Builder
			for _, c := range text {
				if isPunct(c) {
					b.WriteString(repl)
				} else {
					b.WriteRune(c)
				}
			}
			return engine.Single(b.String()), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.StripAccents",
		Description: "Removes accents and other marks from letters (é becomes e) using Unicode compatibility decomposition. Covers Latin, Greek and Cyrillic letters and common compatibility characters.",
		Props: []engine.Prop{
			textProp,
			engine.P("preserve_non_ascii", "bool", `true`, "Keep other non-ASCII characters; when off, they are removed.").Titled("Preserve Non-ASCII"),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			keep := in.Bool("preserve_non_ascii")
			d, ok := pystr.NFKDMax(in.Str("text"), ctx.MaxValue())
			if !ok {
				return nil, ctx.CheckSize(-1)
			}
			var b strings.Builder
			for _, c := range d {
				if pystr.Combining(c) || (!keep && c >= utf8.RuneSelf) {
					continue
				}
				b.WriteRune(c)
			}
			return engine.Single(b.String()), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Slugify",
		Description: "Turns a text into a slug for URLs or ids: accents removed, symbols dropped, spaces, underscores and hyphens joined by the separator, lower case.",
		Props: []engine.Prop{
			textProp,
			engine.P("separator", "str", `"-"`, "The text placed between words."),
			engine.P("lowercase", "bool", `true`, "Convert to lower case."),
			engine.P("allow_unicode", "bool", `false`, "Keep non-ASCII letters instead of dropping them."),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			sep := in.Str("separator")
			d, ok := pystr.NFKDMax(in.Str("text"), ctx.MaxValue())
			if !ok {
				return nil, ctx.CheckSize(-1)
			}
			var b strings.Builder
			for _, c := range d {
				if !in.Bool("allow_unicode") && c >= utf8.RuneSelf {
					continue
				}
				if isPyWordChar(c) || pystr.IsSpace(c) || c == '-' {
					b.WriteRune(c)
				}
			}
			s, err := replaceRuns(ctx, b.String(), sep, func(r rune) bool { return pystr.IsSpace(r) || r == '_' || r == '-' })
			if err != nil {
				if engine.IsLimit(err) {
					return nil, err
				}
				return nil, fmt.Errorf("separator: %v", err)
			}
			s = strings.Trim(s, sep)
			if in.Bool("lowercase") {
				if s, ok = pystr.LowerMax(s, ctx.MaxValue()); !ok {
					return nil, ctx.CheckSize(-1)
				}
			}
			return engine.Single(s), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.SurroundWith",
		Description: "Adds a prefix and a suffix around a text, unless it already has both.",
		Props: []engine.Prop{
			textProp,
			engine.P("prefix", "str", `""`, "The text to put before."),
			engine.P("suffix", "str", `""`, "The text to put after."),
			engine.P("skip_if_wrapped", "bool", `true`, "Leave the text alone when it already starts with the prefix and ends with the suffix.").Titled("Skip If Already Wrapped"),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s, pre, suf := in.Str("text"), in.Str("prefix"), in.Str("suffix")
			if in.Bool("skip_if_wrapped") && strings.HasPrefix(s, pre) && strings.HasSuffix(s, suf) {
				return engine.Single(s), nil
			}
			if err := ctx.CheckSize(int64(len(pre)) + int64(len(s)) + int64(len(suf))); err != nil {
				return nil, err
			}
			return engine.Single(pre + s + suf), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.TruncateText",
		Description: "Shortens a text to at most max_length characters. When an ellipsis is set and the text is cut, it ends the result within the limit.",
		Props: []engine.Prop{
			textProp,
			withMin(engine.P("max_length", "int", `100`, "The largest length in characters."), 0),
			engine.P("ellipsis", "str", `""`, "Text that marks a cut, such as ..."),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s, max, ell := in.Str("text"), int(min(in.Int("max_length"), math.MaxInt32)), in.Str("ellipsis")
			switch {
			case max <= 0:
				return engine.Single(ell), nil
			case utf8.RuneCountInString(s) <= max:
				return engine.Single(s), nil
			}
			if n := utf8.RuneCountInString(ell); ell != "" && n < max {
				return engine.Single(s[:pystr.RuneOffset(s, max-n)] + ell), nil
			}
			return engine.Single(s[:pystr.RuneOffset(s, max)]), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.PadText",
		Description: "Pads a text with a character up to a length, on the left, the right or both sides.",
		Props: []engine.Prop{
			textProp,
			withMin(engine.P("length", "int", `0`, "The length to pad to."), 0).Titled("Target Length"),
			engine.P("pad_character", "str", `" "`, "The single character to pad with."),
			engine.P("direction", "enum(left,right,both)", `"right"`, "Where to add the padding; both puts the extra character on the right.").Enum("PadDirection"),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			pad, s := in.Str("pad_character"), in.Str("text")
			if utf8.RuneCountInString(pad) != 1 {
				return nil, fmt.Errorf("pad_character must be a single character, got %s", pystr.ClipQuote(pad))
			}
			need := in.Int("length") - int64(utf8.RuneCountInString(s))
			if need <= 0 {
				return engine.Single(s), nil
			}
			if err := ctx.CheckSize(bounded.AddSize(int64(len(s)), bounded.MulSize(need, int64(len(pad))))); err != nil {
				return nil, err
			}
			switch in.Str("direction") {
			case "left":
				return engine.Single(strings.Repeat(pad, int(need)) + s), nil
			case "both":
				left := int(need / 2)
				return engine.Single(strings.Repeat(pad, left) + s + strings.Repeat(pad, int(need)-left)), nil
			}
			return engine.Single(s + strings.Repeat(pad, int(need))), nil
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.ToString",
		Description: "Converts any value to text, as Python's str() or repr() writes it.",
		Props: []engine.Prop{
			engine.P("value", "any", `[]`, "The value to convert."),
			engine.P("mode", "enum(str,repr)", `"str"`, "str for the plain form, repr for the quoted form.").Enum("Mode"),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			v := in.Get("value")
			// An empty list can never be assigned (empty values are ignored),
			// so it is the unset default, which NodeTool declares as ().
			if l, ok := v.([]any); ok && len(l) == 0 {
				return engine.Single("()"), nil
			}
			render := pyval.StrLimit
			if in.Str("mode") == "repr" {
				render = pyval.ReprLimit
			}
			s, ok := render(v, int(min(ctx.MaxValue(), math.MaxInt)))
			if !ok {
				return nil, ctx.CheckSize(-1)
			}
			return engine.Single(s), nil
		},
	})
}

// isPyWordChar is Python's \w for str patterns: letters, numbers and _.
func isPyWordChar(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// replaceRuns replaces each maximal run of characters for which in(r) holds
// with a Python re.sub replacement (so "\n" in it is a newline and \g<0> is
// the run). Each piece is checked against max-value before it is written.
func replaceRuns(ctx *engine.Ctx, s, replacement string, in func(rune) bool) (string, error) {
	tmpl, err := pyre.ParseTemplate(replacement, nil)
	if err != nil {
		return "", err
	}
	b := bounded.TextBuilder{Budget: ctx}
	var loc [2]int
	expand := func(start, end int) error {
		loc = [2]int{start, end}
		if err := b.Room(int(tmpl.Size(loc[:]))); err != nil {
			return err
		}
		tmpl.Expand(&b.Builder, s, loc[:])
		return ctx.Tick()
	}
	start := -1
	for i, r := range s {
		switch {
		case in(r) && start < 0:
			start = i
		case !in(r) && start >= 0:
			if err := expand(start, i); err != nil {
				return "", err
			}
			start = -1
			fallthrough
		case !in(r):
			if err := b.AddRune(r); err != nil {
				return "", err
			}
		}
	}
	if start >= 0 {
		if err := expand(start, len(s)); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// runeSet returns a membership test for the characters of set: a search of
// set for a short one, a map for a long one, so that testing every
// character of a text stays linear.
func runeSet(set string) func(rune) bool {
	if len(set) <= 32 {
		return func(r rune) bool { return strings.ContainsRune(set, r) }
	}
	m := map[rune]bool{}
	for _, r := range set {
		m[r] = true
	}
	return func(r rune) bool { return m[r] }
}

func registerTextMeasure(r *engine.Registry, textProp engine.Prop) {
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.Length",
		Title:       "Measure Length",
		Description: "Counts the characters, words (separated by whitespace) or lines of a text.",
		Props: []engine.Prop{
			textProp,
			engine.P("measure", "enum(characters,words,lines)", `"characters"`, "What to count.").Enum("Measure"),
			engine.P("trim_whitespace", "bool", `false`, "Remove whitespace at both ends first, and skip empty lines when counting lines."),
		},
		Outputs: engine.Out("output", "int"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			s, trim := in.Str("text"), in.Bool("trim_whitespace")
			if trim {
				s = pystr.Strip(s)
			}
			switch in.Str("measure") {
			case "words":
				return engine.Single(pystr.CountWords(s)), nil
			case "lines":
				return engine.Single(pystr.CountLines(s, trim)), nil
			}
			return engine.Single(int64(utf8.RuneCountInString(s))), nil
		},
	})
}

func registerTextFilters(r *engine.Registry) {
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.FilterString",
		Description: "Passes on only the streamed texts that meet a condition: containing, starting or ending with the criteria, or a length greater than, less than or equal to it.",
		Props: []engine.Prop{
			engine.P("value", "str", `""`, "The texts to filter; connect a stream here."),
			engine.P("filter_type", "enum(contains,starts_with,ends_with,length_greater,length_less,exact_length)", `"contains"`, "The condition to test.").Enum("FilterType"),
			engine.P("criteria", "str", `""`, "The text to look for, or the length (a whole number) for length conditions."),
		},
		Outputs:         engine.Out("output", "str"),
		StreamingOutput: true,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			return runTextFilter(ctx, in, inbox, emit, func(v string) (bool, error) {
				crit := in.Str("criteria")
				ft := in.Str("filter_type")
				switch ft {
				case "contains":
					return strings.Contains(v, crit), nil
				case "starts_with":
					return strings.HasPrefix(v, crit), nil
				case "ends_with":
					return strings.HasSuffix(v, crit), nil
				}
				want, err := pystr.ParseInt(crit)
				if err != nil {
					return false, nil // not a length: nothing passes, as in NodeTool
				}
				n := int64(utf8.RuneCountInString(v))
				switch ft {
				case "length_greater":
					return n > want, nil
				case "length_less":
					return n < want, nil
				}
				return n == want, nil
			})
		},
	})
	AddText(r, &engine.NodeDef{
		Type:        "nodetool.text.FilterRegexString",
		Description: "Passes on only the streamed texts that a regular expression matches somewhere in (or, with full_match, as a whole). An invalid pattern lets nothing through.",
		Props: []engine.Prop{
			engine.P("value", "str", `""`, "The texts to filter; connect a stream here."),
			engine.P("pattern", "str", `""`, "The regular expression (Python syntax)."),
			engine.P("full_match", "bool", `false`, "Require the whole text to match."),
		},
		Outputs:         engine.Out("output", "str"),
		StreamingOutput: true,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			var re *pyre.Regex
			compiled, warned := "", ""
			return runTextFilter(ctx, in, inbox, emit, func(v string) (bool, error) {
				pat := in.Str("pattern")
				if re == nil || compiled != pat {
					var err error
					re, err = pyre.Compile(pat, pyre.Flags{})
					if err != nil {
						if pyre.IsUnsupported(err) {
							return false, err
						}
						if warned != pat {
							ctx.Log("warning", err.Error()+"; no text passes")
							warned = pat
						}
						re = nil
						return false, nil
					}
					compiled = pat
				}
				if in.Bool("full_match") {
					return re.FullMatchWithin(ctx, v)
				}
				loc, err := re.SearchWithin(ctx, v)
				return loc != nil, err
			})
		},
	})
}

// runTextFilter drives a streaming text filter: values on "value" are
// tested and passed on, values on other handles update the configuration
// for the items after them. Non-text items are skipped. Without an edge on
// "value", the configured value is filtered once.
func runTextFilter(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit, pass func(string) (bool, error)) error {
	test := func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		keep, err := pass(s)
		if err != nil || !keep {
			return err
		}
		return emit("output", s)
	}
	for {
		h, v, ok, err := inbox.Next(ctx)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if h == "value" {
			if err := test(v); err != nil {
				return err
			}
			continue
		}
		if err := in.Set(h, v); err != nil {
			return err
		}
	}
	if !inbox.Connected("value") {
		return test(in.Get("value"))
	}
	return nil
}
