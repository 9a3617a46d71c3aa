package pystr

import (
	"fmt"
	"testing"
)

func TestPyStringHelpers(t *testing.T) {
	if got := Splitlines("a\rb\r\nc\x1cd\u2028e\n"); fmt.Sprint(got) != "[a b c d e]" {
		t.Errorf("pySplitlines = %s", fmt.Sprint(got))
	}
	for in, want := range map[string]string{"ΣΑΣ'Σ": "σασ'ς", "ΣΑΣ Σ": "σας σ", "AΣ.": "aς."} {
		if got := Lower(in); got != want {
			t.Errorf("pyLower(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Upper("ﬃ ǰ"); got != "FFI J\u030c" {
		t.Errorf("Upper(ﬃ ǰ) = %q", got)
	}
	if got := Lower("İ"); got != "i\u0307" {
		t.Errorf("pyLower(İ) = %q", got)
	}
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{" 42 ", 42, true}, {"-1_000", -1000, true}, {"+7", 7, true},
		{"1__0", 0, false}, {"_1", 0, false}, {"1.0", 0, false}, {"", 0, false}, {"--1", 0, false},
		{"99999999999999999999", 0, false},
	} {
		n, err := ParseInt(c.in)
		if (err == nil) != c.ok || n != c.want {
			t.Errorf("pyParseInt(%q) = %d, %v; want %d ok=%v", c.in, n, err, c.want, c.ok)
		}
	}
	if got := NFKD("Åﬁ²Ａ각"); got != "A\u030afi2A\u1100\u1161\u11a8" {
		t.Errorf("nfkd = %q", got)
	}
	if !Combining('\u0301') || Combining('e') || Combining('\u0e31') {
		t.Errorf("pyCombining: want true for U+0301, false for e and U+0E31 (combining class 0)")
	}
}
