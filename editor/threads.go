package editor

import (
	"encoding/json"
	"net/http"

	"nodetool/httpapi"
	"nodetool/store"
)

// Threads (records of kind "threads") hold chat messages (kind
// "messages"). Both belong to one user; another user's thread or message
// does not exist for the caller (404). Listings page by id (ids are
// time-ordered), forwards or, with reverse=true, backwards. The routes are
// in routes.go.

const (
	threadKind   = "threads"
	messageKind  = "messages"
	maxListLimit = 1000
)

// thread is the stored record and its API shape.
type thread struct {
	ID        string  `json:"id"`
	UserID    string  `json:"user_id"`
	Title     *string `json:"title"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
}

// ownThread returns the user's thread id: errThreadNotFound when it does
// not exist or belongs to someone else. The chat socket uses it too.
func (s *Server) ownThread(user, id string) (*thread, error) {
	data, ok := s.d.Store.Get(threadKind, id)
	if !ok {
		return nil, errThreadNotFound
	}
	var t thread
	if err := json.Unmarshal(data, &t); err != nil || t.UserID != user {
		return nil, errThreadNotFound
	}
	return &t, nil
}

// threadExists reports whether a thread id exists, whoever owns it.
func (s *Server) threadExists(id string) bool {
	_, ok := s.d.Store.Get(threadKind, id)
	return ok
}

// newThread stores a new thread of user.
func (s *Server) newThread(user string, title *string) (*thread, error) {
	now := store.Timestamp(s.d.Now())
	t := &thread{ID: store.NewID(), UserID: user, Title: title, CreatedAt: now, UpdatedAt: now}
	if err := s.d.Store.Put(threadKind, t.ID, t); err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Server) createThread(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Title *string `json:"title"`
	}
	body, ok := httpapi.ReadBody(w, r, s.d.MaxBody)
	if !ok {
		return
	}
	if len(body) > 0 { // an empty body is {} (every field is optional)
		if err := decodeJSON(body, &req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	title := "New Thread"
	if req.Title != nil {
		title = *req.Title
	}
	t, err := s.newThread(user(r), &title)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, t)
}

func (s *Server) listThreads(w http.ResponseWriter, r *http.Request) {
	limit, ok := s.pageSize(w, r, "limit", 10, maxListLimit)
	if !ok {
		return
	}
	reverse, ok := s.boolParam(w, r, "reverse")
	if !ok {
		return
	}
	u := user(r)
	var mine []*thread
	for _, rec := range s.d.Store.List(threadKind) {
		var t thread
		if err := json.Unmarshal(rec.Data, &t); err != nil {
			s.log.Warn("skipping an unreadable thread record", "id", rec.ID, "err", err)
			continue
		}
		if t.UserID == u {
			mine = append(mine, &t)
		}
	}
	page, next := keyset(mine, func(t *thread) string { return t.ID }, r.URL.Query().Get("cursor"), limit, reverse)
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"next": next, "threads": page})
}

func (s *Server) getThread(w http.ResponseWriter, r *http.Request) {
	t, err := s.ownThread(user(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, t)
}

func (s *Server) updateThread(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Title *string `json:"title"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Title == nil {
		s.fail(w, r, httpapi.Errorf(httpapi.Invalid, `field "title" is required`))
		return
	}
	s.threadsMu.Lock()
	defer s.threadsMu.Unlock()
	t, err := s.ownThread(user(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t.Title, t.UpdatedAt = req.Title, store.Timestamp(s.d.Now())
	if err := s.d.Store.Put(threadKind, t.ID, t); err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, t)
}

// deleteThread deletes the thread's messages, then the thread.
func (s *Server) deleteThread(w http.ResponseWriter, r *http.Request) {
	u := user(r)
	s.threadsMu.Lock()
	defer s.threadsMu.Unlock()
	t, err := s.ownThread(u, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, m := range s.threadMessages(u, t.ID) {
		if _, err := s.d.Store.Delete(messageKind, m.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if _, err := s.d.Store.Delete(threadKind, t.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, nil)
}
