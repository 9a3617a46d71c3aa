package httpapi

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"nodetool/store"
)

// This file holds the blob routes every surface shares (the worker's
// /storage and /admin/storage, the editor's /api/storage): key checks,
// serving with http.ServeContent, streamed uploads and deletes, and the one
// table of media types by file extension.

// BlobKey checks a storage key from a URL with store.ValidateKey. An
// invalid key is answered Malformed, "invalid key: <reason>" (the reason
// never echoes the key), and ok is false.
func BlobKey(w http.ResponseWriter, key string) (string, bool) {
	k, err := store.ValidateKey(key)
	if err != nil {
		writeError(w, err)
		return "", false
	}
	return k, true
}

// BlobPaths sends requests whose path starts with one of prefixes (such as
// "/api/storage/") to storage and all others to other. What follows the
// prefix is the key, exactly as the client sent it (percent-decoded); with
// bucketed it is "<bucket>/<key>". A key that store.ValidateKey refuses
// (empty, an empty, "." or ".." segment, a trailing "/"...) is answered
// Malformed, "invalid key: <reason>", here, before anything can change it:
// ServeMux would otherwise answer 307 to the cleaned path (and redirect an
// empty key to itself forever), and TrimSlash, which storage must not pass
// through, would drop a trailing "/". A path equal to a prefix without its
// final "/" has an empty key.
func BlobPaths(storage, other http.Handler, bucketed bool, prefixes ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		for _, prefix := range prefixes {
			rest, ok := strings.CutPrefix(p, prefix)
			if !ok && p != prefix[:len(prefix)-1] {
				continue
			}
			if bucketed {
				if _, key, found := strings.Cut(rest, "/"); !found || key == "" {
					writeError(w, Errorf(Malformed, "invalid key: key must not be empty"))
					return
				}
			}
			if _, ok := BlobKey(w, rest); ok {
				storage.ServeHTTP(w, r)
			}
			return
		}
		other.ServeHTTP(w, r)
	})
}

// ServeBlob answers GET and HEAD for the blob key with http.ServeContent:
// Content-Type by extension (ContentType), Content-Length, ETag,
// Last-Modified, single and suffix ranges (206/416) and conditional requests
// (304). A missing blob is NotFound, "Not Found"; a failing storage backend
// is Upstream or Unavailable, with what failed. Stored files are user
// content, so the answer carries a sandboxing CSP: an uploaded HTML or SVG
// file never runs as a page of this origin.
//
// Nothing is buffered: the backend is asked for the range the request
// names (S3 gets the Range header, in the request that also checks the
// blob exists), and HEAD and a revalidation that ends in 304 only look the
// blob up.
func ServeBlob(w http.ResponseWriter, r *http.Request, log *slog.Logger, b *store.Blobs, key string) {
	ctx := r.Context()
	var f store.Blob
	var info store.BlobInfo
	var err error
	if r.Method == http.MethodHead || r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
		if info, err = b.StatContext(ctx, key); err != nil {
			WriteError(w, r, log, err)
			return
		}
		if r.Method == http.MethodHead || notModified(r, info) {
			f = sizeOnly(info.Size) // ServeContent reads nothing for HEAD or 304
		}
	}
	if f == nil {
		if f, info, err = b.OpenRange(ctx, key, rangeHint(r.Header.Get("Range"))); err != nil {
			WriteError(w, r, log, err)
			return
		}
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", ContentType(key))
	h.Set("ETag", info.ETag)
	h.Set("Cache-Control", "private, max-age=0, must-revalidate")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if _, ok := f.(*os.File); ok {
		http.ServeContent(w, r, "", info.ModTime, f) // net/http may sendfile(2) it
		return
	}
	http.ServeContent(bigCopies{w}, r, "", info.ModTime, f)
}

// bigCopies copies a blob that is not a file (an S3 object) to the client
// in 256 KiB reads instead of io.Copy's 32 KiB: a quarter of the system
// calls and timer resets per byte, which is most of what a proxied
// transfer costs. The buffers are pooled: memory per transfer stays at one
// buffer.
type bigCopies struct{ http.ResponseWriter }

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// ReadFrom is what io.Copy (in http.ServeContent) calls.
func (b bigCopies) ReadFrom(src io.Reader) (int64, error) {
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	return io.CopyBuffer(writerOnly{b.ResponseWriter}, src, *buf)
}

func (b bigCopies) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// writerOnly hides every method but Write (so CopyBuffer uses the buffer).
type writerOnly struct{ io.Writer }

