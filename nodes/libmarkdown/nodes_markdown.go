// Package libmarkdown holds the lib.markdown nodes: links, headers,
// lists, code blocks and tables read out of markdown text, with the
// patterns NodeTool uses (run with Python's regular expression semantics,
// package pyre).
package libmarkdown

import (
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyre"
	"nodetool/lang/pyval"
)

func mustRe(p string, dotAll bool) *pyre.Regex {
	re, err := pyre.Compile(p, pyre.Flags{DotAll: dotAll})
	if err != nil {
		panic(err)
	}
	return re
}

var (
	linkRe     = mustRe(`\[([^\]]+)\]\(([^)]+)\)|<([^>]+)>`, false)
	headerRe   = mustRe(`^(#{1,6})\s+(.+)$`, false)
	bulletRe   = mustRe(`^\s*[-*+]\s+(.+)$`, false)
	numberedRe = mustRe(`^\s*\d+\.\s+(.+)$`, false)
	codeRe     = mustRe("```(\\w*)\\n(.*?)\\n```", true)
)

func mdProp() engine.Prop {
	return engine.P("markdown", "str", `""`, "The markdown text.")
}

// Register adds the lib.markdown nodes.
func Register(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type: "lib.markdown.ExtractLinks", Title: "Extract Links", ExposeAsTool: true,
		BasicFields: []string{"markdown", "include_titles"},
		Description: "Lists the links of markdown text, [title](url) and <url>, in order: {url, title} each (the title empty for <url>, or when include_titles is off).",
		Props: []engine.Prop{
			mdProp(),
			engine.P("include_titles", "bool", `true`, "Whether to give each link's title."),
		},
		Outputs: engine.Out("output", "list[dict[str, str]]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			md, titles := in.Str("markdown"), in.Bool("include_titles")
			out := []any{}
			var size int64
			err := linkRe.Each(ctx, md, -1, func(loc []int) error {
				var url, title string
				switch {
				case loc[2] >= 0 && loc[4] >= 0:
					url = md[loc[4]:loc[5]]
					if titles {
						title = md[loc[2]:loc[3]]
					}
				case loc[6] >= 0:
					url = md[loc[6]:loc[7]]
				default:
					return nil
				}
				size += engine.ItemCost + 2*engine.EntryCost + int64(len(url)+len(title))
				if err := ctx.CheckSize(size); err != nil {
					return err
				}
				out = append(out, pyval.DictOf("url", url, "title", title))
				return nil
			})
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.markdown.ExtractHeaders", Title: "Extract Headers", ExposeAsTool: true,
		BasicFields: []string{"markdown", "max_level"},
		Description: "Lists the headers of markdown text (# to ######) up to max_level, as an outline: {level, text, index} each.",
		Props: []engine.Prop{
			mdProp(),
			engine.P("max_level", "int", `6`, "The deepest header level listed (1-6).").Range(1, 6),
		},
		Outputs: engine.Out("output", "list[dict[str, any]]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			maxLevel := in.Int("max_level")
			out := []any{}
			var size int64
			err := eachLine(ctx, in.Str("markdown"), headerRe, func(line string, loc []int) error {
				if loc == nil {
					return nil
				}
				level := int64(loc[3] - loc[2])
				if level > maxLevel {
					return nil
				}
				text := pyStrip(line[loc[4]:loc[5]])
				size += engine.ItemCost + 3*engine.EntryCost + int64(len(text))
				if err := ctx.CheckSize(size); err != nil {
					return err
				}
				out = append(out, pyval.DictOf("level", level, "text", text, "index", int64(len(out))))
				return nil
			})
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	listNode := func(typ, title, desc, outType string, re *pyre.Regex, item func(string) any) {
		r.Add(&engine.NodeDef{
			Type: typ, Title: title, Description: desc, ExposeAsTool: true,
			BasicFields: []string{"markdown"}, Props: []engine.Prop{mdProp()},
			Outputs: engine.Out("output", outType),
			Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				lists, cur := []any{}, []any{}
				var size int64
				err := eachLine(ctx, in.Str("markdown"), re, func(line string, loc []int) error {
					if loc == nil {
						if len(cur) > 0 {
							lists, cur = append(lists, cur), []any{}
						}
						return nil
					}
					text := pyStrip(line[loc[2]:loc[3]])
					size += 2*engine.ItemCost + engine.EntryCost + int64(len(text))
					if err := ctx.CheckSize(size); err != nil {
						return err
					}
					cur = append(cur, item(text))
					return nil
				})
				if err != nil {
					return nil, err
				}
				if len(cur) > 0 {
					lists = append(lists, cur)
				}
				return engine.Single(lists), nil
			},
		})
	}
	listNode("lib.markdown.ExtractBulletLists", "Extract Bullet Lists",
		"Extracts the bulleted lists (-, * or + items) of markdown text: a list of lists, one per run of consecutive items, each item {text}.",
		"list[dict[str, any]]", bulletRe, func(s string) any { return pyval.DictOf("text", s) })
	listNode("lib.markdown.ExtractNumberedLists", "Extract Numbered Lists",
		"Extracts the numbered lists (1. items) of markdown text: a list of lists of item texts, one per run of consecutive items.",
		"list[str]", numberedRe, func(s string) any { return s })
	r.Add(&engine.NodeDef{
		Type: "lib.markdown.ExtractCodeBlocks", Title: "Extract Code Blocks", BasicFields: []string{"markdown"},
		Description: "Lists the fenced code blocks (```) of markdown text: {language, code} each, the language \"text\" when the fence names none.",
		Props:       []engine.Prop{mdProp()},
		Outputs:     engine.Out("output", "list[dict[str, str]]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			md := in.Str("markdown")
			out := []any{}
			var size int64
			err := codeRe.Each(ctx, md, -1, func(loc []int) error {
				lang := md[loc[2]:loc[3]]
				if lang == "" {
					lang = "text"
				}
				code := pyStrip(md[loc[4]:loc[5]])
				size += engine.ItemCost + 2*engine.EntryCost + int64(len(lang)+len(code))
				if err := ctx.CheckSize(size); err != nil {
					return err
				}
				out = append(out, pyval.DictOf("language", lang, "code", code))
				return nil
			})
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.markdown.ExtractTables", Title: "Extract Tables", ExposeAsTool: true, BasicFields: []string{"markdown"},
		Description: "Reads the first table of markdown text (its header, separator and rows) into a dataframe of string columns; an empty dataframe when there is none.",
		Props:       []engine.Prop{mdProp()},
		Outputs:     engine.Out("output", "dataframe"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return extractTable(ctx, in.Str("markdown"))
		},
	})
}

// eachLine matches re at the start of every line of s (split on "\n", as
// Python's str.split does), calling fn with the line and the match (nil
// when it does not match).
func eachLine(ctx *engine.Ctx, s string, re *pyre.Regex, fn func(line string, loc []int) error) error {
	for {
		line, rest, more := strings.Cut(s, "\n")
		loc, err := re.MatchWithin(ctx, line)
		if err != nil {
			return err
		}
		if err := fn(line, loc); err != nil {
			return err
		}
		if !more {
			return nil
		}
		s = rest
	}
}

// extractTable reads the first run of lines holding "|".
func extractTable(ctx *engine.Ctx, md string) (map[string]any, error) {
	var table [][]string
	var size int64
	for _, line := range strings.Split(md, "\n") {
		if err := ctx.Tick(); err != nil {
			return nil, err
		}
		if !strings.Contains(line, "|") {
			if len(table) > 0 {
				break
			}
			continue
		}
		parts := strings.Split(line, "|")
		cells := parts[1 : len(parts)-1]
		if len(cells) == 0 {
			continue
		}
		for i, c := range cells {
			cells[i] = pyStrip(c)
			size += engine.ItemCost + int64(len(cells[i]))
		}
		if err := ctx.CheckSize(size); err != nil {
			return nil, err
		}
		table = append(table, cells)
	}
	cols, data := []any{}, []any{}
	if len(table) > 2 {
		for _, h := range table[0] {
			cols = append(cols, pyval.DictOf("name", h, "data_type", "string", "description", ""))
		}
		for _, row := range table[2:] {
			r := make([]any, len(row))
			for i, c := range row {
				r[i] = c
			}
			data = append(data, r)
		}
	}
	return engine.Single(pyval.DictOf("type", "dataframe", "uri", "", "asset_id", nil, "data", data, "metadata", nil, "columns", cols)), nil
}

// pyStrip is Python's str.strip(): leading and trailing whitespace as
// Python counts it.
func pyStrip(s string) string {
	return strings.TrimFunc(s, isPySpace)
}

func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
