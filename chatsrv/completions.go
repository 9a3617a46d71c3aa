package chatsrv

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"nodetool/httpapi"
	"nodetool/providers"
)

// The request body of POST /v1/chat/completions (OpenAI's shape, plus
// NodeTool's "provider").
type chatRequest struct {
	Model         string        `json:"model"`
	Provider      string        `json:"provider"`
	Messages      []chatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Tools               []chatTool      `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ResponseFormat      json.RawMessage `json:"response_format"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Stop                json.RawMessage `json:"stop"`
	Seed                *int64          `json:"seed"`
	N                   *int            `json:"n"`
}

type chatMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	Name       string          `json:"name"`
	ToolCallID string          `json:"tool_call_id"`
	ToolCalls  []wireToolCall  `json:"tool_calls"`
}

type wireToolCall struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type chatTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
	} `json:"function"`
}

// requestError is a request a client must fix, with the field at fault.
type requestError struct{ msg, param string }

func (e *requestError) Error() string { return e.msg }

func badField(param, format string, a ...any) error {
	return &requestError{msg: fmt.Sprintf(format, a...), param: param}
}

// parseRequest turns the body into a provider request.
func parseRequest(body []byte) (*chatRequest, *providers.Request, error) {
	var cr chatRequest
	if err := json.Unmarshal(body, &cr); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, nil, badField(te.Field, "field %q must be %s, not %s", te.Field, kindOf(te.Type.Kind().String()), te.Value)
		}
		return nil, nil, badField("", "the body is not valid JSON: %v", err)
	}
	if len(cr.Messages) == 0 {
		return nil, nil, badField("messages", "messages must be a non-empty list")
	}
	if cr.N != nil && *cr.N != 1 {
		return nil, nil, badField("n", "only n=1 is supported")
	}
	req := &providers.Request{
		Model: cr.Model, ToolChoice: cr.ToolChoice, ResponseFormat: cr.ResponseFormat,
		Temperature: cr.Temperature, TopP: cr.TopP, MaxTokens: cr.MaxTokens, Seed: cr.Seed,
	}
	if cr.MaxCompletionTokens != nil {
		req.MaxTokens = cr.MaxCompletionTokens
	}
	if isNull(req.ToolChoice) {
		req.ToolChoice = nil
	}
	if isNull(req.ResponseFormat) {
		req.ResponseFormat = nil
	}
	if len(cr.Stop) > 0 && !isNull(cr.Stop) {
		var one string
		if json.Unmarshal(cr.Stop, &one) == nil {
			req.Stop = []string{one}
		} else if err := json.Unmarshal(cr.Stop, &req.Stop); err != nil {
			return nil, nil, badField("stop", "stop must be a string or a list of strings")
		}
	}
	for i, t := range cr.Tools {
		if t.Type != "function" || t.Function.Name == "" {
			return nil, nil, badField(fmt.Sprintf("tools[%d]", i), "each tool must be {\"type\":\"function\",\"function\":{\"name\":...}}")
		}
		req.Tools = append(req.Tools, providers.Tool{Name: t.Function.Name, Description: t.Function.Description, Parameters: t.Function.Parameters})
	}
	for i, m := range cr.Messages {
		pm, err := convertMessage(m)
		if err != nil {
			return nil, nil, badField(fmt.Sprintf("messages[%d]", i), "messages[%d]: %v", i, err)
		}
		req.Messages = append(req.Messages, pm)
	}
	return &cr, req, nil
}

func kindOf(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}

func isNull(b json.RawMessage) bool { return len(b) == 0 || string(bytes.TrimSpace(b)) == "null" }

