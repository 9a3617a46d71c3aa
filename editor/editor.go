// Package editor serves NodeTool's Editor API: the local control plane the
// NodeTool web and desktop client talks to. REST routes manage workflows,
// jobs, assets, storage, threads, messages, settings and the node catalog;
// WebSockets run and watch jobs (/predict), chat (/chat), stream system and
// job updates (/updates) and, when enabled, open a terminal (/terminal).
// routes.go lists every route with who may call it and its handler.
//
// Browser safety: when auth is not enforced, the editor answers only
// requests whose Host is a loopback name and whose Origin (when present) is
// the server's own origin (http://<a loopback name>:<the port the request
// came in on>) or one allowed with --cors-origin, so web pages cannot drive
// it (DNS rebinding, cross-site requests, pages served by other local
// servers). With enforced auth, any origin may call it with a token.
//
// Multi-user mode (Supabase auth): each user has their own threads,
// messages, workflows, jobs, assets, settings, secrets and /api/storage
// keys, and what is another user's does not exist for the caller (404,
// exactly as for an id that exists nowhere). The terminal is never offered.
package editor

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"nodetool/authn"
	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/jobs"
	"nodetool/providers"
	"nodetool/store"
	"nodetool/workflows"
)

// Deps is what the editor needs. Registry, Workflows, Store, Jobs and Auth
// are required.
type Deps struct {
	Registry  *engine.Registry
	Workflows *workflows.Repo
	Store     *store.DB
	Jobs      *jobs.Manager
	Auth      *authn.Auth
	Logger    *slog.Logger
	// Providers are the model servers /chat talks to; nil means none is
	// configured, and chat messages get an error frame saying so.
	Providers *providers.Set
	// ModelMap is the --model-map of the workflow nodes: the model pickers
	// list the models its rules name exactly, under their provider, as
	// models a workflow may keep (they run on the rule's target).
	ModelMap providers.ModelMap
	// Examples are the example workflows offered to users (by id).
	Examples []*engine.Workflow
	// AgentWeb is what the web tools of agent-mode chat use.
	AgentWeb AgentWeb

	// CORSOrigins are origins allowed besides the server's own.
	CORSOrigins []string
	// StaticFolder, when set, is a built web client served at /.
	StaticFolder string
	// UI, when set and StaticFolder is not, serves / and every GET no
	// other route matches (the built-in web page; nodetool serve passes
	// webui's handler).
	UI http.Handler
	// Terminal enables /terminal (NODETOOL_ENABLE_TERMINAL_WS); it is
	// refused in production, with multi-user (Supabase) auth, and unless
	// auth is enforced or the listener is loopback (LoopbackOnly).
	// TerminalEnv is the shell's whole environment (see terminal.SafeEnv;
	// nil: TERM only): never the server's own, which holds secrets.
	Terminal     bool
	TerminalEnv  []string
	Production   bool
	LoopbackOnly bool
	// SettingsFile keeps the plain settings of /api/settings (a JSON file,
	// settings.json in the config dir); SecretsFile keeps each user's
	// secrets (a JSON file of mode 0600). Both are required: Register
	// panics without them. Their folders are created (0700) on first write.
	SettingsFile string
	SecretsFile  string

	MaxBody    int64 // JSON bodies, default 16 MiB
	MaxUpload  int64 // uploads, default 2 GiB
	MaxMessage int64 // WebSocket messages, default 16 MiB
	// BodyIdleTimeout drops an upload that sends nothing for this long;
	// default 60s. Servers pass their body timeout (httpapi.Timeouts.Body),
	// which bounds every other request body as a whole.
	BodyIdleTimeout time.Duration
	// PublicURL is the base of asset URLs (default http://localhost:7777).
	PublicURL string
	Now       func() time.Time
	// ChatHeartbeat is the interval of /chat pings (default 25 s);
	// StatsInterval of /updates system stats (default 1 s).
	ChatHeartbeat time.Duration
	StatsInterval time.Duration
	// ChatToolTimeout is how long /chat waits for the client's answer to
	// a UI tool call (default 60 s).
	ChatToolTimeout time.Duration
	// KeepAlive is the interval of the ping frames every socket gets; a
	// peer silent for twice as long is gone (default 30 s). IdleTimeout
	// closes a socket that is not busy and got no message for that long
	// (default 10 min; negative: never). See ws.go for what busy means.
	KeepAlive   time.Duration
	IdleTimeout time.Duration
	// UnifiedStatsInterval is how often /ws pushes system_stats (default
	// 30 s, as NodeTool's server; negative: never).
	UnifiedStatsInterval time.Duration
}

