package editor

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"

	"nodetool/lang/pyval"
	"nodetool/store"
)

// maxHistory bounds the messages of a thread a generation sees: the most
// recent ones.
const maxHistory = 1000

// messageFromFrame reads a chat message frame into a message record, not
// yet saved. Every field of NodeTool's Message is read; id, type, user_id
// and created_at from the client are ignored. The role defaults to "user".
// Fields of the wrong type are an errInvalid naming the field.
func messageFromFrame(d *pyval.Dict) (*message, error) {
	m := &message{}
	strs := []struct {
		key string
		dst **string
	}{
		{"thread_id", &m.ThreadID}, {"workflow_id", &m.WorkflowID}, {"tool_call_id", &m.ToolCallID},
		{"role", &m.Role}, {"name", &m.Name}, {"provider", &m.Provider}, {"model", &m.Model},
		{"agent_execution_id", &m.AgentExecutionID}, {"execution_event_type", &m.ExecutionEventType},
	}
	for _, f := range strs {
		v := mustGet(d, f.key)
		if v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, invalid("field %q must be a string or null", f.key)
		}
		*f.dst = &s
	}
	bools := []struct {
		key string
		dst **bool
	}{{"agent_mode", &m.AgentMode}, {"workflow_assistant", &m.WorkflowAssistant}, {"help_mode", &m.HelpMode}}
	for _, f := range bools {
		v := mustGet(d, f.key)
		if v == nil {
			continue
		}
		b, ok := v.(bool)
		if !ok {
			return nil, invalid("field %q must be a boolean or null", f.key)
		}
		*f.dst = &b
	}
	if m.Role == nil || *m.Role == "" {
		role := "user"
		m.Role = &role
	}

	var err error
	if m.Content, err = frameJSON(d, "content", nil); err != nil {
		return nil, err
	}
	if err := checkContent(m.Content); err != nil {
		return nil, err
	}
	if m.Graph, err = frameJSON(d, "graph", isDict); err != nil {
		return nil, err
	}
	if m.ToolCalls, err = frameJSON(d, "tool_calls", listOf(isDict)); err != nil {
		return nil, err
	}
	if m.Collections, err = frameJSON(d, "collections", listOf(isString)); err != nil {
		return nil, err
	}
	if m.InputFiles, err = frameJSON(d, "input_files", listOf(nil)); err != nil {
		return nil, err
	}
	if m.OutputFiles, err = frameJSON(d, "output_files", listOf(nil)); err != nil {
		return nil, err
	}
	// tools: names; objects with a name are reduced to it.
	if tv := mustGet(d, "tools"); tv != nil {
		list, ok := tv.([]any)
		if !ok {
			return nil, invalid(`field "tools" must be a list of tool names or null`)
		}
		names := make([]string, 0, len(list))
		for _, it := range list {
			switch t := it.(type) {
			case string:
				names = append(names, t)
			case *pyval.Dict:
				if n := t.Str("name"); n != "" {
					names = append(names, n)
					continue
				}
				return nil, invalid(`field "tools" must be a list of tool names or null`)
			default:
				return nil, invalid(`field "tools" must be a list of tool names or null`)
			}
		}
		m.Tools, _ = json.Marshal(names)
	}
	return m, nil
}

func isDict(v any) bool   { _, ok := v.(*pyval.Dict); return ok }
func isString(v any) bool { _, ok := v.(string); return ok }

// listOf accepts lists whose items pass each (any items when each is nil).
func listOf(each func(any) bool) func(any) bool {
	return func(v any) bool {
		l, ok := v.([]any)
		if !ok {
			return false
		}
		for _, it := range l {
			if each != nil && !each(it) {
				return false
			}
		}
		return true
	}
}

// frameJSON returns a field of a frame as JSON (nil for missing or null),
// checked with valid when it is not nil. Raw bytes inside asset references
// become data: URIs (pyval's JSON form).
func frameJSON(d *pyval.Dict, key string, valid func(any) bool) (json.RawMessage, error) {
	v := mustGet(d, key)
	if v == nil {
		return nil, nil
	}
	if valid != nil && !valid(v) {
		return nil, invalid("field %q has the wrong type", key)
	}
	raw, err := valueJSON(v)
	if err != nil {
		return nil, invalid("field %q cannot be stored: %v", key, err)
	}
	return raw, nil
}

