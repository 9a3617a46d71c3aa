package editor

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"nodetool/httpapi"
	"nodetool/store"
)

// Assets are the user's files and folders, kept as records of kind
// "assets"; a file's content is the blob "<id>.<ext>" of the assets bucket,
// with ext from its content type (httpapi.Extension). Every asset belongs to
// one user; another user's asset does not exist for the caller (404). The
// home folder is not a record: its id is the user id, and assets at the top
// have it as parent_id.
//
// Not done, for want of media libraries in this binary: thumbnails are never
// generated (thumb_url is null unless a thumbnail blob "<id>_thumb.jpg" was
// stored, for example through /api/storage) and an audio file's duration is
// not measured (it is whatever the client sent). The routes are in
// routes.go.

const (
	assetKind   = "assets"
	folderType  = "folder"
	maxNameLen  = 1024 // bytes in an asset name
	maxTypeLen  = 255  // bytes in a content type
	maxPageSize = 10000
)

// asset is the stored record (NodeTool's Asset table).
type asset struct {
	ID          string          `json:"id"`
	UserID      string          `json:"user_id"`
	WorkflowID  *string         `json:"workflow_id"`
	ParentID    string          `json:"parent_id"`
	Name        string          `json:"name"`
	ContentType string          `json:"content_type"`
	Size        *int64          `json:"size"`
	Metadata    json.RawMessage `json:"metadata"`
	CreatedAt   string          `json:"created_at"`
	Duration    *float64        `json:"duration"`
}

func (a *asset) isFolder() bool { return a.ContentType == folderType }

// blobKey is the key of the asset's content.
func (a *asset) blobKey() string { return a.ID + "." + httpapi.Extension(a.ContentType) }

func thumbKey(id string) string { return id + "_thumb.jpg" }

// home is the synthetic home folder of user.
func home(user string) *asset {
	return &asset{ID: user, UserID: user, Name: "Home", ContentType: folderType}
}

// assetJSON is an asset as the API shows it.
type assetJSON struct {
	*asset
	GetURL   *string `json:"get_url"`
	ThumbURL *string `json:"thumb_url"`
}

// present adds the URLs to a: get_url for files, thumb_url for images and
// videos that have a thumbnail blob.
func (s *Server) present(a *asset, blobs *store.Blobs) assetJSON {
	out := assetJSON{asset: a}
	if a.isFolder() {
		return out
	}
	base := strings.TrimRight(s.d.PublicURL, "/") + "/api/storage/"
	u := base + a.blobKey()
	out.GetURL = &u
	if strings.HasPrefix(a.ContentType, "image/") || strings.HasPrefix(a.ContentType, "video/") {
		if _, err := blobs.Stat(thumbKey(a.ID)); err == nil {
			t := base + thumbKey(a.ID)
			out.ThumbURL = &t
		}
	}
	return out
}

func (s *Server) assetBlobs() *store.Blobs {
	b, err := s.d.Store.Blobs("assets")
	if err != nil {
		panic(err) // "assets" always exists
	}
	return b
}

func (s *Server) tempBlobs() *store.Blobs {
	b, err := s.d.Store.Blobs("temp")
	if err != nil {
		panic(err) // "temp" always exists
	}
	return b
}

// ownAsset returns the user's asset id, or nil if it does not exist or
// belongs to someone else.
func (s *Server) ownAsset(user, id string) *asset {
	data, ok := s.d.Store.Get(assetKind, id)
	if !ok {
		return nil
	}
	var a asset
	if err := json.Unmarshal(data, &a); err != nil {
		s.log.Warn("skipping an unreadable asset record", "id", id, "err", err)
		return nil
	}
	if a.UserID != user {
		return nil
	}
	return &a
}

// userAssets returns every asset of user, sorted by id.
func (s *Server) userAssets(user string) []*asset {
	var out []*asset
	for _, rec := range s.d.Store.List(assetKind) {
		var a asset
		if err := json.Unmarshal(rec.Data, &a); err != nil {
			s.log.Warn("skipping an unreadable asset record", "id", rec.ID, "err", err)
			continue
		}
		if a.UserID == user {
			out = append(out, &a)
		}
	}
	return out
}

// checkParent checks that parent is the user's home or one of their
// folders.
func (s *Server) checkParent(user, parent string) error {
	if parent == user {
		return nil
	}
	p := s.ownAsset(user, parent)
	if p == nil {
		return errParentNotFound
	}
	if !p.isFolder() {
		return invalid("parent_id must name a folder, not a file")
	}
	return nil
}

