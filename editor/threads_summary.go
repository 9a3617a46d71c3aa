package editor

import (
	"net/http"
	"strings"

	"nodetool/httpapi"
	"nodetool/store"
)

// summaryTitleLen bounds a title summarizeThread derives.
const summaryTitleLen = 60

// summarizeThread answers POST /api/threads/{id}/summarize: the thread's
// title becomes the first text of its first messages (of the first ten
// that have one; spaces collapsed, at most 60 characters with "..." when
// cut), or "New Thread". It answers {"title": ...}.
func (s *Server) summarizeThread(w http.ResponseWriter, r *http.Request) {
	u := user(r)
	s.threadsMu.Lock()
	defer s.threadsMu.Unlock()
	t, err := s.ownThread(u, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	title := "New Thread"
	msgs := s.threadMessages(u, t.ID)
	for i, m := range msgs {
		if i == 10 {
			break
		}
		if c := strings.TrimSpace(string(m.Content)); strings.HasPrefix(c, "{") {
			continue // an object: no text to show
		}
		if text := strings.Join(strings.Fields(contentText(m.Content)), " "); text != "" {
			if r := []rune(text); len(r) > summaryTitleLen {
				text = string(r[:summaryTitleLen-3]) + "..."
			}
			title = text
			break
		}
	}
	t.Title, t.UpdatedAt = &title, store.Timestamp(s.d.Now())
	if err := s.d.Store.Put(threadKind, t.ID, t); err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"title": title})
}
