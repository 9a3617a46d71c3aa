package editor

import (
	"net/http"

	"nodetool/httpapi"
)

// Routes still being built answer 501 until they land.
func notYet(w http.ResponseWriter, r *http.Request) {
	httpapi.Error(w, http.StatusNotImplemented, "not implemented yet")
}

func (s *Server) registerAssets(mux *http.ServeMux)   {}
func (s *Server) registerStorage(mux *http.ServeMux)  {}
func (s *Server) registerThreads(mux *http.ServeMux)  {}
func (s *Server) registerSettings(mux *http.ServeMux) {}

func (s *Server) chat(c *wsConn) { c.close(closeInternalError, "chat is not available yet") }
