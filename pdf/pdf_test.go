package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// budget is a Budget with a byte limit and no deadline.
type budget struct{ max int64 }

var errLimit = errors.New("over the limit")

func (b budget) Tick() error     { return nil }
func (b budget) MaxValue() int64 { return b.max }
func (b budget) CheckSize(n int64) error {
	if n < 0 || n > b.max {
		return errLimit
	}
	return nil
}

func openTest(t testing.TB, name string) *Doc {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(data, budget{1 << 24})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}

func docText(t testing.TB, d *Doc) string {
	t.Helper()
	var pages []string
	for _, p := range d.Pages() {
		chars, err := d.Chars(p)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, PageText(Layout(chars)))
	}
	return strings.Join(pages, "\f")
}

// TestReferenceText compares the text of each reference PDF with what
// PyMuPDF (or, for cid.pdf, pdftotext) extracted from it (gen.py).
func TestReferenceText(t *testing.T) {
	for _, name := range []string{"simple.pdf", "objstm.pdf", "brokenxref.pdf", "ttf.pdf", "image.pdf", "tenpages.pdf", "cid.pdf", "table.pdf", "ghostscript.pdf", "type0.pdf"} {
		want, err := os.ReadFile(filepath.Join("testdata", strings.TrimSuffix(name, ".pdf")+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		got := docText(t, openTest(t, name))
		exact := name != "cid.pdf"
		if exact && got != string(want) {
			t.Errorf("%s: text\n%q\nwant\n%q", name, got, want)
		}
		if !exact && strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(string(want)), " ") {
			t.Errorf("%s: words\n%q\nwant\n%q", name, got, want)
		}
	}
}

func TestTablesAndPlumberText(t *testing.T) {
	d := openTest(t, "table.pdf")
	chars, err := d.Chars(d.Pages()[0])
	if err != nil {
		t.Fatal(err)
	}
	tables := Tables(chars)
	if len(tables) != 1 {
		t.Fatalf("tables = %+v, want 1", tables)
	}
	want := [][]string{{"Name", "Year", "Score"}, {"BERT", "2018", "80.5"}, {"ALBERT", "2019", "89.4"}, {"T5", "2019", "90.3"}}
	if fmt.Sprint(tables[0].Cells) != fmt.Sprint(want) {
		t.Errorf("cells = %q, want %q", tables[0].Cells, want)
	}
	d = openTest(t, "simple.pdf")
	chars, err = d.Chars(d.Pages()[1])
	if err != nil {
		t.Fatal(err)
	}
	if got := PlumberText(chars); got != "Page two begins here. Same line, far right." {
		t.Errorf("pdfplumber text = %q", got)
	}
	if tables := Tables(chars); len(tables) != 0 {
		t.Errorf("a single row is not a table: %+v", tables)
	}
}

func TestInfoImagesPages(t *testing.T) {
	d := openTest(t, "objstm.pdf")
	info := d.Info()
	if info["Title"] != "Attention Is All You Need" || info["Author"] != "Ashish Vaswani" {
		t.Errorf("info = %v", info)
	}
	if p := d.Pages()[0]; p.Width() != 612 || p.Height() != 792 {
		t.Errorf("page size %v", p.MediaBox)
	}
	if got := openTest(t, "cid.pdf").Info(); got["Producer"] != "go" || got["Title"] != "CID test" {
		t.Errorf("cid info = %v", got)
	}
	d = openTest(t, "image.pdf")
	imgs, err := d.Images(d.Pages()[0])
	if err != nil || len(imgs) != 1 {
		t.Fatalf("images = %v, %v", imgs, err)
	}
	if im := imgs[0]; im.Width != 32 || im.Height != 16 || im.Filter != "DCTDecode" || !bytes.HasPrefix(im.Data, []byte{0xFF, 0xD8}) {
		t.Errorf("image %dx%d %s % x", im.Width, im.Height, im.Filter, im.Data[:4])
	}
}

// TestShiftedOffsets reads a file whose table's offsets are all wrong
// (bytes inserted after the header, startxref fixed): objects are found
// by their headers.
func TestShiftedOffsets(t *testing.T) {
	data, err := os.ReadFile("testdata/simple.pdf")
	if err != nil {
		t.Fatal(err)
	}
	pad := []byte("% inserted comment\n")
	i := bytes.IndexByte(data, '\n') + 1
	shifted := append(append(append([]byte{}, data[:i]...), pad...), data[i:]...)
	j := bytes.LastIndex(shifted, []byte("startxref"))
	off, err := strconv.Atoi(strings.Fields(string(shifted[j+len("startxref"):]))[0])
	if err != nil {
		t.Fatal(err)
	}
	shifted = append(shifted[:j], fmt.Sprintf("startxref\n%d\n%%%%EOF\n", off+len(pad))...)
	d, err := Open(shifted, budget{1 << 24})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("testdata/simple.txt")
	if got := docText(t, d); got != string(want) {
		t.Errorf("text = %q", got)
	}
	if len(d.Warnings) != 0 {
		t.Errorf("warnings %q: the table was read, only its offsets were repaired", d.Warnings)
	}
}

// TestBuiltinEncoding reads a font whose dictionary names no encoding:
// its embedded Type1 program's clear-text encoding maps the codes (as
// TeX's math fonts need: code 58 is a period in cmmi).
func TestBuiltinEncoding(t *testing.T) {
	prog := "%!PS-AdobeFont-1.0: CMMI10\n/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\ndup 58 /period put\ndup 15 /bullet put\nreadonly def\ncurrentfile eexec\n\x80\x81binary"
	src := "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
		"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
		"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n" +
		"4 0 obj << /Length 31 >> stream\nBT /F1 10 Tf 10 100 Td (\\017:) Tj ET\nendstream endobj\n" +
		"5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+CMMI10 /FirstChar 15 /LastChar 58 /FontDescriptor 6 0 R >> endobj\n" +
		"6 0 obj << /Type /FontDescriptor /FontFile 7 0 R >> endobj\n" +
		fmt.Sprintf("7 0 obj << /Length %d /Length1 %d >> stream\n%s\nendstream endobj\n", len(prog), len(prog)-8, prog) +
		"trailer << /Root 1 0 R >>\n"
	d, err := Open([]byte(src), budget{1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if got := docText(t, d); got != "•.\n" {
		t.Errorf("text = %q, want the program's bullet and period", got)
	}
}
