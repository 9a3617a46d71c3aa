package bounded

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := pyval.Decode([]byte(s))
	if err != nil {
		t.Fatalf("bad JSON literal %q: %v", s, err)
	}
	return v
}

func TestTextSizeHelpers(t *testing.T) {
	if AddSize(1, 2) != 3 || AddSize(-1, 2) != -1 || AddSize(maxSize, 1) != -1 {
		t.Error("addSize")
	}
	if MulSize(3, 4) != 12 || MulSize(-1, 4) != -1 || MulSize(1<<62, 4) != -1 || MulSize(0, maxSize) != 0 {
		t.Error("mulSize")
	}
	if got := pystr.Clip("héllo", 2); got != "h..." {
		t.Errorf("Clip = %q", got)
	}
	if got := pystr.ClipQuote(strings.Repeat("x", 1000)); len(got) > 100 {
		t.Errorf("ClipQuote gave %d bytes", len(got))
	}
}

func TestSizeWalkersMatchTheWriters(t *testing.T) {
	values := []any{
		nil, true, false, int64(-12345), 0.1, 1e22, math.Copysign(0, -1), "plain", "quo\"te\\ back\nline\ttab\x01\x7f", "é ☃ 😀", "bad \xff byte",
		"it's", `"both' quotes"`, []any{}, mustDecode(t, `{}`), []byte{0, 10, 200},
		mustDecode(t, `{"a": [1, 2.5, {"b": null, "c": [true, "x"]}], "é": {"d": []}}`),
		[]any{mustDecode(t, `[[[]]]`), "\u2028\u0085"},
	}
	for _, v := range values {
		for _, o := range []pyval.DumpOptions{{Indent: -1}, {Indent: -1, EnsureASCII: true}, {Indent: 0}, {Indent: 3, EnsureASCII: true}} {
			n, err := jsonSize(nil, v, o, 1<<20)
			if want := int64(len(pyval.Dumps(v, o))); err != nil || n != want {
				t.Errorf("jsonSize(%s, %+v) = %d, %v; want %d", pyval.Repr(v), o, n, err, want)
			}
		}
		if n, _ := reprSize(nil, v, 1<<20); n != int64(len(pyval.Repr(v))) {
			t.Errorf("reprSize(%s) = %d, want %d", pyval.Repr(v), n, len(pyval.Repr(v)))
		}
		if n, _ := marshalSize(nil, v, 1<<20); n < int64(len(JSONText(v))) {
			t.Errorf("marshalSize(%s) = %d, under the true %d", pyval.Repr(v), n, len(JSONText(v)))
		}
	}
	// The walk stops past its limit, so a huge value costs the limit.
	big := any("x")
	for range 64 {
		big = []any{big, big}
	}
	if n, _ := jsonSize(nil, big, pyval.DumpOptions{Indent: 2}, 1000); n != 1001 {
		t.Errorf("jsonSize of a 2^64-leaf value = %d, want the limit plus one", n)
	}
	if n, _ := jsonSize(nil, []any{int64(1)}, pyval.DumpOptions{Indent: 1 << 40}, 1<<20); n <= 1<<20 {
		t.Errorf("jsonSize with a huge indent = %d, want over the limit", n)
	}
}

func TestDecodeJSONBoundedMatchesDecode(t *testing.T) {
	docs := []string{`{"a": [1, 2.5, -3e2, "x", true, null, {}], "b": {"c": []}}`, `[]`, `"s"`, `12345678901234567890`, `[1, 2`, `{"a" 1}`, `1 2`, ``}
	for _, d := range docs {
		want, werr := pyval.Decode([]byte(d))
		got, gerr := DecodeJSON(nil, []byte(d))
		if fmt.Sprint(werr) != fmt.Sprint(gerr) || !pyval.Equal(got, want) {
			t.Errorf("DecodeJSON(%q) = %s, %v; want %s, %v", d, pyval.Repr(got), gerr, pyval.Repr(want), werr)
		}
	}
	deep := strings.Repeat("[", pyval.MaxDepth+1) + strings.Repeat("]", pyval.MaxDepth+1)
	if _, err := DecodeJSON(nil, []byte(deep)); err == nil || !strings.Contains(err.Error(), "nesting deeper") {
		t.Errorf("DecodeJSON(too deep) error %v", err)
	}
	// Three bytes of text, several times that of dict: 22 million of them
	// do not fit a 64 MiB budget.
	bomb := "[" + strings.Repeat("{},", 22_000_000) + "{}]"
	if _, err := DecodeJSON(nil, []byte(bomb)); err == nil || !strings.Contains(err.Error(), "max-value") {
		t.Errorf("DecodeJSON(22 million empty dicts) error %v, want the max-value budget", err)
	}
}
