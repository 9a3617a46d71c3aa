package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"nodetool/authn"
	"nodetool/chatsrv"
	"nodetool/httpapi"
)

// cmdChatServer serves the OpenAI-compatible chat API alone.
func cmdChatServer(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := newServerCmd(serverSpec{
		name: "chat-server", host: "127.0.0.1", port: 8080, auth: "local",
		about: `Serves the OpenAI-compatible chat API (/v1/models, /v1/chat/completions) and /health, in front
of the model providers. --provider fake answers offline (it echoes), for a first try and for tests.`,
		bodyUse: "largest request body", waitFor: "running requests",
	}, getenv, stdout, stderr)
	s, err := c.parse(args, getenv, nil)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", chatsrv.Health)
	chatsrv.Register(mux, chatsrv.Deps{Providers: s.models, Logger: s.log, MaxBody: int64(c.maxBody)})
	handler := serverHandler(s.auth, mux, s.log, func(r *http.Request) bool { return r.URL.Path == "/health" })

	ln, err := s.listen()
	if err != nil {
		return err
	}
	printBanner(stdout, banner{what: "chat-server", addr: listenAddr(s.host, ln), auth: s.auth, token: s.token,
		lines: []string{providersLine(s.models)}})
	return s.serve(ctx, ln, handler, "use the model servers behind it")
}

// serverHandler wraps a server's mux with the shared middleware: logging
// and recovery, security headers, trailing-slash tolerance, JSON 404/405,
// and authentication of every route but the public ones.
func serverHandler(auth *authn.Auth, mux *http.ServeMux, log *slog.Logger, public func(*http.Request) bool) http.Handler {
	var h http.Handler = httpapi.JSONErrors(mux)
	h = httpapi.Protect(auth, public, h)
	h = httpapi.TrimSlash(h)
	h = httpapi.SecurityHeaders(h)
	return httpapi.LogAndRecover(log, h)
}
