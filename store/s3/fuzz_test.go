package s3

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzContentRange: any header parses without panicking, and what parses
// is a range inside the object.
func FuzzContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-4/11", "bytes */11", "bytes 5-4/10", "bytes 0-9/10", "bytes -1-2/3", "bytes 0-18446744073709551615/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, end, size, ok := parseContentRange(s)
		if ok && (start < 0 || end < start || end >= size) {
			t.Errorf("parseContentRange(%q) = %d, %d, %d, ok: outside the object", s, start, end, size)
		}
	})
}

// FuzzCanonicalQuery: the canonical query of any query is stable (its own
// canonical form) and uses only unreserved characters, "%XX", "=" and "&".
func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "uploads", "prefix=a%20b&list-type=2", "%zz=%", "x=a+b&&=", "ሴ=bar"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c := canonicalQuery(raw)
		if again := canonicalQuery(c); again != c {
			t.Errorf("canonicalQuery(%q) = %q, whose own canonical form is %q", raw, c, again)
		}
		if strings.ContainsFunc(c, func(r rune) bool {
			return !(r < 128 && (r == '%' || r == '=' || r == '&' || r == '-' || r == '.' || r == '_' || r == '~' ||
				'0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'))
		}) {
			t.Errorf("canonicalQuery(%q) = %q holds a character that is not encoded", raw, c)
		}
		if _, err := url.ParseQuery(c); err != nil {
			t.Errorf("canonicalQuery(%q) = %q does not parse as a query: %v", raw, c, err)
		}
	})
}
