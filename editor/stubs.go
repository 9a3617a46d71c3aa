package editor

import (
	"net/http"

	"nodetool/httpapi"
)

// Routes still being built answer 501 until they land.
func notYet(w http.ResponseWriter, r *http.Request) {
	httpapi.Error(w, http.StatusNotImplemented, "not implemented yet")
}

func (s *Server) websocket(h func(w http.ResponseWriter, r *http.Request)) http.Handler {
	return http.HandlerFunc(h)
}

func (s *Server) predict(w http.ResponseWriter, r *http.Request)  { notYet(w, r) }
func (s *Server) chat(w http.ResponseWriter, r *http.Request)     { notYet(w, r) }
func (s *Server) updates(w http.ResponseWriter, r *http.Request)  { notYet(w, r) }
func (s *Server) terminal(w http.ResponseWriter, r *http.Request) { notYet(w, r) }
