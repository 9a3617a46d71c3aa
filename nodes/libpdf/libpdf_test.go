package libpdf_test

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"

	"nodetool/lang/pyval"
	"nodetool/nodes/nodetest"
)

// doc is a node's data holding a reference file as a data: URI.
func doc(t testing.TB, name, extra string) string {
	t.Helper()
	b, err := os.ReadFile("../../pdf/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return docBytes(b, extra)
}

func docBytes(b []byte, extra string) string {
	uri := "data:application/pdf;base64," + base64.StdEncoding.EncodeToString(b)
	return fmt.Sprintf(`{"pdf": {"type": "document", "uri": %q, "asset_id": null, "data": null}%s}`, uri, extra)
}

// want is PyMuPDF's text of a reference file, page by page.
func want(t *testing.T, name string) []string {
	b, err := os.ReadFile("../../pdf/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(b), "\f")
}

func TestPyMuPDFText(t *testing.T) {
	pages := want(t, "tenpages.txt")
	got := nodetest.Output(t, "lib.pymupdf.ExtractText", doc(t, "tenpages.pdf", ""), "output")
	if got != strings.Join(pages, "") {
		t.Errorf("ExtractText = %.200q, want PyMuPDF's text", got)
	}
	got = nodetest.Output(t, "lib.pymupdf.ExtractText", doc(t, "tenpages.pdf", `, "start_page": 2, "end_page": 3`), "output")
	if got != pages[2]+pages[3] {
		t.Errorf("pages 2-3 = %.200q", got)
	}
	// Summarize Paper asks for pages 0 to 4 of whatever it fetched.
	got = nodetest.Output(t, "lib.pymupdf.ExtractText", doc(t, "simple.pdf", `, "end_page": 4`), "output")
	if got != strings.Join(want(t, "simple.txt"), "") {
		t.Errorf("end_page past the end = %q", got)
	}
	// The corpus runner's stand-in for arXiv 1706.03762 (object streams).
	paper, err := os.ReadFile("../../testdata/corpus-resources/arxiv.org/pdf/1706.03762")
	if err != nil {
		t.Fatal(err)
	}
	got = nodetest.Output(t, "lib.pymupdf.ExtractText", docBytes(paper, `, "end_page": 4`), "output")
	if s := got.(string); !strings.HasPrefix(s, "Attention Is All You Need\nAshish Vaswani et al.") || strings.Count(s, "The Transformer is based solely on attention mechanisms,\n") != 5 {
		t.Errorf("stand-in paper, pages 0-4 = %q", s)
	}
	for _, r := range []string{`, "start_page": 10`, `, "start_page": -1`} {
		if e := nodetest.Error(t, "lib.pymupdf.ExtractText", doc(t, "simple.pdf", r)); !strings.Contains(e, "outside the document's 2 pages") {
			t.Errorf("%s: error %q", r, e)
		}
	}
}

func TestPyMuPDFStructure(t *testing.T) {
	blocks := nodetest.Output(t, "lib.pymupdf.ExtractTextBlocks", doc(t, "simple.pdf", `, "end_page": 0`), "output").([]any)
	if len(blocks) != 3 {
		t.Fatalf("blocks = %s", pyval.Repr(blocks))
	}
	b := blocks[0].([]any)
	if b[4] != "Attention Is All You Need\n" || b[5] != int64(0) || b[6] != int64(0) || b[0].(float64) != 72 {
		t.Errorf("block 0 = %s", pyval.Repr(b))
	}
	// PyMuPDF gives (72.0, 52.74, 287.03, 77.53) for this block.
	if y0, x1 := b[1].(float64), b[2].(float64); y0 < 50 || y0 > 60 || x1 < 280 || x1 > 295 {
		t.Errorf("block 0 bbox = %s, want near PyMuPDF's (72, 52.7, 287.0, 77.5)", pyval.Repr(b))
	}
	spans := nodetest.Output(t, "lib.pymupdf.ExtractTextWithStyle", doc(t, "simple.pdf", `, "end_page": 0`), "output").([]any)
	first, last := spans[0].(*pyval.Dict), spans[len(spans)-1].(*pyval.Dict)
	if got := pyval.Repr(first); !strings.HasPrefix(got, "{'text': 'Attention Is All You Need', 'font': 'Helvetica-Bold', 'size': 18.0, 'color': 0, 'bbox': {'x0': 72.0,") {
		t.Errorf("span 0 = %s", got)
	}
	if c, _ := last.Get("color"); c != int64(0xFF0000) {
		t.Errorf("red span = %s", pyval.Repr(last))
	}
	tables := nodetest.Output(t, "lib.pymupdf.ExtractTables", doc(t, "table.pdf", ""), "output").([]any)
	if len(tables) != 1 {
		t.Fatalf("tables = %s", pyval.Repr(tables))
	}
	tb := tables[0].(*pyval.Dict)
	for k, w := range map[string]string{"page": "0", "rows": "4", "columns": "3",
		"header":  "{'names': ['Name', 'Year', 'Score'], 'external': False}",
		"content": "[['Name', 'Year', 'Score'], ['BERT', '2018', '80.5'], ['ALBERT', '2019', '89.4'], ['T5', '2019', '90.3']]"} {
		if v, _ := tb.Get(k); pyval.Repr(v) != w {
			t.Errorf("table %s = %s, want %s", k, pyval.Repr(v), w)
		}
	}
	md := nodetest.Output(t, "lib.pymupdf.ExtractMarkdown", doc(t, "simple.pdf", ""), "output")
	wantMD := "# Attention Is All You Need\n\nThe dominant sequence transduction models are based on complex recurrent or convolutional neural networks (RNNs, CNNs). We propose a new simple network architecture, the Transformer.\n\nRed text: 100% café\n\nPage two begins here. Same line, far right.\n"
	if md != wantMD {
		t.Errorf("markdown = %q, want %q", md, wantMD)
	}
}

func TestPdfplumber(t *testing.T) {
	nodetest.RunCases(t, "lib.pdfplumber.", []nodetest.Case{
		{"GetPageCount", doc(t, "tenpages.pdf", ""), "10"},
		{"GetPageCount", doc(t, "objstm.pdf", ""), "2"},
		{"GetPageCount", doc(t, "brokenxref.pdf", ""), "2"},
		{"ExtractText", doc(t, "simple.pdf", ""), "'Attention Is All You Need\\nThe dominant sequence transduction models are based on complex\\nrecurrent or convolutional neural networks (RNNs, CNNs).\\nWe propose a new simple network architecture, the Transformer.\\nRed text: 100% café\\n\\nPage two begins here. Same line, far right.'"},
		// end_page is exclusive, as in NodeTool.
		{"ExtractText", doc(t, "simple.pdf", `, "start_page": 1, "end_page": 2`), "'Page two begins here. Same line, far right.'"},
		{"ExtractText", doc(t, "simple.pdf", `, "start_page": 7, "end_page": 1000000000000`), "''"},
		{"ExtractPageMetadata", doc(t, "simple.pdf", ""), "[{'page_number': 1, 'width': 612.0, 'height': 792.0, 'rotation': 0, 'bbox': [0.0, 0.0, 612.0, 792.0]}, {'page_number': 2, 'width': 612.0, 'height': 792.0, 'rotation': 0, 'bbox': [0.0, 0.0, 612.0, 792.0]}]"},
		{"ExtractTables", doc(t, "table.pdf", ""), "[{'type': 'dataframe', 'uri': '', 'asset_id': None, 'data': [['BERT', '2018', '80.5'], ['ALBERT', '2019', '89.4'], ['T5', '2019', '90.3']], 'metadata': None, 'columns': [{'name': 'Name', 'data_type': 'object', 'description': ''}, {'name': 'Year', 'data_type': 'object', 'description': ''}, {'name': 'Score', 'data_type': 'object', 'description': ''}]}]"},
	})
	imgs := nodetest.Output(t, "lib.pdfplumber.ExtractImages", doc(t, "image.pdf", ""), "output").([]any)
	if len(imgs) != 1 {
		t.Fatalf("images = %d", len(imgs))
	}
	im := imgs[0].(*pyval.Dict)
	data, _ := im.Get("data")
	meta, _ := im.Get("metadata")
	if b, ok := data.([]byte); !ok || !bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) || pyval.Repr(meta) != "{'width': 32, 'height': 16, 'filter': 'DCTDecode'}" {
		t.Errorf("image = %.100s", pyval.Repr(im))
	}
}

func TestDocumentErrors(t *testing.T) {
	nodetest.RunErrCases(t, "lib.pymupdf.", []nodetest.Case{
		{"ExtractText", doc(t, "encrypted.pdf", ""), "encrypted PDFs are not supported"},
		{"ExtractText", `{}`, "no document given"},
		{"ExtractText", `{"pdf": {"type": "document", "uri": "", "asset_id": "a1", "data": null}}`, "stored assets are not available here"},
		{"ExtractText", `{"pdf": {"type": "document", "uri": "https://example.com/x.pdf", "asset_id": null, "data": null}}`, "no egress client"},
		{"ExtractText", docBytes([]byte("hello, no pdf here"), ""), "not a PDF"},
		{"lib.pdfplumber.GetPageCount", `{}`, "no document given"},
	})
}

// bomb is a one-page PDF whose content stream inflates to n zero bytes.
func bomb(n int) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(make([]byte, n))
	w.Close()
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n")
	fmt.Fprintf(&b, "4 0 obj << /Length %d /Filter /FlateDecode >>\nstream\n", z.Len())
	b.Write(z.Bytes())
	b.WriteString("\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	return b.Bytes()
}

func TestBudgets(t *testing.T) {
	nodetest.RunBudgetCases(t, "lib.pymupdf.", []nodetest.BudgetCase{
		{"flate bomb", "ExtractText", docBytes(bomb(1<<20), ""), ""},
		{"small stream", "ExtractText", docBytes(bomb(1<<10), ""), "''"},
	})
}

func TestHostileStructure(t *testing.T) {
	cycle := "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Pages /Kids [2 0 R] /Parent 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	deep := "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /X " + strings.Repeat("[", 100000) + " >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	// /Length refers to the stream itself.
	selfLength := "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n4 0 obj << /Length 4 0 R >>\nstream\nBT /F1 12 Tf (ok) Tj ET\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	for _, c := range []struct{ name, src, want string }{
		{"cycle", cycle, "page tree has a cycle"},
		{"deep", deep, "nested deeper than 64 levels"},
	} {
		if e := nodetest.Error(t, "lib.pdfplumber.GetPageCount", docBytes([]byte(c.src), "")); !strings.Contains(e, c.want) {
			t.Errorf("%s: error %q, want %q", c.name, e, c.want)
		}
	}
	nodetest.RunCases(t, "lib.pdfplumber.", []nodetest.Case{
		{"ExtractText", docBytes([]byte(selfLength), ""), "'ok'"},
	})
}