func convertMessage(m chatMessage) (providers.Message, error) {
	role := m.Role
	switch role {
	case "developer":
		role = "system"
	case "system", "user", "assistant", "tool":
	case "":
		role = "user"
	default:
		return providers.Message{}, fmt.Errorf("role %q is not one of system, user, assistant, tool", m.Role)
	}
	pm := providers.Message{Role: role, Name: m.Name, ToolCallID: m.ToolCallID}
	if role == "tool" && m.ToolCallID == "" {
		return pm, errors.New("a tool message needs tool_call_id")
	}
	for _, tc := range m.ToolCalls {
		pm.ToolCalls = append(pm.ToolCalls, providers.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
	}
	if isNull(m.Content) {
		return pm, nil
	}
	var text string
	if json.Unmarshal(m.Content, &text) == nil {
		pm.Content = text
		return pm, nil
	}
	var parts []struct {
		Type     string          `json:"type"`
		Text     string          `json:"text"`
		ImageURL json.RawMessage `json:"image_url"`
	}
	if err := json.Unmarshal(m.Content, &parts); err != nil {
		return pm, errors.New("content must be a string, a list of parts, or null")
	}
	for _, p := range parts {
		switch p.Type {
		case "text":
			pm.Parts = append(pm.Parts, providers.Part{Type: "text", Text: p.Text})
		case "image_url":
			var url string
			if json.Unmarshal(p.ImageURL, &url) != nil {
				var obj struct {
					URL string `json:"url"`
				}
				json.Unmarshal(p.ImageURL, &obj)
				url = obj.URL
			}
			if url == "" {
				return pm, errors.New("an image_url part needs a url")
			}
			pm.Parts = append(pm.Parts, providers.Part{Type: "image_url", ImageURL: url})
		default:
			return pm, fmt.Errorf("content part type %q is not supported (use text or image_url)", p.Type)
		}
	}
	// A user message with only text parts is plain text to every provider.
	if allText(pm.Parts) {
		var b strings.Builder
		for i, p := range pm.Parts {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(p.Text)
		}
		pm.Content, pm.Parts = b.String(), nil
	}
	return pm, nil
}

func allText(parts []providers.Part) bool {
	for _, p := range parts {
		if p.Type != "text" {
			return false
		}
	}
	return true
}

// bodyPool reuses request body buffers; nothing keeps a reference to a
// body after its request (the parsed request copies what it needs).
var bodyPool = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 4096)) }}

// putBody returns a buffer to the pool unless it grew large (a big body
// should not stay in memory for later small ones).
func putBody(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		bodyPool.Put(b)
	}
}

// newCompletionID returns a fresh "chatcmpl-" id. Ids only need to be
// unique, not secret, so a fast generator will do.
func newCompletionID() string {
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint32(b[8:], rand.Uint32())
	return "chatcmpl-" + hex.EncodeToString(b[:])
}

// The wire shapes of responses.
type usageJSON struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func toUsage(u providers.Usage) *usageJSON {
	if u.TotalTokens == 0 {
		u.TotalTokens = u.PromptTokens + u.CompletionTokens
	}
	return &usageJSON{u.PromptTokens, u.CompletionTokens, u.TotalTokens}
}

type completionMessage struct {
	Role      string         `json:"role"`
	Content   *string        `json:"content"`
	ToolCalls []wireToolCall `json:"tool_calls,omitempty"`
	Refusal   *string        `json:"refusal"`
}

type completionChoice struct {
	Index        int               `json:"index"`
	Message      completionMessage `json:"message"`
	Logprobs     any               `json:"logprobs"`
	FinishReason string            `json:"finish_reason"`
}

type completion struct {
	ID                string             `json:"id"`
	Object            string             `json:"object"`
	Created           int64              `json:"created"`
	Model             string             `json:"model"`
	Choices           []completionChoice `json:"choices"`
	Usage             *usageJSON         `json:"usage"`
	SystemFingerprint *string            `json:"system_fingerprint"`
}

type chunkDelta struct {
	Role             string         `json:"role,omitempty"`
	Content          *string        `json:"content,omitempty"`
	ReasoningContent string         `json:"reasoning_content,omitempty"`
	ToolCalls        []wireToolCall `json:"tool_calls,omitempty"`
}

type chunkChoice struct {
	Index        int        `json:"index"`
	Delta        chunkDelta `json:"delta"`
	Logprobs     any        `json:"logprobs"`
	FinishReason *string    `json:"finish_reason"`
}

