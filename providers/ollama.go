package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// OllamaConfig configures an Ollama server.
type OllamaConfig struct {
	// BaseURL is the server root; empty means http://127.0.0.1:11434.
	BaseURL string
	// Client is the HTTP client; nil means one with bounded dial and TLS
	// handshake times.
	Client       *http.Client
	DefaultModel string
}

// Ollama talks to Ollama's native API (/api/chat, /api/tags).
//
// Differences from OpenAI's API that it papers over: tool call arguments
// come as objects and are turned into JSON text; calls without an id get
// "call_<n>"; images must be inline (data: URIs, sent base64 in "images"),
// since Ollama cannot fetch URLs; tool_choice "none" drops the tools and
// other choices are not supported (the model decides); response_format
// json_schema becomes "format": <schema> and json_object "format": "json".
type Ollama struct {
	ep    endpoint
	model string
}

// NewOllama returns a provider for an Ollama server.
func NewOllama(cfg OllamaConfig) *Ollama {
	o := &Ollama{model: cfg.DefaultModel}
	o.ep = newEndpoint("ollama", cfg.BaseURL, "http://127.0.0.1:11434", "", "", cfg.Client)
	o.ep.streamWait = localHeaderTimeout
	o.ep.missing = func(model string) string {
		return fmt.Sprintf("model %q not found: pull it with \"ollama pull %s\"", model, model)
	}
	return o
}

func (o *Ollama) Name() string { return "ollama" }

type ollamaRequest struct {
	Model    string          `json:"model"`
	Messages []ollamaMessage `json:"messages"`
	Tools    []oaiTool       `json:"tools,omitempty"`
	Format   json.RawMessage `json:"format,omitempty"`
	Options  *ollamaOptions  `json:"options,omitempty"`
	Stream   bool            `json:"stream"`
}

type ollamaOptions struct {
	Temperature *float64 `json:"temperature,omitempty"`
	TopP        *float64 `json:"top_p,omitempty"`
	NumPredict  *int     `json:"num_predict,omitempty"`
	Stop        []string `json:"stop,omitempty"`
	Seed        *int64   `json:"seed,omitempty"`
}

type ollamaMessage struct {
	Role       string           `json:"role"`
	Content    string           `json:"content"`
	Thinking   string           `json:"thinking,omitempty"`
	Images     []string         `json:"images,omitempty"`
	ToolCalls  []ollamaToolCall `json:"tool_calls,omitempty"`
	ToolName   string           `json:"tool_name,omitempty"`
	ToolCallID string           `json:"tool_call_id,omitempty"`
}

type ollamaToolCall struct {
	ID       string `json:"id,omitempty"`
	Function struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
}

// ollamaChunk is one NDJSON line of /api/chat, or its whole answer.
type ollamaChunk struct {
	Model           string          `json:"model"`
	Message         ollamaMessage   `json:"message"`
	Done            bool            `json:"done"`
	DoneReason      string          `json:"done_reason"`
	PromptEvalCount int             `json:"prompt_eval_count"`
	EvalCount       int             `json:"eval_count"`
	Error           json.RawMessage `json:"error"`
}

func (o *Ollama) request(req *Request, stream bool) (*ollamaRequest, error) {
	model, err := req.modelOr(o.model)
	if err != nil {
		return nil, err
	}
	out := &ollamaRequest{Model: model, Stream: stream, Messages: []ollamaMessage{}}
	if mode, _ := toolChoice(req.ToolChoice); mode != "none" {
		for _, t := range req.Tools {
			var ot oaiTool
			ot.Type = "function"
			ot.Function.Name, ot.Function.Description, ot.Function.Parameters = t.Name, t.Description, t.params()
			out.Tools = append(out.Tools, ot)
		}
	}
	kind, schema, err := responseFormat(req.ResponseFormat)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "json_schema":
		out.Format = schema
	case "json_object":
		out.Format = json.RawMessage(`"json"`)
	}
	opts := ollamaOptions{Temperature: req.Temperature, TopP: req.TopP, NumPredict: req.maxTokens(),
		Stop: req.Stop, Seed: req.Seed}
	if opts.Temperature != nil || opts.TopP != nil || opts.NumPredict != nil || len(opts.Stop) > 0 || opts.Seed != nil {
		out.Options = &opts
	}
	names := map[string]string{} // tool call id -> tool name, for tool_name
	for _, m := range req.Messages {
		om := ollamaMessage{Role: m.Role, Content: m.text(), ToolCallID: m.ToolCallID}
		for _, p := range m.Parts {
			switch p.Type {
			case "text":
			case "image_url":
				_, b64, ok := dataURI(p.ImageURL)
				if !ok {
					return nil, errors.New("Ollama cannot fetch image URLs: send the image inline as a data: URI")
				}
				om.Images = append(om.Images, b64)
			default:
				return nil, fmt.Errorf("unsupported content part type %q", p.Type)
			}
		}
		for _, tc := range m.ToolCalls {
			var c ollamaToolCall
			c.ID, c.Function.Name, c.Function.Arguments = tc.ID, tc.Name, argsObject(tc.Arguments)
			om.ToolCalls = append(om.ToolCalls, c)
			names[tc.ID] = tc.Name
		}
		if m.Role == "tool" {
			om.ToolName = m.Name
			if om.ToolName == "" {
				om.ToolName = names[m.ToolCallID]
			}
		}
		out.Messages = append(out.Messages, om)
	}
	return out, nil
}

