package editor

import (
	"encoding/json"
	"net/http"

	"nodetool/httpapi"
	"nodetool/store"
)

// registerStorage adds raw blob access: /api/storage/{key} for the assets
// bucket, /api/storage/temp/{key} for the temp bucket. Keys may have "/"
// segments and must pass store.ValidateKey (400 with its reason). GET and
// HEAD serve with http.ServeContent (ranges, conditionals, Content-Type by
// extension); PUT streams the body under the upload limit (413) and
// answers {"key","size"}; DELETE answers 200 null, or 404.
//
// Ownership (NodeTool checked none): a key of the assets bucket that
// belongs to an asset, its content "<id>.<ext>" or its thumbnail
// "<id>_thumb.jpg", is the asset owner's alone; for anyone else it does not
// exist (404), and other keys of that asset id are refused (404). Keys that
// belong to no asset, and temp keys, are open to every authenticated user,
// as in NodeTool.
func (s *Server) registerStorage(mux *http.ServeMux) {
	assets := s.assetBlobs()
	temp, err := s.d.Store.Blobs("temp")
	if err != nil {
		panic(err)
	}
	mux.HandleFunc("GET /api/storage/{key...}", s.getBlob(assets))
	mux.HandleFunc("PUT /api/storage/{key...}", s.putBlob(assets))
	mux.HandleFunc("DELETE /api/storage/{key...}", s.deleteBlobRoute(assets))
	mux.HandleFunc("GET /api/storage/temp/{key...}", s.getBlob(temp))
	mux.HandleFunc("PUT /api/storage/temp/{key...}", s.putBlob(temp))
	mux.HandleFunc("DELETE /api/storage/temp/{key...}", s.deleteBlobRoute(temp))
}

// blobKey checks the key of a storage request and whether the caller may
// use it, answering 400 or 404 itself. a is the asset whose content the key
// is, if any.
func (s *Server) blobKey(w http.ResponseWriter, r *http.Request, b *store.Blobs) (key string, a *asset, ok bool) {
	key, ok = httpapi.BlobKey(w, r.PathValue("key"))
	if !ok {
		return "", nil, false
	}
	if b.Bucket() != "assets" {
		return key, nil, true
	}
	id, ok := assetIDOfKey(key)
	if !ok {
		return key, nil, true
	}
	data, exists := s.d.Store.Get(assetKind, id)
	if !exists {
		return key, nil, true
	}
	var rec asset
	if err := json.Unmarshal(data, &rec); err != nil || rec.UserID != user(r) || rec.isFolder() ||
		(key != rec.blobKey() && key != thumbKey(id)) {
		httpapi.Error(w, http.StatusNotFound, "Not Found")
		return "", nil, false
	}
	if key == rec.blobKey() {
		return key, &rec, true
	}
	return key, nil, true
}

// assetIDOfKey returns the asset id a key is named after: 32 lowercase hex
// digits followed by "." or "_".
func assetIDOfKey(key string) (string, bool) {
	if len(key) < 33 || (key[32] != '.' && key[32] != '_') {
		return "", false
	}
	for _, c := range []byte(key[:32]) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", false
		}
	}
	return key[:32], true
}

func (s *Server) getBlob(b *store.Blobs) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if key, _, ok := s.blobKey(w, r, b); ok {
			httpapi.ServeBlob(w, r, s.log, b, key)
		}
	}
}

// putBlob stores the body; when the key is an asset's content, the asset's
// size follows.
func (s *Server) putBlob(b *store.Blobs) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, a, ok := s.blobKey(w, r, b)
		if !ok {
			return
		}
		info, ok := httpapi.PutBlob(w, r, s.log, b, key, s.d.MaxUpload, s.d.BodyIdleTimeout)
		if !ok {
			return
		}
		if a != nil {
			s.assetsMu.Lock()
			if cur := s.ownAsset(a.UserID, a.ID); cur != nil && cur.blobKey() == key {
				cur.Size = &info.Size
				if err := s.d.Store.Put(assetKind, cur.ID, cur); err != nil {
					s.log.Warn("could not record an asset's new size", "id", cur.ID, "err", err)
				}
			}
			s.assetsMu.Unlock()
		}
		httpapi.WriteJSON(w, http.StatusOK, map[string]any{"key": info.Key, "size": info.Size})
	}
}

func (s *Server) deleteBlobRoute(b *store.Blobs) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, _, ok := s.blobKey(w, r, b)
		if ok && httpapi.DeleteBlob(w, r, s.log, b, key) {
			httpapi.WriteJSON(w, http.StatusOK, nil)
		}
	}
}
