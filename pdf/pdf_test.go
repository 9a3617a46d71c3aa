package pdf

import (
	"errors"
	"os"
	"path/filepath"
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

func open(t testing.TB, name string) *Doc {
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
	for _, name := range []string{"simple.pdf", "objstm.pdf", "brokenxref.pdf", "ttf.pdf", "image.pdf", "tenpages.pdf", "cid.pdf", "table.pdf"} {
		want, err := os.ReadFile(filepath.Join("testdata", strings.TrimSuffix(name, ".pdf")+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		got := docText(t, open(t, name))
		exact := name != "cid.pdf"
		if exact && got != string(want) {
			t.Errorf("%s: text\n%q\nwant\n%q", name, got, want)
		}
		if !exact && strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(string(want)), " ") {
			t.Errorf("%s: words\n%q\nwant\n%q", name, got, want)
		}
	}
}
