package editor

import (
	"archive/zip"
	"errors"
	"io"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"nodetool/httpapi"
	"nodetool/store"
)

// maxDepth bounds walks up and down the folder tree; moves never make a
// cycle, so it only guards against hand-edited records.
const maxDepth = 10000

// tree is the user's assets indexed for walking.
type tree struct {
	user string
	byID map[string]*asset
	kids map[string][]*asset // by parent id, in id order
}

func (s *Server) tree(user string) *tree {
	all := s.userAssets(user)
	t := &tree{user: user, byID: make(map[string]*asset, len(all)), kids: children(all)}
	for _, a := range all {
		t.byID[a.ID] = a
	}
	return t
}

// ancestors returns the folders above a, from the top down (home not
// included).
func (t *tree) ancestors(a *asset) []*asset {
	var up []*asset
	for p := a.ParentID; p != t.user && len(up) < maxDepth; {
		f := t.byID[p]
		if f == nil {
			break
		}
		up = append(up, f)
		p = f.ParentID
	}
	slices.Reverse(up)
	return up
}

// assetTreeNode is an asset of a folder tree, with its children.
type assetTreeNode struct {
	assetJSON
	Children []*assetTreeNode `json:"children"`
}

// assetTree answers GET /api/assets/{id}/recursive: the folder (the home
// folder for the user id) with every descendant, each an Asset with its
// URLs and a "children" list (NodeTool answered raw records without URLs).
// A folder that does not exist for the caller gives {"assets":[]}.
func (s *Server) assetTree(w http.ResponseWriter, r *http.Request) {
	u, id := user(r), r.PathValue("id")
	t := s.tree(u)
	root := t.byID[id]
	if id == u {
		root = home(u)
	}
	if root == nil {
		httpapi.WriteJSON(w, http.StatusOK, map[string]any{"assets": []any{}})
		return
	}
	blobs := s.assetBlobs()
	var build func(a *asset, depth int) *assetTreeNode
	build = func(a *asset, depth int) *assetTreeNode {
		n := &assetTreeNode{assetJSON: s.present(a, blobs), Children: []*assetTreeNode{}}
		if depth < maxDepth {
			for _, c := range t.kids[a.ID] {
				n.Children = append(n.Children, build(c, depth+1))
			}
		}
		return n
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"assets": []*assetTreeNode{build(root, 0)}})
}

// assetWithPath is an asset found by a search, with where it is.
type assetWithPath struct {
	assetJSON
	FolderName string `json:"folder_name"`
	FolderPath string `json:"folder_path"`
	FolderID   string `json:"folder_id"`
}

// searchAssets finds the user's assets whose name contains the query
// (trimmed, at least two characters, any letter case), optionally of a
// content type prefix, paged by id.
func (s *Server) searchAssets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	query := strings.TrimSpace(q.Get("query"))
	if utf8.RuneCountInString(query) < 2 {
		s.fail(w, r, httpapi.Errorf(httpapi.Malformed, "Search query must be at least 2 characters long"))
		return
	}
	size, ok := s.pageSize(w, r, "page_size", 100, maxPageSize)
	if !ok {
		return
	}
	u := user(r)
	t := s.tree(u)
	needle, ctype := strings.ToLower(query), q.Get("content_type")
	var match []*asset
	for _, a := range s.userAssets(u) {
		if strings.Contains(strings.ToLower(a.Name), needle) && strings.HasPrefix(a.ContentType, ctype) {
			match = append(match, a)
		}
	}
	page, next := keyset(match, func(a *asset) string { return a.ID }, q.Get("cursor"), size, false)
	blobs := s.assetBlobs()
	out := make([]assetWithPath, len(page))
	for i, a := range page {
		names := []string{"Home"}
		for _, f := range t.ancestors(a) {
			names = append(names, f.Name)
		}
		folderID := a.ParentID
		if t.byID[folderID] == nil {
			folderID = u
		}
		out[i] = assetWithPath{assetJSON: s.present(a, blobs), FolderName: names[len(names)-1],
			FolderPath: strings.Join(names, " / "), FolderID: folderID}
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"assets": out, "next_cursor": next,
		"total_count": len(out), "is_global_search": true})
}

