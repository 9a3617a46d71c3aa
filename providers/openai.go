package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"nodetool/sse"
)

// OpenAIConfig configures an OpenAI-compatible server.
type OpenAIConfig struct {
	// BaseURL is the API root, such as http://127.0.0.1:8000/v1 for vLLM;
	// empty means https://api.openai.com/v1.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer <key>" when set.
	APIKey string
	// Client is the HTTP client; nil means one with bounded dial and TLS
	// handshake times (see the package's limits).
	Client       *http.Client
	DefaultModel string
}

// OpenAI talks to any server with OpenAI's chat completions API: OpenAI,
// vLLM, llama.cpp's server, LM Studio, LocalAI and others.
type OpenAI struct {
	ep    endpoint
	model string
}

// NewOpenAI returns a provider for an OpenAI-compatible server. A bad
// BaseURL is reported by each call.
func NewOpenAI(cfg OpenAIConfig) *OpenAI {
	o := &OpenAI{model: cfg.DefaultModel}
	o.ep = newEndpoint("openai", cfg.BaseURL, "https://api.openai.com/v1", cfg.APIKey, "OPENAI_API_KEY", cfg.Client)
	o.ep.streamWait = localHeaderTimeout
	o.ep.precompute("/chat/completions")
	if key := cfg.APIKey; key != "" {
		o.ep.headers = func(h http.Header) { h.Set("Authorization", "Bearer "+key) }
	}
	return o
}

func (o *OpenAI) Name() string { return "openai" }

// The request body of POST /chat/completions.
type oaiRequest struct {
	Model               string          `json:"model"`
	Messages            []oaiMessage    `json:"messages"`
	Tools               []oaiTool       `json:"tools,omitempty"`
	ToolChoice          json.RawMessage `json:"tool_choice,omitempty"`
	ResponseFormat      json.RawMessage `json:"response_format,omitempty"`
	Temperature         *float64        `json:"temperature,omitempty"`
	TopP                *float64        `json:"top_p,omitempty"`
	MaxTokens           *int            `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int            `json:"max_completion_tokens,omitempty"`
	Stop                []string        `json:"stop,omitempty"`
	Seed                *int64          `json:"seed,omitempty"`
	Stream              bool            `json:"stream,omitempty"`
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options,omitempty"`
}

type oaiMessage struct {
	Role string `json:"role"`
	// Content is a string, an array of parts, or absent (an assistant
	// message that only calls tools).
	Content    any           `json:"content,omitempty"`
	ToolCalls  []oaiToolCall `json:"tool_calls,omitempty"`
	ToolCallID string        `json:"tool_call_id,omitempty"`
}

type oaiPart struct {
	Type     string `json:"type"`
	Text     string `json:"text,omitempty"`
	ImageURL *struct {
		URL string `json:"url"`
	} `json:"image_url,omitempty"`
}

type oaiTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Parameters  json.RawMessage `json:"parameters"`
	} `json:"function"`
}