func (s *Server) listAssets(w http.ResponseWriter, r *http.Request) {
	size, ok := s.pageSize(w, r, "page_size", maxPageSize, maxPageSize)
	if !ok {
		return
	}
	u, q := user(r), r.URL.Query()
	parent, ctype := q.Get("parent_id"), q.Get("content_type")
	if parent == "" && ctype == "" {
		parent = u
	}
	var match []*asset
	for _, a := range s.userAssets(u) {
		if (parent == "" || a.ParentID == parent) && strings.HasPrefix(a.ContentType, ctype) {
			match = append(match, a)
		}
	}
	page, next := keyset(match, func(a *asset) string { return a.ID }, q.Get("cursor"), size, false)
	blobs := s.assetBlobs()
	out := make([]assetJSON, len(page))
	for i, a := range page {
		out[i] = s.present(a, blobs)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"next": next, "assets": out})
}

func (s *Server) getAsset(w http.ResponseWriter, r *http.Request) {
	u, id := user(r), r.PathValue("id")
	if id == u {
		httpapi.WriteJSON(w, http.StatusOK, s.present(home(u), nil))
		return
	}
	a := s.ownAsset(u, id)
	if a == nil {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Asset not found"))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, s.present(a, s.assetBlobs()))
}

// checkName checks an asset name and returns it trimmed.
func checkName(name string) (string, error) {
	n := strings.TrimSpace(name)
	switch {
	case n == "":
		return "", invalid("name must not be empty")
	case len(n) > maxNameLen:
		return "", invalid("name is longer than %d bytes", maxNameLen)
	case !utf8.ValidString(n) || strings.ContainsFunc(n, isControl):
		return "", invalid("name must be text without control characters")
	}
	return n, nil
}

func checkContentType(ct string) error {
	switch {
	case strings.TrimSpace(ct) == "":
		return invalid("content_type must not be empty")
	case len(ct) > maxTypeLen:
		return invalid("content_type is longer than %d bytes", maxTypeLen)
	case strings.ContainsFunc(ct, isControl):
		return invalid("content_type must not contain control characters")
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) }

// assetUpdate is AssetUpdateRequest. name, parent_id and content_type must
// be present, though they may be null.
type assetUpdate struct {
	Name        *string         `json:"name"`
	ParentID    *string         `json:"parent_id"`
	ContentType *string         `json:"content_type"`
	Data        *string         `json:"data"`
	Metadata    json.RawMessage `json:"metadata"`
	Duration    *float64        `json:"duration"`
	Size        *int64          `json:"size"`
}

func parseAssetUpdate(body []byte) (*assetUpdate, error) {
	var keys map[string]json.RawMessage
	if err := decodeJSON(body, &keys); err != nil {
		return nil, err
	}
	for _, k := range []string{"name", "parent_id", "content_type"} {
		if _, ok := keys[k]; !ok {
			return nil, invalid("field %q is required (it may be null)", k)
		}
	}
	var req assetUpdate
	if err := decodeJSON(body, &req); err != nil {
		return nil, err
	}
	if !isObjectOrNull(req.Metadata) {
		return nil, invalid(`field "metadata" must be an object or null`)
	}
	if req.Size != nil && *req.Size < 0 {
		return nil, invalid(`field "size" must not be negative`)
	}
	if req.Duration != nil && *req.Duration < 0 {
		return nil, invalid(`field "duration" must not be negative`)
	}
	return &req, nil
}

// updateAsset applies the non-empty fields of an AssetUpdateRequest:
// content_type, metadata, name (trimmed), parent_id (a move, into the
// user's home or one of their folders, never into the asset itself or its
// subtree), size and duration; data replaces the content of a file.
func (s *Server) updateAsset(w http.ResponseWriter, r *http.Request) {
	body, ok := httpapi.ReadBody(w, r, s.d.MaxBody)
	if !ok {
		return
	}
	req, err := parseAssetUpdate(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, id := user(r), r.PathValue("id")
	if id == u {
		s.fail(w, r, httpapi.Errorf(httpapi.Invalid, "the Home folder cannot be changed"))
		return
	}
	s.assetsMu.Lock()
	defer s.assetsMu.Unlock()
	a := s.ownAsset(u, id)
	if a == nil {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Asset not found"))
		return
	}
	oldKey := a.blobKey()
	if err := s.applyUpdate(u, a, req); err != nil {
		s.fail(w, r, err)
		return
	}
	blobs := s.assetBlobs()
	if req.Data != nil && *req.Data != "" {
		info, err := blobs.Put(r.Context(), a.blobKey(), strings.NewReader(*req.Data), -1)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		a.Size = &info.Size
		if oldKey != a.blobKey() {
			s.deleteBlob(blobs, oldKey)
		}
	} else if oldKey != a.blobKey() {
		if err := s.renameBlob(r, blobs, oldKey, a.blobKey()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.d.Store.Put(assetKind, a.ID, a); err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, s.present(a, blobs))
}

// applyUpdate changes a as req asks, checking every change first.
func (s *Server) applyUpdate(u string, a *asset, req *assetUpdate) error {
	if ct := req.ContentType; ct != nil && *ct != "" {
		if err := checkContentType(*ct); err != nil {
			return err
		}
		if (*ct == folderType) != a.isFolder() {
			return invalid("an asset cannot become a folder, nor a folder a file")
		}
		a.ContentType = *ct
	}
	if req.Data != nil && *req.Data != "" && a.isFolder() {
		return invalid("a folder has no content: data must be null")
	}
	if req.Name != nil && *req.Name != "" {
		n, err := checkName(*req.Name)
		if err != nil {
			return err
		}
		a.Name = n
	}
	if p := req.ParentID; p != nil && *p != "" && *p != a.ParentID {
		if err := s.checkParent(u, *p); err != nil {
			return err
		}
		if a.isFolder() && s.isWithin(u, *p, a.ID) {
			return invalid("a folder cannot be moved into itself or one of its subfolders")
		}
		a.ParentID = *p
	}
	if !isEmptyObject(req.Metadata) {
		a.Metadata = req.Metadata
	}
	if req.Size != nil {
		a.Size = req.Size
	}
	if req.Duration != nil {
		a.Duration = req.Duration
	}
	return nil
}

// isWithin reports whether folder id is the folder ancestor or one of its
// descendants (walking up from id).
func (s *Server) isWithin(user, id, ancestor string) bool {
	for range 10000 { // deeper than any tree; ends a cycle in corrupt data
		if id == ancestor {
			return true
		}
		if id == user {
			return false
		}
		a := s.ownAsset(user, id)
		if a == nil {
			return false
		}
		id = a.ParentID
	}
	return true
}

// renameBlob moves a blob to a new key (its asset's content type changed
// its extension), streaming a copy and deleting the original.
func (s *Server) renameBlob(r *http.Request, blobs *store.Blobs, from, to string) error {
	f, _, err := blobs.Open(from)
	if errors.Is(err, store.ErrNotFound) {
		return nil // a placeholder without content
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := blobs.Put(r.Context(), to, f, -1); err != nil {
		return err
	}
	s.deleteBlob(blobs, from)
	return nil
}

// deleteBlob removes a blob, logging (not failing on) a storage error.
func (s *Server) deleteBlob(blobs *store.Blobs, key string) {
	if err := blobs.Delete(key); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Warn("could not delete a blob", "key", key, "err", err)
	}
}

// deleteAsset deletes an asset; a folder goes with its whole subtree,
// depth first. Each record goes first, then its content and thumbnail
// blobs (so a crash leaves at most an unreachable blob, never an asset
// without content). A missing asset is 404 (NodeTool answered 500).
func (s *Server) deleteAsset(w http.ResponseWriter, r *http.Request) {
	u, id := user(r), r.PathValue("id")
	if id == u {
		s.fail(w, r, httpapi.Errorf(httpapi.Invalid, "the Home folder cannot be deleted"))
		return
	}
	s.assetsMu.Lock()
	defer s.assetsMu.Unlock()
	a := s.ownAsset(u, id)
	if a == nil {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Asset not found"))
		return
	}
	var order []*asset // children before their folder
	if a.isFolder() {
		kids := children(s.userAssets(u))
		var walk func(a *asset, depth int)
		walk = func(a *asset, depth int) {
			if depth < 10000 {
				for _, c := range kids[a.ID] {
					walk(c, depth+1)
				}
			}
			order = append(order, a)
		}
		walk(a, 0)
	} else {
		order = []*asset{a}
	}
	blobs := s.assetBlobs()
	deleted := make([]string, 0, len(order))
	for _, a := range order {
		if _, err := s.d.Store.Delete(assetKind, a.ID); err != nil {
			s.fail(w, r, err)
			return
		}
		deleted = append(deleted, a.ID)
		if !a.isFolder() {
			s.deleteBlob(blobs, a.blobKey())
		}
		s.deleteBlob(blobs, thumbKey(a.ID))
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"deleted_asset_ids": deleted})
}

// children maps each folder id to its children, in id order.
func children(all []*asset) map[string][]*asset {
	kids := make(map[string][]*asset)
	for _, a := range all {
		kids[a.ParentID] = append(kids[a.ParentID], a)
	}
	return kids
}

// drain discards the rest of r (bounded by the request's body limit).
func drain(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
