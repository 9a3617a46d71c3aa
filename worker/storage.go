package worker

import (
	"net/http"

	"nodetool/httpapi"
	"nodetool/store"
)

// blobs resolves the bucket and key of a storage route, answering 404 for
// an unknown bucket and 400 for an invalid key.
func (s *Server) blobs(w http.ResponseWriter, r *http.Request) (*store.Blobs, string, bool) {
	bucket := r.PathValue("bucket")
	if bucket != "assets" && bucket != "temp" {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "unknown storage bucket %s: use assets or temp", httpapi.Quote(bucket)))
		return nil, "", false
	}
	key, ok := httpapi.BlobKey(w, r.PathValue("key"))
	if !ok {
		return nil, "", false
	}
	b, err := s.d.Store.Blobs(bucket)
	if err != nil {
		s.fail(w, r, err)
		return nil, "", false
	}
	return b, key, true
}

// getBlob serves GET and HEAD (see httpapi.ServeBlob).
func (s *Server) getBlob(w http.ResponseWriter, r *http.Request) {
	if b, key, ok := s.blobs(w, r); ok {
		httpapi.ServeBlob(w, r, s.log, b, key)
	}
}

// putBlob streams the body to a temp file and moves it into place.
func (s *Server) putBlob(w http.ResponseWriter, r *http.Request) {
	b, key, ok := s.blobs(w, r)
	if !ok {
		return
	}
	if info, ok := httpapi.PutBlob(w, r, s.log, b, key, s.d.MaxUpload, s.d.BodyIdleTimeout); ok {
		httpapi.WriteJSON(w, http.StatusOK, map[string]any{"key": info.Key, "size": info.Size})
	}
}

func (s *Server) deleteBlob(w http.ResponseWriter, r *http.Request) {
	b, key, ok := s.blobs(w, r)
	if !ok {
		return
	}
	if httpapi.DeleteBlob(w, r, s.log, b, key) {
		w.WriteHeader(http.StatusNoContent)
	}
}
