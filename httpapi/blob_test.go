package httpapi

import (
	"strings"
	"testing"
)

func TestContentType(t *testing.T) {
	cases := []struct{ name, want string }{
		{"a.png", "image/png"}, {"dir/a.JPG", "image/jpeg"}, {"a.mp3", "audio/mpeg"}, {"a.ogg", "audio/ogg"},
		{"a.txt", "text/plain; charset=utf-8"}, {"a", "application/octet-stream"}, {"a.exe", "application/octet-stream"},
		{"a.png/", "application/octet-stream"}, {".json", "application/json"},
	}
	for _, c := range cases {
		if got := ContentType(c.name); got != c.want {
			t.Errorf("ContentType(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestExtension(t *testing.T) {
	cases := []struct{ mediaType, want string }{
		{"image/jpeg", "jpg"}, {"image/png", "png"}, {"audio/mpeg", "mp3"}, {"video/mp4", "mp4"},
		{"text/plain", "txt"}, {"text/plain; charset=utf-8", "txt"}, {"application/json", "json"},
		{"application/pdf", "pdf"}, {"IMAGE/PNG", "png"}, {" image/png ", "png"}, {"audio/mp3", "mp3"},
		{"image/jpg", "jpg"}, {"audio/x-wav", "wav"}, {"folder", "bin"}, {"", "bin"}, {"x/unknown", "bin"},
	}
	for _, c := range cases {
		if got := Extension(c.mediaType); got != c.want {
			t.Errorf("Extension(%q) = %q, want %q", c.mediaType, got, c.want)
		}
	}
}

// TestExtensionRoundTrip: every media type of the table maps to one
// extension that maps back to it, so asset keys are stable.
func TestExtensionRoundTrip(t *testing.T) {
	exts := map[string][]string{}
	for ext, mt := range mediaTypes {
		mt, _, _ = strings.Cut(mt, ";")
		exts[mt] = append(exts[mt], ext)
	}
	for mt, list := range exts {
		if len(list) > 1 {
			if _, ok := preferredExt[mt]; !ok {
				t.Errorf("%s has extensions %v but none is preferred", mt, list)
			}
		}
		ext := Extension(mt)
		if back, _, _ := strings.Cut(ContentType("x."+ext), ";"); back != mt {
			t.Errorf("Extension(%q) = %q, whose type is %q", mt, ext, back)
		}
	}
	for mt, ext := range preferredExt {
		if _, ok := mediaTypes[ext]; !ok {
			t.Errorf("preferredExt[%q] = %q, not in the table", mt, ext)
		}
	}
}

func TestByteSize(t *testing.T) {
	cases := []struct {
		n    int64
		want string
	}{{1000, "1000 bytes"}, {2 << 30, "2 GiB"}, {20 << 20, "20 MiB"}, {1<<20 + 1, "1048577 bytes"}}
	for _, c := range cases {
		if got := ByteSize(c.n); got != c.want {
			t.Errorf("ByteSize(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestQuote(t *testing.T) {
	if got := Quote("a\xffb"); got != `"a?b"` {
		t.Errorf("Quote = %s", got)
	}
	if got := Quote(strings.Repeat("x", 100)); got != `"`+strings.Repeat("x", 64)+`…"` {
		t.Errorf("Quote(long) = %s", got)
	}
}
