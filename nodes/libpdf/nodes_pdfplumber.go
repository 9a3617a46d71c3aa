package libpdf

import (
	"fmt"
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/pdf"
)

const defTableSettings = `{"vertical_strategy": "text", "horizontal_strategy": "text", "snap_tolerance": 3, "join_tolerance": 3, "edge_min_length": 3, "min_words_vertical": 3, "min_words_horizontal": 1, "text_keep_blank_chars": false, "text_tolerance": 3, "text_x_tolerance": 3, "text_y_tolerance": 3}`

const plumberRangeNote = " Pages run from start_page up to end_page, not included (0-based; -1: to the last page), as in NodeTool; pages outside the document are skipped."

func registerPdfplumber(r *engine.Registry, l loader) {
	r.Add(&engine.NodeDef{
		Type: "lib.pdfplumber.ExtractText", Title: "Extract Text", BasicFields: []string{"pdf", "start_page", "end_page"},
		Description: "Extracts the text of a PDF's pages as pdfplumber's extract_text does: lines top to bottom, words separated where glyphs are over 2 points apart; pages joined by a blank line." + plumberRangeNote,
		Props: []engine.Prop{
			engine.P("pdf", "document", defDocument, "The PDF file to extract text from"),
			engine.P("start_page", "int", `0`, "The start page to extract. 0-based indexing"),
			engine.P("end_page", "int", `4`, "The end page to extract. -1 for all pages"),
		},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			doc, err := l.open(ctx, in)
			if err != nil {
				return nil, err
			}
			defer warn(ctx, doc)
			var texts []string
			size := 0
			for _, p := range plumberRange(doc, in) {
				chars, err := doc.Chars(p.page)
				if err != nil {
					return nil, err
				}
				t := pdf.PlumberText(chars)
				size += len(t) + 2
				if err := ctx.CheckSize(int64(size)); err != nil {
					return nil, err
				}
				texts = append(texts, t)
			}
			return engine.Single(strings.Join(texts, "\n\n")), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.pdfplumber.GetPageCount", Title: "Get Page Count", BasicFields: []string{"pdf"},
		Description: "Returns the number of pages of a PDF.",
		Props:       []engine.Prop{engine.P("pdf", "document", `""`, "The PDF file to analyze")},
		Outputs:     engine.Out("output", "int"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			doc, err := l.open(ctx, in)
			if err != nil {
				return nil, err
			}
			warn(ctx, doc)
			return engine.Single(int64(len(doc.Pages()))), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.pdfplumber.ExtractPageMetadata", Title: "Extract Page Metadata", BasicFields: []string{"pdf", "start_page", "end_page"},
		Description: "Returns each page's page_number (1-based), width and height in points, rotation in degrees and bbox [x0, top, x1, bottom]." + plumberRangeNote,
		Props: []engine.Prop{
			engine.P("pdf", "document", `""`, "The PDF file to analyze"),
			engine.P("start_page", "int", `0`, "The start page to extract. 0-based indexing"),
			engine.P("end_page", "int", `4`, "The end page to extract. -1 for all pages"),
		},
		Outputs: engine.Out("output", "list[dict]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			doc, err := l.open(ctx, in)
			if err != nil {
				return nil, err
			}
			warn(ctx, doc)
			out := []any{}
			for _, p := range plumberRange(doc, in) {
				w, h := p.page.Width(), p.page.Height()
				if p.page.Rotate == 90 || p.page.Rotate == 270 {
					w, h = h, w
				}
				b := p.page.MediaBox
				out = append(out, pyval.DictOf("page_number", int64(p.index+1), "width", w, "height", h,
					"rotation", int64(p.page.Rotate), "bbox", []any{b[0], b[1], b[0] + w, b[1] + h}))
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.pdfplumber.ExtractImages", Title: "Extract Images", BasicFields: []string{"pdf", "start_page", "end_page"},
		Description: "Extracts the JPEG images of a PDF's pages (and of the forms they draw) as image references holding their bytes, with {width, height, filter} in their metadata; images in other encodings are skipped with a warning in the run's log. All the images together must fit max-value." + plumberRangeNote,
		Props: []engine.Prop{
			engine.P("pdf", "document", `""`, "The PDF file to extract images from"),
			engine.P("start_page", "int", `0`, "The start page to extract"),
			engine.P("end_page", "int", `4`, "The end page to extract"),
		},
		Outputs: engine.Out("output", "list[image]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			doc, err := l.open(ctx, in)
			if err != nil {
				return nil, err
			}
			defer warn(ctx, doc)
			out := []any{}
			var size int64
			skipped := map[string]int{}
			for _, p := range plumberRange(doc, in) {
				imgs, err := doc.Images(p.page)
				if err != nil {
					return nil, err
				}
				for _, im := range imgs {
					if im.Filter != "DCTDecode" && im.Filter != "DCT" {
						f := im.Filter
						if f == "" {
							f = "raw samples"
						}
						skipped[f]++
						continue
					}
					size += int64(len(im.Data)) + 8*engine.EntryCost
					if err := ctx.CheckSize(size); err != nil {
						return nil, err
					}
					out = append(out, pyval.DictOf("type", "image", "uri", "", "asset_id", nil, "data", im.Data,
						"metadata", pyval.DictOf("width", int64(im.Width), "height", int64(im.Height), "filter", im.Filter)))
				}
			}
			for f, n := range skipped {
				ctx.Log("warning", fmt.Sprintf("skipped %d image(s) encoded as %s: only JPEG images are extracted", n, f))
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.pdfplumber.ExtractTables", Title: "Extract Tables", BasicFields: []string{"pdf", "start_page", "end_page", "table_settings"},
		Description: "Finds tables in a PDF's pages by text alignment (rows of two or more cells whose columns line up) and returns each as a dataframe whose columns are named by its first row; empty cells are None, and rows and columns that are all empty are dropped. Pages run from start_page to end_page inclusive (0-based), clamped to the document. table_settings is accepted for compatibility; the alignment heuristic does not read it.",
		Props: []engine.Prop{
			engine.P("pdf", "document", defDocument, "The PDF document to extract tables from"),
			engine.P("start_page", "int", `0`, "First page to extract tables from (0-based, None for first page)"),
			engine.P("end_page", "int", `4`, "Last page to extract tables from (0-based, None for last page)"),
			engine.P("table_settings", "dict", defTableSettings, "Settings for table extraction algorithm"),
		},
		Outputs: engine.Out("output", "list[dataframe]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			doc, err := l.open(ctx, in)
			if err != nil {
				return nil, err
			}
			defer warn(ctx, doc)
			pages := doc.Pages()
			n := int64(len(pages))
			start := min(max(in.Int("start_page"), 0), n-1)
			end := max(start, min(in.Int("end_page"), n-1))
			out := []any{}
			var size int64
			for i := max(start, 0); i <= end && i < n; i++ {
				chars, err := doc.Chars(pages[i])
				if err != nil {
					return nil, err
				}
				for _, t := range pdf.Tables(chars) {
					for _, row := range t.Cells {
						for _, c := range row {
							size += int64(len(c)) + engine.ItemCost
						}
					}
					if err := ctx.CheckSize(size); err != nil {
						return nil, err
					}
					if df := dataframe(t.Cells); df != nil {
						out = append(out, df)
					}
				}
			}
			return engine.Single(out), nil
		},
	})
}

// dataframe makes NodeTool's DataframeRef of a table: the first row
// names the columns, empty cells are None, all-empty rows and columns
// are dropped (as the original does with pandas).
func dataframe(cells [][]string) *pyval.Dict {
	if len(cells) == 0 {
		return nil
	}
	header, body := cells[0], cells[1:]
	keep := make([]bool, len(header))
	for j := range header {
		for _, row := range body {
			if j < len(row) && row[j] != "" {
				keep[j] = true
			}
		}
	}
	cols := []any{}
	for j, h := range header {
		if keep[j] {
			cols = append(cols, pyval.DictOf("name", h, "data_type", "object", "description", ""))
		}
	}
	data := []any{}
	for _, row := range body {
		var r []any
		empty := true
		for j := range header {
			if !keep[j] {
				continue
			}
			if j < len(row) && row[j] != "" {
				r = append(r, row[j])
				empty = false
			} else {
				r = append(r, nil)
			}
		}
		if !empty {
			data = append(data, r)
		}
	}
	return pyval.DictOf("type", "dataframe", "uri", "", "asset_id", nil, "data", data, "metadata", nil, "columns", cols)
}