// Server is the Editor API.
type Server struct {
	d   Deps
	log *slog.Logger

	// assetsMu serialises changes that span asset records (creates into a
	// folder, moves, recursive deletes), so no asset is ever put into a
	// folder being deleted or moved into its own subtree.
	assetsMu sync.Mutex
	// threadsMu serialises thread deletes with message creates, so no
	// message outlives its thread.
	threadsMu sync.Mutex
	// settingsMu serialises the read-modify-write of the settings files.
	settingsMu sync.Mutex
	// idMu guards lastMessageID, the last message id given (messageID).
	idMu          sync.Mutex
	lastMessageID string

	// hub tracks the WebSocket sessions (see Shutdown).
	hub hub
	// chatRuns are the chat runs of /ws sockets (ws_chat.go); stats the
	// system stats /ws pushes, sampled at most once a second.
	chatRuns chatRuns
	stats    statsCache
	// models caches the providers' model lists (models.go).
	models modelCache
	// inner serves the REST routes in-process (call.go); procs are the
	// tRPC procedures (trpc_procs.go).
	inner *http.ServeMux
	procs map[string]procedure
}

// New returns an editor over d.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MaxBody <= 0 {
		d.MaxBody = httpapi.DefaultMaxBody
	}
	if d.MaxUpload <= 0 {
		d.MaxUpload = 2 << 30
	}
	if d.MaxMessage <= 0 {
		d.MaxMessage = 16 << 20
	}
	if d.BodyIdleTimeout <= 0 {
		d.BodyIdleTimeout = 60 * time.Second
	}
	if d.PublicURL == "" {
		d.PublicURL = "http://localhost:7777"
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.ChatHeartbeat <= 0 {
		d.ChatHeartbeat = 25 * time.Second
	}
	if d.StatsInterval <= 0 {
		d.StatsInterval = time.Second
	}
	if d.ChatToolTimeout <= 0 {
		d.ChatToolTimeout = 60 * time.Second
	}
	if d.KeepAlive <= 0 {
		d.KeepAlive = defaultKeepAlive
	}
	if d.IdleTimeout == 0 {
		d.IdleTimeout = defaultIdleTimeout
	}
	if d.UnifiedStatsInterval == 0 {
		d.UnifiedStatsInterval = 30 * time.Second
	}
	return &Server{d: d, log: d.Logger, procs: procedureTable()}
}