type chunk struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	SystemFingerprint *string       `json:"system_fingerprint"`
	Choices           []chunkChoice `json:"choices"`
	Usage             *usageJSON    `json:"usage,omitempty"`
}

func (s *server) chatCompletions(w http.ResponseWriter, r *http.Request) {
	tooLarge := func() {
		apiError(w, httpapi.TooLarge, "invalid_request_error", "request_too_large", fmt.Sprintf("request body too large: the limit is %d bytes (--max-body)", s.d.MaxBody), "")
	}
	if r.ContentLength > s.d.MaxBody {
		tooLarge()
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.d.MaxBody)
	buf := bodyPool.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(r.Body)
	if err != nil {
		putBody(buf)
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			tooLarge()
		case errors.Is(err, os.ErrDeadlineExceeded):
			apiError(w, httpapi.Timeout, "invalid_request_error", "request_timeout", "the request body did not arrive in time (--body-timeout)", "")
		default:
			invalidRequest(w, "could not read the request body", "")
		}
		return
	}
	// Bounded before encoding/json decodes it (see httpapi.CheckJSON).
	if err := httpapi.CheckJSON(buf.Bytes()); err != nil {
		putBody(buf)
		kind, msg := httpapi.Classify(httpapi.DecodeError(err))
		if kind == httpapi.TooLarge {
			apiError(w, kind, "invalid_request_error", "request_too_large", msg, "")
			return
		}
		invalidRequest(w, "the body is not valid JSON: "+msg, "")
		return
	}
	raw := buf.Bytes()
	defer putBody(buf)
	// A request for an OpenAI-compatible server that needs no translation
	// (no provider or model prefix) is relayed as it came, and so is the
	// answer: checked, not decoded and encoded again
	// (BenchmarkCompletionRelay, BenchmarkCompletionStreamChunk). The
	// common shape of such a request is checked without decoding it
	// (quickCheck); any other takes parseRequest below, relayed or not.
	if model, stream, ok := quickCheck(raw); ok {
		if p, m, err := s.d.Providers.Route("", model); err == nil && m == model {
			if oa, ok := p.(*providers.OpenAI); ok {
				if stream {
					s.relayStream(w, r, oa, raw)
				} else {
					s.relay(w, r, oa, raw)
				}
				return
			}
		}
	}
	cr, req, err := parseRequest(raw)
	if err != nil {
		var re *requestError
		errors.As(err, &re)
		invalidRequest(w, re.msg, re.param)
		return
	}
	p, model, err := s.d.Providers.Route(cr.Provider, cr.Model)
	if err != nil {
		invalidRequest(w, err.Error(), "model") // an unknown provider, or no model: safe to show
		return
	}
	req.Model = model
	oa, relay := p.(*providers.OpenAI)
	relay = relay && cr.Provider == "" && cr.Model == model
	if cr.Stream {
		if relay {
			s.relayStream(w, r, oa, raw)
			return
		}
		s.stream(w, r, p, req, cr.StreamOptions != nil && cr.StreamOptions.IncludeUsage)
		return
	}
	if relay {
		s.relay(w, r, oa, raw)
		return
	}
	resp, err := p.Chat(r.Context(), req)
	if err != nil {
		s.upstreamError(w, r, p, err)
		return
	}
	msg := completionMessage{Role: "assistant"}
	if resp.Message.Content != "" || len(resp.Message.ToolCalls) == 0 {
		c := resp.Message.Content
		msg.Content = &c
	}
	for _, tc := range resp.Message.ToolCalls {
		wt := wireToolCall{ID: tc.ID, Type: "function"}
		wt.Function.Name, wt.Function.Arguments = tc.Name, tc.Arguments
		msg.ToolCalls = append(msg.ToolCalls, wt)
	}
	finish := resp.FinishReason
	if finish == "" {
		finish = "stop"
		if len(msg.ToolCalls) > 0 {
			finish = "tool_calls"
		}
	}
	out := completion{ID: newCompletionID(), Object: "chat.completion", Created: s.d.Now().Unix(), Model: model,
		Choices: []completionChoice{{Index: 0, Message: msg, FinishReason: finish}}, Usage: toUsage(resp.Usage)}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// relay answers a request the OpenAI-compatible server needs as it came
