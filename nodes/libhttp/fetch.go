package libhttp

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"

	"nodetool/egress"
	"nodetool/engine"
	"nodetool/lang/pyval"
)

// What node code that fetches URLs shares (lib.rss, agents' web tools and
// media downloads use it too): requests through the egress client within
// the node's deadline and max-value budget, errors a user can act on, and
// text decoded by the response's charset.

// Fetch sends r through c within the node's deadline and reads the body
// within its max-value budget. A 4xx or 5xx answer is an error, as it is
// in NodeTool (which raises for the status); so is a refusal of the egress
// policy, naming the host and the flag that would allow it. A body over
// max-value fails with the engine's max-value error.
func Fetch(ctx *engine.Ctx, c *egress.Client, r egress.Request) (*egress.Response, error) {
	resp, err := c.Fetch(ctx, r, ctx.MaxValue())
	if err != nil {
		return nil, NodeError(ctx, err)
	}
	if err := resp.Err(method(r)); err != nil {
		return nil, err
	}
	return resp, nil
}

// NodeError turns an error of the egress client into the node's: a body
// over the bound becomes the max-value error; others pass as they are.
func NodeError(ctx *engine.Ctx, err error) error {
	var tl *egress.TooLargeError
	if errors.As(err, &tl) {
		return ctx.LimitError(engine.LimitValue, fmt.Sprintf("the response of %s is over the %s limit of %s", tl.URL, engine.LimitValue, engine.FormatBytes(tl.Limit)))
	}
	return err
}

func method(r egress.Request) string {
	if r.Method == "" {
		return "GET"
	}
	return strings.ToUpper(r.Method)
}

// Text decodes a response body by the charset of its Content-Type
// (UTF-8 when it names none, as NodeTool does): UTF-8, UTF-16 (with a
// byte order mark, or -le/-be), ISO-8859-1, Windows-1252 and US-ASCII.
// Another charset is read as UTF-8, with a warning logged to the run.
// Invalid UTF-8 becomes U+FFFD (NodeTool fails on it). The text is sized
// against max-value before it is built.
func Text(ctx *engine.Ctx, resp *egress.Response) (string, error) {
	cs := Charset(resp.Header.Get("Content-Type"))
	s, ok, err := decode(ctx, resp.Body, cs)
	if !ok {
		ctx.Log("warning", fmt.Sprintf("%s: charset %q is not supported; read as UTF-8", resp.URL, clip(cs, 40)))
	}
	return s, err
}

// Charset is the charset parameter of a Content-Type, lower case ("" when
// it names none).
func Charset(contentType string) string {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(params["charset"]))
}

// decode converts body from charset cs to UTF-8; ok is false for a
// charset it does not know (read as UTF-8).
func decode(ctx *engine.Ctx, body []byte, cs string) (string, bool, error) {
	switch cs {
	case "iso-8859-1", "latin1", "latin-1", "l1", "iso8859-1", "iso_8859-1", "us-ascii", "ascii":
		return singleByte(ctx, body, nil)
	case "windows-1252", "cp1252":
		return singleByte(ctx, body, &cp1252)
	case "utf-16", "utf-16le", "utf-16be":
		return utf16Text(ctx, body, cs)
	case "", "utf-8", "utf8":
		s, err := utf8Text(ctx, body)
		return s, true, err
	}
	s, err := utf8Text(ctx, body)
	return s, false, err
}

func utf8Text(ctx *engine.Ctx, body []byte) (string, error) {
	if utf8.Valid(body) {
		return string(body), nil
	}
	// Each invalid byte becomes 3 bytes of U+FFFD at worst.
	if err := ctx.CheckSize(int64(len(body)) * 3); err != nil {
		return "", err
	}
	return strings.ToValidUTF8(string(body), "\uFFFD"), nil
}

// cp1252 maps bytes 0x80-0x9F of Windows-1252 (0: undefined, kept as the
// Latin-1 control character).
var cp1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

func singleByte(ctx *engine.Ctx, body []byte, high *[32]rune) (string, bool, error) {
	r := func(b byte) rune {
		if high != nil && b >= 0x80 && b < 0xA0 && high[b-0x80] != 0 {
			return high[b-0x80]
		}
		return rune(b)
	}
	var n int64
	for _, b := range body {
		n += int64(utf8.RuneLen(r(b)))
	}
	if err := ctx.CheckSize(n); err != nil {
		return "", true, err
	}
	var sb strings.Builder
	sb.Grow(int(n))
	for _, b := range body {
		sb.WriteRune(r(b))
	}
	return sb.String(), true, nil
}

func utf16Text(ctx *engine.Ctx, body []byte, cs string) (string, bool, error) {
	big := cs == "utf-16be"
	if len(body) >= 2 && cs == "utf-16" {
		switch {
		case body[0] == 0xFE && body[1] == 0xFF:
			big, body = true, body[2:]
		case body[0] == 0xFF && body[1] == 0xFE:
			body = body[2:]
		}
	}
	// Two bytes become at most three.
	if err := ctx.CheckSize(int64(len(body)) * 3 / 2); err != nil {
		return "", true, err
	}
	units := make([]uint16, len(body)/2)
	for i := range units {
		if big {
			units[i] = uint16(body[2*i])<<8 | uint16(body[2*i+1])
		} else {
			units[i] = uint16(body[2*i+1])<<8 | uint16(body[2*i])
		}
	}
	return string(utf16.Decode(units)), true, nil
}

// URLJoin resolves ref against base as Python's urllib.parse.urljoin does
// for the cases pages use: an empty base leaves ref as it is, an absolute
// ref wins, "//host/x" takes the base's scheme, "/x" its host, "x" its
// folder.
func URLJoin(base, ref string) string {
	if base == "" {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}

// Ref is the asset reference NodeTool's media types use (ImageRef,
// DocumentRef, ...), holding the bytes in "data".
func Ref(kind string, data []byte) *pyval.Dict {
	return pyval.DictOf("type", kind, "uri", "", "asset_id", nil, "data", data, "metadata", nil)
}

// pool is a byte budget shared by concurrent downloads: every byte read
// is charged before it is kept, so together they never hold more than
// the budget.
type pool struct {
	left atomic.Int64
	max  int64
}

func newPool(max int64) *pool {
	p := &pool{max: max}
	p.left.Store(max)
	return p
}

// read reads body whole, charging the pool; it fails with
// *egress.TooLargeError once the pool is spent. perFile bounds this one
// body too (0: only the pool).
func (p *pool) read(body io.Reader, where string, perFile int64, sink func([]byte) error) error {
	buf := make([]byte, 32<<10)
	var got int64
	for {
		n, err := body.Read(buf)
		if n > 0 {
			got += int64(n)
			if p.left.Add(-int64(n)) < 0 {
				return &egress.TooLargeError{URL: where, Limit: p.max}
			}
			if perFile > 0 && got > perFile {
				return &egress.TooLargeError{URL: where, Limit: perFile}
			}
			if serr := sink(buf[:n]); serr != nil {
				return serr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