// saveIncoming saves a client's chat message in its thread: a new thread
// when thread_id is missing or empty, a thread created with that id for
// the caller when it does not exist. Another user's thread is
// errThreadNotFound, and nothing is saved (NodeTool would take the thread
// over, editor-api §9.8).
func (s *Server) saveIncoming(user string, m *message) (*message, error) {
	s.threadsMu.Lock()
	defer s.threadsMu.Unlock()
	switch {
	case m.ThreadID == nil || *m.ThreadID == "":
		t, err := s.newThread(user, nil)
		if err != nil {
			return nil, err
		}
		m.ThreadID = &t.ID
	default:
		id := *m.ThreadID
		if err := store.ValidateID(id); err != nil {
			return nil, invalid("invalid thread_id: %v", err)
		}
		if _, err := s.ownThread(user, id); err == nil {
			break
		}
		if s.threadExists(id) {
			return nil, errThreadNotFound
		}
		now := store.Timestamp(s.d.Now())
		if err := s.d.Store.Put(threadKind, id, &thread{ID: id, UserID: user, CreatedAt: now, UpdatedAt: now}); err != nil {
			return nil, err
		}
	}
	return m, s.putMessage(user, m)
}

// saveChat saves a message the chat produced in the caller's thread; it
// is not saved when the thread was deleted meanwhile (errThreadNotFound).
func (s *Server) saveChat(user string, m *message) error {
	s.threadsMu.Lock()
	defer s.threadsMu.Unlock()
	if _, err := s.ownThread(user, *m.ThreadID); err != nil {
		return err
	}
	return s.putMessage(user, m)
}

// putMessage stores m as a new message of user (threadsMu held).
func (s *Server) putMessage(user string, m *message) error {
	now := store.Timestamp(s.d.Now())
	m.ID, m.UserID, m.CreatedAt = s.messageID(), user, &now
	return s.d.Store.Put(messageKind, m.ID, m)
}

// messageID returns a new message id, greater than every one this server
// gave before: store ids order by millisecond only, and a thread's
// messages (an assistant tool call and its result) must keep their order.
func (s *Server) messageID() string {
	id := store.NewID()
	s.idMu.Lock()
	defer s.idMu.Unlock()
	if id <= s.lastMessageID {
		id = nextID(s.lastMessageID)
	}
	s.lastMessageID = id
	return id
}

// nextID returns the hex id one above id.
func nextID(id string) string {
	b, err := hex.DecodeString(id)
	if err != nil || len(b) == 0 {
		return store.NewID()
	}
	for i := len(b) - 1; i >= 0; i-- {
		b[i]++
		if b[i] != 0 {
			break
		}
	}
	return hex.EncodeToString(b)
}

// chatHistory returns the thread's messages a model sees: in id order,
// the most recent maxHistory, without agent_execution records.
func (s *Server) chatHistory(user, threadID string) []*message {
	var out []*message
	for _, m := range s.threadMessages(user, threadID) {
		if m.Role != nil && *m.Role == "agent_execution" {
			continue
		}
		out = append(out, m)
	}
	if len(out) > maxHistory {
		out = out[len(out)-maxHistory:]
	}
	return out
}

// chatReply returns a new assistant message answering m, in its thread
// with its workflow, provider, model and modes.
func chatReply(m *message, role string) *message {
	return &message{Role: &role, ThreadID: m.ThreadID, WorkflowID: m.WorkflowID, Provider: m.Provider,
		Model: m.Model, AgentMode: m.AgentMode, HelpMode: m.HelpMode}
}

// saveAndSend saves a message the chat produced, then sends it (with its
// id). A message whose thread is gone is still sent.
func (cs *chatSession) saveAndSend(ctx context.Context, m *message) bool {
	f := cs.save(ctx, m)
	return f != nil && cs.send(ctx, f)
}

// save saves a message the chat produced and returns it as a frame to
// send, or nil when the turn was cancelled.
func (cs *chatSession) save(ctx context.Context, m *message) any {
	if ctx.Err() != nil {
		return nil
	}
	if err := cs.s.saveChat(cs.c.user, m); err != nil && !errors.Is(err, errThreadNotFound) {
		cs.s.log.Error("chat: saving a message", "err", err, "user", cs.c.user)
	}
	return presentMessage(m)
}
