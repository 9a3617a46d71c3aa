// Package media is NodeTool's media values and how nodes read and make
// them. A media value is an asset reference, a dict whose "type" names its
// kind, as the original writes it:
//
//	{"type": "image", "uri": "", "asset_id": null, "data": null, "metadata": null}
//
// (video refs add "duration" and "format"). A node makes a ref with its
// content inline: "data" holds the bytes ([]byte), which flow between nodes
// without being copied and are written to JSON as a data: URI (pyval). A
// node reads a ref's bytes with Sources.Read: from its data, a stored asset
// (Sources.Assets), a data: URI, a file inside the run's workspace, or an
// http(s) URL through the egress client; never from any other host path.
// Every read is bounded by the run's max-value budget before it allocates.
package media

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"nodetool/egress"
	"nodetool/engine"
	"nodetool/lang/pyval"
)

// The kinds of media refs.
const (
	Image    = "image"
	Audio    = "audio"
	Video    = "video"
	Document = "document"
)

// Kinds are the ref kinds a workflow input may be loaded into from a file
// (nodetool run --param NAME=@PATH).
var Kinds = []string{Image, Audio, Video, Document}

// Ref returns a ref of the given kind holding data inline. The bytes are
// not copied: the caller must not change them afterwards.
func Ref(kind string, data []byte) *pyval.Dict {
	d := pyval.DictOf("type", kind, "uri", "", "asset_id", nil, "data", data, "metadata", nil)
	if kind == Video {
		d.Set("duration", nil)
		d.Set("format", nil)
	}
	return d
}

// ImageRef is Ref(Image, data).
func ImageRef(data []byte) *pyval.Dict { return Ref(Image, data) }

// IsRef reports whether v is an asset reference of one of the media kinds
// (any kind when kind is "").
func IsRef(v any, kind string) bool {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return false
	}
	t := d.Str("type")
	if kind != "" {
		return t == kind
	}
	for _, k := range Kinds {
		if t == k {
			return true
		}
	}
	return false
}

// IsSet reports whether a ref points at something: inline data, a URI or
// a stored asset. The default (empty) ref of an unset input is not set.
func IsSet(v any) bool {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return false
	}
	if d.Str("uri") != "" || d.Str("asset_id") != "" {
		return true
	}
	data, _ := d.Get("data")
	switch t := data.(type) {
	case nil:
		return false
	case []byte:
		return len(t) > 0
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	}
	return true
}

// Assets reads the stored assets of the server a run belongs to (the
// editor's asset store, the worker's storage). The server provides it
// through nodes.Deps.Assets.
type Assets interface {
	// ReadAsset returns the content of asset id as user may read it, at
	// most max bytes: a larger asset fails with *TooLargeError before its
	// content is read. An asset the user cannot see is not found.
	ReadAsset(ctx context.Context, user, id string, max int64) ([]byte, error)
}

// TooLargeError is content over the bound a reader was given.
type TooLargeError struct {
	What  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is over %d bytes", e.What, e.Limit)
}

// ErrNoAssets is the error of reading a stored asset where no asset store
// is configured (nodetool run).
var ErrNoAssets = errors.New("stored assets are not available here (no asset store): give the content inline, as a data: URI, a file in the workspace or an http(s) URL")

// Sources are where refs may be read from beyond their inline data. The
// zero value reads inline data, data: URIs and workspace files only.
type Sources struct {
	// Assets are the stored assets (nil: refused with ErrNoAssets).
	Assets Assets
	// HTTP fetches http(s) URIs under the egress policy (nil: refused).
	HTTP *egress.Client
}

// Read returns the content of ref v (any media kind), within the run's
// max-value budget. An unset ref is an error naming what was expected.
func (s Sources) Read(ctx *engine.Ctx, v any) ([]byte, error) {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return nil, fmt.Errorf("expected a media reference, got %s", pyval.TypeName(v))
	}
	kind := d.Str("type")
	if kind == "" {
		kind = "asset"
	}
	if data, _ := d.Get("data"); data != nil {
		b, err := inline(ctx, data)
		if err != nil {
			return nil, fmt.Errorf("the %s's data %w", kind, err)
		}
		if len(b) > 0 {
			return b, nil
		}
	}
	uri := d.Str("uri")
	if id := d.Str("asset_id"); id != "" {
		b, err := s.asset(ctx, id)
		// Where there is no asset store (run, worker), a ref that also
		// has a uri is read from there, as a client of the original's
		// server would.
		if !errors.Is(err, ErrNoAssets) || uri == "" {
			return b, err
		}
	}
	if uri == "" {
		return nil, fmt.Errorf("the %s is empty: it has no data, uri or asset_id", kind)
	}
	return s.ReadURI(ctx, uri)
}