// with the server's answer as it came (checked to be a JSON object).
func (s *server) relay(w http.ResponseWriter, r *http.Request, oa *providers.OpenAI, raw []byte) {
	out, err := oa.Relay(r.Context(), raw)
	if err != nil {
		s.upstreamError(w, r, oa, err)
		return
	}
	w.Header()["Content-Type"] = jsonType
	w.Write(out)
}

// jsonType is the Content-Type of a relayed answer, shared (net/http never
// modifies it).
var jsonType = []string{"application/json"}

// upstreamError answers a provider failure before anything was sent: 502
// (httpapi.Upstream) with a message naming the provider and its URL.
func (s *server) upstreamError(w http.ResponseWriter, r *http.Request, p providers.Provider, err error) {
	if r.Context().Err() != nil {
		return // the client went away; nobody to answer
	}
	var pe *providers.Error
	code := "upstream_error"
	if errors.As(err, &pe) && pe.Unreachable {
		code = "upstream_unreachable"
	}
	s.log.Warn("provider failed", "provider", p.Name(), "err", err)
	apiError(w, httpapi.Upstream, "upstream_error", code, upstreamMessage(err), "")
}

// upstreamMessage is what a client is told of a provider's failure: a
// *providers.Error's message, which names the provider and its URL (never
// a key) and says what went wrong, or providers.ErrNoModel's; for any
// other error, only that the model server failed (the cause is logged).
func upstreamMessage(err error) string {
	var pe *providers.Error
	if errors.As(err, &pe) || errors.Is(err, providers.ErrNoModel) {
		return err.Error()
	}
	_, msg := httpapi.Classify(&httpapi.Error{Kind: httpapi.Upstream})
	return msg
}

