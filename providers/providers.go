// Package providers talks to language model servers: any OpenAI-compatible
// server (vLLM, llama.cpp, LM Studio, LocalAI, OpenAI), Ollama's native API,
// Anthropic's Messages API, and a deterministic fake for tests and demos.
// Each speaks its vendor's wire protocol with net/http and streaming parsers
// written here, behind one small interface used by the chat server and by
// the engine's LLM nodes.
//
// Requests and answers are OpenAI-shaped (Request, Response, Delta); each
// provider maps them onto its vendor's API and documents what it cannot
// carry. Collect turns a Stream into a Response; ParseModel splits
// "provider/model" names for routing.
//
// Every call takes a context: cancelling it aborts the HTTP request, and so
// does Stream.Close. Each phase is bounded instead of the whole call, since
// a stream may rightly run for long: connecting 10s; waiting for response
// headers 60s for Anthropic and 5 minutes for OpenAI-compatible servers and
// Ollama (local servers load the model first), 10 minutes for a
// non-streamed Chat (the answer comes only when it is done), 30s for a
// whole Models call; and 5 minutes of silence between two reads of a body.
// A non-streamed body is read up to 32 MiB, an error body up to 64 KiB, a
// stream line up to 4 MiB. Redirects are not followed. Failures are *Error
// values that name the provider and URL and never hold the API key.
package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Message is one chat message.
type Message struct {
	Role    string // system, user, assistant or tool
	Content string // the text; for multimodal user messages see Parts
	// Parts, when set, is the content as parts (text and images); Content
	// is then ignored.
	Parts      []Part
	ToolCalls  []ToolCall // assistant messages that call tools
	ToolCallID string     // tool messages: the call answered
	Name       string     // tool messages: the tool's name
}

// Part is a piece of multimodal content.
type Part struct {
	Type     string // "text" or "image_url"
	Text     string
	ImageURL string // an http(s) URL or a data: URI
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	Parameters  json.RawMessage // JSON Schema of the arguments; nil means {"type":"object"}
}

// ToolCall is a call the model made.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string // JSON text of the arguments object
}

// Request is one chat completion request.
type Request struct {
	Model    string
	Messages []Message
	Tools    []Tool
	// ToolChoice and ResponseFormat are OpenAI-shaped JSON passed on to
	// providers that support them ("auto", {"type":"function",...};
	// {"type":"json_schema","json_schema":{...}}, {"type":"json_object"}).
	ToolChoice     json.RawMessage
	ResponseFormat json.RawMessage
	Temperature    *float64
	TopP           *float64
	MaxTokens      *int
	// MaxCompletionTokens is OpenAI's newer name for the limit, which
	// reasoning models require. The OpenAI provider sends each field the
	// request has; the others use it when MaxTokens is nil.
	MaxCompletionTokens *int
	Stop                []string
	Seed                *int64
}

// Usage counts tokens, when the provider reports them.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	TotalTokens      int
}

// Response is a whole (non-streamed) completion.
type Response struct {
	Model        string
	Message      Message // role assistant: content and/or tool calls
	FinishReason string  // stop, length, tool_calls, content_filter
	Usage        Usage
}

// ToolCallDelta is a piece of a streamed tool call: the first piece of a
// call carries its ID and Name, later pieces add to Arguments. Index tells
// calls apart.
type ToolCallDelta struct {
	Index     int
	ID        string
	Name      string
	Arguments string
}

// Delta is one piece of a streamed completion.
type Delta struct {
	Content   string          // text to append
	Thinking  string          // reasoning text, for models that expose it
	ToolCalls []ToolCallDelta // tool call pieces
	// FinishReason is set on the last piece of a turn.
	FinishReason string
	// Usage, when the provider reports it, comes on or after the last piece.
	Usage *Usage
}

// Stream is a completion in progress. Next returns io.EOF after the last
// delta. Close releases the connection (and cancels the upstream request if
// it is still running); it is safe to call more than once.
type Stream interface {
	Next() (Delta, error)
	Close() error
}

// Model is a model a provider offers.
type Model struct {
	ID      string
	OwnedBy string // the provider's name
}

// Provider is a model server.
type Provider interface {
	// Name is the provider's key: "openai", "ollama", "anthropic", "fake".
	Name() string
	// Chat returns a whole completion.
	Chat(ctx context.Context, req *Request) (*Response, error)
	// Stream starts a streamed completion. An error here means nothing was
	// received yet (the upstream is unreachable or refused the request);
	// errors after that come from Stream.Next.
	Stream(ctx context.Context, req *Request) (Stream, error)
	// Models lists the models the server offers.
	Models(ctx context.Context) ([]Model, error)
}

// Error is a failure talking to a provider. Its message names the provider
// and the URL (never a key), and says what went wrong in words a user can
// act on.
type Error struct {
	Provider string
	URL      string // the endpoint called, without credentials or query
	Status   int    // the HTTP status, or 0 when no answer came
	Message  string // what the upstream said, or what failed
	// Unreachable is set when no answer came at all (connection refused,
	// DNS, timeout before the first byte).
	Unreachable bool
	Err         error
}

func (e *Error) Error() string {
	switch {
	case e.Unreachable:
		return fmt.Sprintf("%s at %s is unreachable: %s", e.Provider, e.URL, e.Message)
	case e.Status != 0:
		return fmt.Sprintf("%s at %s answered %d: %s", e.Provider, e.URL, e.Status, e.Message)
	}
	return fmt.Sprintf("%s at %s: %s", e.Provider, e.URL, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNoModel is returned when a request names no model and the provider has
// no default.
var ErrNoModel = errors.New("no model given: name the model, or set a default model with --default-model or NODETOOL_DEFAULT_MODEL")

// ParseModel splits a "provider/model" string, such as "ollama/llama3.2",
// into its provider key and model. Only the keys of this package's
// providers count as a prefix, so model names that hold slashes of their
// own ("hf.co/org/model", "library/llama3") come back whole with an empty
// provider. The caller still checks that the provider is configured.
func ParseModel(s string) (provider, model string) {
	p, m, ok := strings.Cut(s, "/")
	switch {
	case !ok:
		return "", s
	case p == "openai", p == "ollama", p == "anthropic", p == "fake":
		return p, m
	}
	return "", s
}

// maxTokens is the request's token limit under either name.
func (r *Request) maxTokens() *int {
	if r.MaxTokens != nil {
		return r.MaxTokens
	}
	return r.MaxCompletionTokens
}

// modelOr returns the request's model, else def, else ErrNoModel.
func (r *Request) modelOr(def string) (string, error) {
	switch {
	case r == nil:
		return "", errors.New("providers: nil request")
	case r.Model != "":
		return r.Model, nil
	case def != "":
		return def, nil
	}
	return "", ErrNoModel
}
