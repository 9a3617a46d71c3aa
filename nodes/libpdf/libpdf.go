package libpdf

import (
	"fmt"
	"nodetool/nodes/media"

	"nodetool/engine"
	"nodetool/pdf"
)

// defDocument is an empty DocumentRef, the default of most pdf inputs.
const defDocument = `{"type": "document", "uri": "", "asset_id": null, "data": null, "metadata": null}`

// Register adds the lib.pymupdf and lib.pdfplumber nodes.
func Register(r *engine.Registry, src media.Sources) {
	l := loader{src}
	registerPyMuPDF(r, l)
	registerPdfplumber(r, l)
}

// page is one page of a range, with its index.
type page struct {
	index int
	page  *pdf.Page
}

// pyMuPDFRange is PyMuPDF's range: start_page to end_page inclusive,
// -1 for the last page. A start past the last page or a negative one is
// an error (as PyMuPDF's IndexError); an end past the last page stops at
// it (PyMuPDF fails there too: documents shorter than a workflow's fixed
// end_page are common, so this reads what there is).
func pyMuPDFRange(doc *pdf.Doc, in *engine.Inputs) ([]page, error) {
	pages := doc.Pages()
	n := int64(len(pages))
	start, end := in.Int("start_page"), in.Int("end_page")
	if end == -1 || end >= n {
		end = n - 1
	}
	if start < 0 || start >= n && n > 0 || end < -1 {
		return nil, fmt.Errorf("start_page %d and end_page %d are outside the document's %d pages (0 to %d)", start, in.Int("end_page"), n, n-1)
	}
	var out []page
	for i := start; i <= end; i++ {
		out = append(out, page{int(i), pages[i]})
	}
	return out, nil
}

// plumberRange is the original lib.pdfplumber range: start_page up to
// end_page exclusive (-1: to the end), pages outside the document
// skipped.
func plumberRange(doc *pdf.Doc, in *engine.Inputs) []page {
	pages := doc.Pages()
	n := int64(len(pages))
	start, end := max(in.Int("start_page"), 0), in.Int("end_page")
	if end == -1 || end > n {
		end = n
	}
	var out []page
	for i := start; i < end; i++ {
		out = append(out, page{int(i), pages[i]})
	}
	return out
}

// layout interprets a page and groups its glyphs.
func layout(doc *pdf.Doc, p page) ([]pdf.Block, error) {
	chars, err := doc.Chars(p.page)
	if err != nil {
		return nil, err
	}
	return pdf.Layout(chars), nil
}