// stream forwards a provider stream as OpenAI chat.completion.chunk events.
func (s *server) stream(w http.ResponseWriter, r *http.Request, p providers.Provider, req *providers.Request, includeUsage bool) {
	st, err := p.Stream(r.Context(), req)
	if err != nil {
		s.upstreamError(w, r, p, err)
		return
	}
	defer st.Close()
	sse := httpapi.NewSSE(w, s.d.StreamWriteTimeout, false)
	base := chunk{ID: newCompletionID(), Object: "chat.completion.chunk", Created: s.d.Now().Unix(), Model: req.Model}
	// A stream read from a model server (providers.BeforeReader) has its
	// chunks buffered and sent when it is about to wait for the server,
	// as relayStream does; any other is sent a chunk at a time.
	pending, buffered := false, false
	if br, ok := st.(providers.BeforeReader); ok {
		buffered = true
		br.BeforeRead(func() {
			if pending {
				pending = false
				sse.Flush()
			}
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	send := func(v any) error {
		buf.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		data := bytes.TrimRight(buf.Bytes(), "\n")
		if buffered {
			pending = true
			return sse.Buffer(data)
		}
		return sse.Event(data)
	}
	sendDelta := func(d chunkDelta, finish *string) error {
		c := base
		c.Choices = []chunkChoice{{Index: 0, Delta: d, FinishReason: finish}}
		return send(c)
	}
	empty := ""
	if sendDelta(chunkDelta{Role: "assistant", Content: &empty}, nil) != nil {
		return
	}
	var usage *providers.Usage
	finish := ""
	started := map[int]bool{}
	for {
		d, err := st.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.streamFailed(r, sse, p, err)
			return
		}
		if d.Usage != nil {
			usage = d.Usage
		}
		if d.FinishReason != "" {
			finish = d.FinishReason
		}
		if d.Content == "" && d.Thinking == "" && len(d.ToolCalls) == 0 {
			continue
		}
		cd := chunkDelta{ReasoningContent: d.Thinking}
		if d.Content != "" {
			c := d.Content
			cd.Content = &c
		}
		for _, tc := range d.ToolCalls {
			idx := tc.Index
			wt := wireToolCall{Index: &idx}
			if !started[idx] {
				started[idx] = true
				wt.ID, wt.Type = tc.ID, "function"
				wt.Function.Name = tc.Name
			}
			wt.Function.Arguments = tc.Arguments
			cd.ToolCalls = append(cd.ToolCalls, wt)
		}
		if sendDelta(cd, nil) != nil {
			return // the client is gone; the deferred Close cancels upstream
		}
	}
	if finish == "" {
		finish = "stop"
		if len(started) > 0 {
			finish = "tool_calls"
		}
	}
	if sendDelta(chunkDelta{}, &finish) != nil {
		return
	}
	if includeUsage {
		c := base
		c.Choices = []chunkChoice{}
		u := providers.Usage{}
		if usage != nil {
			u = *usage
		}
		c.Usage = toUsage(u)
		send(c)
	}
	sse.Buffer([]byte("[DONE]")) // leaves when the handler returns
}

// streamFailed ends a stream whose provider failed midway with one error
// event and [DONE], unless the client has gone.
func (s *server) streamFailed(r *http.Request, sse *httpapi.SSE, p providers.Provider, err error) {
	if r.Context().Err() != nil {
		return
	}
	s.log.Warn("provider stream failed", "provider", p.Name(), "err", err)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(map[string]any{"error": map[string]any{"message": upstreamMessage(err), "type": "upstream_error", "code": "upstream_error", "param": nil}})
	sse.Event(bytes.TrimRight(b.Bytes(), "\n"))
	sse.Event([]byte("[DONE]"))
}

// relayStream forwards an OpenAI-compatible server's stream as it comes,
// each event checked by providers.RawStream (a JSON object; an error event
// becomes our error event, its message scrubbed), then [DONE].
//
// Events are buffered and sent when the relay is about to wait for the
// server (RawStream.BeforeRead): an event never waits in the buffer while
// the server is silent, and events read together leave in one write (one
// system call and one wake-up of the client for a burst, not one per
// event: BenchmarkCompletionStreamChunk, the load tool's per-chunk cost).
// The headers leave with the first event, or after headerGrace if the
// server is slow to send it.
func (s *server) relayStream(w http.ResponseWriter, r *http.Request, p *providers.OpenAI, raw []byte) {
	st, err := p.RelayStream(r.Context(), raw)
	if err != nil {
		s.upstreamError(w, r, p, err)
		return
	}
	defer st.Close()
	sse := httpapi.NewSSEBuffered(w, s.d.StreamWriteTimeout, false)
	// The timer's flush must not outlive the handler (net/http reuses the
	// response's buffers once it returns): it runs under mu, and ended
	// tells a late one not to.
	var mu sync.Mutex
	ended := false
	var headers *time.Timer
	defer func() {
		mu.Lock()
		ended = true
		mu.Unlock()
		if headers != nil {
			headers.Stop()
		}
	}()
	pending := false // events buffered since the last flush
	sent := false    // the headers have left
	st.BeforeRead(func() {
		switch {
		case pending:
			pending, sent = false, true
			if headers != nil {
				headers.Stop()
			}
			sse.Flush()
		case !sent && headers == nil:
			// About to wait for the server with nothing to send: the
			// headers leave after headerGrace if no event comes. The
			// timer is armed only now: when the first event came with
			// the server's headers (the usual case), there is none to
			// arm, and no wake-up of the runtime's poller for a timer
			// nearer than all others.
			headers = time.AfterFunc(headerGrace, func() {
				mu.Lock()
				defer mu.Unlock()
				if !ended {
					sse.Flush()
				}
			})
		}
	})
	for {
		data, err := st.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.streamFailed(r, sse, p, err)
			return
		}
		if sse.Buffer(data) != nil {
			return // the client is gone; the deferred Close cancels upstream
		}
		pending = true
	}
	// [DONE] leaves with the last events when the handler returns: net/http
	// then writes what is buffered and the end of the chunked body in one
	// write, where a flush here would make two.
	sse.Buffer([]byte("[DONE]"))
}

// headerGrace is how long a relayed stream's headers wait for its first
// event to leave with it.
const headerGrace = 20 * time.Millisecond
