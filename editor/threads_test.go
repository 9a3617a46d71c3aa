package editor

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

type threadOut struct {
	ID        string  `json:"id"`
	UserID    string  `json:"user_id"`
	Title     *string `json:"title"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
}

func TestThreads(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.A
	var th threadOut
	c.json(t, "POST", "/api/threads/", map[string]any{"title": nil}, 200, &th)
	if th.Title == nil || *th.Title != "New Thread" || th.UserID != "user-a" || len(th.ID) != 32 || th.CreatedAt == "" || th.UpdatedAt != th.CreatedAt {
		t.Errorf("created = %+v", th)
	}
	var named threadOut
	c.json(t, "POST", "/api/threads", map[string]any{"title": "Plans"}, 200, &named)
	if *named.Title != "Plans" {
		t.Errorf("title = %q", *named.Title)
	}
	c.json(t, "POST", "/api/threads", nil, 200, nil) // an empty body is {}
	var got threadOut
	c.json(t, "GET", "/api/threads/"+named.ID, nil, 200, &got)
	if !reflect.DeepEqual(got, named) {
		t.Errorf("GET = %+v, want %+v", got, named)
	}
	c.json(t, "PUT", "/api/threads/"+named.ID, map[string]any{"title": "Renamed"}, 200, &got)
	if *got.Title != "Renamed" || got.UpdatedAt < named.UpdatedAt || got.CreatedAt != named.CreatedAt {
		t.Errorf("PUT = %+v", got)
	}
	c.wantDetail(t, "PUT", "/api/threads/"+named.ID, `{}`, 422, `"title" is required`)
	c.wantDetail(t, "PUT", "/api/threads/"+named.ID, `{"title":1}`, 422, `"title" must be a string`)
	c.wantDetail(t, "POST", "/api/threads", `{"title":`, 400, "malformed JSON")

	// B sees none of it.
	for _, m := range []string{"GET", "DELETE"} {
		e.B.wantDetail(t, m, "/api/threads/"+named.ID, "", 404, "Thread not found")
	}
	e.B.wantDetail(t, "PUT", "/api/threads/"+named.ID, `{"title":"mine"}`, 404, "Thread not found")
	var list struct {
		Next    string      `json:"next"`
		Threads []threadOut `json:"threads"`
	}
	e.B.json(t, "GET", "/api/threads", nil, 200, &list)
	if len(list.Threads) != 0 || list.Next != "" {
		t.Errorf("B's list = %+v", list)
	}
	c.json(t, "GET", "/api/threads/"+named.ID, nil, 200, &got)
	if *got.Title != "Renamed" {
		t.Errorf("B changed A's thread: %+v", got)
	}
	if got := c.json(t, "DELETE", "/api/threads/"+named.ID, nil, 200, nil); got != "null" {
		t.Errorf("DELETE = %s", got)
	}
	c.wantDetail(t, "GET", "/api/threads/"+named.ID, "", 404, "Thread not found")
	c.wantDetail(t, "DELETE", "/api/threads/"+named.ID, "", 404, "Thread not found")
}

// TestThreadPagination walks the threads both ways, page by page: every
// thread once, in order (NodeTool's reverse paging repeated the first page).
func TestThreadPagination(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.Local
	var ids []string
	for i := range 7 {
		var th threadOut
		c.json(t, "POST", "/api/threads", map[string]any{"title": fmt.Sprint(i)}, 200, &th)
		ids = append(ids, th.ID)
	}
	e.A.json(t, "POST", "/api/threads", map[string]any{"title": "A's"}, 200, nil)
	for _, reverse := range []bool{false, true} {
		var walk []string
		cursor, pages := "", 0
		for {
			var p struct {
				Next    string      `json:"next"`
				Threads []threadOut `json:"threads"`
			}
			c.json(t, "GET", fmt.Sprintf("/api/threads?limit=3&reverse=%v&cursor=%s", reverse, cursor), nil, 200, &p)
			pages++
			for _, th := range p.Threads {
				walk = append(walk, th.ID)
			}
			if p.Next == "" || pages > 10 {
				break
			}
			cursor = p.Next
		}
		want := slices.Sorted(slices.Values(ids)) // ids made in one millisecond are in any order
		if reverse {
			slices.Reverse(want)
		}
		if !slices.Equal(walk, want) || pages != 3 {
			t.Errorf("reverse=%v: %d pages %v, want 3 pages %v", reverse, pages, walk, want)
		}
	}
	var all struct{ Threads []threadOut }
	c.json(t, "GET", "/api/threads", nil, 200, &all)
	if len(all.Threads) != 7 {
		t.Errorf("default limit 10 gave %d threads", len(all.Threads))
	}
	c.wantDetail(t, "GET", "/api/threads?limit=-1", "", 400, "limit")
	c.wantDetail(t, "GET", "/api/threads?reverse=maybe", "", 422, "reverse")
}

// messageKeys are the fields of NodeTool's API Message, all present.
var messageKeys = []string{"type", "id", "workflow_id", "graph", "thread_id", "tools", "tool_call_id", "role", "name",
	"content", "instructions", "error_type", "tool_calls", "collections", "input_files", "output_files", "created_at",
	"provider", "model", "agent_mode", "workflow_assistant", "help_mode", "agent_execution_id", "execution_event_type"}

func TestMessages(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.A
	// No thread_id: a thread is made.
	var m map[string]any
	c.json(t, "POST", "/api/messages/", map[string]any{"thread_id": nil, "role": "user", "content": "Hello",
		"user_id": "user-b", "created_at": "1999-01-01", "provider": "openai", "model": "x"}, 200, &m)
	for _, k := range messageKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("message lacks %q", k)
		}
	}
	if len(m) != len(messageKeys) {
		t.Errorf("message has %d fields, want %d: %v", len(m), len(messageKeys), m)
	}
	if m["type"] != "message" || m["content"] != "Hello" || m["instructions"] != "Hello" || m["role"] != "user" ||
		m["provider"] != nil || m["model"] != nil || m["created_at"] == "1999-01-01" {
		t.Errorf("message = %v", m)
	}
	tid := m["thread_id"].(string)
	var th threadOut
	c.json(t, "GET", "/api/threads/"+tid, nil, 200, &th)
	if th.Title != nil || th.UserID != "user-a" {
		t.Errorf("auto thread = %+v", th)
	}
	// Content as parts, as an object, and tool calls.
	parts := []any{map[string]any{"type": "text", "text": "look"}, map[string]any{"type": "image_url", "image": map[string]any{"type": "image", "uri": "x"}}}
	var pm, om map[string]any
	c.json(t, "POST", "/api/messages", map[string]any{"thread_id": tid, "role": "user", "content": parts}, 200, &pm)
	if b, _ := json.Marshal(pm["instructions"]); !strings.Contains(string(b), `"look"`) {
		t.Errorf("parts message instructions = %s", b)
	}
	c.json(t, "POST", "/api/messages", map[string]any{"thread_id": tid, "role": "assistant", "content": map[string]any{"k": 1},
		"tool_calls": []any{map[string]any{"id": "c1", "name": "f", "args": map[string]any{}}}}, 200, &om)
	if om["instructions"] != nil || om["tool_calls"] == nil {
		t.Errorf("object message = %v", om)
	}
	// agent_execution content is decoded.
	var am map[string]any
	inner, _ := json.Marshal(map[string]any{"type": "step", "n": 1})
	c.json(t, "POST", "/api/messages", map[string]any{"thread_id": tid, "role": "agent_execution", "content": string(inner)}, 200, &am)
	if am["execution_event_type"] != "step" || am["agent_execution_id"] != am["id"] {
		t.Errorf("agent_execution message = %v", am)
	}
	var got map[string]any
	c.json(t, "GET", "/api/messages/"+pm["id"].(string), nil, 200, &got)
	if got["id"] != pm["id"] || got["thread_id"] != tid {
		t.Errorf("GET = %v", got)
	}

	cases := []struct {
		body string
		code int
		want string
	}{
		{`{"thread_id":null,"content":5}`, 422, "content"},
		{`{"thread_id":null,"content":[1]}`, 422, "content"},
		{`{"thread_id":null,"content":[{"text":"no type"}]}`, 422, `no "type"`},
		{`{"thread_id":null,"tool_calls":{"id":1}}`, 422, "tool_calls"},
		{`{"thread_id":null,"role":5}`, 422, "role"},
		{`{"thread_id":"0123456789abcdef0123456789abcdef","content":"x"}`, 404, "Thread not found"},
		{`{"thread_id":`, 400, "malformed JSON"},
	}
	for _, tc := range cases {
		c.wantDetail(t, "POST", "/api/messages", tc.body, tc.code, tc.want)
	}
	// B can neither post into A's thread, nor read its messages.
	e.B.wantDetail(t, "POST", "/api/messages", `{"thread_id":"`+tid+`","content":"x"}`, 404, "Thread not found")
	e.B.wantDetail(t, "GET", "/api/messages/"+pm["id"].(string), "", 404, "Message not found")
	// Listing A's thread answers B exactly as a thread that does not exist.
	if got := e.B.json(t, "GET", "/api/messages?thread_id="+tid, nil, 200, nil); got != `{"messages":[],"next":""}` {
		t.Errorf("B lists A's thread = %s, want no messages", got)
	}
	// A thread that does not exist has no messages; thread_id is required.
	if got := c.json(t, "GET", "/api/messages?thread_id=0123456789abcdef0123456789abcdef", nil, 200, nil); got != `{"messages":[],"next":""}` {
		t.Errorf("unknown thread = %s", got)
	}
	c.wantDetail(t, "GET", "/api/messages", "", 422, "thread_id is required")

	// Deleting the thread deletes its messages.
	c.json(t, "DELETE", "/api/threads/"+tid, nil, 200, nil)
	c.wantDetail(t, "GET", "/api/messages/"+pm["id"].(string), "", 404, "Message not found")
	if n := len(e.DB.List("messages")); n != 0 {
		t.Errorf("%d messages left after the thread's delete", n)
	}
}

func TestMessagePagination(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.Local
	var th threadOut
	c.json(t, "POST", "/api/threads", nil, 200, &th)
	var other threadOut
	c.json(t, "POST", "/api/threads", nil, 200, &other)
	var ids []string
	for i := range 5 {
		var m struct{ ID string }
		c.json(t, "POST", "/api/messages", map[string]any{"thread_id": th.ID, "content": fmt.Sprint(i)}, 200, &m)
		ids = append(ids, m.ID)
		c.json(t, "POST", "/api/messages", map[string]any{"thread_id": other.ID, "content": "other"}, 200, nil)
	}
	for _, reverse := range []string{"false", "1"} {
		var walk []string
		cursor := ""
		for range 10 {
			var p struct {
				Next     string
				Messages []struct{ ID, Content string }
			}
			c.json(t, "GET", "/api/messages?thread_id="+th.ID+"&limit=2&reverse="+reverse+"&cursor="+cursor, nil, 200, &p)
			for _, m := range p.Messages {
				walk = append(walk, m.ID)
			}
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		want := slices.Sorted(slices.Values(ids))
		if reverse == "1" {
			slices.Reverse(want)
		}
		if !slices.Equal(walk, want) {
			t.Errorf("reverse=%s: %v, want %v", reverse, walk, want)
		}
	}
}
