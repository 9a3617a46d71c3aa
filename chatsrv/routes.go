package chatsrv

import (
	"net/http"

	"nodetool/httpapi"
)

// NewHandler returns the chat server: /health and the /v1 routes, in the
// middleware every surface shares (httpapi.Chain: logging and recovery,
// security headers, trailing slashes dropped, JSON 404/405; no CORS). It
// panics without d.Providers or d.Auth.
func NewHandler(d Deps) http.Handler {
	d = withDefaults(d)
	mux := http.NewServeMux()
	httpapi.Handle(mux, d.Auth, newServer(d).routes(true))
	return httpapi.Chain(mux, httpapi.Middleware{Log: d.Logger, Auth: d.Auth})
}

// Register adds the /v1 routes to the mux of another surface (the worker,
// the editor), which has its own /health and middleware. It panics without
// d.Providers or d.Auth, or on a route that conflicts with one on mux.
func Register(mux *http.ServeMux, d Deps) {
	httpapi.Handle(mux, d.Auth, newServer(withDefaults(d)).routes(false))
}

// routes is every route of the chat API, who may call it (see
// httpapi.Access) and its handler: the chat server's attack-surface
// inventory. /health is the chat server's own (own): a surface that mounts
// the /v1 routes has its /health.
func (s *server) routes(own bool) []httpapi.Route {
	var (
		public = httpapi.Public.Route
		authed = httpapi.Authenticated.Route // any valid token; the same answer for every user
		health http.HandlerFunc              // nil: not registered
	)
	if own {
		health = s.health
	}
	return []httpapi.Route{
		public("GET /health", health),
		authed("GET /v1/models", s.listModels),
		authed("POST /v1/chat/completions", s.chatCompletions),
	}
}