// ReadURI returns the content a ref's uri names: a data: URI, an http(s)
// URL (egress policy), a stored asset ("asset://ID", or an
// /api/storage/ID or /storage/ID path as the original's servers write
// them), or a file inside the run's workspace (a relative path or a
// file: URI whose path is relative to the workspace).
func (s Sources) ReadURI(ctx *engine.Ctx, uri string) ([]byte, error) {
	switch {
	case strings.HasPrefix(uri, "data:"):
		return DataURI(ctx, uri)
	case strings.HasPrefix(uri, "http://"), strings.HasPrefix(uri, "https://"):
		if s.HTTP == nil {
			return nil, errors.New("this server fetches no URLs: no egress client is configured")
		}
		resp, err := s.HTTP.Fetch(ctx, egress.Request{URL: uri}, ctx.MaxValue())
		if err != nil {
			var tl *egress.TooLargeError
			if errors.As(err, &tl) {
				return nil, ctx.LimitError(engine.LimitValue, fmt.Sprintf("the response of %s is over the %s limit of %s", tl.URL, engine.LimitValue, engine.FormatBytes(tl.Limit)))
			}
			return nil, err
		}
		if err := resp.Err(http.MethodGet); err != nil {
			return nil, err
		}
		return resp.Body, nil
	case strings.HasPrefix(uri, "asset://"):
		return s.asset(ctx, assetID(strings.TrimPrefix(uri, "asset://")))
	case strings.HasPrefix(uri, "/api/storage/"), strings.HasPrefix(uri, "/storage/"):
		name := uri[strings.LastIndexByte(uri, '/')+1:]
		return s.asset(ctx, assetID(name))
	case strings.HasPrefix(uri, "file:"):
		u, err := url.Parse(uri)
		if err != nil {
			return nil, fmt.Errorf("bad file URI: %w", err)
		}
		p := u.Path
		if u.Opaque != "" {
			p = u.Opaque
		}
		return ReadFile(ctx, p)
	case strings.Contains(uri, "://"):
		return nil, fmt.Errorf("cannot read %q: only data:, http(s), asset and workspace file references are supported", clip(uri))
	}
	return ReadFile(ctx, uri)
}

// assetID drops a file extension from a stored object's name
// ("ID.png" is asset ID).
func assetID(name string) string {
	if i := strings.IndexByte(name, '.'); i > 0 {
		return name[:i]
	}
	return name
}

func (s Sources) asset(ctx *engine.Ctx, id string) ([]byte, error) {
	if s.Assets == nil {
		return nil, ErrNoAssets
	}
	b, err := s.Assets.ReadAsset(ctx, ctx.UserID(), id, ctx.MaxValue())
	var tl *TooLargeError
	if errors.As(err, &tl) {
		return nil, ctx.LimitError(engine.LimitValue, fmt.Sprintf("asset %s is over the %s limit of %s", clip(id), engine.LimitValue, engine.FormatBytes(ctx.MaxValue())))
	}
	if err != nil {
		return nil, fmt.Errorf("asset %s: %w", clip(id), err)
	}
	return b, nil
}

// ReadFile reads a file inside the run's workspace (an os.Root: a name
// that leaves it, through .. or a link, is refused), within max-value.
func ReadFile(ctx *engine.Ctx, name string) ([]byte, error) {
	root, err := ctx.Workspace()
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %w", clip(name), err)
	}
	defer root.Close()
	name = strings.TrimPrefix(name, "./")
	f, err := root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read %q in the workspace: %w", clip(name), unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("cannot read %q: it is a folder", clip(name))
	}
	if err := ctx.CheckSize(st.Size()); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, ctx.MaxValue()+1))
	if err != nil {
		return nil, err
	}
	if err := ctx.CheckSize(int64(len(b))); err != nil {
		return nil, err
	}
	return b, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// DataURI decodes a data: URI (base64 or percent-encoded), sizing the
