package pdf

import (
	"cmp"
	"slices"
	"strings"
)

// PageText is a page's text as PyMuPDF's get_text() gives it: each line
// ended by a newline, blocks in content order.
func PageText(blocks []Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		b.WriteString(bl.Text())
	}
	return b.String()
}

// Row is the glyphs of one visual line, left to right.
type Row struct {
	Y     float64
	Chars []Char
}

// Rows groups glyphs by baseline (within tol points), top to bottom,
// each row sorted left to right: pdfplumber's reading of a page.
func Rows(chars []Char, tol float64) []Row {
	sorted := slices.Clone(chars)
	slices.SortStableFunc(sorted, func(a, b Char) int { return cmp.Compare(a.Y, b.Y) })
	var rows []Row
	for _, c := range sorted {
		if n := len(rows); n > 0 && c.Y-rows[n-1].Y <= tol {
			rows[n-1].Chars = append(rows[n-1].Chars, c)
			continue
		}
		rows = append(rows, Row{Y: c.Y, Chars: []Char{c}})
	}
	for i := range rows {
		slices.SortStableFunc(rows[i].Chars, func(a, b Char) int { return cmp.Compare(a.X, b.X) })
	}
	return rows
}

// rowText joins glyphs, with a space where the gap before one is over
// tol points (or a TJ displacement asked for one).
func rowText(chars []Char, tol float64) string {
	var b strings.Builder
	end := 0.0
	for i, c := range chars {
		if i > 0 && (c.X-end > tol || c.SpaceBefore) && !strings.HasSuffix(chars[i-1].Text, " ") && !strings.HasPrefix(c.Text, " ") {
			b.WriteByte(' ')
		}
		b.WriteString(c.Text)
		end = c.X + c.W
	}
	return b.String()
}

// PlumberText is a page's text as pdfplumber's extract_text(x_tolerance=2,
// y_tolerance=2) gives it: rows top to bottom joined by newlines.
func PlumberText(chars []Char) string {
	rows := Rows(chars, 2)
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = rowText(r.Chars, 2)
	}
	return strings.Join(lines, "\n")
}

// Table is a table found by text alignment.
type Table struct {
	X0, Y0, X1, Y1 float64
	// Cells holds the text of each row's cells; every row has the same
	// number of cells.
	Cells [][]string
}

type cell struct {
	x0, x1 float64
	chars  []Char
}

// cells splits a row where the gap between two glyphs that are not
// spaces is over 1.2 times the font size.
func cells(r Row) []cell {
	var out []cell
	end := 0.0
	for _, c := range r.Chars {
		if strings.TrimSpace(c.Text) == "" {
			continue
		}
		if len(out) == 0 || c.X-end > 1.2*max(c.Size, 1) {
			out = append(out, cell{x0: c.X})
		}
		cl := &out[len(out)-1]
		cl.chars = append(cl.chars, c)
		end = c.X + c.W
		cl.x1 = end
	}
	return out
}

// Tables finds tables by text alignment: runs of at least two
// consecutive rows, at most three font sizes apart, that split into the
// same number (two or more) of cells, each cell overlapping the column
// of the run's first row. It sees tables laid out as aligned text, ruled
// or not; it does not read ruling lines, nor merged cells.
func Tables(chars []Char) []Table {
	rows := Rows(chars, 2)
	var tables []Table
	var run [][]cell
	var runRows []Row
	flush := func() {
		if len(run) >= 2 {
			t := Table{X0: run[0][0].x0, Y0: runRows[0].Y, X1: run[0][len(run[0])-1].x1, Y1: runRows[len(runRows)-1].Y}
			for i, cs := range run {
				size := 0.0
				row := make([]string, len(cs))
				for j, c := range cs {
					row[j] = strings.TrimSpace(rowText(c.chars, 2))
					t.X0, t.X1 = min(t.X0, c.x0), max(t.X1, c.x1)
					for _, ch := range c.chars {
						size = max(size, ch.Size)
					}
				}
				t.Y0 = min(t.Y0, runRows[i].Y-0.8*size)
				t.Y1 = max(t.Y1, runRows[i].Y+0.2*size)
				t.Cells = append(t.Cells, row)
			}
			tables = append(tables, t)
		}
		run, runRows = nil, nil
	}
	for _, r := range rows {
		cs := cells(r)
		if len(cs) < 2 {
			flush()
			continue
		}
		if len(run) > 0 {
			first := run[0]
			prev := runRows[len(runRows)-1]
			size := max(r.Chars[0].Size, 1)
			aligned := len(cs) == len(first) && r.Y-prev.Y <= 3*size
			for j := 0; aligned && j < len(cs); j++ {
				aligned = cs[j].x0 <= first[j].x1+size && cs[j].x1 >= first[j].x0-size
			}
			if !aligned {
				flush()
			}
		}
		run = append(run, cs)
		runRows = append(runRows, r)
	}
	flush()
	return tables
}
