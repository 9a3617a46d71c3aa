package pdf

import (
	"os"
	"testing"
)

// BenchmarkExtractTenPages opens a 10-page text PDF (450 lines) and
// extracts its text as lib.pymupdf.ExtractText does.
func BenchmarkExtractTenPages(b *testing.B) {
	data, err := os.ReadFile("testdata/tenpages.pdf")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := Open(data, budget{1 << 24})
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range d.Pages() {
			chars, err := d.Chars(p)
			if err != nil {
				b.Fatal(err)
			}
			PageText(Layout(chars))
		}
	}
}
