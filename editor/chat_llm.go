package editor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"

	"nodetool/lang/pyval"
	"nodetool/providers"
	"nodetool/store"
)

// maxToolRounds bounds the model calls of one answer; the last one is
// made without tools, so the model has to answer in text.
const maxToolRounds = 10

// errSocketGone ends a generation whose frames can no longer be sent.
var errSocketGone = errors.New("editor: chat socket gone")

// chunkFrame is a streamed piece of the answer.
type chunkFrame struct {
	Type            string         `json:"type"`
	NodeID          *string        `json:"node_id"`
	ContentType     string         `json:"content_type"`
	Content         string         `json:"content"`
	ContentMetadata map[string]any `json:"content_metadata"`
	Done            bool           `json:"done"`
	Thinking        bool           `json:"thinking,omitempty"`
}

func chunk(text string, thinking bool) chunkFrame {
	return chunkFrame{Type: "chunk", ContentType: "text", Content: text, ContentMetadata: map[string]any{}, Thinking: thinking}
}

// regularChat answers m with a model: routed by the message's provider and
// model (Providers.Route: "empty" or none means the server's default), the
// thread's history as the conversation, and the client's UI tools offered.
// Frames: chunks (thinking ones marked "thinking": true); for each tool
// call an assistant message with the call, a tool_call frame for the
// client, and the tool message with its result; then the done marker and
// the final assistant message. A provider that cannot be reached or fails
// gives an error frame (error_type connection_error), the done marker and
// an assistant message with the error. It returns the last frame, unsent
// (nil when the turn ended early).
func (cs *chatSession) regularChat(ctx context.Context, m *message, history []*message) any {
	set := cs.s.d.Providers
	if set == nil {
		return errorFrame("No model providers are configured on this server: start nodetool serve with --provider (ollama, openai, anthropic or fake) and --default-model")
	}
	p, model, err := set.Route(deref(m.Provider), deref(m.Model))
	if err != nil {
		return errorFrame(err.Error())
	}
	reply := chatReply(m, "assistant")
	if name := deref(m.Provider); name == "" || name == "empty" {
		name = p.Name()
		reply.Provider = &name
	}
	if deref(m.Model) == "" {
		reply.Model = &model
	}
	cs.mu.Lock()
	tools := slices.Clone(cs.uiTools)
	cs.mu.Unlock()

	msgs := cs.s.providerMessages(history)
	var full strings.Builder
	for round := 1; ; round++ {
		req := &providers.Request{Model: model, Messages: msgs}
		if round < maxToolRounds {
			req.Tools = tools
		}
		text, calls, err := cs.streamRound(ctx, p, req, &full)
		if ctx.Err() != nil || errors.Is(err, errSocketGone) {
			return nil
		}
		if err != nil {
			cs.s.log.Warn("chat: the model failed", "provider", p.Name(), "model", model, "err", err)
			return cs.providerFailed(ctx, reply, err)
		}
		if len(calls) == 0 {
			break
		}
		msgs = append(msgs, providers.Message{Role: "assistant", Content: text, ToolCalls: calls})
		for _, tc := range calls {
			result, ok := cs.callUITool(ctx, reply, tc, tools)
			if !ok {
				return nil
			}
			msgs = append(msgs, providers.Message{Role: "tool", ToolCallID: tc.ID, Name: tc.Name, Content: result})
		}
	}
	if !cs.send(ctx, doneMarker) {
		return nil
	}
	if full.Len() > 0 {
		reply.Content, _ = json.Marshal(full.String())
	}
	return cs.save(ctx, reply)
}

// streamRound streams one model call to the client and returns its text
// and tool calls (in index order, each with an id).
func (cs *chatSession) streamRound(ctx context.Context, p providers.Provider, req *providers.Request, full *strings.Builder) (string, []providers.ToolCall, error) {
	st, err := p.Stream(ctx, req)
	if err != nil {
		return "", nil, err
	}
	defer st.Close()
	var text strings.Builder
	var calls []*providers.ToolCall
	byIndex := map[int]*providers.ToolCall{}
	for {
		d, err := st.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, err
		}
		if d.Thinking != "" && !cs.send(ctx, chunk(d.Thinking, true)) {
			return "", nil, errSocketGone
		}
		if d.Content != "" {
			text.WriteString(d.Content)
			full.WriteString(d.Content)
			if !cs.send(ctx, chunk(d.Content, false)) {
				return "", nil, errSocketGone
			}
		}
		for _, td := range d.ToolCalls {
			tc := byIndex[td.Index]
			if tc == nil {
				tc = &providers.ToolCall{}
				byIndex[td.Index] = tc
				calls = append(calls, tc)
			}
			if td.ID != "" {
				tc.ID = td.ID
			}
			if td.Name != "" {
				tc.Name = td.Name
			}
			tc.Arguments += td.Arguments
		}
	}
	out := make([]providers.ToolCall, len(calls))
	for i, tc := range calls {
		if tc.ID == "" {
			tc.ID = "call_" + store.NewID()
		}
		out[i] = *tc
	}
	return text.String(), out, nil
}

