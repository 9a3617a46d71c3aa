package engine

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"nodetool/engine/pyval"
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

// addText registers a node whose editor shows every property, as the text
// nodes' metadata does.
func addText(r *Registry, d *NodeDef) {
	if d.BasicFields == nil {
		for _, p := range d.Props {
			d.BasicFields = append(d.BasicFields, p.Name)
		}
	}
	r.Add(d)
}

// withMin sets a lower bound without an upper one.
func withMin(p Prop, min float64) Prop {
	p.Min = &min
	return p
}

// textFn builds a Process for a node computing one string from "text".
func textFn(f func(string) string) ProcessFunc {
	return func(ctx *Ctx, in *Inputs) (map[string]any, error) {
		return Single(f(in.Str("text"))), nil
	}
}

func pyIndexPtr(i int64) *int { v := int(i); return &v }

func registerText(r *Registry) {
	textProp := P("text", "str", `""`, "The text to work on.")

	addText(r, &NodeDef{
		Type:        "nodetool.text.Concat",
		Title:       "Concatenate Text",
		Description: "Joins two texts into one, a followed by b.",
		Props:       []Prop{P("a", "str", `""`, "The first text."), P("b", "str", `""`, "The text appended to a.")},
		Outputs:     Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			return Single(in.Str("a") + in.Str("b")), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.Join",
		Description: "Joins the items of a list into one text, with a separator between them. Items that are not text are written as Python's str() shows them.",
		Props: []Prop{
			P("strings", "list[any]", `[]`, "The items to join."),
			P("separator", "str", `""`, "The text placed between items."),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			items := in.List("strings")
			parts := make([]string, len(items))
			for i, v := range items {
				parts[i] = pyval.Str(v)
			}
			return Single(strings.Join(parts, in.Str("separator"))), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.Collect",
		Description: "Joins every text that streams into it, with a separator between them, and emits the result when the stream ends.",
		Props: []Prop{
			P("input_item", "str", `""`, "A text to collect; connect a stream here."),
			P("separator", "str", `""`, "The text placed between the collected items."),
		},
		Outputs: Out("output", "str"),
		Run: func(ctx *Ctx, in *Inputs, inbox *Inbox, emit Emit) error {
			var items []string
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
				}
			}
			return emit("output", strings.Join(items, in.Str("separator")))
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.Replace",
		Title:       "Replace Text",
		Description: "Replaces every occurrence of one text with another.",
		Props: []Prop{
			textProp,
			P("old", "str", `""`, "The text to look for. Empty inserts new between every character."),
			P("new", "str", `""`, "The replacement."),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			return Single(strings.ReplaceAll(in.Str("text"), in.Str("old"), in.Str("new"))), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.Split",
		Title:       "Split Text",
		Description: "Splits a text into a list at every occurrence of a delimiter.",
		Props:       []Prop{textProp, P("delimiter", "str", `","`, "The text to split at.")},
		Outputs:     Out("output", "list[str]"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			delim := in.Str("delimiter")
			if delim == "" {
				return nil, fmt.Errorf("the delimiter is empty: set the text to split at")
			}
			return Single(stringsToList(strings.Split(in.Str("text"), delim))), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.Extract",
		Title:       "Extract Text",
		Description: "Returns the part of a text from start up to (not including) end, by character position. Negative positions count from the end; end 0 gives an empty text.",
		Props: []Prop{
			textProp,
			P("start", "int", `0`, "The first character position."),
			P("end", "int", `0`, "The position to stop before."),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			s, err := pySliceRunes(in.Str("text"), pyIndexPtr(in.Int("start")), pyIndexPtr(in.Int("end")), 1)
			return Single(s), err
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.Slice",
		Title:       "Slice Text",
		Description: "Slices a text like Python's text[start:stop:step]: negative positions count from the end and step -1 reverses. stop 0 gives an empty text for a positive step.",
		Props: []Prop{
			textProp,
			P("start", "int", `0`, "The first character position.").Titled("Start Index"),
			P("stop", "int", `0`, "The position to stop before.").Titled("Stop Index"),
			P("step", "int", `1`, "The distance between taken characters; must not be 0."),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			s, err := pySliceRunes(in.Str("text"), pyIndexPtr(in.Int("start")), pyIndexPtr(in.Int("stop")), int(in.Int("step")))
			if err != nil {
				return nil, fmt.Errorf("step is 0: use a positive or negative step")
			}
			return Single(s), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.Chunk",
		Title:       "Split Text into Chunks",
		Description: "Splits a text into words at the separator and groups them into chunks of length words, each overlapping the previous one by overlap words. Chunks are joined with spaces.",
		Props: []Prop{
			textProp,
			P("length", "int", `100`, "The number of words per chunk.").Range(1, 1000),
			P("overlap", "int", `0`, "How many words each chunk repeats from the previous one."),
			P("separator", "str", `" "`, "The text that separates words."),
		},
		Outputs: Out("output", "list[str]"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
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
			words := strings.Split(in.Str("text"), sep)
			out := []any{}
			for i := 0; i < len(words); i += int(length - overlap) {
				end := min(i+int(length), len(words))
				out = append(out, strings.Join(words[i:end], " "))
			}
			return Single(out), nil
		},
	})

	registerTextRegex(r, textProp)
	registerTextJSON(r)
	registerTextCompare(r, textProp)
	registerTextTransform(r, textProp)
	registerTextMeasure(r, textProp)
	registerTextFilters(r)
}

func stringsToList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func registerTextRegex(r *Registry, textProp Prop) {
	regexFlags := []Prop{
		P("dotall", "bool", `false`, "Let . match newlines too."),
		P("ignorecase", "bool", `false`, "Ignore upper and lower case."),
		P("multiline", "bool", `false`, "Let ^ and $ match at every line."),
	}
	compileFlagged := func(in *Inputs) (*pyRegex, error) {
		return compilePyRegex(in.Str("regex"), pyReFlags{
			DotAll: in.Bool("dotall"), IgnoreCase: in.Bool("ignorecase"), Multiline: in.Bool("multiline"),
		})
	}
	addText(r, &NodeDef{
		Type:        "nodetool.text.ExtractRegex",
		Title:       "Extract Regex Groups",
		Description: "Finds the first match of a regular expression and returns its groups as a list (empty when nothing matches).",
		Props:       append([]Prop{textProp, P("regex", "str", `""`, "The regular expression (Python syntax), with groups to extract.")}, regexFlags...),
		Outputs:     Out("output", "list[str]"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			re, err := compileFlagged(in)
			if err != nil {
				return nil, err
			}
			text := in.Str("text")
			loc := re.search(text)
			if loc == nil {
				return Single([]any{}), nil
			}
			return Single(re.groups(text, loc)), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.FindAllRegex",
		Title:       "Find All Regex Matches",
		Description: "Returns every match of a regular expression, like Python's re.findall: the matched texts, or the group with one group, or a list of groups per match with several.",
		Props:       append([]Prop{textProp, P("regex", "str", `""`, "The regular expression (Python syntax).")}, regexFlags...),
		Outputs:     Out("output", "list[str]"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			re, err := compileFlagged(in)
			if err != nil {
				return nil, err
			}
			return Single(re.findAllValues(in.Str("text"))), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.RegexMatch",
		Title:       "Find Regex Matches",
		Description: "Returns one group (0 = the whole match) of every match of a regular expression.",
		Props: []Prop{
			P("text", "str", `""`, "The text to search."),
			P("pattern", "str", `""`, "The regular expression (Python syntax)."),
			P("group", "int", `0`, "The group to return; 0 is the whole match."),
		},
		Outputs: Out("output", "list[str]"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			re, err := compilePyRegex(in.Str("pattern"), pyReFlags{})
			if err != nil {
				return nil, err
			}
			text, g := in.Str("text"), in.Int("group")
			out := []any{}
			for _, loc := range re.findAll(text, -1) {
				if g < 0 || g > int64(re.numGroups()) {
					return nil, fmt.Errorf("group %d does not exist: the pattern has %d group(s)", g, re.numGroups())
				}
				out = append(out, re.group(text, loc, int(g)))
			}
			return Single(out), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.RegexReplace",
		Title:       "Replace with Regex",
		Description: "Replaces matches of a regular expression. The replacement may refer to groups as \\1 or \\g<name>.",
		Props: []Prop{
			P("text", "str", `""`, "The text to change."),
			P("pattern", "str", `""`, "The regular expression (Python syntax)."),
			P("replacement", "str", `""`, "The replacement text (Python re.sub syntax)."),
			P("count", "int", `0`, "The most matches to replace; 0 replaces all."),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			re, err := compilePyRegex(in.Str("pattern"), pyReFlags{})
			if err != nil {
				return nil, err
			}
			s, err := re.sub(in.Str("text"), in.Str("replacement"), int(in.Int("count")))
			return Single(s), err
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.RegexSplit",
		Title:       "Split with Regex",
		Description: "Splits a text wherever a regular expression matches. Text matched by groups is kept in the list.",
		Props: []Prop{
			P("text", "str", `""`, "The text to split."),
			P("pattern", "str", `""`, "The regular expression (Python syntax) to split at."),
			P("maxsplit", "int", `0`, "The most splits to make; 0 means no limit."),
		},
		Outputs: Out("output", "list[str]"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			re, err := compilePyRegex(in.Str("pattern"), pyReFlags{})
			if err != nil {
				return nil, err
			}
			return Single(re.split(in.Str("text"), int(in.Int("maxsplit")))), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.RegexValidate",
		Title:       "Validate with Regex",
		Description: "Tells whether a regular expression matches at the start of a text (like Python's re.match; add $ to require a full match).",
		Props: []Prop{
			P("text", "str", `""`, "The text to check."),
			P("pattern", "str", `""`, "The regular expression (Python syntax)."),
		},
		Outputs: Out("output", "bool"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			re, err := compilePyRegex(in.Str("pattern"), pyReFlags{})
			if err != nil {
				return nil, err
			}
			return Single(re.matchStart(in.Str("text")) != nil), nil
		},
	})
}

func registerTextJSON(r *Registry) {
	addText(r, &NodeDef{
		Type:        "nodetool.text.ParseJSON",
		Title:       "Parse JSON String",
		Description: "Parses JSON text into a value (object, list, text, number, boolean or null).",
		Props:       []Prop{P("text", "str", `""`, "The JSON text.").Titled("JSON string")},
		Outputs:     Out("output", "any"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			v, err := decodeJSONText(in.Str("text"))
			return Single(v), err
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.ExtractJSON",
		Title:       "Extract JSON",
		Description: "Parses JSON text and picks values out of it with a JSONPath expression such as $.items[0].name. Returns the first match, or every match as a list with find_all.",
		Props: []Prop{
			P("text", "str", `""`, "The JSON text.").Titled("JSON Text"),
			P("json_path", "str", `"$.*"`, "The JSONPath expression.").Titled("JSONPath Expression"),
			P("find_all", "bool", `false`, "Return every match as a list instead of the first one."),
		},
		Outputs: Out("output", "any"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			data, err := decodeJSONText(in.Str("text"))
			if err != nil {
				return nil, err
			}
			p, err := parseJSONPath(in.Str("json_path"))
			if err != nil {
				return nil, err
			}
			matches := p.find(data)
			if in.Bool("find_all") {
				return Single(matches), nil
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("the JSONPath %q matches nothing in the JSON", in.Str("json_path"))
			}
			return Single(matches[0]), nil
		},
	})
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

func registerTextCompare(r *Registry, textProp Prop) {
	normalize := func(in *Inputs, s string) string {
		if in.Bool("trim_whitespace") {
			s = pyStrip(s)
		}
		if !in.Bool("case_sensitive") {
			s = pyLower(s)
		}
		return s
	}
	cmpProps := func() []Prop {
		return []Prop{
			P("text_a", "str", `""`, "The first text.").Titled("First Text"),
			P("text_b", "str", `""`, "The second text.").Titled("Second Text"),
			P("case_sensitive", "bool", `true`, "Tell upper and lower case apart."),
			P("trim_whitespace", "bool", `false`, "Ignore whitespace at both ends."),
		}
	}
	addText(r, &NodeDef{
		Type:        "nodetool.text.Compare",
		Title:       "Compare Text",
		Description: `Compares two texts by character code and returns "less", "equal" or "greater".`,
		Props:       cmpProps(),
		Outputs:     Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			a, b := normalize(in, in.Str("text_a")), normalize(in, in.Str("text_b"))
			switch strings.Compare(a, b) {
			case -1:
				return Single("less"), nil
			case 1:
				return Single("greater"), nil
			}
			return Single("equal"), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.Equals",
		Description: "Tells whether two texts are equal, optionally ignoring case and surrounding whitespace.",
		Props:       cmpProps(),
		Outputs:     Out("output", "bool"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			return Single(normalize(in, in.Str("text_a")) == normalize(in, in.Str("text_b"))), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.StartsWith",
		Description: "Tells whether a text starts with a prefix.",
		Props:       []Prop{textProp, P("prefix", "str", `""`, "The prefix to look for.")},
		Outputs:     Out("output", "bool"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			return Single(strings.HasPrefix(in.Str("text"), in.Str("prefix"))), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.EndsWith",
		Description: "Tells whether a text ends with a suffix.",
		Props:       []Prop{textProp, P("suffix", "str", `""`, "The suffix to look for.")},
		Outputs:     Out("output", "bool"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			return Single(strings.HasSuffix(in.Str("text"), in.Str("suffix"))), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.Contains",
		Title:       "Contains Text",
		Description: "Tells whether a text contains a substring, or any, all or none of a list of substrings.",
		Props: []Prop{
			textProp,
			P("substring", "str", `""`, "The text to look for (when search_values is empty)."),
			P("search_values", "list[str]", `[]`, "Several texts to look for instead of substring."),
			P("case_sensitive", "bool", `true`, "Tell upper and lower case apart."),
			P("match_mode", "enum(any,all,none)", `"any"`, "any: one must occur; all: every one must occur; none: none may occur.").Enum("MatchMode"),
		},
		Outputs: Out("output", "bool"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			needles := []string{in.Str("substring")}
			if vals := in.List("search_values"); len(vals) > 0 {
				needles = needles[:0]
				for _, v := range vals {
					needles = append(needles, pyval.Str(v))
				}
			}
			hay := in.Str("text")
			if !in.Bool("case_sensitive") {
				hay = pyLower(hay)
				for i := range needles {
					needles[i] = pyLower(needles[i])
				}
			}
			count := 0
			for _, n := range needles {
				if strings.Contains(hay, n) {
					count++
				}
			}
			switch in.Str("match_mode") {
			case "all":
				return Single(count == len(needles)), nil
			case "none":
				return Single(count == 0), nil
			}
			return Single(count > 0), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.IndexOf",
		Description: "Returns the character position of the first (or last) occurrence of a substring, or -1. The search covers start_index up to end_index; end_index 0 means the end of the text.",
		Props: []Prop{
			textProp,
			P("substring", "str", `""`, "The text to look for."),
			P("case_sensitive", "bool", `true`, "Tell upper and lower case apart."),
			withMin(P("start_index", "int", `0`, "Where the search starts."), 0),
			P("end_index", "int", `0`, "Where the search stops (exclusive); 0 searches to the end, negative counts from the end."),
			P("search_from_end", "bool", `false`, "Find the last occurrence instead of the first."),
		},
		Outputs: Out("output", "int"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			hay, needle := in.Str("text"), in.Str("substring")
			if !in.Bool("case_sensitive") {
				hay, needle = pyLower(hay), pyLower(needle)
			}
			var end *int
			if e := in.Int("end_index"); e != 0 {
				end = pyIndexPtr(e)
			}
			return Single(int64(pyFind(hay, needle, int(in.Int("start_index")), end, in.Bool("search_from_end")))), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.IsEmpty",
		Description: "Tells whether a text is empty, by default ignoring whitespace.",
		Props:       []Prop{textProp, P("trim_whitespace", "bool", `true`, "Count a text of only whitespace as empty.")},
		Outputs:     Out("output", "bool"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			s := in.Str("text")
			if in.Bool("trim_whitespace") {
				s = pyStrip(s)
			}
			return Single(s == ""), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.HasLength",
		Title:       "Check Length",
		Description: "Tells whether a text's length in characters is within bounds. Each bound set to 0 is not checked.",
		Props: []Prop{
			textProp,
			P("min_length", "int", `0`, "The smallest allowed length; 0 for no minimum.").Titled("Minimum Length"),
			P("max_length", "int", `0`, "The largest allowed length; 0 for no maximum.").Titled("Maximum Length"),
			P("exact_length", "int", `0`, "The required length; 0 for any length."),
		},
		Outputs: Out("output", "bool"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
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
			return Single(ok), nil
		},
	})
}

func registerTextTransform(r *Registry, textProp Prop) {
	addText(r, &NodeDef{
		Type:        "nodetool.text.ToUppercase",
		Description: "Converts a text to upper case.",
		Props:       []Prop{textProp},
		Outputs:     Out("output", "str"),
		Process:     textFn(pyUpper),
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.ToLowercase",
		Description: "Converts a text to lower case.",
		Props:       []Prop{textProp},
		Outputs:     Out("output", "str"),
		Process:     textFn(pyLower),
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.ToTitlecase",
		Title:       "To Title Case",
		Description: "Capitalizes every word: a letter that follows a non-letter becomes upper case, the others lower case.",
		Props:       []Prop{textProp},
		Outputs:     Out("output", "str"),
		Process:     textFn(pyTitle),
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.CapitalizeText",
		Description: "Makes the first character upper case and the rest lower case.",
		Props:       []Prop{textProp},
		Outputs:     Out("output", "str"),
		Process:     textFn(pyCapitalize),
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.TrimWhitespace",
		Description: "Removes whitespace from the start and/or the end of a text.",
		Props: []Prop{
			textProp,
			P("trim_start", "bool", `true`, "Remove whitespace at the start."),
			P("trim_end", "bool", `true`, "Remove whitespace at the end."),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			s := in.Str("text")
			if in.Bool("trim_start") {
				s = pyLStrip(s)
			}
			if in.Bool("trim_end") {
				s = pyRStrip(s)
			}
			return Single(s), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.CollapseWhitespace",
		Description: "Replaces every run of whitespace with one replacement (a single space by default).",
		Props: []Prop{
			textProp,
			P("preserve_newlines", "bool", `false`, "Keep line breaks; only collapse other whitespace."),
			P("replacement", "str", `" "`, "The text that replaces each run (Python re.sub syntax: \\n is a newline)."),
			P("trim_edges", "bool", `true`, "Remove whitespace at both ends first."),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			s := in.Str("text")
			if in.Bool("trim_edges") {
				s = pyStrip(s)
			}
			keepNL := in.Bool("preserve_newlines")
			out, err := replaceRuns(s, in.Str("replacement"), func(r rune) bool {
				return pyIsSpace(r) && !(keepNL && (r == '\n' || r == '\r'))
			})
			return Single(out), err
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.RemovePunctuation",
		Description: "Replaces each punctuation character with a replacement (removes it by default).",
		Props: []Prop{
			textProp,
			P("replacement", "str", `""`, "The text that replaces each punctuation character."),
			P("punctuation", "str", `"!\"#$%&'()*+,-./:;<=>?@[\\]^_`+"`"+`{|}~"`, "The characters to replace.").Titled("Punctuation Characters"),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			punct, repl := in.Str("punctuation"), in.Str("replacement")
			var b strings.Builder
			for _, c := range in.Str("text") {
				if strings.ContainsRune(punct, c) {
					b.WriteString(repl)
				} else {
					b.WriteRune(c)
				}
			}
			return Single(b.String()), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.StripAccents",
		Description: "Removes accents and other marks from letters (é becomes e) using Unicode compatibility decomposition. Covers Latin, Greek and Cyrillic letters and common compatibility characters.",
		Props: []Prop{
			textProp,
			P("preserve_non_ascii", "bool", `true`, "Keep other non-ASCII characters; when off, they are removed.").Titled("Preserve Non-ASCII"),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			keep := in.Bool("preserve_non_ascii")
			var b strings.Builder
			for _, c := range nfkd(in.Str("text")) {
				if pyCombining(c) || (!keep && c >= utf8.RuneSelf) {
					continue
				}
				b.WriteRune(c)
			}
			return Single(b.String()), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.Slugify",
		Description: "Turns a text into a slug for URLs or ids: accents removed, symbols dropped, spaces, underscores and hyphens joined by the separator, lower case.",
		Props: []Prop{
			textProp,
			P("separator", "str", `"-"`, "The text placed between words."),
			P("lowercase", "bool", `true`, "Convert to lower case."),
			P("allow_unicode", "bool", `false`, "Keep non-ASCII letters instead of dropping them."),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			sep := in.Str("separator")
			var b strings.Builder
			for _, c := range nfkd(in.Str("text")) {
				if !in.Bool("allow_unicode") && c >= utf8.RuneSelf {
					continue
				}
				if isPyWordChar(c) || pyIsSpace(c) || c == '-' {
					b.WriteRune(c)
				}
			}
			s, err := replaceRuns(b.String(), sep, func(r rune) bool { return pyIsSpace(r) || r == '_' || r == '-' })
			if err != nil {
				return nil, fmt.Errorf("separator: %v", err)
			}
			s = strings.Trim(s, sep)
			if in.Bool("lowercase") {
				s = pyLower(s)
			}
			return Single(s), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.SurroundWith",
		Description: "Adds a prefix and a suffix around a text, unless it already has both.",
		Props: []Prop{
			textProp,
			P("prefix", "str", `""`, "The text to put before."),
			P("suffix", "str", `""`, "The text to put after."),
			P("skip_if_wrapped", "bool", `true`, "Leave the text alone when it already starts with the prefix and ends with the suffix.").Titled("Skip If Already Wrapped"),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			s, pre, suf := in.Str("text"), in.Str("prefix"), in.Str("suffix")
			if in.Bool("skip_if_wrapped") && strings.HasPrefix(s, pre) && strings.HasSuffix(s, suf) {
				return Single(s), nil
			}
			return Single(pre + s + suf), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.TruncateText",
		Description: "Shortens a text to at most max_length characters. When an ellipsis is set and the text is cut, it ends the result within the limit.",
		Props: []Prop{
			textProp,
			withMin(P("max_length", "int", `100`, "The largest length in characters."), 0),
			P("ellipsis", "str", `""`, "Text that marks a cut, such as ..."),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			rs, max, ell := []rune(in.Str("text")), int(in.Int("max_length")), in.Str("ellipsis")
			switch {
			case max <= 0:
				return Single(ell), nil
			case len(rs) <= max:
				return Single(string(rs)), nil
			}
			if n := utf8.RuneCountInString(ell); ell != "" && n < max {
				return Single(string(rs[:max-n]) + ell), nil
			}
			return Single(string(rs[:max])), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.PadText",
		Description: "Pads a text with a character up to a length, on the left, the right or both sides.",
		Props: []Prop{
			textProp,
			withMin(P("length", "int", `0`, "The length to pad to."), 0).Titled("Target Length"),
			P("pad_character", "str", `" "`, "The single character to pad with."),
			P("direction", "enum(left,right,both)", `"right"`, "Where to add the padding; both puts the extra character on the right.").Enum("PadDirection"),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			pad, s := in.Str("pad_character"), in.Str("text")
			if utf8.RuneCountInString(pad) != 1 {
				return nil, fmt.Errorf("pad_character must be a single character, got %q", pad)
			}
			need := in.Int("length") - int64(utf8.RuneCountInString(s))
			if need <= 0 {
				return Single(s), nil
			}
			if err := ctx.CheckSize(int64(len(s)) + need*int64(len(pad))); err != nil {
				return nil, err
			}
			switch in.Str("direction") {
			case "left":
				return Single(strings.Repeat(pad, int(need)) + s), nil
			case "both":
				left := int(need / 2)
				return Single(strings.Repeat(pad, left) + s + strings.Repeat(pad, int(need)-left)), nil
			}
			return Single(s + strings.Repeat(pad, int(need))), nil
		},
	})
	addText(r, &NodeDef{
		Type:        "nodetool.text.ToString",
		Description: "Converts any value to text, as Python's str() or repr() writes it.",
		Props: []Prop{
			P("value", "any", `[]`, "The value to convert."),
			P("mode", "enum(str,repr)", `"str"`, "str for the plain form, repr for the quoted form.").Enum("Mode"),
		},
		Outputs: Out("output", "str"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			v := in.Get("value")
			// An empty list can never be assigned (empty values are ignored),
			// so it is the unset default, which NodeTool declares as ().
			if l, ok := v.([]any); ok && len(l) == 0 {
				return Single("()"), nil
			}
			if in.Str("mode") == "repr" {
				return Single(pyval.Repr(v)), nil
			}
			return Single(pyval.Str(v)), nil
		},
	})
}

// isPyWordChar is Python's \w for str patterns: letters, numbers and _.
func isPyWordChar(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// replaceRuns replaces each maximal run of characters for which in(r) holds
// with a Python re.sub replacement (so "\n" in it is a newline and \g<0> is
// the run).
func replaceRuns(s, replacement string, in func(rune) bool) (string, error) {
	tmpl, err := parsePyTemplate(replacement, nil)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	start := -1
	for i, r := range s {
		switch {
		case in(r) && start < 0:
			start = i
		case !in(r) && start >= 0:
			tmpl.expand(&b, s, []int{start, i})
			start = -1
			b.WriteRune(r)
		case !in(r):
			b.WriteRune(r)
		}
	}
	if start >= 0 {
		tmpl.expand(&b, s, []int{start, len(s)})
	}
	return b.String(), nil
}

func registerTextMeasure(r *Registry, textProp Prop) {
	addText(r, &NodeDef{
		Type:        "nodetool.text.Length",
		Title:       "Measure Length",
		Description: "Counts the characters, words (separated by whitespace) or lines of a text.",
		Props: []Prop{
			textProp,
			P("measure", "enum(characters,words,lines)", `"characters"`, "What to count.").Enum("Measure"),
			P("trim_whitespace", "bool", `false`, "Remove whitespace at both ends first, and skip empty lines when counting lines."),
		},
		Outputs: Out("output", "int"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			s, trim := in.Str("text"), in.Bool("trim_whitespace")
			if trim {
				s = pyStrip(s)
			}
			switch in.Str("measure") {
			case "words":
				return Single(int64(len(pySplitWhitespace(s)))), nil
			case "lines":
				n := 0
				for _, line := range pySplitlines(s) {
					if line != "" || !trim {
						n++
					}
				}
				return Single(int64(n)), nil
			}
			return Single(int64(utf8.RuneCountInString(s))), nil
		},
	})
}

func registerTextFilters(r *Registry) {
	addText(r, &NodeDef{
		Type:        "nodetool.text.FilterString",
		Description: "Passes on only the streamed texts that meet a condition: containing, starting or ending with the criteria, or a length greater than, less than or equal to it.",
		Props: []Prop{
			P("value", "str", `""`, "The texts to filter; connect a stream here."),
			P("filter_type", "enum(contains,starts_with,ends_with,length_greater,length_less,exact_length)", `"contains"`, "The condition to test.").Enum("FilterType"),
			P("criteria", "str", `""`, "The text to look for, or the length (a whole number) for length conditions."),
		},
		Outputs:         Out("output", "str"),
		StreamingOutput: true,
		Run: func(ctx *Ctx, in *Inputs, inbox *Inbox, emit Emit) error {
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
				want, err := pyParseInt(crit)
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
	addText(r, &NodeDef{
		Type:        "nodetool.text.FilterRegexString",
		Description: "Passes on only the streamed texts that a regular expression matches somewhere in (or, with full_match, as a whole). An invalid pattern lets nothing through.",
		Props: []Prop{
			P("value", "str", `""`, "The texts to filter; connect a stream here."),
			P("pattern", "str", `""`, "The regular expression (Python syntax)."),
			P("full_match", "bool", `false`, "Require the whole text to match."),
		},
		Outputs:         Out("output", "str"),
		StreamingOutput: true,
		Run: func(ctx *Ctx, in *Inputs, inbox *Inbox, emit Emit) error {
			var re *pyRegex
			compiled, warned := "", ""
			return runTextFilter(ctx, in, inbox, emit, func(v string) (bool, error) {
				pat := in.Str("pattern")
				if re == nil || compiled != pat {
					var err error
					re, err = compilePyRegex(pat, pyReFlags{})
					if err != nil {
						if isUnsupportedRegex(err) {
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
					return re.fullMatch(v), nil
				}
				return re.search(v) != nil, nil
			})
		},
	})
}

// runTextFilter drives a streaming text filter: values on "value" are
// tested and passed on, values on other handles update the configuration
// for the items after them. Non-text items are skipped. Without an edge on
// "value", the configured value is filtered once.
func runTextFilter(ctx *Ctx, in *Inputs, inbox *Inbox, emit Emit, pass func(string) (bool, error)) error {
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
