package data

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"nodetool/lang/pycsv"
	"nodetool/lang/pyval"
)

// naValues are the texts pandas' read_csv reads as missing (STR_NA_VALUES).
var naValues = map[string]bool{
	"": true, "#N/A": true, "#N/A N/A": true, "#NA": true, "-1.#IND": true, "-1.#QNAN": true,
	"-NaN": true, "-nan": true, "1.#IND": true, "1.#QNAN": true, "<NA>": true, "N/A": true,
	"NA": true, "NULL": true, "NaN": true, "None": true, "n/a": true, "nan": true, "null": true,
}

// csvFieldCost is what a parsed field costs beyond its text: its share of
// the record's slice and its string header.
const csvFieldCost = 16 + 16

// parseCSV reads CSV text as pandas' read_csv does with its defaults: the
// first line names the columns (duplicates become a, a.1, a.2; an empty
// name "Unnamed: i"); blank lines are skipped; a row with fewer fields is
// padded with missing cells, one with more is an error; each column gets
// the type read_csv infers: int64 when every cell is an integer, float64
// when every cell is a number or missing, bool when every cell is
// True/False (any case pandas accepts), else the texts themselves, the NA
// texts (NaN, NA, null, None, empty...) being missing. Parsing counts what
// it builds against the budget and polls it on every record.
func parseCSV(bud pyval.Budget, text string, comma byte) (*frame, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	// The text is already in memory; each field adds a string header and
	// a share of its record's slice, and each cell its frame slot.
	var size int64
	cost := func(n int64) error {
		size += n
		if size > bud.MaxValue() {
			return bud.CheckSize(size)
		}
		return nil
	}
	r := pycsv.NewReader(text, comma)
	header, err := r.Next(func() error { return cost(csvFieldCost + 16) })
	if err != nil {
		return nil, err
	}
	if header == nil {
		return nil, errors.New("no columns to parse: the CSV text is empty")
	}
	nc := len(header)
	names := headerNames(header)
	var records [][]string
	for {
		if err := bud.Tick(); err != nil {
			return nil, err
		}
		line := r.Line()
		rec, err := r.Next(func() error { return cost(csvFieldCost + cellCost) })
		if err != nil {
			return nil, err
		}
		if rec == nil {
			break
		}
		if len(rec) > nc {
			return nil, fmt.Errorf("error tokenizing data: expected %d fields in line %d, saw %d", nc, line, len(rec))
		}
		if err := cost(int64(nc-len(rec))*cellCost + rowCost); err != nil {
			return nil, err
		}
		records = append(records, rec)
	}
	f := &frame{cols: make([]*column, nc), rows: len(records)}
	for j := range nc {
		if err := bud.Check(); err != nil {
			return nil, err
		}
		f.cols[j] = csvColumn(names[j], records, j)
	}
	return f, nil
}

// headerNames applies read_csv's renaming of empty and duplicate names.
func headerNames(header []string) []string {
	names := make([]string, len(header))
	used := map[string]bool{}
	counts := map[string]int{}
	for i, h := range header {
		if h == "" {
			h = "Unnamed: " + strconv.Itoa(i)
		}
		name := h
		for used[name] {
			counts[h]++
			name = h + "." + strconv.Itoa(counts[h])
		}
		used[name] = true
		names[i] = name
	}
	return names
}

// csvColumn infers column j's type from its texts.
func csvColumn(name string, records [][]string, j int) *column {
	n := len(records)
	cell := func(i int) (string, bool) {
		if j >= len(records[i]) {
			return "", true
		}
		s := records[i][j]
		return s, naValues[s]
	}
	isInt, isFloat, isBool, missing := n > 0, n > 0, n > 0, 0
	for i := range n {
		s, na := cell(i)
		if na {
			missing++
			isInt, isBool = false, false
			continue
		}
		if isInt {
			if _, ok := csvInt(s); !ok {
				isInt = false
			}
		}
		if isFloat && !isInt {
			if _, ok := csvFloat(s); !ok {
				isFloat = false
			}
		}
		if isBool {
			if _, ok := csvBool(s); !ok {
				isBool = false
			}
		}
		if !isInt && !isFloat && !isBool {
			break
		}
	}
	c := &column{name: name}
	switch {
	case n > 0 && missing == n:
		// A column of nothing but missing cells is float64, all NaN.
		c.kind, c.flts = kindFloat, make([]float64, n)
		for i := range c.flts {
			c.flts[i] = math.NaN()
		}
	case isInt:
		c.kind, c.ints = kindInt, make([]int64, n)
		for i := range n {
			s, _ := cell(i)
			c.ints[i], _ = csvInt(s)
		}
	case isFloat:
		c.kind, c.flts = kindFloat, make([]float64, n)
		for i := range n {
			s, na := cell(i)
			if na {
				c.flts[i] = math.NaN()
			} else {
				c.flts[i], _ = csvFloat(s)
			}
		}
	case isBool:
		c.kind, c.bools = kindBool, make([]bool, n)
		for i := range n {
			s, _ := cell(i)
			c.bools[i], _ = csvBool(s)
		}
	default:
		c.objs = make([]any, n)
		// A column of booleans with missing cells holds True and False.
		bools := true
		for i := range n {
			if s, na := cell(i); !na {
				if _, ok := csvBool(s); !ok {
					bools = false
					break
				}
			}
		}
		for i := range n {
			s, na := cell(i)
			switch {
			case na:
			case bools:
				c.objs[i], _ = csvBool(s)
			default:
				c.objs[i] = s
			}
		}
	}
	return c
}

