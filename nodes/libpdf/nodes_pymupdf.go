package libpdf

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/pdf"
)

func pyMuPDFProps(what string) []engine.Prop {
	return []engine.Prop{
		engine.P("pdf", "document", defDocument, "The PDF document to "+what),
		engine.P("start_page", "int", `0`, "First page to extract (0-based index)"),
		engine.P("end_page", "int", `-1`, "Last page to extract (-1 for last page)"),
	}
}

// pyMuPDFNode declares a lib.pymupdf node whose result f builds from
// the pages of its range.
func (l loader) pyMuPDFNode(name, title, what, out, desc string, f func(ctx *engine.Ctx, doc *pdf.Doc, pages []page) (any, error)) *engine.NodeDef {
	return &engine.NodeDef{
		Type: "lib.pymupdf." + name, Title: title, ExposeAsTool: true,
		BasicFields: []string{"pdf", "start_page", "end_page"},
		Description: desc,
		Props:       pyMuPDFProps(what),
		Outputs:     engine.Out("output", out),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			doc, err := l.open(ctx, in)
			if err != nil {
				return nil, err
			}
			pages, err := pyMuPDFRange(doc, in)
			if err != nil {
				return nil, err
			}
			v, err := f(ctx, doc, pages)
			warn(ctx, doc)
			if err != nil {
				return nil, err
			}
			return engine.Single(v), nil
		},
	}
}

const rangeNote = " Pages run from start_page to end_page inclusive (0-based, -1 for the last page); an end_page past the last page stops at it."

func registerPyMuPDF(r *engine.Registry, l loader) {
	r.Add(l.pyMuPDFNode("ExtractText", "Extract Text", "extract text from", "str",
		"Extracts the plain text of a PDF's pages, as PyMuPDF's get_text() does: each line ended by a newline, in the order the page draws them."+rangeNote,
		func(ctx *engine.Ctx, doc *pdf.Doc, pages []page) (any, error) {
			var b strings.Builder
			for _, p := range pages {
				blocks, err := layout(doc, p)
				if err != nil {
					return nil, err
				}
				t := pdf.PageText(blocks)
				if err := ctx.CheckSize(int64(b.Len() + len(t))); err != nil {
					return nil, err
				}
				b.WriteString(t)
			}
			return b.String(), nil
		}))
	r.Add(l.pyMuPDFNode("ExtractTextBlocks", "Extract Text Blocks", "extract text blocks from", "list[dict]",
		"Extracts the text blocks of a PDF's pages with their bounding boxes, as PyMuPDF's get_text(\"blocks\"): each block is [x0, y0, x1, y1, text, block_no, block_type] in points from the page's top left (block_type 0: text)."+rangeNote,
		func(ctx *engine.Ctx, doc *pdf.Doc, pages []page) (any, error) {
			out := []any{}
			var size int64
			for _, p := range pages {
				blocks, err := layout(doc, p)
				if err != nil {
					return nil, err
				}
				for i, bl := range blocks {
					t := bl.Text()
					size += int64(len(t)) + 7*engine.ItemCost
					if err := ctx.CheckSize(size); err != nil {
						return nil, err
					}
					out = append(out, []any{bl.X0, bl.Y0, bl.X1, bl.Y1, t, int64(i), int64(0)})
				}
			}
			return out, nil
		}))
	r.Add(l.pyMuPDFNode("ExtractTextWithStyle", "Extract Text With Style", "extract styled text from", "list[dict]",
		"Extracts the text spans of a PDF's pages with their style: text, font (without a subset prefix), size, color (0xRRGGBB as an int) and bbox {x0, y0, x1, y1} in points from the page's top left."+rangeNote,
		func(ctx *engine.Ctx, doc *pdf.Doc, pages []page) (any, error) {
			out := []any{}
			var size int64
			for _, p := range pages {
				blocks, err := layout(doc, p)
				if err != nil {
					return nil, err
				}
				for _, bl := range blocks {
					for _, l := range bl.Lines {
						for _, s := range l.Spans {
							size += int64(len(s.Text)+len(s.Font)) + 10*engine.EntryCost
							if err := ctx.CheckSize(size); err != nil {
								return nil, err
							}
							out = append(out, pyval.DictOf("text", s.Text, "font", s.Font, "size", round(s.Size), "color", int64(s.Color),
								"bbox", pyval.DictOf("x0", round(s.X0), "y0", round(s.Y0), "x1", round(s.X1), "y1", round(s.Y1))))
						}
					}
				}
			}
			return out, nil
		}))
	r.Add(l.pyMuPDFNode("ExtractTables", "Extract Tables", "extract tables from", "list[dict]",
		"Finds tables in a PDF's pages by text alignment (rows of two or more cells whose columns line up; ruling lines are not read) and returns each as {page, bbox {x0, y0, x1, y1}, rows, columns, header {names, external}, content}: the header is the first row, content all rows as lists of cell texts."+rangeNote,
		func(ctx *engine.Ctx, doc *pdf.Doc, pages []page) (any, error) {
			out := []any{}
			var size int64
			for _, p := range pages {
				chars, err := doc.Chars(p.page)
				if err != nil {
					return nil, err
				}
				for _, t := range pdf.Tables(chars) {
					content := make([]any, len(t.Cells))
					for i, row := range t.Cells {
						cells := make([]any, len(row))
						for j, c := range row {
							cells[j] = c
							size += int64(len(c)) + engine.ItemCost
						}
						content[i] = cells
					}
					if err := ctx.CheckSize(size); err != nil {
						return nil, err
					}
					names := content[0]
					out = append(out, pyval.DictOf("page", int64(p.index),
						"bbox", pyval.DictOf("x0", round(t.X0), "y0", round(t.Y0), "x1", round(t.X1), "y1", round(t.Y1)),
						"rows", int64(len(t.Cells)), "columns", int64(len(t.Cells[0])),
						"header", pyval.DictOf("names", names, "external", false),
						"content", content))
				}
			}
			return out, nil
		}))
	r.Add(l.pyMuPDFNode("ExtractMarkdown", "Extract Markdown", "convert to markdown", "str",
		"Converts a PDF's pages to Markdown in the manner of pymupdf4llm: text blocks in a font notably larger than the body text become headings (#, ##... by size), other blocks paragraphs (lines joined, hyphenated line ends rejoined), bold lines in **; pages are separated by a blank line."+rangeNote,
		func(ctx *engine.Ctx, doc *pdf.Doc, pages []page) (any, error) {
			var all [][]pdf.Block
			for _, p := range pages {
				blocks, err := layout(doc, p)
				if err != nil {
					return nil, err
				}
				all = append(all, blocks)
			}
			md := markdown(all)
			if err := ctx.CheckSize(int64(len(md))); err != nil {
				return nil, err
			}
			return md, nil
		}))
}