// allowedOrigin reports whether a page at origin may use the server when
// auth is not enforced: an origin given with --cors-origin, or the
// server's own origin as a browser sends it: the scheme r came in with
// (http), a loopback name (localhost, 127.0.0.1, [::1]...) and the port r
// came in on. Pages of other local servers (other ports) are refused.
func (s *Server) allowedOrigin(r *http.Request, origin string) bool {
	if slices.Contains(s.d.CORSOrigins, origin) {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || !authn.IsLoopbackHost(u.Hostname()) {
		return false
	}
	scheme, port := "http", "80"
	if r.TLS != nil {
		scheme, port = "https", "443"
	}
	if p := u.Port(); p != "" {
		port = p
	}
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	_, own, err := net.SplitHostPort(addr.String())
	return err == nil && u.Scheme == scheme && port == own
}

// corsOrigin decides which origins get CORS headers. Without enforced
// auth, browserSafety has already refused every origin allowedOrigin does
// not accept, so only those reach it; with enforced auth, a page needs a
// token as well, which CORS does not give.
func (s *Server) corsOrigin(origin string) bool {
	if slices.Contains(s.d.CORSOrigins, origin) {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && authn.IsLoopbackHost(u.Hostname())
}

// browserSafety refuses, when auth is not enforced, requests that a web
// page could have made: a Host that is not a loopback name (DNS rebinding)
// or an Origin that is not allowed (see allowedOrigin: cross-site requests,
// including WebSocket handshakes, which CORS does not cover).
func (s *Server) browserSafety(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.d.Auth.Enforced() {
			host := r.Host
			if h, _, err := net.SplitHostPort(r.Host); err == nil {
				host = h
			}
			if !authn.IsLoopbackHost(host) {
				s.log.Warn("refused a request for a non-loopback host", "host", r.Host, "client", httpapi.ClientIP(r))
				s.fail(w, r, httpapi.Errorf(httpapi.Forbidden, "this server answers only to localhost; start it with an AUTH_PROVIDER that enforces tokens to reach it by another name"))
				return
			}
			if o := r.Header.Get("Origin"); o != "" && !s.allowedOrigin(r, o) {
				s.log.Warn("refused a cross-origin request", "origin", o, "client", httpapi.ClientIP(r))
				s.fail(w, r, httpapi.Errorf(httpapi.Forbidden, "origin not allowed: add it with --cors-origin"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// static serves a built web client, falling back to index.html for client
// routes; no directory listings. Without Deps.StaticFolder it is Deps.UI,
// and nil (the route is off) without either.
func (s *Server) static() http.HandlerFunc {
	root := s.d.StaticFolder
	if root == "" {
		if s.d.UI != nil {
			return s.d.UI.ServeHTTP
		}
		return nil
	}
	return func(w http.ResponseWriter, r *http.Request) {
		rt, err := os.OpenRoot(root)
		if err != nil {
			s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Not Found"))
			return
		}
		defer rt.Close()
		name := strings.TrimPrefix(filepath.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		f, err := rt.Open(name)
		if err == nil {
			if fi, serr := f.Stat(); serr == nil && fi.IsDir() {
				f.Close()
				f, err = rt.Open(filepath.Join(name, "index.html"))
			}
		}
		if err != nil {
			f, err = rt.Open("index.html")
			if err != nil {
				s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Not Found"))
				return
			}
			name = "index.html"
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil || fi.IsDir() {
			s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Not Found"))
			return
		}
		http.ServeContent(w, r, name, fi.ModTime(), f)
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, "OK")
}

// redirectToClient sends NodeTool's editor links (/editor/{workflow_id})
// to the web client, which opens the workflow itself.
func (s *Server) redirectToClient(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/", http.StatusTemporaryRedirect)
}

// nodeMetadata answers GET /api/nodes/metadata: the whole catalog, or with
// namespace, query, limit or fields=summary|full the nodes they select
// (nodeList, models.go).
func (s *Server) nodeMetadata(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("namespace") && !q.Has("query") && !q.Has("limit") && !q.Has("fields") {
		httpapi.WriteJSON(w, http.StatusOK, s.d.Registry.Metadata())
		return
	}
	nq := nodeQuery{Namespace: q.Get("namespace"), Query: q.Get("query"), Fields: q.Get("fields")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.fail(w, r, malformed("limit must be a positive integer"))
			return
		}
		nq.Limit = n
	}
	httpapi.WriteJSON(w, http.StatusOK, s.nodeList(nq))
}

// statsCache samples the system stats at most once a second for every
// /ws socket.
type statsCache struct {
	mu   sync.Mutex
	at   time.Time
	cpu  cpuSampler
	last map[string]any // read-only once made
}

func (sc *statsCache) read() map[string]any {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.last == nil || time.Since(sc.at) >= time.Second {
		sc.last, sc.at = systemStats(&sc.cpu), time.Now()
	}
	return sc.last
}
