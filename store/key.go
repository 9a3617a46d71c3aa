package store

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Errors returned by the store. Callers test them with errors.Is.
var (
	// ErrNotFound means the record or blob does not exist, or is a temp
	// blob that has expired.
	ErrNotFound = errors.New("store: not found")
	// ErrTooLarge means a blob was longer than the limit given to Put.
	// Nothing was stored.
	ErrTooLarge = errors.New("store: blob too large")
	// ErrInvalidKey means a blob key, record kind or record id was
	// rejected. The error is a *KeyError whose Reason is safe to show to a
	// client (it never echoes the key).
	ErrInvalidKey = errors.New("store: invalid key")
	// ErrConflict means a blob key needs a folder where an object is
	// stored, or an object where a folder is: with the file-backed
	// backend, "a" and "a/b" cannot both exist. Nothing was stored.
	ErrConflict = errors.New("store: key conflicts with an existing object")
)

// Limits on names.
const (
	MaxKeyLen     = 1024 // bytes in a blob key
	MaxSegmentLen = 255  // bytes in one "/"-separated segment of a blob key (NAME_MAX)
	MaxKindLen    = 32   // bytes in a record kind
	MaxIDLen      = 128  // bytes in a record id
)

// reservedPrefix starts segment names that the store keeps for its own
// files. No internal file lives in the key space today (in-flight files are
// in <dir>/tmp), but reserving the name now lets a later version keep
// sidecars next to blobs without breaking stored keys.
const reservedPrefix = ".nodetool"

// A KeyError reports why a blob key, record kind or record id was rejected.
// It matches ErrInvalidKey under errors.Is.
type KeyError struct {
	What   string // "key", "kind" or "id"
	Reason string // what is allowed, phrased for a client
}

func (e *KeyError) Error() string { return "store: invalid " + e.What + ": " + e.Reason }

// Is reports whether target is ErrInvalidKey.
func (e *KeyError) Is(target error) bool { return target == ErrInvalidKey }

// ValidateKey checks a blob key and returns it unchanged if it is valid.
// Keys are compared and stored byte for byte: the store never normalises a
// key, it rejects anything that is not already canonical.
//
// A valid key is at most 1024 bytes of UTF-8, made of "/"-separated
// segments, where each segment
//   - is not empty (no leading "/", no "a//b", no trailing "/"),
//   - is not ".",
//   - is at most 255 bytes,
//   - does not start with a drive letter and colon ("C:"),
//   - does not start with ".nodetool" in any letter case (reserved),
//
// and the key contains no ".." at all (not only as a segment: "a..b" is
// rejected too), no backslash and no control character (NUL, the rest of
// C0, DEL and C1).
//
// URL decoding is the HTTP layer's job: "%2e%2e" reaches ValidateKey as
// those six bytes and is accepted as a literal, harmless name. The error is
// a *KeyError (matching ErrInvalidKey) whose Reason names the broken rule.
func ValidateKey(key string) (string, error) {
	if reason := keyProblem(key); reason != "" {
		return "", &KeyError{What: "key", Reason: reason}
	}
	return key, nil
}

func keyProblem(key string) string {
	switch {
	case key == "":
		return "key must not be empty"
	case len(key) > MaxKeyLen:
		return "key must be at most 1024 bytes"
	case !utf8.ValidString(key):
		return "key must be valid UTF-8"
	case strings.HasPrefix(key, "/"):
		return "absolute paths are not allowed"
	case strings.Contains(key, ".."):
		return `path traversal is not allowed (no ".." anywhere in a key)`
	case strings.Contains(key, `\`):
		return "backslashes are not allowed"
	case strings.IndexFunc(key, unicode.IsControl) >= 0:
		return "control characters (including NUL) are not allowed"
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return "empty path segments are not allowed"
		case seg == ".":
			return `"." segments are not allowed`
		case len(seg) > MaxSegmentLen:
			return "path segments must be at most 255 bytes"
		case hasDrivePrefix(seg):
			return "drive letters (C:) are not allowed"
		case len(seg) >= len(reservedPrefix) && strings.EqualFold(seg[:len(reservedPrefix)], reservedPrefix):
			return `names starting with ".nodetool" are reserved`
		}
	}
	return ""
}

func hasDrivePrefix(seg string) bool {
	if len(seg) < 2 || seg[1] != ':' {
		return false
	}
	c := seg[0] | 0x20 // ASCII lower case
	return 'a' <= c && c <= 'z'
}

// validKind reports a problem with a record kind: [a-z0-9_]{1,32}.
func validKind(kind string) error {
	if kind == "" || len(kind) > MaxKindLen || strings.IndexFunc(kind, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_')
	}) >= 0 {
		return &KeyError{What: "kind", Reason: "kind must be 1 to 32 characters of a-z, 0-9 and _"}
	}
	return nil
}

// validID reports a problem with a record id: [A-Za-z0-9_.-]{1,128}, not
// starting with "." (which also rules out "." and "..").
func validID(id string) error {
	if id == "" || len(id) > MaxIDLen || id[0] == '.' || strings.IndexFunc(id, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '.' || r == '-')
	}) >= 0 {
		return &KeyError{What: "id", Reason: `id must be 1 to 128 characters of A-Z, a-z, 0-9, "_", "." and "-", not starting with "."`}
	}
	return nil
}

// ValidateID checks a record id ([A-Za-z0-9_.-], 1 to 128 characters, not
// starting with "."), so a server can refuse a bad id with a 400 before it
// tries to store anything. The error is a *KeyError.
func ValidateID(id string) error { return validID(id) }