type oaiToolCall struct {
	Index    *int   `json:"index,omitempty"` // streamed deltas only
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type oaiUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func (u *oaiUsage) usage() *Usage {
	if u == nil {
		return nil
	}
	return &Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
}

func (o *OpenAI) request(req *Request, stream bool) (*oaiRequest, error) {
	model, err := req.modelOr(o.model)
	if err != nil {
		return nil, err
	}
	out := &oaiRequest{Model: model, ToolChoice: req.ToolChoice, ResponseFormat: req.ResponseFormat,
		Temperature: req.Temperature, TopP: req.TopP, MaxTokens: req.MaxTokens,
		MaxCompletionTokens: req.MaxCompletionTokens, Stop: req.Stop, Seed: req.Seed, Stream: stream,
		Messages: []oaiMessage{}}
	if stream {
		out.StreamOptions = &struct {
			IncludeUsage bool `json:"include_usage"`
		}{true}
	}
	if len(req.Tools) == 0 {
		out.ToolChoice = nil // servers reject a tool_choice without tools
	}
	for _, t := range req.Tools {
		var ot oaiTool
		ot.Type = "function"
		ot.Function.Name, ot.Function.Description, ot.Function.Parameters = t.Name, t.Description, t.params()
		out.Tools = append(out.Tools, ot)
	}
	for _, m := range req.Messages {
		om := oaiMessage{Role: m.Role, ToolCallID: m.ToolCallID}
		switch {
		case len(m.Parts) > 0:
			parts := make([]oaiPart, 0, len(m.Parts))
			for _, p := range m.Parts {
				switch p.Type {
				case "text":
					parts = append(parts, oaiPart{Type: "text", Text: p.Text})
				case "image_url":
					op := oaiPart{Type: "image_url"}
					op.ImageURL = &struct {
						URL string `json:"url"`
					}{p.ImageURL}
					parts = append(parts, op)
				default:
					return nil, fmt.Errorf("unsupported content part type %q", p.Type)
				}
			}
			om.Content = parts
		case m.Content != "" || len(m.ToolCalls) == 0:
			om.Content = m.Content
		}
		for _, tc := range m.ToolCalls {
			var c oaiToolCall
			c.ID, c.Type, c.Function.Name, c.Function.Arguments = tc.ID, "function", tc.Name, tc.Arguments
			om.ToolCalls = append(om.ToolCalls, c)
		}
		out.Messages = append(out.Messages, om)
	}
	return out, nil
}

// Chat sends a non-streamed completion request.
func (o *OpenAI) Chat(ctx context.Context, req *Request) (*Response, error) {
	body, err := o.request(req, false)
	if err != nil {
		return nil, o.invalid(err)
	}
	c, err := o.ep.do(ctx, http.MethodPost, "/chat/completions", body.Model, body, chatTimeout)
	if err != nil {
		return nil, err
	}
	var v struct {
		Model   string `json:"model"`
		Choices []struct {
			Message struct {
				Content   json.RawMessage `json:"content"`
				ToolCalls []oaiToolCall   `json:"tool_calls"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage *oaiUsage       `json:"usage"`
		Error json.RawMessage `json:"error"`
	}
	if err := c.decode(&v); err != nil {
		return nil, err
	}
	if len(v.Error) > 0 && string(v.Error) != "null" {
		msg, _ := upstreamMessage([]byte(`{"error":` + string(v.Error) + `}`))
		return nil, o.ep.fail(c.shown, c.resp.StatusCode, msg, nil)
	}
	if len(v.Choices) == 0 {
		return nil, o.ep.fail(c.shown, c.resp.StatusCode, "malformed response: no choices", nil)
	}
	ch := v.Choices[0]
	resp := &Response{Model: v.Model, FinishReason: finishReason(ch.FinishReason), Message: Message{Role: "assistant"}}
	if resp.Model == "" {
		resp.Model = body.Model
	}
	var s string
	if json.Unmarshal(ch.Message.Content, &s) == nil {
		resp.Message.Content = s
	}
	for _, tc := range ch.Message.ToolCalls {
		resp.Message.ToolCalls = append(resp.Message.ToolCalls,
			ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
	}
	if u := v.Usage.usage(); u != nil {
		resp.Usage = *u
	}
	return resp, nil
}

// Stream starts a streamed completion (SSE of chat.completion.chunk
// objects ending with "data: [DONE]"), asking for usage in a last chunk.
func (o *OpenAI) Stream(ctx context.Context, req *Request) (Stream, error) {
	body, err := o.request(req, true)
	if err != nil {
		return nil, o.invalid(err)
	}
	c, err := o.ep.do(ctx, http.MethodPost, "/chat/completions", body.Model, body, o.ep.streamWait)
	if err != nil {
		return nil, err
	}
	return newStream(c, openaiDecoder), nil
}

func (o *OpenAI) invalid(err error) error {
	if err == ErrNoModel {
		return err
	}
	_, shown := o.ep.target("/chat/completions")
	return o.ep.fail(shown, 0, "invalid request: "+err.Error(), err)
}

// finishReason maps the deprecated function_call reason; others pass.
func finishReason(s string) string {
	if s == "function_call" {
		return "tool_calls"
	}
	return s
}

// openaiDecoder reads chat.completion.chunk events. Only the first choice
// is followed. A chunk with "error" (vLLM's mid-stream failure) ends the
// stream with that error. Tool call pieces carry an index; for servers
// that leave it out, a new id starts a new call.
func openaiDecoder(r io.Reader) func() (Delta, error) {
	sse := sse.NewReader(r, maxLine)
	finished, done := false, false
	ids := map[string]int{}
	last := -1
	return func() (Delta, error) {
		for !done {
			ev, err := sse.Next()
			if err == io.EOF {
				if finished {
					return Delta{}, io.EOF // no [DONE], but the turn ended
				}
				return Delta{}, io.ErrUnexpectedEOF
			}
			if err != nil {
				return Delta{}, err
			}
			if ev.Data == "[DONE]" {
				done = true
				break
			}
			var chunk struct {
				Choices []struct {
					Index int `json:"index"`
					Delta struct {
						Content          string          `json:"content"`
						ReasoningContent string          `json:"reasoning_content"`
						Reasoning        json.RawMessage `json:"reasoning"`
						ToolCalls        []oaiToolCall   `json:"tool_calls"`
					} `json:"delta"`
					FinishReason string `json:"finish_reason"`
				} `json:"choices"`
				Usage *oaiUsage       `json:"usage"`
				Error json.RawMessage `json:"error"`
			}
			if err := json.Unmarshal([]byte(ev.Data), &chunk); err != nil {
				return Delta{}, &Error{Message: "malformed stream event: " + err.Error(), Err: err}
			}
			if len(chunk.Error) > 0 && string(chunk.Error) != "null" {
				msg, _ := upstreamMessage([]byte(ev.Data))
				return Delta{}, &Error{Message: msg}
			}
			d := Delta{Usage: chunk.Usage.usage()}
			for _, ch := range chunk.Choices {
				if ch.Index != 0 {
					continue
				}
				d.Content = ch.Delta.Content
				d.Thinking = ch.Delta.ReasoningContent
				var s string
				if d.Thinking == "" && json.Unmarshal(ch.Delta.Reasoning, &s) == nil {
					d.Thinking = s
				}
				d.FinishReason = finishReason(ch.FinishReason)
				for _, tc := range ch.Delta.ToolCalls {
					i := last
					switch {
					case tc.Index != nil:
						i = *tc.Index
					case tc.ID != "":
						if j, ok := ids[tc.ID]; ok {
							i = j
						} else {
							i = len(ids)
						}
					case i < 0:
						i = 0
					}
					if tc.ID != "" {
						ids[tc.ID] = i
					}
					last = i
					d.ToolCalls = append(d.ToolCalls, ToolCallDelta{Index: i, ID: tc.ID,
						Name: tc.Function.Name, Arguments: tc.Function.Arguments})
				}
			}
			if d.FinishReason != "" {
				finished = true
			}
			if !d.empty() {
				return d, nil
			}
		}
		return Delta{}, io.EOF
	}
}

// Models lists GET /models.
func (o *OpenAI) Models(ctx context.Context) ([]Model, error) {
	return o.ep.listModels(ctx, "/models", "openai")
}

// Relay sends a chat completion request body unchanged and returns the
// upstream's JSON answer unchanged: the fast path of an OpenAI-compatible
// gateway when nothing needs translating. Fields this package does not
// model (n, logprobs, ...) reach the upstream too. The caller has
// validated the body; the answer must be one JSON object.
func (o *OpenAI) Relay(ctx context.Context, body []byte) ([]byte, error) {
	c, err := o.ep.do(ctx, http.MethodPost, "/chat/completions", "", json.RawMessage(body), chatTimeout)
	if err != nil {
		return nil, err
	}
	b, err := c.body()
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return nil, o.ep.fail(c.shown, c.resp.StatusCode, "malformed response: not a JSON object", nil)
	}
	return b, nil
}