// trimNum drops the ASCII spaces read_csv's number parsers skip.
func trimNum(s string) string { return strings.Trim(s, " \t") }

// csvInt parses an integer as read_csv does: an optional sign and decimal
// digits, spaces around.
func csvInt(s string) (int64, bool) {
	s = trimNum(s)
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 || digits == "" {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// csvFloat parses a decimal number (digits with an optional point and
// exponent, or inf/infinity), spaces around.
func csvFloat(s string) (float64, bool) {
	s = trimNum(s)
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		if s[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	digits, i := 0, 0
	for i < len(body) && body[i] >= '0' && body[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(body) && body[i] == '.' {
		i++
		for i < len(body) && body[i] >= '0' && body[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(body) && (body[i] == 'e' || body[i] == 'E') {
		i++
		if i < len(body) && (body[i] == '+' || body[i] == '-') {
			i++
		}
		exp := 0
		for i < len(body) && body[i] >= '0' && body[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return 0, false
		}
	}
	if i != len(body) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return v, true
}

func csvBool(s string) (bool, bool) {
	switch s {
	case "True", "TRUE", "true":
		return true, true
	case "False", "FALSE", "false":
		return false, true
	}
	return false, false
}

// writeCSV writes the frame as df.to_csv(index=False): a header line,
// then a line per row ending in \n; missing cells are empty, floats as
// Python's repr, booleans True/False, other objects as str(); fields
// holding a comma, a quote or a line break are quoted (csv.QUOTE_MINIMAL),
// and an empty field alone on its line is written "".
func writeCSV(bud pyval.Budget, f *frame) (string, error) {
	var b strings.Builder
	limit := bud.MaxValue()
	field := func(s string, j int) error {
		if j > 0 {
			b.WriteByte(',')
		}
		pycsv.AppendField(&b, s, ',', len(f.cols) == 1)
		if int64(b.Len()) > limit {
			return bud.CheckSize(int64(b.Len()))
		}
		return nil
	}
	for j, c := range f.cols {
		if err := field(c.name, j); err != nil {
			return "", err
		}
	}
	if len(f.cols) > 0 {
		b.WriteByte('\n')
	}
	for i := range f.rows {
		if err := bud.Tick(); err != nil {
			return "", err
		}
		for j, c := range f.cols {
			s, err := cellText(bud, c, i)
			if err != nil {
				return "", err
			}
			if err := field(s, j); err != nil {
				return "", err
			}
		}
		b.WriteByte('\n')
	}
	if err := bud.CheckSize(int64(b.Len())); err != nil {
		return "", err
	}
	return b.String(), nil
}

// cellText is a cell as to_csv writes it.
func cellText(bud pyval.Budget, c *column, i int) (string, error) {
	switch c.kind {
	case kindInt:
		return strconv.FormatInt(c.ints[i], 10), nil
	case kindFloat:
		if math.IsNaN(c.flts[i]) {
			return "", nil
		}
		return pyval.FormatFloat(c.flts[i]), nil
	case kindBool:
		if c.bools[i] {
			return "True", nil
		}
		return "False", nil
	}
	switch v := c.objs[i].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case float64:
		if math.IsNaN(v) {
			return "", nil
		}
	}
	s, ok := pyval.StrLimit(c.objs[i], int(min(bud.MaxValue(), math.MaxInt32)))
	if !ok {
		return "", bud.CheckSize(-1)
	}
	return s, nil
}