// providerFailed reports a model that could not answer; it returns the
// last frame, unsent.
func (cs *chatSession) providerFailed(ctx context.Context, reply *message, err error) any {
	msg := err.Error()
	if !cs.send(ctx, map[string]any{"type": "error", "message": msg, "error_type": "connection_error"}) ||
		!cs.send(ctx, doneMarker) {
		return nil
	}
	reply.Content, _ = json.Marshal("I encountered a connection error: " + msg + ". Please check that the model server is running and try again.")
	return cs.save(ctx, reply)
}

// wireToolCall is a ToolCall of NodeTool's Message.
type wireToolCall struct {
	ID      string          `json:"id"`
	Name    string          `json:"name"`
	Args    json.RawMessage `json:"args"`
	Result  any             `json:"result"`
	StepID  *string         `json:"step_id"`
	Message *string         `json:"message"`
}

// callUITool runs one tool call of the model: it saves and sends the
// assistant message holding the call, asks the client (tool_call) when the
// tool is one of its UI tools, waits for the result, then saves and sends
// the tool message. It returns the result as JSON text for the model, and
// false when the turn ended meanwhile.
func (cs *chatSession) callUITool(ctx context.Context, reply *message, tc providers.ToolCall, tools []providers.Tool) (string, bool) {
	args, argsErr := pyval.Decode([]byte(tc.Arguments))
	if strings.TrimSpace(tc.Arguments) == "" {
		args, argsErr = pyval.NewDict(0), nil
	}
	if _, ok := args.(*pyval.Dict); argsErr == nil && !ok {
		argsErr = errors.New("the arguments are not a JSON object")
	}
	argsJSON := json.RawMessage("{}")
	if argsErr == nil {
		argsJSON, _ = valueJSON(args)
	}
	note := "Calling " + tc.Name
	call := chatReply(reply, "assistant")
	call.ToolCalls, _ = json.Marshal([]wireToolCall{{ID: tc.ID, Name: tc.Name, Args: argsJSON, Message: &note}})
	if !cs.saveAndSend(ctx, call) {
		return "", false
	}

	var result any
	switch {
	case !slices.ContainsFunc(tools, func(t providers.Tool) bool { return t.Name == tc.Name }):
		result = map[string]any{"error": "unknown tool " + quoteStr(tc.Name)}
	case argsErr != nil:
		result = map[string]any{"error": "invalid arguments: " + argsErr.Error()}
	default:
		ch, forget := cs.expectTool(tc.ID)
		defer forget()
		if !cs.send(ctx, map[string]any{"type": "tool_call", "tool_call_id": tc.ID, "name": tc.Name,
			"args": json.RawMessage(argsJSON), "thread_id": deref(reply.ThreadID)}) {
			return "", false
		}
		var ok bool
		if result, ok = cs.awaitTool(ctx, ch); !ok {
			return "", false
		}
	}
	content, err := valueJSON(result)
	if err != nil {
		content, _ = json.Marshal(map[string]any{"error": "the tool result is not JSON: " + err.Error()})
	}
	tm := chatReply(reply, "tool")
	tm.ToolCallID, tm.Name = &tc.ID, &tc.Name
	tm.Content, _ = json.Marshal(string(content))
	if !cs.saveAndSend(ctx, tm) {
		return "", false
	}
	return string(content), true
}

