package editor

import (
	"bytes"
	"encoding/json"
	"net/http"

	"nodetool/httpapi"
	"nodetool/store"
)

// message is the stored record of a chat message (NodeTool's Message
// table). The REST API stores the fields of MessageCreateRequest; the chat
// socket may set the others.
type message struct {
	ID                 string          `json:"id"`
	UserID             string          `json:"user_id"`
	WorkflowID         *string         `json:"workflow_id"`
	Graph              json.RawMessage `json:"graph"`
	ThreadID           *string         `json:"thread_id"`
	Tools              json.RawMessage `json:"tools"`
	ToolCallID         *string         `json:"tool_call_id"`
	Role               *string         `json:"role"`
	Name               *string         `json:"name"`
	Content            json.RawMessage `json:"content"`
	ErrorType          *string         `json:"error_type"`
	ToolCalls          json.RawMessage `json:"tool_calls"`
	Collections        json.RawMessage `json:"collections"`
	InputFiles         json.RawMessage `json:"input_files"`
	OutputFiles        json.RawMessage `json:"output_files"`
	CreatedAt          *string         `json:"created_at"`
	Provider           *string         `json:"provider"`
	Model              *string         `json:"model"`
	AgentMode          *bool           `json:"agent_mode"`
	WorkflowAssistant  *bool           `json:"workflow_assistant"`
	HelpMode           *bool           `json:"help_mode"`
	AgentExecutionID   *string         `json:"agent_execution_id"`
	ExecutionEventType *string         `json:"execution_event_type"`
}

// messageJSON is NodeTool's API Message: every field present, null when
// unset; instructions is the deprecated alias of content.
type messageJSON struct {
	Type               string          `json:"type"`
	ID                 string          `json:"id"`
	WorkflowID         *string         `json:"workflow_id"`
	Graph              json.RawMessage `json:"graph"`
	ThreadID           *string         `json:"thread_id"`
	Tools              json.RawMessage `json:"tools"`
	ToolCallID         *string         `json:"tool_call_id"`
	Role               *string         `json:"role"`
	Name               *string         `json:"name"`
	Content            json.RawMessage `json:"content"`
	Instructions       json.RawMessage `json:"instructions"`
	ErrorType          *string         `json:"error_type"`
	ToolCalls          json.RawMessage `json:"tool_calls"`
	Collections        json.RawMessage `json:"collections"`
	InputFiles         json.RawMessage `json:"input_files"`
	OutputFiles        json.RawMessage `json:"output_files"`
	CreatedAt          *string         `json:"created_at"`
	Provider           *string         `json:"provider"`
	Model              *string         `json:"model"`
	AgentMode          *bool           `json:"agent_mode"`
	WorkflowAssistant  *bool           `json:"workflow_assistant"`
	HelpMode           *bool           `json:"help_mode"`
	AgentExecutionID   *string         `json:"agent_execution_id"`
	ExecutionEventType *string         `json:"execution_event_type"`
}

// presentMessage returns m as the API shows it (REST answers and chat
// frames alike). For role "agent_execution", string content holding JSON
// is decoded (up to twice, as NodeTool does), execution_event_type defaults
// to the content's "type" and agent_execution_id to the message id.
func presentMessage(m *message) messageJSON {
	out := messageJSON{Type: "message", ID: m.ID, WorkflowID: m.WorkflowID, Graph: m.Graph, ThreadID: m.ThreadID,
		Tools: m.Tools, ToolCallID: m.ToolCallID, Role: m.Role, Name: m.Name, Content: m.Content, ErrorType: m.ErrorType,
		ToolCalls: m.ToolCalls, Collections: m.Collections, InputFiles: m.InputFiles, OutputFiles: m.OutputFiles,
		CreatedAt: m.CreatedAt, Provider: m.Provider, Model: m.Model, AgentMode: m.AgentMode,
		WorkflowAssistant: m.WorkflowAssistant, HelpMode: m.HelpMode, AgentExecutionID: m.AgentExecutionID,
		ExecutionEventType: m.ExecutionEventType}
	if m.Role != nil && *m.Role == "agent_execution" {
		for range 2 {
			var str string
			var inner json.RawMessage
			if json.Unmarshal(out.Content, &str) != nil || json.Unmarshal([]byte(str), &inner) != nil {
				break
			}
			out.Content = inner
		}
		if out.ExecutionEventType == nil {
			var c struct {
				Type *string `json:"type"`
			}
			if json.Unmarshal(out.Content, &c) == nil {
				out.ExecutionEventType = c.Type
			}
		}
		if out.AgentExecutionID == nil {
			id := m.ID
			out.AgentExecutionID = &id
		}
	}
	if c := bytes.TrimSpace(out.Content); len(c) > 0 && (c[0] == '"' || c[0] == '[') {
		out.Instructions = out.Content
	}
	return out
}

