package pdf

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fuzzBudget bounds a fuzz input's work: 1 MiB values, a million steps.
type fuzzBudget struct{ ticks *int }

func (b fuzzBudget) Tick() error {
	*b.ticks++
	if *b.ticks > 1_000_000 {
		return errors.New("too many steps")
	}
	return nil
}
func (b fuzzBudget) MaxValue() int64 { return 1 << 20 }
func (b fuzzBudget) CheckSize(n int64) error {
	if n < 0 || n > 1<<20 {
		return errLimit
	}
	return nil
}

// FuzzOpen parses a file and extracts everything from every page: it
// must not panic, hang or allocate without bound.
func FuzzOpen(f *testing.F) {
	names, _ := filepath.Glob("testdata/*.pdf")
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil && len(b) < 16<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] >> endobj\n3 0 obj << /Type /Page /Contents 4 0 R >> endobj\n4 0 obj << /Length 5 0 R >> stream\nBT (x) Tj ET\nendstream endobj\n5 0 obj 12 endobj\ntrailer << /Root 1 0 R >>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ticks := 0
		d, err := Open(data, fuzzBudget{&ticks})
		if err != nil {
			return
		}
		d.Info()
		for _, p := range d.Pages() {
			chars, err := d.Chars(p)
			if err != nil {
				return
			}
			PageText(Layout(chars))
			PlumberText(chars)
			Tables(chars)
			d.Images(p)
		}
	})
}

// FuzzContent interprets a content stream with a simple font, a CID font
// with a ToUnicode map and a form XObject that draws itself.
func FuzzContent(f *testing.F) {
	f.Add([]byte("BT /F1 12 Tf 72 720 Td (Hello) Tj [(W) -300 (orld)] TJ T* (x) ' 1 2 (y) \" ET"))
	f.Add([]byte("q 1 0 0 1 5 5 cm BT /F2 10 Tf 0 0 Td <00010002> Tj ET Q /X1 Do BI /W 1 ID \x00\x01 EI"))
	f.Add([]byte("BT /F1 1e308 Tf 3 Tz 1 0 0 -1 0 0 Tm [[[((x))]]] TJ ET"))
	cmap := []byte("1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfrange <0001> <00FF> <0041> endbfrange 1 beginbfchar <0002> <D83DDE00> endbfchar")
	data := []byte("%PDF-1.4\n")
	f.Fuzz(func(t *testing.T, content []byte) {
		ticks := 0
		d := &Doc{data: data, budget: fuzzBudget{&ticks}, xref: map[int]xrefEntry{}, cache: map[int]Object{},
			busy: map[int]bool{}, objstm: map[int]*objStream{}, fonts: map[any]*font{}, warned: map[string]bool{}}
		form := &Stream{Dict: Dict{"Subtype": Name("Form")}, Raw: content}
		res := Dict{
			"Font": Dict{
				"F1": Dict{"Subtype": Name("Type1"), "BaseFont": Name("Helvetica"), "Encoding": Dict{"Differences": Array{int64(1), Name("fi"), Name("uni00E9")}}},
				"F2": Dict{"Subtype": Name("Type0"), "ToUnicode": &Stream{Dict: Dict{}, Raw: cmap}},
			},
			"XObject": Dict{"X1": form},
		}
		p := &Page{Dict: Dict{"Contents": &Stream{Dict: Dict{}, Raw: content}}, Resources: res, MediaBox: [4]float64{0, 0, 612, 792}}
		chars, err := d.Chars(p)
		if err != nil {
			return
		}
		PageText(Layout(chars))
		Tables(chars)
	})
}