func (o *Ollama) invalid(err error) error {
	if err == ErrNoModel {
		return err
	}
	_, shown := o.ep.target("/api/chat")
	return o.ep.fail(shown, 0, "invalid request: "+err.Error(), err)
}

// Chat sends a request with "stream": false and reads the one answer.
func (o *Ollama) Chat(ctx context.Context, req *Request) (*Response, error) {
	body, err := o.request(req, false)
	if err != nil {
		return nil, o.invalid(err)
	}
	c, err := o.ep.do(ctx, http.MethodPost, "/api/chat", body.Model, body, chatTimeout)
	if err != nil {
		return nil, err
	}
	var v ollamaChunk
	if err := c.decode(&v); err != nil {
		return nil, err
	}
	if msg := ollamaError(v.Error); msg != "" {
		return nil, o.ep.fail(c.shown, c.resp.StatusCode, msg, nil)
	}
	resp := &Response{Model: v.Model, Message: Message{Role: "assistant", Content: v.Message.Content}}
	if resp.Model == "" {
		resp.Model = body.Model
	}
	for i, tc := range v.Message.ToolCalls {
		resp.Message.ToolCalls = append(resp.Message.ToolCalls, tc.toolCall(i))
	}
	resp.FinishReason = ollamaFinish(v.DoneReason, len(resp.Message.ToolCalls) > 0)
	resp.Usage = *usage(v.PromptEvalCount, v.EvalCount)
	return resp, nil
}

func (tc *ollamaToolCall) toolCall(n int) ToolCall {
	id := tc.ID
	if id == "" {
		id = fmt.Sprintf("call_%d", n)
	}
	var args bytes.Buffer
	if json.Compact(&args, tc.Function.Arguments) != nil || args.String() == "null" {
		args.Reset()
		args.WriteString("{}")
	}
	return ToolCall{ID: id, Name: tc.Function.Name, Arguments: args.String()}
}

func ollamaFinish(reason string, calledTools bool) string {
	switch {
	case calledTools:
		return "tool_calls"
	case reason == "length":
		return "length"
	}
	return "stop"
}

// ollamaError reads the "error" field Ollama sends instead of an answer.
func ollamaError(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return excerpt(string(raw))
}

// Stream sends a streaming request and reads the NDJSON answer.
func (o *Ollama) Stream(ctx context.Context, req *Request) (Stream, error) {
	body, err := o.request(req, true)
	if err != nil {
		return nil, o.invalid(err)
	}
	c, err := o.ep.do(ctx, http.MethodPost, "/api/chat", body.Model, body, o.ep.streamWait)
	if err != nil {
		return nil, err
	}
	return newStream(c, ollamaDecoder), nil
}

// ollamaDecoder reads /api/chat NDJSON: message pieces until a line with
// "done": true, which carries the counts. Tool calls come whole. A line
// with "error" ends the stream with it; so does the body ending early.
func ollamaDecoder(r io.Reader) func() (Delta, error) {
	nd := newNDJSONReader(r, maxLine)
	done, calls := false, 0
	return func() (Delta, error) {
		for !done {
			line, err := nd.Next()
			if err == io.EOF {
				return Delta{}, io.ErrUnexpectedEOF
			}
			if err != nil {
				return Delta{}, err
			}
			var ch ollamaChunk
			if err := json.Unmarshal(line, &ch); err != nil {
				return Delta{}, &Error{Message: "malformed stream line: " + err.Error(), Err: err}
			}
			if msg := ollamaError(ch.Error); msg != "" {
				return Delta{}, &Error{Message: msg}
			}
			d := Delta{Content: ch.Message.Content, Thinking: ch.Message.Thinking}
			for _, tc := range ch.Message.ToolCalls {
				c := tc.toolCall(calls)
				d.ToolCalls = append(d.ToolCalls, ToolCallDelta{Index: calls, ID: c.ID, Name: c.Name, Arguments: c.Arguments})
				calls++
			}
			if ch.Done {
				done = true
				d.FinishReason = ollamaFinish(ch.DoneReason, calls > 0)
				d.Usage = usage(ch.PromptEvalCount, ch.EvalCount)
			}
			if !d.empty() {
				return d, nil
			}
		}
		return Delta{}, io.EOF
	}
}

// Models lists GET /api/tags.
func (o *Ollama) Models(ctx context.Context) ([]Model, error) {
	ctx, cancel := context.WithTimeout(ctx, modelsTimeout)
	defer cancel()
	c, err := o.ep.do(ctx, http.MethodGet, "/api/tags", "", nil, modelsTimeout)
	if err != nil {
		return nil, err
	}
	var v struct {
		Models []struct {
			Name  string `json:"name"`
			Model string `json:"model"`
		} `json:"models"`
	}
	if err := c.decode(&v); err != nil {
		return nil, err
	}
	models := make([]Model, 0, len(v.Models))
	for _, m := range v.Models {
		id := m.Name
		if id == "" {
			id = m.Model
		}
		models = append(models, Model{ID: id, OwnedBy: "ollama"})
	}
	return models, nil
}