// round keeps two decimals, as PyMuPDF's floats carry no more precision
// worth showing.
func round(f float64) float64 { return math.Round(f*100) / 100 }

// markdown renders pages of blocks.
func markdown(pages [][]pdf.Block) string {
	// The body size is the size most text is set in.
	weight := map[float64]int{}
	for _, blocks := range pages {
		for _, b := range blocks {
			for _, l := range b.Lines {
				for _, s := range l.Spans {
					weight[math.Round(s.Size)] += len(s.Text)
				}
			}
		}
	}
	body, most := 0.0, -1
	for s, w := range weight {
		if w > most || w == most && s < body {
			body, most = s, w
		}
	}
	var larger []float64
	for s := range weight {
		if s > body*1.15 {
			larger = append(larger, s)
		}
	}
	slices.SortFunc(larger, func(a, b float64) int { return cmp.Compare(b, a) })
	var out []string
	for _, blocks := range pages {
		var parts []string
		for _, b := range blocks {
			size := 0.0
			bold := true
			for _, l := range b.Lines {
				for _, s := range l.Spans {
					size = max(size, math.Round(s.Size))
					bold = bold && (s.Bold || strings.TrimSpace(s.Text) == "")
				}
			}
			text := joinLines(b.Lines)
			if text == "" {
				continue
			}
			if level := slices.Index(larger, size); level >= 0 {
				parts = append(parts, strings.Repeat("#", min(level+1, 6))+" "+text)
			} else if bold {
				parts = append(parts, "**"+text+"**")
			} else {
				parts = append(parts, text)
			}
		}
		if len(parts) > 0 {
			out = append(out, strings.Join(parts, "\n\n"))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n\n") + "\n"
}

// joinLines joins a block's lines into one paragraph, rejoining words
// hyphenated at a line's end.
func joinLines(lines []pdf.Line) string {
	var parts []string
	for _, l := range lines {
		t := strings.TrimSpace(l.Text())
		if t == "" {
			continue
		}
		if n := len(parts); n > 0 {
			last := parts[n-1]
			if len(last) > 1 && strings.HasSuffix(last, "-") && last[len(last)-2] != ' ' {
				parts[n-1] = last[:len(last)-1]
			} else {
				parts = append(parts, " ")
			}
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, "")
}
