package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"nodetool/sse"
)

// AnthropicConfig configures Anthropic's Messages API.
type AnthropicConfig struct {
	// BaseURL is the API root; empty means https://api.anthropic.com.
	BaseURL string
	// APIKey is sent as the x-api-key header.
	APIKey string
	// Client is the HTTP client; nil means one with bounded dial and TLS
	// handshake times.
	Client       *http.Client
	DefaultModel string
	// Version is the anthropic-version header; empty means "2023-06-01".
	Version string
}

// Anthropic talks to Anthropic's Messages API (/v1/messages).
//
// How OpenAI-shaped requests map onto it: system messages are joined into
// the top-level "system"; max_tokens, which the API requires, defaults to
// defaultAnthropicMaxTokens; assistant tool calls become tool_use blocks;
// tool messages become tool_result blocks in a user message (consecutive
// ones, and any message following in the same role, are merged, since
// the API wants roles to alternate); images become base64 or url image
// sources; tool_choice auto, none, required and a named function map to
// auto, none, any and tool. The API has no seed, which is dropped. It has
// no response_format either: json_schema and json_object are emulated by
// an instruction added to the system prompt to answer with only JSON
// (matching the schema), so the answer is not guaranteed to conform.
type Anthropic struct {
	ep    endpoint
	model string
}

// defaultAnthropicMaxTokens is max_tokens when the request sets none.
const defaultAnthropicMaxTokens = 4096

// NewAnthropic returns a provider for Anthropic's API.
func NewAnthropic(cfg AnthropicConfig) *Anthropic {
	a := &Anthropic{model: cfg.DefaultModel}
	a.ep = newEndpoint("anthropic", cfg.BaseURL, "https://api.anthropic.com", cfg.APIKey, "ANTHROPIC_API_KEY", cfg.Client)
	version := cfg.Version
	if version == "" {
		version = "2023-06-01"
	}
	key := cfg.APIKey
	a.ep.headers = func(h http.Header) {
		if key != "" {
			h.Set("x-api-key", key)
		}
		h.Set("anthropic-version", version)
	}
	return a
}

func (a *Anthropic) Name() string { return "anthropic" }

type antRequest struct {
	Model         string          `json:"model"`
	MaxTokens     int             `json:"max_tokens"`
	System        string          `json:"system,omitempty"`
	Messages      []antMessage    `json:"messages"`
	Tools         []antTool       `json:"tools,omitempty"`
	ToolChoice    json.RawMessage `json:"tool_choice,omitempty"`
	Temperature   *float64        `json:"temperature,omitempty"`
	TopP          *float64        `json:"top_p,omitempty"`
	StopSequences []string        `json:"stop_sequences,omitempty"`
	Stream        bool            `json:"stream,omitempty"`
}

type antMessage struct {
	Role    string     `json:"role"`
	Content []antBlock `json:"content"`
}