// notModified reports whether a GET or HEAD with If-None-Match (a list of
// ETags compared weakly, or "*") or, without it, If-Modified-Since is
// answered 304 for a blob described by info (RFC 9110 13.1.2 and 13.1.3,
// as http.ServeContent reads them).
func notModified(r *http.Request, info store.BlobInfo) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for tag := range strings.SplitSeq(inm, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(info.ETag, "W/") {
				return true
			}
		}
		return false
	}
	t, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !info.ModTime.IsZero() && !info.ModTime.Truncate(time.Second).After(t)
}

// rangeHint is the part of a blob a Range header of one range asks for
// (store.Range; a suffix range as a negative Offset), or the whole blob.
// A range of several parts, or one that does not parse, hints nothing:
// http.ServeContent sorts them out.
func rangeHint(h string) store.Range {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return store.Range{}
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return store.Range{}
	}
	if a == "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return store.Range{}
		}
		return store.Range{Offset: -n}
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 {
		return store.Range{}
	}
	if b == "" {
		return store.Range{Offset: start}
	}
	end, err := strconv.ParseInt(b, 10, 64)
	if err != nil || end < start {
		return store.Range{}
	}
	return store.Range{Offset: start, Length: end - start + 1}
}

// sizeOnly is the content of an answer with no body (HEAD, 304): it has a
// size and nothing to read.
type sizeOnly int64

func (s sizeOnly) Read([]byte) (int, error) {
	return 0, errors.New("httpapi: a HEAD or 304 answer read its content")
}
func (s sizeOnly) Close() error { return nil }
func (s sizeOnly) Seek(offset int64, whence int) (int64, error) {
	if whence == io.SeekEnd {
		return int64(s) + offset, nil
	}
	return offset, nil
}

// PutBlob streams the request body into b under key, at most limit bytes,
// dropping a client that sends nothing for idle (no deadline when idle is
// zero). On failure it answers the request itself (TooLarge over the
// limit, at once when Content-Length says so; Conflict for a key that
// clashes with a folder of keys; Timeout for an upload that stalled;
// Malformed for an upload cut short; Upstream or Unavailable when the
// storage backend fails; Internal otherwise) and ok is false;
// on success the caller answers. Nothing is stored unless ok.
func PutBlob(w http.ResponseWriter, r *http.Request, log *slog.Logger, b *store.Blobs, key string, limit int64, idle time.Duration) (info store.BlobInfo, ok bool) {
	if r.ContentLength > limit {
		writeError(w, UploadTooLarge(limit)) // at once, without reading the body
		return store.BlobInfo{}, false
	}
	body := NewIdleReader(w, r.Body, idle)
	info, err := b.Put(r.Context(), key, body, limit)
	if err != nil {
		WriteError(w, r, log, BlobPutError(r, err, key, limit, body.Err()))
		return store.BlobInfo{}, false
	}
	return info, true
}

// BlobPutError is the client error of a failed Blobs.Put of key (see
// PutBlob). readErr is the error, if any, of reading the client's body.
// Errors of the store not listed are returned as they are (Classify).
func BlobPutError(r *http.Request, err error, key string, limit int64, readErr error) error {
	switch {
	case errors.Is(err, store.ErrTooLarge):
		return UploadTooLarge(limit)
	case errors.Is(err, store.ErrConflict):
		return Errorf(Conflict, "key %s conflicts with an existing key: one key cannot be both an object and a folder of others", Quote(key))
	case errors.Is(err, store.ErrInvalidKey):
		return err
	case errors.Is(readErr, os.ErrDeadlineExceeded):
		return ErrUploadStalled
	case r.Context().Err() != nil || readErr != nil:
		return Errorf(Malformed, "the upload did not complete; nothing was stored")
	}
	return err
}

// ErrUploadStalled is an upload that sent nothing for longer than the body
// timeout.
var ErrUploadStalled = &Error{Kind: Timeout, Msg: "the upload stalled for longer than the body timeout (--body-timeout); nothing was stored"}

// UploadTooLarge is the client error of an upload over limit bytes.
func UploadTooLarge(limit int64) error {
	return Errorf(TooLarge, "upload too large: the limit is %s", ByteSize(limit))
}

// DeleteBlob removes the blob key. A missing blob is answered NotFound,
// "Not Found", a failing storage backend Upstream or Unavailable, another
// failure Internal, and ok is false; on success the caller
// answers (surfaces differ: 204 or 200 null).
func DeleteBlob(w http.ResponseWriter, r *http.Request, log *slog.Logger, b *store.Blobs, key string) (ok bool) {
	if err := b.DeleteContext(r.Context(), key); err != nil {
		WriteError(w, r, log, err)
		return false
	}
	return true
}

