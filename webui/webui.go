// Package webui is the built-in web page of the editor and the worker: a
// few hand-written static files (HTML, one stylesheet, JavaScript modules;
// no build step) embedded in the binary and served with a strict
// Content-Security-Policy. The page is a client of the documented API and
// nothing more: it holds no server logic.
//
// The assets are served under assets/<hash>/, where hash is computed over
// every embedded file, so each name is content-addressed: they are cached
// for a year as immutable, and a new binary with other files gets other
// names. index.html, which names them, is revalidated on every load
// (Cache-Control: no-cache, ETag).
package webui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

//go:embed static
var files embed.FS

// CSP is the Content-Security-Policy of every response of the page: no
// inline script or style, nothing from another origin, no frames.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"media-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// Cache-Control values: index.html is revalidated on every load, assets
// (content-addressed) never are.
const (
	cacheIndex  = "no-cache"
	cacheAssets = "public, max-age=31536000, immutable"
)

// Mode is which server the page talks to.
type Mode string

const (
	// Editor is the full page of nodetool serve: workflows, runs over
	// /predict, jobs, chat, assets.
	Editor Mode = "editor"
	// Worker is the run-only page of nodetool worker --ui: workflows run
	// over /workflows/{id}/run/stream with the pasted bearer token.
	Worker Mode = "worker"
)

// Options configure Handler.
type Options struct {
	// Base is the path the page is served under, with a trailing slash:
	// "/" (the default) or "/ui/".
	Base string
	Mode Mode // default Editor
}

// file is one response body with its headers.
type file struct {
	body        []byte
	contentType string
	etag        string
	cache       string
}

// handler serves the page's files by path (relative to Base).
type handler struct {
	base  string
	files map[string]*file // "" is index.html
}

// Handler serves the page under o.Base: index.html at o.Base itself (and
// at o.Base+"index.html"), the assets at o.Base+"assets/<hash>/...". Any
// other path, and any method but GET and HEAD, gets a plain-text 404 or
// 405 (the surfaces' middleware turns them into JSON).
func Handler(o Options) http.Handler {
	if o.Base == "" {
		o.Base = "/"
	}
	if !strings.HasPrefix(o.Base, "/") || !strings.HasSuffix(o.Base, "/") {
		panic("webui: Base must start and end with /: " + o.Base)
	}
	if o.Mode == "" {
		o.Mode = Editor
	}
	h := &handler{base: o.Base, files: map[string]*file{}}
	prefix := "assets/" + Hash() + "/"
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		if name == "index.html" {
			body = renderIndex(body, o, prefix)
			h.files[""] = newFile(body, name, cacheIndex)
			h.files[name] = h.files[""]
			return nil
		}
		h.files[prefix+name] = newFile(body, name, cacheAssets)
		return nil
	})
	if err != nil {
		panic("webui: " + err.Error()) // embedded files always read
	}
	return h
}

// renderIndex fills index.html's placeholders: where the page lives, its
// mode and the assets' folder.
func renderIndex(body []byte, o Options, assets string) []byte {
	r := strings.NewReplacer("{{BASE}}", o.Base, "{{MODE}}", string(o.Mode), "{{ASSETS}}", o.Base+assets)
	return []byte(r.Replace(string(body)))
}

func newFile(body []byte, name, cache string) *file {
	sum := sha256.Sum256(body)
	return &file{body: body, contentType: ContentType(name), etag: `"` + hex.EncodeToString(sum[:12]) + `"`, cache: cache}
}

var hash = func() string {
	h := sha256.New()
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write([]byte{0})
		h.Write(b)
		h.Write([]byte{0})
		return nil
	})
	if err != nil {
		panic("webui: " + err.Error())
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}()

// Hash is the content hash naming the assets' folder.
func Hash() string { return hash }

// ContentType is the media type a page file is served with, by its
// extension; application/octet-stream for an unknown one.
func ContentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".json":
		return "application/json"
	}
	return "application/octet-stream"
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	name, ok := strings.CutPrefix(r.URL.Path, h.base)
	if !ok && r.URL.Path+"/" == h.base {
		name, ok = "", true // "/ui" for "/ui/": the surfaces drop trailing slashes
	}
	f := h.files[name]
	if !ok || f == nil {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hd.Set("Content-Type", f.contentType)
	hd.Set("ETag", f.etag)
	hd.Set("Cache-Control", f.cache)
	if noneMatch(r.Header.Get("If-None-Match"), f.etag) {
		hd.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

// noneMatch reports whether an If-None-Match header names etag (weakly
// compared, as RFC 9110 asks for this header) or is "*".
func noneMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// Paths lists every path the handler serves, relative to Base (index.html
// as ""), sorted: for tests and for the size check.
func Paths() []string {
	h := Handler(Options{}).(*handler)
	var out []string
	for p := range h.files {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