// antBlock is a content block of any type, sent or received.
type antBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text,omitempty"`
	Source    *antSource      `json:"source,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	ToolUseID string          `json:"tool_use_id,omitempty"`
	Content   string          `json:"content,omitempty"`
	Thinking  string          `json:"thinking,omitempty"`
}

type antSource struct {
	Type      string `json:"type"` // base64 or url
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

type antTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type antUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// The system prompt lines that emulate response_format.
const (
	antJSONObject = "Respond with only a JSON object, with no other text and no code fences."
	antJSONSchema = "Respond with only a JSON value that matches this JSON Schema, with no other text and no code fences:\n"
)

func (a *Anthropic) request(req *Request, stream bool) (*antRequest, error) {
	model, err := req.modelOr(a.model)
	if err != nil {
		return nil, err
	}
	out := &antRequest{Model: model, MaxTokens: defaultAnthropicMaxTokens, Temperature: req.Temperature,
		TopP: req.TopP, StopSequences: req.Stop, Stream: stream, Messages: []antMessage{}}
	if m := req.maxTokens(); m != nil {
		out.MaxTokens = *m
	}
	for _, t := range req.Tools {
		out.Tools = append(out.Tools, antTool{Name: t.Name, Description: t.Description, InputSchema: t.params()})
	}
	if len(out.Tools) > 0 {
		switch mode, name := toolChoice(req.ToolChoice); mode {
		case "none":
			out.ToolChoice = json.RawMessage(`{"type":"none"}`)
		case "required":
			out.ToolChoice = json.RawMessage(`{"type":"any"}`)
		case "function":
			out.ToolChoice, _ = json.Marshal(map[string]string{"type": "tool", "name": name})
		default:
			out.ToolChoice = json.RawMessage(`{"type":"auto"}`)
		}
	}

	var system []string
	add := func(role string, blocks ...antBlock) {
		if len(blocks) == 0 {
			return
		}
		if n := len(out.Messages); n > 0 && out.Messages[n-1].Role == role {
			out.Messages[n-1].Content = append(out.Messages[n-1].Content, blocks...)
			return
		}
		out.Messages = append(out.Messages, antMessage{Role: role, Content: blocks})
	}
	for _, m := range req.Messages {
		switch m.Role {
		case "system", "developer":
			if t := m.text(); t != "" {
				system = append(system, t)
			}
		case "user", "assistant":
			blocks, err := antContent(&m)
			if err != nil {
				return nil, err
			}
			for _, tc := range m.ToolCalls {
				blocks = append(blocks, antBlock{Type: "tool_use", ID: tc.ID, Name: tc.Name, Input: argsObject(tc.Arguments)})
			}
			add(m.Role, blocks...)
		case "tool":
			add("user", antBlock{Type: "tool_result", ToolUseID: m.ToolCallID, Content: m.text()})
		default:
			return nil, fmt.Errorf("unsupported message role %q", m.Role)
		}
	}

	kind, schema, err := responseFormat(req.ResponseFormat)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "json_object":
		system = append(system, antJSONObject)
	case "json_schema":
		system = append(system, antJSONSchema+string(schema))
	}
	out.System = strings.Join(system, "\n\n")
	return out, nil
}

// antContent turns a message's text and parts into content blocks.
// Empty text is left out, since the API rejects empty text blocks.
func antContent(m *Message) ([]antBlock, error) {
	if len(m.Parts) == 0 {
		if m.Content == "" {
			return nil, nil
		}
		return []antBlock{{Type: "text", Text: m.Content}}, nil
	}
	var blocks []antBlock
	for _, p := range m.Parts {
		switch p.Type {
		case "text":
			if p.Text != "" {
				blocks = append(blocks, antBlock{Type: "text", Text: p.Text})
			}
		case "image_url":
			src := &antSource{Type: "url", URL: p.ImageURL}
			if mt, b64, ok := dataURI(p.ImageURL); ok {
				src = &antSource{Type: "base64", MediaType: mt, Data: b64}
			} else if !strings.HasPrefix(p.ImageURL, "https://") && !strings.HasPrefix(p.ImageURL, "http://") {
				return nil, errors.New("an image must be a data: URI or an http(s) URL")
			}
			blocks = append(blocks, antBlock{Type: "image", Source: src})
		default:
			return nil, fmt.Errorf("unsupported content part type %q", p.Type)
		}
	}
	return blocks, nil
}

func (a *Anthropic) invalid(err error) error {
	if err == ErrNoModel {
		return err
	}
	_, shown := a.ep.target("/v1/messages")
	return a.ep.fail(shown, 0, "invalid request: "+err.Error(), err)
}

// antFinish maps stop_reason onto OpenAI's finish_reason.
func antFinish(s string) string {
	switch s {
	case "", "end_turn", "stop_sequence", "pause_turn":
		return "stop"
	case "max_tokens", "model_context_window_exceeded":
		return "length"
	case "tool_use":
		return "tool_calls"
	case "refusal":
		return "content_filter"
	}
	return s
}

// Chat sends a non-streamed Messages request.
func (a *Anthropic) Chat(ctx context.Context, req *Request) (*Response, error) {
	body, err := a.request(req, false)
	if err != nil {
		return nil, a.invalid(err)
	}
	c, err := a.ep.do(ctx, http.MethodPost, "/v1/messages", body.Model, body, chatTimeout)
	if err != nil {
		return nil, err
	}
	var v struct {
		Model      string     `json:"model"`
		Content    []antBlock `json:"content"`
		StopReason string     `json:"stop_reason"`
		Usage      antUsage   `json:"usage"`
	}
	if err := c.decode(&v); err != nil {
		return nil, err
	}
	resp := &Response{Model: v.Model, FinishReason: antFinish(v.StopReason), Message: Message{Role: "assistant"},
		Usage: *usage(v.Usage.InputTokens, v.Usage.OutputTokens)}
	if resp.Model == "" {
		resp.Model = body.Model
	}
	var text strings.Builder
	for _, b := range v.Content {
		switch b.Type {
		case "text":
			text.WriteString(b.Text)
		case "tool_use":
			resp.Message.ToolCalls = append(resp.Message.ToolCalls,
				ToolCall{ID: b.ID, Name: b.Name, Arguments: string(argsObject(string(b.Input)))})
		}
	}
	resp.Message.Content = text.String()
	return resp, nil
}

// Stream starts a streamed Messages request.
func (a *Anthropic) Stream(ctx context.Context, req *Request) (Stream, error) {
	body, err := a.request(req, true)
	if err != nil {
		return nil, a.invalid(err)
	}
	c, err := a.ep.do(ctx, http.MethodPost, "/v1/messages", body.Model, body, a.ep.streamWait)
	if err != nil {
		return nil, err
	}
	return newStream(c, anthropicDecoder), nil
}

// anthropicDecoder reads the Messages SSE stream: message_start (input
// tokens), content blocks (text, tool_use with input_json_delta pieces,
// thinking), message_delta (stop_reason and cumulative output tokens) and
// message_stop. ping and unknown events are skipped; an error event ends
// the stream with its message. Tool calls are numbered in order of their
// blocks; a tool_use block with no input pieces gets "{}".
func anthropicDecoder(r io.Reader) func() (Delta, error) {
	sse := sse.NewReader(r, maxLine)
	done := false
	var input int
	tools := map[int]int{}    // content block index -> tool call index
	hasArgs := map[int]bool{} // tool call index -> any input received
	return func() (Delta, error) {
		for !done {
			ev, err := sse.Next()
			if err == io.EOF {
				return Delta{}, io.ErrUnexpectedEOF
			}
			if err != nil {
				return Delta{}, err
			}
			var e struct {
				Type    string `json:"type"`
				Index   int    `json:"index"`
				Message struct {
					Usage antUsage `json:"usage"`
				} `json:"message"`
				ContentBlock antBlock `json:"content_block"`
				Delta        struct {
					Type        string `json:"type"`
					Text        string `json:"text"`
					PartialJSON string `json:"partial_json"`
					Thinking    string `json:"thinking"`
					StopReason  string `json:"stop_reason"`
				} `json:"delta"`
				Usage *struct {
					InputTokens  *int `json:"input_tokens"`
					OutputTokens int  `json:"output_tokens"`
				} `json:"usage"`
				Error struct {
					Type    string `json:"type"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
				return Delta{}, &Error{Message: "malformed stream event: " + err.Error(), Err: err}
			}
			if e.Type == "" {
				e.Type = ev.Event
			}
			var d Delta
			switch e.Type {
			case "message_start":
				input = e.Message.Usage.InputTokens
			case "content_block_start":
				switch b := e.ContentBlock; b.Type {
				case "text":
					d.Content = b.Text
				case "thinking":
					d.Thinking = b.Thinking
				case "tool_use":
					i := len(tools)
					tools[e.Index] = i
					tc := ToolCallDelta{Index: i, ID: b.ID, Name: b.Name}
					if in := strings.TrimSpace(string(b.Input)); in != "" && in != "{}" {
						tc.Arguments, hasArgs[i] = in, true
					}
					d.ToolCalls = []ToolCallDelta{tc}
				}
			case "content_block_delta":
				switch e.Delta.Type {
				case "text_delta":
					d.Content = e.Delta.Text
				case "thinking_delta":
					d.Thinking = e.Delta.Thinking
				case "input_json_delta":
					if i, ok := tools[e.Index]; ok && e.Delta.PartialJSON != "" {
						d.ToolCalls = []ToolCallDelta{{Index: i, Arguments: e.Delta.PartialJSON}}
						hasArgs[i] = true
					}
				}
			case "content_block_stop":
				if i, ok := tools[e.Index]; ok && !hasArgs[i] {
					d.ToolCalls = []ToolCallDelta{{Index: i, Arguments: "{}"}}
					hasArgs[i] = true
				}
			case "message_delta":
				if e.Delta.StopReason != "" {
					d.FinishReason = antFinish(e.Delta.StopReason)
				}
				if e.Usage != nil {
					if e.Usage.InputTokens != nil {
						input = *e.Usage.InputTokens
					}
					d.Usage = usage(input, e.Usage.OutputTokens)
				}
			case "message_stop":
				done = true
			case "error":
				msg := e.Error.Message
				if msg == "" {
					msg = "stream error"
				}
				if e.Error.Type != "" {
					msg = e.Error.Type + ": " + msg
				}
				return Delta{}, &Error{Message: msg}
			}
			if !d.empty() {
				return d, nil
			}
		}
		return Delta{}, io.EOF
	}
}

// Models lists GET /v1/models (one page of up to 1000).
func (a *Anthropic) Models(ctx context.Context) ([]Model, error) {
	return a.ep.listModels(ctx, "/v1/models?limit=1000", "anthropic")
}