// result before it is allocated.
func DataURI(ctx *engine.Ctx, uri string) ([]byte, error) {
	rest, ok := strings.CutPrefix(uri, "data:")
	if !ok {
		return nil, errors.New("not a data: URI")
	}
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, errors.New("bad data: URI: no comma")
	}
	if strings.HasSuffix(meta, ";base64") {
		if err := ctx.CheckSize(int64(base64.StdEncoding.DecodedLen(len(payload)))); err != nil {
			return nil, err
		}
		return decodeBase64(payload)
	}
	if err := ctx.CheckSize(int64(len(payload))); err != nil {
		return nil, err
	}
	s, err := url.PathUnescape(payload)
	if err != nil {
		return nil, fmt.Errorf("bad data: URI: %w", err)
	}
	return []byte(s), nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("is not base64 text")
}

// inline reads a ref's data: bytes, base64 text (or a data: URI), or a
// list of byte values, as the original's JSON may carry them.
func inline(ctx *engine.Ctx, v any) ([]byte, error) {
	switch t := v.(type) {
	case []byte:
		return t, nil
	case string:
		if strings.HasPrefix(t, "data:") {
			return DataURI(ctx, t)
		}
		if err := ctx.CheckSize(int64(base64.StdEncoding.DecodedLen(len(t)))); err != nil {
			return nil, err
		}
		return decodeBase64(t)
	case []any:
		if len(t) == 0 {
			return nil, nil
		}
		if err := ctx.CheckSize(int64(len(t))); err != nil {
			return nil, err
		}
		b := make([]byte, len(t))
		for i, x := range t {
			n, ok := x.(int64)
			if !ok || n < 0 || n > 255 {
				return nil, errors.New("is not a list of bytes")
			}
			b[i] = byte(n)
		}
		return b, nil
	}
	return nil, fmt.Errorf("is %s, not bytes or base64 text", pyval.TypeName(v))
}

// Sniff names the media kind and MIME type of content by its first bytes
// (never by a file name): "image", "audio", "video", "document" or "".
func Sniff(b []byte) (kind, mime string) {
	mime = http.DetectContentType(b)
	switch {
	case bytes.HasPrefix(b, []byte("RIFF")) && len(b) >= 12 && string(b[8:12]) == "WEBP":
		return Image, "image/webp"
	case strings.HasPrefix(mime, "image/"):
		return Image, mime
	case bytes.HasPrefix(b, []byte("ID3")), len(b) > 2 && b[0] == 0xff && b[1]&0xe0 == 0xe0:
		return Audio, "audio/mpeg"
	case bytes.HasPrefix(b, []byte("fLaC")):
		return Audio, "audio/flac"
	case strings.HasPrefix(mime, "audio/"):
		return Audio, mime
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		if string(b[8:11]) == "M4A" {
			return Audio, "audio/mp4"
		}
		return Video, "video/mp4"
	case strings.HasPrefix(mime, "video/"):
		return Video, mime
	case bytes.HasPrefix(b, []byte{0x1a, 0x45, 0xdf, 0xa3}):
		return Video, "video/webm"
	case mime == "application/ogg":
		return Audio, "audio/ogg"
	case mime == "application/pdf", strings.HasPrefix(mime, "text/"), bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return Document, mime
	}
	return "", mime
}

// Ext is the usual file extension (with its dot) of a MIME type.
func Ext(mime string) string {
	switch mime {
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/bmp":
		return ".bmp"
	case "audio/wave", "audio/wav", "audio/x-wav":
		return ".wav"
	case "audio/mpeg":
		return ".mp3"
	case "audio/ogg", "application/ogg":
		return ".ogg"
	case "audio/flac":
		return ".flac"
	case "audio/mp4":
		return ".m4a"
	case "video/mp4":
		return ".mp4"
	case "video/webm":
		return ".webm"
	case "video/avi":
		return ".avi"
	case "application/pdf":
		return ".pdf"
	case "application/zip":
		return ".zip"
	}
	if strings.HasPrefix(mime, "text/plain") {
		return ".txt"
	}
	if strings.HasPrefix(mime, "text/html") {
		return ".html"
	}
	return ".bin"
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
