package worker

import (
	"net/http"

	"nodetool/httpapi"
)

// Register adds the worker's routes to mux. Other surfaces (the /v1 chat
// routes) may be registered on the same mux; each route checks its own
// access. It panics on a route that conflicts with one already on mux.
func (s *Server) Register(mux *http.ServeMux) {
	httpapi.Handle(mux, s.d.Auth, s.routes())
}

// routes is every route of the Worker API, who may call it (see
// httpapi.Access) and its handler: the worker's attack-surface inventory.
// Workflows are the caller's own (another user's is 404) or the read-only
// ones loaded from files, which every caller sees. Storage is shared: any
// authenticated caller may write it through /admin/storage, and anyone may
// read it through /storage unless --private-storage is set.
func (s *Server) routes() []httpapi.Route {
	var (
		public = httpapi.Public.Route
		authed = httpapi.Authenticated.Route // any valid token; the same answer for every user
		owner  = httpapi.Owner.Route
		reader = public // of /storage
	)
	if s.d.PrivateStorage {
		reader = authed
	}
	return []httpapi.Route{
		public("GET /health", s.health),
		public("GET /ping", s.health),
		public("GET /ready", s.ready), // the storage backend answers (cached 2s); for load balancers
		// GET /metrics is added beside these routes by the server command
		// (server.go), authenticated unless --metrics-public.

		owner("GET /workflows", s.listWorkflows),
		owner("GET /workflows/{id}", s.getWorkflow),
		owner("PUT /workflows/{id}", s.putWorkflow),
		owner("DELETE /workflows/{id}", s.deleteWorkflow),
		owner("POST /workflows/{id}/run", s.runWorkflow),
		owner("POST /workflows/{id}/run/stream", s.streamWorkflow),

		// Buckets "assets" and "temp"; keys are checked as sent before
		// routing (httpapi.Chain). GET answers HEAD too.
		authed("GET /admin/storage/{bucket}/{key...}", s.getBlob),
		authed("PUT /admin/storage/{bucket}/{key...}", s.putBlob),
		authed("DELETE /admin/storage/{bucket}/{key...}", s.deleteBlob),
		reader("GET /storage/{bucket}/{key...}", s.getBlob),
	}
}

// Handler wraps mux in the worker's middleware (httpapi.Chain): request
// logging and panic recovery, security headers, CORS ("*", no
// credentials), storage keys checked as sent and trailing slashes dropped
// elsewhere, JSON 404/405; each route then authenticates by its access
// class.
func (s *Server) Handler(mux *http.ServeMux) http.Handler {
	return httpapi.Chain(mux, httpapi.Middleware{Log: s.log, Auth: s.d.Auth, AnyOrigin: true,
		Storage: []string{"/storage/", "/admin/storage/"}, Bucketed: true})
}