// IdleReader reads a request body, pushing the connection's read deadline
// forward before each read, so an upload may take as long as it needs but
// may not stall for longer than its idle timeout. It replaces the whole-body
// deadline Serve sets (Timeouts.Body) for the request it reads; servers
// pass that same timeout as idle.
type IdleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
	err  error
}

// NewIdleReader wraps body, the body of the request w answers. With idle
// zero no deadline is set.
func NewIdleReader(w http.ResponseWriter, body io.Reader, idle time.Duration) *IdleReader {
	return &IdleReader{r: body, rc: http.NewResponseController(w), idle: idle}
}

func (ir *IdleReader) Read(p []byte) (int, error) {
	if ir.idle > 0 {
		_ = ir.rc.SetReadDeadline(time.Now().Add(ir.idle))
	}
	n, err := ir.r.Read(p)
	if err != nil && err != io.EOF && ir.err == nil {
		ir.err = err
	}
	return n, err
}

// Err returns the first read error other than io.EOF: the client went away,
// stalled, or sent a malformed body.
func (ir *IdleReader) Err() error { return ir.err }

// ByteSize writes n in the largest binary unit that divides it exactly.
func ByteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// Quote quotes a client-supplied string for an error message: cut to 64
// bytes and made valid UTF-8.
func Quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}

// ContentType maps a key's or file name's extension to its media type, from
// a fixed table (so answers do not depend on the host's mime.types);
// unknown extensions are application/octet-stream.
func ContentType(name string) string {
	if t, ok := mediaTypes[strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))]; ok {
		return t
	}
	return "application/octet-stream"
}

// Extension returns the file extension, without the dot, that blobs of the
// given media type are stored under (NodeTool's asset keys are
// "<id>.<ext>"): the inverse of ContentType, with parameters and letter case
// ignored and a few common aliases ("audio/mp3", "image/jpg") understood.
// Unknown types, and "folder", are "bin".
func Extension(mediaType string) string {
	mt, _, _ := strings.Cut(mediaType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if ext, ok := preferredExt[mt]; ok {
		return ext
	}
	for ext, t := range mediaTypes {
		if t, _, _ = strings.Cut(t, ";"); t == mt {
			return ext // unique: TestExtensionRoundTrip checks every shared type is in preferredExt
		}
	}
	return "bin"
}

var mediaTypes = map[string]string{
	"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
	"bmp": "image/bmp", "svg": "image/svg+xml", "ico": "image/x-icon", "tif": "image/tiff", "tiff": "image/tiff",
	"avif": "image/avif", "heic": "image/heic",
	"mp3": "audio/mpeg", "wav": "audio/wav", "ogg": "audio/ogg", "oga": "audio/ogg", "flac": "audio/flac",
	"m4a": "audio/mp4", "aac": "audio/aac", "opus": "audio/opus", "weba": "audio/webm",
	"mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime", "mkv": "video/x-matroska",
	"avi": "video/x-msvideo", "m4v": "video/mp4", "ogv": "video/ogg",
	"txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8",
	"html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
	"js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
	"json": "application/json", "jsonl": "application/jsonl", "xml": "application/xml",
	"yaml": "application/yaml", "yml": "application/yaml", "toml": "application/toml",
	"pdf": "application/pdf", "zip": "application/zip", "gz": "application/gzip", "tar": "application/x-tar",
	"doc": "application/msword", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xls": "application/vnd.ms-excel", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"ppt": "application/vnd.ms-powerpoint", "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"glb": "model/gltf-binary", "gltf": "model/gltf+json", "obj": "model/obj", "stl": "model/stl",
	"wasm": "application/wasm", "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf",
}

// preferredExt picks the extension of media types that several extensions
// share, and maps aliases that NodeTool clients send.
var preferredExt = map[string]string{
	"image/jpeg": "jpg", "image/tiff": "tiff", "audio/ogg": "ogg", "video/mp4": "mp4",
	"text/html": "html", "text/javascript": "js", "application/yaml": "yaml",
	// aliases
	"image/jpg": "jpg", "image/pjpeg": "jpg", "image/x-png": "png",
	"audio/mp3": "mp3", "audio/x-mp3": "mp3", "audio/mpeg3": "mp3",
	"audio/x-wav": "wav", "audio/wave": "wav", "audio/vnd.wave": "wav", "audio/x-flac": "flac",
	"audio/x-m4a": "m4a", "application/javascript": "js", "application/x-yaml": "yaml", "text/yaml": "yaml",
	"text/x-markdown": "md", "application/x-zip-compressed": "zip",
}
