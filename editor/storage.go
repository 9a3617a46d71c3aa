package editor

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"nodetool/authn"
	"nodetool/httpapi"
	"nodetool/store"
)

// Storage is raw blob access (routes in routes.go): /api/storage/{key} for
// the assets bucket, /api/storage/temp/{key} for the temp bucket. Keys may
// have "/" segments and must pass store.ValidateKey (400 with its reason). GET and
// HEAD serve with http.ServeContent (ranges, conditionals, Content-Type by
// extension); PUT streams the body under the upload limit (413) and
// answers {"key","size"}; DELETE answers 200 null, or 404.
//
// Ownership (NodeTool checked none): a key of the assets bucket that
// belongs to one of the caller's assets, its content "<id>.<ext>" or its
// thumbnail "<id>_thumb.jpg", is theirs; the caller's other keys of that
// asset id are refused (404).
//
// With local auth (one user) every other key, and every temp key, is
// stored as named. With multi-user (Supabase) auth every key but the
// caller's own asset keys lives in a space of the caller's own: stored as
// "users/<user id>/<key>" (see userSpace), in both buckets, so one user
// never reads, replaces or deletes another's, and another user's asset key
// is, for the caller, a key of their own space: absent until they put it,
// exactly like a key that exists nowhere. The static token's user ("1"),
// the operator, has no space of their own and sees both buckets as stored.

// blobKey checks the key of a storage request and whether the caller may
// use it, answering 400 or 404 itself, and returns the key as stored (see
// Storage above). a is the asset whose content the key is, if any.
func (s *Server) blobKey(w http.ResponseWriter, r *http.Request, b *store.Blobs) (stored string, a *asset, ok bool) {
	key, ok := httpapi.BlobKey(w, r.PathValue("key"))
	if !ok {
		return "", nil, false
	}
	u := user(r)
	space := s.userSpace(u)
	if b.Bucket() != "assets" {
		return s.inSpace(w, r, space, key)
	}
	id, ok := assetIDOfKey(key)
	if !ok {
		return s.inSpace(w, r, space, key)
	}
	data, exists := s.d.Store.Get(assetKind, id)
	var rec asset
	if exists && json.Unmarshal(data, &rec) == nil && rec.UserID == u {
		switch {
		case rec.isFolder() || (key != rec.blobKey() && key != thumbKey(id)):
			s.fail(w, r, &httpapi.Error{Kind: httpapi.NotFound})
			return "", nil, false
		case key == rec.blobKey():
			return key, &rec, true
		}
		return key, nil, true
	}
	if exists && space == "" {
		// Another user's asset, and the caller has no space of their own
		// (the operator in multi-user mode: a single user has no others).
		s.fail(w, r, &httpapi.Error{Kind: httpapi.NotFound})
		return "", nil, false
	}
	return s.inSpace(w, r, space, key)
}

// userSpace is the prefix of the keys of user: "users/<id>/" in
// multi-user mode, with a user id that is itself a valid key segment, or
// else "users/~<hash of the id>/"; "" with local auth and for the static
// token's user, who have the whole bucket.
func (s *Server) userSpace(u string) string {
	if s.d.Auth.Provider() != authn.Supabase || u == authn.LocalUser {
		return ""
	}
	if _, err := store.ValidateKey("users/" + u + "/x"); err != nil || strings.Contains(u, "/") {
		sum := sha256.Sum256([]byte(u))
		u = "~" + hex.EncodeToString(sum[:16])
	}
	return "users/" + u + "/"
}

// inSpace returns key within space, answering Malformed when the whole key is
// then too long.
func (s *Server) inSpace(w http.ResponseWriter, r *http.Request, space, key string) (string, *asset, bool) {
	if space == "" {
		return key, nil, true
	}
	if len(space)+len(key) > store.MaxKeyLen {
		s.fail(w, r, malformed("invalid key: key must be at most %d bytes", store.MaxKeyLen-len(space)))
		return "", nil, false
	}
	return space + key, nil, true
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
		httpapi.WriteJSON(w, http.StatusOK, map[string]any{"key": r.PathValue("key"), "size": info.Size})
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