// downloadAssets answers a ZIP of the selected assets, folders with their
// whole subtree, streamed straight to the client with archive/zip. Entry
// paths follow the folders from the home folder down, by name; a name is
// made safe as one path segment (no "/", "\", ".." or control characters,
// so extracting the archive cannot write outside its folder); files get
// their extension unless the name has it; paths that clash (ignoring letter
// case) get _1, _2, … before the extension. Assets that do not exist for the caller are
// skipped, as NodeTool does, and so are files without content.
func (s *Server) downloadAssets(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AssetIDs []string `json:"asset_ids"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	if len(req.AssetIDs) == 0 {
		s.fail(w, r, httpapi.Errorf(httpapi.Malformed, "No asset IDs provided"))
		return
	}
	u := user(r)
	t := s.tree(u)
	selected := map[string]*asset{}
	var add func(a *asset, depth int)
	add = func(a *asset, depth int) {
		if selected[a.ID] != nil || depth > maxDepth {
			return
		}
		if a.ID != u {
			selected[a.ID] = a
		}
		for _, c := range t.kids[a.ID] {
			add(c, depth+1)
		}
	}
	for _, id := range req.AssetIDs {
		if id == u {
			add(home(u), 0)
		} else if a := t.byID[id]; a != nil {
			add(a, 0)
		}
	}
	entries := zipEntries(t, selected)

	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", "attachment; filename=assets_"+s.d.Now().UTC().Format("20060102_150405")+".zip")
	h.Set("Cache-Control", "no-cache, no-store, must-revalidate")
	w.WriteHeader(http.StatusOK)
	zw := zip.NewWriter(w)
	blobs := s.assetBlobs()
	for _, e := range entries {
		if err := s.writeZipEntry(zw, blobs, e); err != nil {
			// The status is sent: cut the connection so the client
			// sees a failed download, not a short archive.
			s.log.Error("asset download failed", "asset_id", e.a.ID, "err", err)
			panic(http.ErrAbortHandler)
		}
	}
	if err := zw.Close(); err != nil {
		s.log.Warn("asset download cut short", "err", err)
	}
}

type zipEntry struct {
	a    *asset
	path string // "a/b/" for folders
}

// zipEntries names the selected assets' entries, parents before children,
// each folder's entries in id order.
func zipEntries(t *tree, selected map[string]*asset) []zipEntry {
	used := map[string]bool{}
	dirs := map[string]string{t.user: ""} // folder id -> its path, "" or ending in "/"
	var dirOf func(id string, depth int) string
	dirOf = func(id string, depth int) string {
		if d, ok := dirs[id]; ok {
			return d
		}
		f := t.byID[id]
		if f == nil || depth > maxDepth {
			return ""
		}
		d := unique(used, dirOf(f.ParentID, depth+1), safeName(f.Name), "/")
		dirs[id] = d
		return d
	}
	ids := make([]string, 0, len(selected))
	for id := range selected {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	// From the top down, so a folder's name is settled before the
	// folders in it take theirs.
	depth := make(map[string]int, len(ids))
	for _, id := range ids {
		depth[id] = len(t.ancestors(selected[id]))
	}
	slices.SortStableFunc(ids, func(x, y string) int { return depth[x] - depth[y] })
	var out []zipEntry
	for _, id := range ids {
		if a := selected[id]; a.isFolder() {
			out = append(out, zipEntry{a, dirOf(id, 0)})
		}
	}
	for _, id := range ids {
		a := selected[id]
		if a.isFolder() {
			continue
		}
		name, ext := safeName(a.Name), "."+httpapi.Extension(a.ContentType)
		if strings.HasSuffix(strings.ToLower(name), ext) {
			name, ext = name[:len(name)-len(ext)], name[len(name)-len(ext):]
		}
		out = append(out, zipEntry{a, unique(used, dirOf(a.ParentID, 0), name, ext)})
	}
	return out
}

// unique returns dir+name+suffix, or with _1, _2, … after name, whichever
// is not used yet, and marks it used.
func unique(used map[string]bool, dir, name, suffix string) string {
	// "a.txt" and "a.txt/", or "a.txt" and "A.TXT", clash too when the
	// archive is extracted (on a case-insensitive filesystem).
	key := func(p string) string { return strings.ToLower(strings.TrimSuffix(p, "/")) }
	p := dir + name + suffix
	for i := 1; used[key(p)]; i++ {
		p = dir + name + "_" + strconv.Itoa(i) + suffix
	}
	used[key(p)] = true
	return p
}

// safeName makes an asset name one harmless path segment of a ZIP entry.
func safeName(name string) string {
	n := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || isControl(r) {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(name, "_"))
	n = strings.TrimSpace(n)
	if strings.Trim(n, ".") == "" {
		n = "unnamed"
	}
	return n
}

// writeZipEntry adds one entry; a file without content is skipped.
func (s *Server) writeZipEntry(zw *zip.Writer, blobs *store.Blobs, e zipEntry) error {
	if e.a.isFolder() {
		_, err := zw.CreateHeader(&zip.FileHeader{Name: e.path, Method: zip.Store})
		return err
	}
	f, info, err := blobs.Open(e.a.blobKey())
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	hdr := &zip.FileHeader{Name: e.path, Method: zip.Deflate, Modified: info.ModTime}
	if compressed(e.a.ContentType, path.Ext(e.path)) {
		hdr.Method = zip.Store // already compressed: deflate would only cost time
	}
	zf, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	_, err = io.Copy(zf, f)
	return err
}

func compressed(contentType, ext string) bool {
	for _, p := range []string{"image/", "audio/", "video/"} {
		if strings.HasPrefix(contentType, p) && contentType != "image/svg+xml" && contentType != "image/bmp" && contentType != "audio/wav" {
			return true
		}
	}
	switch ext {
	case ".zip", ".gz", ".docx", ".xlsx", ".pptx":
		return true
	}
	return false
}