// valueJSON writes a decoded value (pyval or plain Go) as JSON; raw bytes
// inside asset references become data: URIs.
func valueJSON(v any) (json.RawMessage, error) {
	raw, err := pyval.DictOf("v", v).MarshalJSON()
	if err != nil {
		return nil, err
	}
	var wrap struct {
		V json.RawMessage `json:"v"`
	}
	if err := json.Unmarshal(raw, &wrap); err != nil {
		return nil, err
	}
	return wrap.V, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// providerMessages turns a thread's history into the model's
// conversation. Tool calls without a saved result (a generation stopped
// while the client ran the tool) and results without their call are left
// out, since model APIs refuse them.
func (s *Server) providerMessages(history []*message) []providers.Message {
	answered := map[string]bool{}
	for _, m := range history {
		if deref(m.Role) == "tool" && m.ToolCallID != nil {
			answered[*m.ToolCallID] = true
		}
	}
	called := map[string]bool{}
	var out []providers.Message
	for _, m := range history {
		switch role := deref(m.Role); role {
		case "user", "system":
			pm := providers.Message{Role: role}
			pm.Content, pm.Parts = s.contentForModel(m.Content)
			out = append(out, pm)
		case "assistant":
			pm := providers.Message{Role: role, Content: contentText(m.Content)}
			var calls []struct {
				ID   string          `json:"id"`
				Name string          `json:"name"`
				Args json.RawMessage `json:"args"`
			}
			json.Unmarshal(m.ToolCalls, &calls)
			for _, c := range calls {
				if c.ID == "" || c.Name == "" || !answered[c.ID] {
					continue
				}
				args := string(bytes.TrimSpace(c.Args))
				var str string
				if json.Unmarshal(c.Args, &str) == nil {
					args = str // arguments kept as JSON text
				} else if args == "" || args == "null" {
					args = "{}"
				}
				called[c.ID] = true
				pm.ToolCalls = append(pm.ToolCalls, providers.ToolCall{ID: c.ID, Name: c.Name, Arguments: args})
			}
			if pm.Content != "" || len(pm.ToolCalls) > 0 {
				out = append(out, pm)
			}
		case "tool":
			id := deref(m.ToolCallID)
			if !called[id] {
				continue
			}
			out = append(out, providers.Message{Role: "tool", ToolCallID: id, Name: deref(m.Name), Content: contentText(m.Content)})
		}
	}
	return out
}

// contentPart is a MessageContent part as stored.
type contentPart struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Image *struct {
		URI string `json:"uri"`
	} `json:"image"`
	ImageURL *struct { // OpenAI's shape, which some clients send
		URL string `json:"url"`
	} `json:"image_url"`
}

// contentText returns a message's content as text: a string as is, the
// text parts of a list joined by newlines, an object as JSON.
func contentText(raw json.RawMessage) string {
	c := bytes.TrimSpace(raw)
	if len(c) == 0 || string(c) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(c, &s) == nil {
		return s
	}
	var parts []contentPart
	if json.Unmarshal(c, &parts) == nil {
		var texts []string
		for _, p := range parts {
			if p.Type == "text" && p.Text != "" {
				texts = append(texts, p.Text)
			}
		}
		return strings.Join(texts, "\n")
	}
	return string(c)
}

// contentForModel returns a user message's content as text or, when it
// holds images, as parts (text, and image_url with the image's URI).
// Audio, video and document parts are left out: the model APIs used here
// take only text and images.
func (s *Server) contentForModel(raw json.RawMessage) (string, []providers.Part) {
	var parts []contentPart
	c := bytes.TrimSpace(raw)
	if len(c) == 0 || c[0] != '[' || json.Unmarshal(c, &parts) != nil {
		return contentText(raw), nil
	}
	var out []providers.Part
	images := false
	for _, p := range parts {
		switch p.Type {
		case "text":
			if p.Text != "" {
				out = append(out, providers.Part{Type: "text", Text: p.Text})
			}
		case "image_url":
			var uri string
			switch {
			case p.Image != nil:
				uri = p.Image.URI
			case p.ImageURL != nil:
				uri = p.ImageURL.URL
			}
			if u := s.modelImageURL(uri); u != "" {
				out = append(out, providers.Part{Type: "image_url", ImageURL: u})
				images = true
			}
		}
	}
	if !images {
		return contentText(raw), nil
	}
	return "", out
}

// modelImageURL returns an image URI a model server can use: data: and
// http(s) URIs as they are, server paths under PublicURL; "" for others.
func (s *Server) modelImageURL(uri string) string {
	switch {
	case strings.HasPrefix(uri, "data:"), strings.HasPrefix(uri, "http://"), strings.HasPrefix(uri, "https://"):
		return uri
	case strings.HasPrefix(uri, "/") && !strings.HasPrefix(uri, "//"):
		return strings.TrimSuffix(s.d.PublicURL, "/") + uri
	}
	return ""
}

// expectTool registers a wait for the client's result to a tool call
// before the call is sent, so a fast answer is not lost; forget ends it.
func (cs *chatSession) expectTool(id string) (chan toolReply, func()) {
	ch := make(chan toolReply, 1)
	cs.mu.Lock()
	cs.pending[id] = ch
	cs.mu.Unlock()
	return ch, func() {
		cs.mu.Lock()
		if cs.pending[id] == ch {
			delete(cs.pending, id)
		}
		cs.mu.Unlock()
	}
}
