package editor

import (
	"net/http"

	"nodetool/httpapi"
)

// Register adds the editor's routes to mux (the /v1 chat routes are
// chatsrv's, registered on the same mux by the serve command). It panics
// without Deps.SettingsFile and Deps.SecretsFile, or on a route that
// conflicts with one already on mux.
func (s *Server) Register(mux *http.ServeMux) {
	if s.d.SettingsFile == "" || s.d.SecretsFile == "" {
		panic("editor: Deps.SettingsFile and Deps.SecretsFile are required")
	}
	httpapi.Handle(mux, s.d.Auth, s.routes())
	s.inner = s.innerMux()
}

// routes is every route of the Editor API, who may call it (see
// httpapi.Access: Public, Authenticated, Owner, WebSocket) and its
// handler: the editor's attack-surface inventory. Owner routes answer
// another user's objects as absent (404), like ids that exist nowhere.
func (s *Server) routes() []httpapi.Route {
	var (
		public = httpapi.Public.Route
		authed = httpapi.Authenticated.Route // any valid token; the same answer for every user
		owner  = httpapi.Owner.Route
		socket = httpapi.WebSocket.Route
	)
	assets, temp := s.assetBlobs(), s.tempBlobs()
	return []httpapi.Route{
		public("GET /health", s.health),
		public("GET /editor/{workflow_id}", s.redirectToClient),
		authed("GET /api/nodes/metadata", s.nodeMetadata),

		owner("GET /api/workflows", s.listWorkflows),
		owner("POST /api/workflows", s.createWorkflow),
		authed("GET /api/workflows/public", s.listPublic),
		authed("GET /api/workflows/public/{id}", s.getPublic),
		owner("GET /api/workflows/tools", s.listTools),
		authed("GET /api/workflows/examples", s.listExamples),
		authed("GET /api/workflows/examples/search", s.searchExamples),
		authed("GET /api/workflows/examples/{package}/{name}", s.getExample),
		owner("GET /api/workflows/{id}", s.getWorkflow),
		owner("PUT /api/workflows/{id}", s.putWorkflow),
		owner("DELETE /api/workflows/{id}", s.deleteWorkflow),
		owner("POST /api/workflows/{id}/run", s.runWorkflow),

		owner("GET /api/jobs", s.listJobs),
		owner("GET /api/jobs/running/all", s.runningJobs),
		owner("GET /api/jobs/{job_id}", s.getJob),
		owner("POST /api/jobs/{job_id}/cancel", s.cancelJob),

		owner("GET /api/assets", s.listAssets),
		owner("POST /api/assets", s.createAsset),
		owner("POST /api/assets/download", s.downloadAssets),
		owner("GET /api/assets/search", s.searchAssets),
		owner("GET /api/assets/{id}", s.getAsset),
		owner("PUT /api/assets/{id}", s.updateAsset),
		owner("DELETE /api/assets/{id}", s.deleteAsset),
		owner("GET /api/assets/{id}/recursive", s.assetTree),

		// Keys are checked as sent before routing (httpapi.Chain); see
		// Storage in storage.go for whose keys are whose.
		owner("GET /api/storage/{key...}", s.getBlob(assets)),
		owner("PUT /api/storage/{key...}", s.putBlob(assets)),
		owner("DELETE /api/storage/{key...}", s.deleteBlobRoute(assets)),
		owner("GET /api/storage/temp/{key...}", s.getBlob(temp)),
		owner("PUT /api/storage/temp/{key...}", s.putBlob(temp)),
		owner("DELETE /api/storage/temp/{key...}", s.deleteBlobRoute(temp)),

		owner("GET /api/threads", s.listThreads),
		owner("POST /api/threads", s.createThread),
		owner("GET /api/threads/{id}", s.getThread),
		owner("PUT /api/threads/{id}", s.updateThread),
		owner("DELETE /api/threads/{id}", s.deleteThread),
		owner("POST /api/threads/{id}/summarize", s.summarizeThread),
		owner("GET /api/messages", s.listMessages),
		owner("POST /api/messages", s.createMessage),
		owner("GET /api/messages/{id}", s.getMessage),

		owner("GET /api/settings", s.getSettings),
		owner("PUT /api/settings", s.putSettings),
		owner("GET /api/settings/secrets", s.listSecrets),
		owner("GET /api/settings/secrets/{key}", s.getSecret),
		owner("PUT /api/settings/secrets/{key}", s.putSecret),
		owner("DELETE /api/settings/secrets/{key}", s.deleteSecret),

		// Models of the configured providers, for the client's pickers
		// (models.go).
		authed("GET /api/models/providers", s.modelProviders),
		authed("GET /api/models/all", s.allModels),
		authed("GET /api/models/{kind}/{provider}", s.modelsOfKind),

		// The tRPC API of NodeTool's current client: its procedures run
		// through the REST handlers above, as the caller (trpc.go,
		// trpc_procs.go).
		owner("GET /trpc/{procs}", s.trpc),
		owner("POST /trpc/{procs}", s.trpc),

		// The unified socket of NodeTool's current client: jobs, chat and
		// RPC commands on one connection (ws_unified.go).
		socket("GET /ws", s.websocket(s.unified)),

		// WebSockets, at the seed's paths and the original's (ws.go).
		socket("GET /predict", s.websocket(s.predict)),
		socket("GET /ws/predict", s.websocket(s.predict)),
		socket("GET /chat", s.websocket(s.chat)),
		socket("GET /ws/chat", s.websocket(s.chat)),
		socket("GET /updates", s.websocket(s.updates)),
		socket("GET /ws/updates", s.websocket(s.updates)),
		// Refused unless enabled, and never offered in production or with
		// multi-user auth (terminal.go).
		socket("GET /terminal", s.websocket(s.terminal)),
		socket("GET /ws/terminal", s.websocket(s.terminal)),

		// The built web client (--static-folder), else the built-in page
		// (Deps.UI), else off: every GET no route above matches.
		public("GET /", s.static()),
	}
}

// Handler wraps mux in the editor's middleware (httpapi.Chain): logging
// and recovery, security headers, browser safety (Host and Origin, when
// auth is not enforced), CORS for allowed origins, storage keys checked as
// sent and trailing slashes dropped elsewhere, JSON 404/405; each route
// then authenticates by its access class.
func (s *Server) Handler(mux *http.ServeMux) http.Handler {
	return httpapi.Chain(mux, httpapi.Middleware{Log: s.log, Auth: s.d.Auth, Guard: s.browserSafety, AllowOrigin: s.corsOrigin,
		Storage: []string{"/api/storage/"}})
}
