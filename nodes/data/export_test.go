package data

import (
	"fmt"
	"strings"

	"nodetool/lang/pyval"
)

// Names the external tests use.

// ParseCSV parses CSV text with no budget and renders the frame
// ("name:data_type ... | row row").
func ParseCSV(text string) (string, error) {
	f, err := parseCSV(pyval.Unlimited, text, ',')
	if err != nil {
		return "", err
	}
	return renderFrame(f), nil
}

// CSVRoundTrip parses text, writes the frame as CSV and parses that again,
// returning both renders.
func CSVRoundTrip(text string) (first, second string, err error) {
	f, err := parseCSV(pyval.Unlimited, text, ',')
	if err != nil {
		return "", "", err
	}
	out, err := writeCSV(pyval.Unlimited, f)
	if err != nil {
		return "", "", err
	}
	g, err := parseCSV(pyval.Unlimited, out, ',')
	if err != nil {
		return renderFrame(f), "", fmt.Errorf("reading back %q: %w", out, err)
	}
	return renderFrame(f), renderFrame(g), nil
}

// Query parses cond and evaluates it on the frame written by the CSV text,
// returning the rows it keeps.
func Query(csvText, cond string) ([]int, error) {
	f, err := parseCSV(pyval.Unlimited, csvText, ',')
	if err != nil {
		return nil, err
	}
	q, err := parseQuery(pyval.Unlimited, cond)
	if err != nil {
		return nil, err
	}
	m, err := q.mask(pyval.Unlimited, f)
	if err != nil {
		return nil, err
	}
	if len(m) != f.rows {
		return nil, fmt.Errorf("mask of %d rows for a frame of %d", len(m), f.rows)
	}
	return rowsWhere(m), nil
}

func renderFrame(f *frame) string {
	var parts []string
	for _, c := range f.cols {
		if c.len() != f.rows {
			parts = append(parts, fmt.Sprintf("BAD LENGTH %d", c.len()))
		}
		parts = append(parts, c.name+":"+c.dataType())
	}
	s := strings.Join(parts, " ") + " |"
	for i := range f.rows {
		row := make([]any, len(f.cols))
		for j, c := range f.cols {
			row[j] = c.at(i)
		}
		s += " " + pyval.Repr(row)
	}
	return s
}
