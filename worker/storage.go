package worker

import (
	"errors"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"nodetool/httpapi"
	"nodetool/store"
)

// blobs resolves the bucket and key of a storage route, answering 404 for
// an unknown bucket and 400 for an invalid key.
func (s *Server) blobs(w http.ResponseWriter, r *http.Request) (*store.Blobs, string, bool) {
	bucket := r.PathValue("bucket")
	if bucket != "assets" && bucket != "temp" {
		httpapi.Error(w, http.StatusNotFound, "unknown storage bucket "+quote(bucket)+": use assets or temp")
		return nil, "", false
	}
	key, err := store.ValidateKey(r.PathValue("key"))
	if err != nil {
		var ke *store.KeyError
		msg := "invalid key"
		if errors.As(err, &ke) {
			msg += ": " + ke.Reason
		}
		httpapi.Error(w, http.StatusBadRequest, msg)
		return nil, "", false
	}
	b, err := s.d.Store.Blobs(bucket)
	if err != nil {
		httpapi.Internal(w, r, s.log, err)
		return nil, "", false
	}
	return b, key, true
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}

// getBlob serves GET and HEAD with http.ServeContent: Content-Type by
// extension, Content-Length, ETag, Last-Modified, single and suffix ranges
// (206/416) and conditional requests (304).
func (s *Server) getBlob(w http.ResponseWriter, r *http.Request) {
	b, key, ok := s.blobs(w, r)
	if !ok {
		return
	}
	f, info, err := b.Open(key)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			httpapi.Error(w, http.StatusNotFound, "Not Found")
			return
		}
		httpapi.Internal(w, r, s.log, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", contentType(key))
	h.Set("ETag", info.ETag)
	h.Set("Cache-Control", "private, max-age=0, must-revalidate")
	// Stored files are user content: never let one run as a page of
	// this origin (an uploaded HTML or SVG file).
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, "", info.ModTime, f)
}

// putBlob streams the body to a temp file and moves it into place.
func (s *Server) putBlob(w http.ResponseWriter, r *http.Request) {
	b, key, ok := s.blobs(w, r)
	if !ok {
		return
	}
	body := &idleReader{r: r.Body, rc: http.NewResponseController(w), idle: s.d.BodyIdleTimeout}
	info, err := b.Put(r.Context(), key, body, s.d.MaxUpload)
	switch {
	case err == nil:
		httpapi.WriteJSON(w, http.StatusOK, map[string]any{"key": info.Key, "size": info.Size})
	case errors.Is(err, store.ErrTooLarge):
		httpapi.Error(w, http.StatusRequestEntityTooLarge, "upload too large: the limit is "+byteSize(s.d.MaxUpload))
	case errors.Is(err, store.ErrConflict):
		httpapi.Error(w, http.StatusConflict, "key "+quote(key)+" conflicts with an existing key: one key cannot be both an object and a folder of others")
	case r.Context().Err() != nil || body.err != nil:
		httpapi.Error(w, http.StatusBadRequest, "the upload did not complete; nothing was stored")
	default:
		httpapi.Internal(w, r, s.log, err)
	}
}

func (s *Server) deleteBlob(w http.ResponseWriter, r *http.Request) {
	b, key, ok := s.blobs(w, r)
	if !ok {
		return
	}
	switch err := b.Delete(key); {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, store.ErrNotFound):
		httpapi.Error(w, http.StatusNotFound, "Not Found")
	default:
		httpapi.Internal(w, r, s.log, err)
	}
}

// idleReader pushes the connection's read deadline forward before each
// read, so an upload may take as long as it needs but may not stall.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
	err  error
}

func (ir *idleReader) Read(p []byte) (int, error) {
	_ = ir.rc.SetReadDeadline(time.Now().Add(ir.idle))
	n, err := ir.r.Read(p)
	if err != nil && err != io.EOF {
		ir.err = err
	}
	return n, err
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// contentType maps a key's extension to its media type, from a fixed
// table (so answers do not depend on the host's mime.types).
func contentType(key string) string {
	if t, ok := mediaTypes[strings.ToLower(strings.TrimPrefix(path.Ext(key), "."))]; ok {
		return t
	}
	return "application/octet-stream"
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
