package store

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

// keyCorpus is the traversal and oddity corpus: each key with "" if it is
// valid, else a substring of the reason it is rejected.
var keyCorpus = []struct {
	key  string
	want string
}{
	{"a", ""},
	{"a/b/c.txt", ""},
	{"123_thumb.jpg", ""},
	{"dir.with.dots/file", ""},
	{".a/b.", ""},
	{"%2e%2e", ""},        // URL decoding is the HTTP layer's job: a literal name here
	{"%2e%2e/%2fetc", ""}, // same
	{"ab:y", ""},          // a colon after the second character is no drive prefix
	{"1:/x", ""},          // a digit is no drive letter
	{"ü/日本語.txt", ""},     // UTF-8 names
	{".hidden", ""},       // dot files are allowed, only .nodetool* is reserved
	{"a/.nodetoo", ""},    // not the reserved prefix
	{strings.Repeat("k", 255), ""},
	{strings.Repeat("a/", 511) + "bc", ""}, // 1024 bytes

	{"", "key must not be empty"},
	{strings.Repeat("a/", 511) + "bcd", "at most 1024 bytes"},
	{strings.Repeat("k", 1025), "at most 1024 bytes"},
	{strings.Repeat("k", 256), "segments must be at most 255 bytes"},
	{"..", "path traversal"},
	{"../x", "path traversal"},
	{"a/../b", "path traversal"},
	{"a/..", "path traversal"},
	{".", `"." segments`},
	{"./a", `"." segments`},
	{"a/./b", `"." segments`},
	{"/", "absolute paths"},
	{"/etc/passwd", "absolute paths"},
	{"//x", "absolute paths"},
	{"a//b", "empty path segments"},
	{"a/", "empty path segments"},
	{`a\b`, "backslashes"},
	{`..\x`, "path traversal"},
	{"..a", "path traversal"},
	{"a..", "path traversal"},
	{"a/...", "path traversal"},
	{"file..txt", "path traversal"},
	{`\windows\x`, "backslashes"},
	{"C:", "drive letters"},
	{"C:x", "drive letters"},
	{"c:/x", "drive letters"},
	{"a/D:b", "drive letters"},
	{"a\x00b", "control characters"},
	{"\x00", "control characters"},
	{"a\nb", "control characters"},
	{"a\rb", "control characters"},
	{"a\tb", "control characters"},
	{"a\x1bb", "control characters"},
	{"a\x7fb", "control characters"},
	{"a\u0085b", "control characters"},
	{"a\xffb", "valid UTF-8"},
	{"a\xc0\xafb", "valid UTF-8"}, // overlong "/"
	{".nodetool", "reserved"},
	{".nodetool-tmp-123", "reserved"},
	{"a/.NodeTool.x", "reserved"},
}

func TestValidateKey(t *testing.T) {
	for _, tc := range keyCorpus {
		got, err := ValidateKey(tc.key)
		if tc.want == "" {
			if err != nil || got != tc.key {
				t.Errorf("ValidateKey(%q) = %q, %v, want %q, nil", tc.key, got, err, tc.key)
			}
			continue
		}
		var ke *KeyError
		if !errors.Is(err, ErrInvalidKey) || !errors.As(err, &ke) || !strings.Contains(ke.Reason, tc.want) || got != "" {
			t.Errorf("ValidateKey(%q) = %q, %v, want ErrInvalidKey saying %q", tc.key, got, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), tc.key) && len(tc.key) > 9 {
			t.Errorf("ValidateKey(%q) error %q echoes the key", tc.key, err)
		}
	}
}

// TestKeysRejectedEverywhere checks that every blob method refuses invalid
// keys before touching the disk.
func TestKeysRejectedEverywhere(t *testing.T) {
	db := openDB(t, dataDir(t), Options{})
	b := bucket(t, db, "assets")
	for _, tc := range keyCorpus {
		if tc.want == "" {
			continue
		}
		if _, err := b.Put(t.Context(), tc.key, strings.NewReader("x"), -1); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", tc.key, err)
		}
		if _, _, err := b.Open(tc.key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Open(%q) = %v, want ErrInvalidKey", tc.key, err)
		}
		if _, err := b.Stat(tc.key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Stat(%q) = %v, want ErrInvalidKey", tc.key, err)
		}
		if err := b.Delete(tc.key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", tc.key, err)
		}
	}
	if list, _ := b.List(""); len(list) != 0 {
		t.Errorf("List after rejected puts = %v, want empty", list)
	}
}

func FuzzValidateKey(f *testing.F) {
	for _, tc := range keyCorpus {
		f.Add(tc.key)
	}
	f.Fuzz(func(t *testing.T, key string) {
		got, err := ValidateKey(key)
		if err != nil {
			if !errors.Is(err, ErrInvalidKey) || got != "" {
				t.Fatalf("ValidateKey(%q) = %q, %v, want \"\", ErrInvalidKey", key, got, err)
			}
			return
		}
		if got != key {
			t.Fatalf("ValidateKey(%q) = %q, want the key unchanged", key, got)
		}
		switch {
		case strings.Contains(got, ".."):
			t.Fatalf("ValidateKey(%q) accepted a key containing ..", key)
		case strings.Contains(got, `\`), strings.Contains(got, "\x00"), strings.HasPrefix(got, "/"):
			t.Fatalf("ValidateKey(%q) accepted a backslash, NUL or leading /", key)
		case strings.IndexFunc(got, unicode.IsControl) >= 0, len(got) > MaxKeyLen, got == "":
			t.Fatalf("ValidateKey(%q) accepted a control character, an empty or overlong key", key)
		}
		for seg := range strings.SplitSeq(got, "/") {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("ValidateKey(%q) accepted segment %q", key, seg)
			}
		}
		if again, err := ValidateKey(got); err != nil || again != got {
			t.Fatalf("ValidateKey(%q) = %q, %v, want idempotent", got, again, err)
		}
	})
}