// messageCreate is MessageCreateRequest. A whole Message is accepted too;
// only these fields are kept.
type messageCreate struct {
	ThreadID   *string         `json:"thread_id"`
	ToolCallID *string         `json:"tool_call_id"`
	Role       *string         `json:"role"`
	Name       *string         `json:"name"`
	Content    json.RawMessage `json:"content"`
	ToolCalls  json.RawMessage `json:"tool_calls"`
}

func (req *messageCreate) valid() error {
	if err := checkContent(req.Content); err != nil {
		return err
	}
	if !isNull(req.ToolCalls) {
		var calls []map[string]json.RawMessage
		if json.Unmarshal(req.ToolCalls, &calls) != nil {
			return invalid(`field "tool_calls" must be a list of objects or null`)
		}
	}
	return nil
}

// checkContent checks a message's content: null, a string, an object, or a
// list of content parts (objects with a string "type").
func checkContent(raw json.RawMessage) error {
	c := bytes.TrimSpace(raw)
	if len(c) == 0 || c[0] == '"' || c[0] == '{' || string(c) == "null" {
		return nil
	}
	var parts []struct {
		Type *string `json:"type"`
	}
	if c[0] != '[' || json.Unmarshal(c, &parts) != nil {
		return invalid(`field "content" must be a string, an object, a list of content parts or null`)
	}
	for i, p := range parts {
		if p.Type == nil {
			return invalid(`content part %d has no "type"`, i)
		}
	}
	return nil
}

// createMessage stores a message of the caller in one of their threads,
// or in a new thread when thread_id is null. A thread that does not exist
// for the caller is 404.
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	var req messageCreate
	if !s.readJSON(w, r, &req) {
		return
	}
	if err := req.valid(); err != nil {
		s.fail(w, r, err)
		return
	}
	u := user(r)
	s.threadsMu.Lock()
	defer s.threadsMu.Unlock()
	if req.ThreadID == nil || *req.ThreadID == "" {
		t, err := s.newThread(u, nil)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		req.ThreadID = &t.ID
	} else if _, err := s.ownThread(u, *req.ThreadID); err != nil {
		s.fail(w, r, err)
		return
	}
	role := "user"
	if req.Role != nil {
		role = *req.Role
	}
	now := store.Timestamp(s.d.Now())
	m := &message{ID: s.messageID(), UserID: u, ThreadID: req.ThreadID, ToolCallID: req.ToolCallID, Role: &role,
		Name: req.Name, Content: req.Content, ToolCalls: req.ToolCalls, CreatedAt: &now}
	if err := s.d.Store.Put(messageKind, m.ID, m); err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, presentMessage(m))
}

// threadMessages returns the user's messages in a thread, by id.
func (s *Server) threadMessages(user, threadID string) []*message {
	var out []*message
	for _, rec := range s.d.Store.List(messageKind) {
		var m message
		if err := json.Unmarshal(rec.Data, &m); err != nil {
			s.log.Warn("skipping an unreadable message record", "id", rec.ID, "err", err)
			continue
		}
		if m.UserID == user && m.ThreadID != nil && *m.ThreadID == threadID {
			out = append(out, &m)
		}
	}
	return out
}

// listMessages lists a thread's messages: thread_id is required. A thread
// that does not exist and another user's thread alike have no messages
// (200, an empty list): the answer never tells whether an id exists.
func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tid := q.Get("thread_id")
	if tid == "" {
		s.fail(w, r, httpapi.Errorf(httpapi.Invalid, "thread_id is required"))
		return
	}
	limit, ok := s.pageSize(w, r, "limit", 100, maxListLimit)
	if !ok {
		return
	}
	reverse, ok := s.boolParam(w, r, "reverse")
	if !ok {
		return
	}
	u := user(r)
	page, next := keyset(s.threadMessages(u, tid), func(m *message) string { return m.ID }, q.Get("cursor"), limit, reverse)
	out := make([]messageJSON, len(page))
	for i, m := range page {
		out[i] = presentMessage(m)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"next": next, "messages": out})
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request) {
	data, ok := s.d.Store.Get(messageKind, r.PathValue("id"))
	var m message
	if !ok || json.Unmarshal(data, &m) != nil || m.UserID != user(r) {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Message not found"))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, presentMessage(&m))
}
