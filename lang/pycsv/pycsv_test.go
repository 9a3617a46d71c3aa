package pycsv_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"nodetool/lang/pycsv"
)

func readAll(t *testing.T, text string, comma byte) [][]string {
	t.Helper()
	r := pycsv.NewReader(text, comma)
	var recs [][]string
	for {
		rec, err := r.Next(func() error { return nil })
		if err != nil {
			t.Fatalf("Next(%q): %v", text, err)
		}
		if rec == nil {
			return recs
		}
		recs = append(recs, rec)
	}
}

func TestReader(t *testing.T) {
	for _, c := range []struct {
		text string
		want [][]string
	}{
		{"a,b\n1,2\n", [][]string{{"a", "b"}, {"1", "2"}}},
		{"a,b\r\n\r\n\n1,\r2", [][]string{{"a", "b"}, {"1", ""}, {"2"}}},
		{`"x ""q"", y",z` + "\n", [][]string{{`x "q", y`, "z"}}},
		{`"ab"cd,e"f`, [][]string{{"abcd", `e"f`}}},
		{"\"multi\nline\",2\n3,", [][]string{{"multi\nline", "2"}, {"3", ""}}},
		{"", nil},
	} {
		if got := readAll(t, c.text, ','); !reflect.DeepEqual(got, c.want) {
			t.Errorf("read %q = %q, want %q", c.text, got, c.want)
		}
	}
	if got := readAll(t, "a;b,c\n", ';'); !reflect.DeepEqual(got, [][]string{{"a", "b,c"}}) {
		t.Errorf("semicolon-separated = %q", got)
	}
}

func TestReaderErrorsAndLines(t *testing.T) {
	r := pycsv.NewReader("a\n\n\"b\nc\"\nd\n\"open", ',')
	var lines []int
	for {
		lines = append(lines, r.Line())
		rec, err := r.Next(func() error { return nil })
		if err != nil {
			if !strings.Contains(err.Error(), "EOF inside string starting at line 6") {
				t.Errorf("error = %v", err)
			}
			break
		}
		if rec == nil {
			t.Fatal("no error for an unclosed quote")
		}
	}
	if !reflect.DeepEqual(lines, []int{1, 2, 5, 6}) {
		t.Errorf("lines = %v, want [1 2 5 6]", lines)
	}
	stop := errors.New("stop")
	n := 0
	_, err := pycsv.NewReader("a,b,c,d", ',').Next(func() error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Errorf("the field callback's error is not returned at once: %v after %d fields", err, n)
	}
}

func TestAppendField(t *testing.T) {
	for _, c := range []struct {
		s     string
		alone bool
		want  string
	}{
		{"plain", false, "plain"},
		{"a,b", false, `"a,b"`},
		{`say "hi"`, false, `"say ""hi"""`},
		{"l1\nl2", false, "\"l1\nl2\""},
		{"", false, ""},
		{"", true, `""`},
	} {
		var b strings.Builder
		pycsv.AppendField(&b, c.s, ',', c.alone)
		if b.String() != c.want {
			t.Errorf("AppendField(%q, %v) = %q, want %q", c.s, c.alone, b.String(), c.want)
		}
	}
}

// FuzzRoundTrip: a record written with AppendField reads back as itself,
// and reading arbitrary text never panics.
func FuzzRoundTrip(f *testing.F) {
	f.Add("a", "b,c", "\"q\"\n")
	f.Add("", "", "")
	f.Add("x\r", "\"", ",")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		for _, s := range []string{a, b, c} {
			r := pycsv.NewReader(s, ',')
			for i := 0; i <= len(s); i++ {
				if rec, err := r.Next(func() error { return nil }); rec == nil || err != nil {
					break
				}
			}
		}
		rec := []string{a, b, c}
		var w strings.Builder
		for i, s := range rec {
			if i > 0 {
				w.WriteByte(',')
			}
			pycsv.AppendField(&w, s, ',', false)
		}
		// A leading line break or an empty record would be skipped as a
		// blank line, and an unquoted \r ends the record: only compare
		// what the writer quoted or left unambiguous.
		if a == "" && b == "" && c == "" {
			return
		}
		got := readAll(t, w.String(), ',')
		if len(got) != 1 || !reflect.DeepEqual(got[0], rec) {
			t.Errorf("round trip of %q through %q = %q", rec, w.String(), got)
		}
	})
}
