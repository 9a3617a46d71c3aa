package providers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const testKey = "sk-test-SECRET-5f3a9c"

// kind describes one HTTP provider for the tests every provider shares.
type kind struct {
	name       string
	new        func(base, key string) Provider
	basePath   string // appended to the server URL to make BaseURL
	chatPath   string
	modelsPath string
	stream     string // a good stream fixture
	streamType string
	head       int // events of stream up to and including the first text
	text       string
	// Error bodies in the vendor's shape.
	errBody func(typ, msg string) string
	missing string // a 404 body for an unknown model
	keyEnv  string
}

var kinds = []kind{
	{
		name: "openai",
		new: func(base, key string) Provider {
			return NewOpenAI(OpenAIConfig{BaseURL: base, APIKey: key, DefaultModel: "gpt-4o-mini"})
		},
		basePath: "/v1", chatPath: "/v1/chat/completions", modelsPath: "/v1/models",
		stream: "openai_stream.sse", streamType: "text/event-stream", head: 2, text: "Hello",
		errBody: func(typ, msg string) string {
			return fmt.Sprintf(`{"error":{"message":%q,"type":%q,"param":null,"code":null}}`, msg, typ)
		},
		missing: `{"error":{"message":"The model ` + "`gpt-nope`" + ` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}`,
		keyEnv:  "OPENAI_API_KEY",
	},
	{
		name: "ollama",
		new: func(base, key string) Provider {
			return NewOllama(OllamaConfig{BaseURL: base, DefaultModel: "llama3.2"})
		},
		chatPath: "/api/chat", modelsPath: "/api/tags",
		stream: "ollama_stream.ndjson", streamType: "application/x-ndjson", head: 1, text: "The",
		errBody: func(typ, msg string) string { return fmt.Sprintf(`{"error":%q}`, msg) },
		missing: `{"error":"model 'gpt-nope' not found"}`,
	},
	{
		name: "anthropic",
		new: func(base, key string) Provider {
			return NewAnthropic(AnthropicConfig{BaseURL: base, APIKey: key, DefaultModel: "claude-sonnet-4-5"})
		},
		chatPath: "/v1/messages", modelsPath: "/v1/models",
		stream: "anthropic_stream.sse", streamType: "text/event-stream", head: 4, text: "Hello",
		errBody: func(typ, msg string) string {
			return fmt.Sprintf(`{"type":"error","error":{"type":%q,"message":%q}}`, typ, msg)
		},
		missing: `{"type":"error","error":{"type":"not_found_error","message":"model: gpt-nope"}}`,
		keyEnv:  "ANTHROPIC_API_KEY",
	},
}

func hello(model string) *Request {
	return &Request{Model: model, Messages: []Message{{Role: "user", Content: "Hello"}}}
}

func TestErrorStatuses(t *testing.T) {
	for _, k := range kinds {
		auth := "authentication failed: the server refused the request"
		if k.keyEnv != "" {
			auth = "authentication failed: check " + k.keyEnv
		}
		cases := []struct {
			name   string
			status int
			body   string
			model  string
			want   string
		}{
			{"401 echoing the key", 401, k.errBody("authentication_error", "Incorrect API key provided: "+testKey), "", auth},
			{"403", 403, k.errBody("permission_error", "no access for "+testKey), "", auth},
			{"404 unknown model", 404, k.missing, "gpt-nope", `model "gpt-nope" not found`},
			{"404 wrong path", 404, "404 page not found", "", "not found (check the base URL): 404 page not found"},
			{"429", 429, k.errBody("rate_limit_error", "Rate limit reached"), "", "rate limited: Rate limit reached"},
			{"500 with a JSON error", 500, k.errBody("api_error", "the model failed to generate a response"), "", "the model failed to generate a response"},
			{"500 echoing the key", 500, k.errBody("api_error", "bad key "+testKey+" given"), "", "bad key [redacted] given"},
			{"502 garbage", 502, "\x00\xff\xfe\x01 not json", "", "unreadable error response"},
			{"503 html", 503, "<html><body>Service Unavailable</body></html>\n<p>more</p>", "", "<html><body>Service Unavailable</body></html>"},
			{"500 empty", 500, "", "", "internal server error"},
		}
		for _, c := range cases {
			if k.keyEnv == "" && c.name == "500 echoing the key" {
				continue // Ollama takes no key, so it has none to scrub
			}
			t.Run(k.name+"/"+c.name, func(t *testing.T) {
				u := replay(t, c.status, "application/json", c.body)
				p := k.new(u.URL+k.basePath, testKey)
				_, err1 := p.Chat(t.Context(), hello(c.model))
				_, err2 := p.Stream(t.Context(), hello(c.model))
				for _, err := range []error{err1, err2} {
					pe := asError(t, err)
					if pe.Provider != k.name || pe.Status != c.status || pe.Unreachable {
						t.Errorf("error = %+v, want provider %s status %d", pe, k.name, c.status)
					}
					if pe.URL != u.URL+k.chatPath {
						t.Errorf("error URL = %q, want %q", pe.URL, u.URL+k.chatPath)
					}
					if !strings.Contains(err.Error(), c.want) {
						t.Errorf("error = %q, want it to contain %q", err, c.want)
					}
					if strings.Contains(err.Error(), testKey) || strings.Contains(fmt.Sprintf("%#v", pe), testKey) {
						t.Errorf("error leaks the API key: %q", err)
					}
				}
				if k.name == "ollama" && c.status == 404 && c.model != "" && !strings.Contains(err1.Error(), "ollama pull gpt-nope") {
					t.Errorf("error = %q, want a hint to pull the model", err1)
				}
			})
		}
	}
}

func TestUnreachable(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			base := closedURL(t)
			p := k.new(base+k.basePath, testKey)
			_, err1 := p.Chat(t.Context(), hello(""))
			_, err2 := p.Stream(t.Context(), hello(""))
			_, err3 := p.Models(t.Context())
			for _, err := range []error{err1, err2, err3} {
				pe := asError(t, err)
				if !pe.Unreachable || pe.Status != 0 {
					t.Errorf("error = %+v, want Unreachable", pe)
				}
				if !strings.Contains(err.Error(), "is unreachable") || !strings.Contains(err.Error(), "refused") ||
					!strings.Contains(err.Error(), base) {
					t.Errorf("error = %q, want it to say the server at %s refused the connection", err, base)
				}
			}
		})
	}
	t.Run("dns", func(t *testing.T) {
		p := NewOllama(OllamaConfig{BaseURL: "http://no-such-host.invalid:11434"})
		_, err := p.Chat(t.Context(), hello("llama3.2"))
		if pe := asError(t, err); !pe.Unreachable {
			t.Errorf("error = %+v, want Unreachable", pe)
		}
	})
}

func TestStreamCutOff(t *testing.T) {
	for _, k := range kinds {
		events := splitEvents(fixture(t, k.stream))
		for _, abort := range []bool{true, false} {
			name := k.name + "/connection reset"
			if !abort {
				name = k.name + "/body ends early"
			}
			t.Run(name, func(t *testing.T) {
				u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", k.streamType)
					io.WriteString(w, strings.Join(events[:k.head], ""))
					io.WriteString(w, events[k.head][:len(events[k.head])/2]) // half an event
					flush(w)
					if abort {
						panic(http.ErrAbortHandler)
					}
				})
				s, err := k.new(u.URL+k.basePath, "").Stream(t.Context(), hello(""))
				if err != nil {
					t.Fatal(err)
				}
				got, err := deltas(t, s)
				pe := asError(t, err)
				if !strings.Contains(pe.Message, "cut off") {
					t.Errorf("error = %q, want it to say the response was cut off", err)
				}
				if len(got) == 0 || got[0].Content != k.text {
					t.Errorf("deltas before the cut = %+v, want the first to be %q", got, k.text)
				}
				if _, again := s.Next(); again != err {
					t.Errorf("Next after the error = %v, want the same error", again)
				}
			})
		}
	}
}

// TestCancel checks that ending the caller's context, or closing the
// stream, ends the request on the server's side too.
func TestCancel(t *testing.T) {
	for _, k := range kinds {
		events := splitEvents(fixture(t, k.stream))
		for _, how := range []string{"cancel", "close", "cancel before headers"} {
			t.Run(k.name+"/"+how, func(t *testing.T) {
				got, ended := make(chan struct{}), make(chan struct{})
				u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
					close(got)
					if how != "cancel before headers" {
						w.Header().Set("Content-Type", k.streamType)
						io.WriteString(w, strings.Join(events[:k.head], ""))
						flush(w)
					}
					<-r.Context().Done()
					close(ended)
				})
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				p := k.new(u.URL+k.basePath, "")
				if how == "cancel before headers" {
					go func() { <-got; cancel() }()
					_, err := p.Stream(ctx, hello(""))
					if pe := asError(t, err); !errors.Is(err, context.Canceled) || pe.Unreachable {
						t.Errorf("Stream error = %+v, want a cancellation", pe)
					}
				} else {
					s, err := p.Stream(ctx, hello(""))
					if err != nil {
						t.Fatal(err)
					}
					for {
						d, err := s.Next()
						if err != nil {
							t.Fatal(err)
						}
						if d.Content != "" {
							break
						}
					}
					if how == "cancel" {
						cancel()
						_, err := s.Next()
						if !errors.Is(err, context.Canceled) {
							t.Errorf("Next after cancel = %v, want context.Canceled", err)
						}
					} else {
						s.Close()
						s.Close() // twice is fine
					}
				}
				select {
				case <-ended:
				case <-time.After(5 * time.Second):
					t.Fatal("the upstream request was not ended")
				}
			})
		}
	}
}

func TestTimeouts(t *testing.T) {
	for _, k := range kinds {
		events := splitEvents(fixture(t, k.stream))
		t.Run(k.name+"/idle stream", func(t *testing.T) {
			u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", k.streamType)
				io.WriteString(w, strings.Join(events[:k.head], ""))
				flush(w)
				<-r.Context().Done()
			})
			p := k.new(u.URL+k.basePath, "")
			endpointOf(p).idle = 100 * time.Millisecond
			s, err := p.Stream(t.Context(), hello(""))
			if err != nil {
				t.Fatal(err)
			}
			_, err = deltas(t, s)
			if pe := asError(t, err); !strings.Contains(pe.Message, "no data for 100ms") {
				t.Errorf("error = %q, want it to say the stream stalled", err)
			}
		})
		t.Run(k.name+"/no headers", func(t *testing.T) {
			u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
			p := k.new(u.URL+k.basePath, "")
			endpointOf(p).streamWait = 100 * time.Millisecond
			_, err := p.Stream(t.Context(), hello(""))
			if pe := asError(t, err); !pe.Unreachable || !strings.Contains(pe.Message, "no response within 100ms") {
				t.Errorf("error = %+v, want Unreachable after 100ms", pe)
			}
		})
	}
}

func TestNoModel(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			u := replay(t, 200, "application/json", "{}")
			var p Provider
			switch k.name {
			case "openai":
				p = NewOpenAI(OpenAIConfig{BaseURL: u.URL})
			case "ollama":
				p = NewOllama(OllamaConfig{BaseURL: u.URL})
			case "anthropic":
				p = NewAnthropic(AnthropicConfig{BaseURL: u.URL})
			}
			if _, err := p.Chat(t.Context(), hello("")); !errors.Is(err, ErrNoModel) {
				t.Errorf("Chat without a model = %v, want ErrNoModel", err)
			}
			if _, err := p.Stream(t.Context(), hello("")); !errors.Is(err, ErrNoModel) {
				t.Errorf("Stream without a model = %v, want ErrNoModel", err)
			}
		})
	}
}

func TestBadBaseURL(t *testing.T) {
	for _, base := range []string{"127.0.0.1:8000/v1", "ftp://host/v1", "http://[::1"} {
		p := NewOpenAI(OpenAIConfig{BaseURL: base, DefaultModel: "m"})
		_, err := p.Chat(t.Context(), hello(""))
		if pe := asError(t, err); !strings.Contains(pe.Message, "base URL") {
			t.Errorf("Chat with BaseURL %q = %v, want a base URL error", base, err)
		}
	}
}

func TestParseModel(t *testing.T) {
	cases := []struct{ in, provider, model string }{
		{"ollama/llama3.2", "ollama", "llama3.2"},
		{"openai/gpt-4o-mini", "openai", "gpt-4o-mini"},
		{"anthropic/claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"},
		{"fake/fake-model", "fake", "fake-model"},
		{"ollama/hf.co/org/model:Q4", "ollama", "hf.co/org/model:Q4"},
		{"hf.co/org/model", "", "hf.co/org/model"},
		{"library/llama3", "", "library/llama3"},
		{"llama3.2", "", "llama3.2"},
		{"", "", ""},
		{"ollama/", "ollama", ""},
	}
	for _, c := range cases {
		p, m := ParseModel(c.in)
		if p != c.provider || m != c.model {
			t.Errorf("ParseModel(%q) = %q, %q, want %q, %q", c.in, p, m, c.provider, c.model)
		}
	}
}

func TestUpstreamMessage(t *testing.T) {
	cases := []struct{ body, msg, code string }{
		{`{"error":"model 'x' not found"}`, "model 'x' not found", ""},
		{`{"error":{"message":"nope","type":"invalid_request_error","code":"model_not_found"}}`, "nope", "model_not_found"},
		{`{"error":{"code":404,"message":"gone","type":"not_found_error"}}`, "gone", ""},
		{`{"object":"error","message":"The model does not exist.","type":"NotFoundError","code":404}`, "The model does not exist.", ""},
		{`{"detail":"Not Found"}`, "Not Found", ""},
		{"plain text\nsecond line", "plain text", ""},
		{"\xff\xfe", "unreadable error response", ""},
		{strings.Repeat("é", 400), strings.Repeat("é", 150) + "…", ""},
	}
	for _, c := range cases {
		msg, code := upstreamMessage([]byte(c.body))
		if msg != c.msg || code != c.code {
			t.Errorf("upstreamMessage(%.40q) = %q, %q, want %q, %q", c.body, msg, code, c.msg, c.code)
		}
	}
}

func TestDataURI(t *testing.T) {
	cases := []struct{ in, mediaType, b64 string }{
		{"data:image/png;base64,iVBORw0KGgo=", "image/png", "iVBORw0KGgo="},
		{"data:image/jpeg;base64,/9j/\n4AAQ", "image/jpeg", "/9j/4AAQ"},
		{"data:image/svg+xml,%3Csvg%2F%3E", "image/svg+xml", "PHN2Zy8+"},
		{"data:,hi", "text/plain", "aGk="},
	}
	for _, c := range cases {
		mt, b64, ok := dataURI(c.in)
		if !ok || mt != c.mediaType || b64 != c.b64 {
			t.Errorf("dataURI(%q) = %q, %q, %v, want %q, %q", c.in, mt, b64, ok, c.mediaType, c.b64)
		}
	}
	for _, in := range []string{"https://example.com/a.png", "data:image/png;base64"} {
		if _, _, ok := dataURI(in); ok {
			t.Errorf("dataURI(%q) ok, want not a data URI", in)
		}
	}
}

func TestCollect(t *testing.T) {
	s := &fakeStream{ctx: t.Context(), deltas: []Delta{
		{Content: "a"},
		{ToolCalls: []ToolCallDelta{{Index: 1, ID: "c2", Name: "two"}}},
		{ToolCalls: []ToolCallDelta{{Index: 0, ID: "c1", Name: "one", Arguments: `{"x"`}}},
		{ToolCalls: []ToolCallDelta{{Index: 0, Arguments: `:1}`}, {Index: 1, Arguments: `{}`}}},
		{Content: "b", FinishReason: "tool_calls"},
		{Usage: usage(3, 4)},
	}}
	resp, err := Collect(s)
	if err != nil {
		t.Fatal(err)
	}
	want := Response{Message: Message{Role: "assistant", Content: "ab", ToolCalls: []ToolCall{
		{ID: "c1", Name: "one", Arguments: `{"x":1}`}, {ID: "c2", Name: "two", Arguments: `{}`}}},
		FinishReason: "tool_calls", Usage: Usage{3, 4, 7}}
	if jsonText(resp) != jsonText(want) {
		t.Errorf("Collect = %s, want %s", jsonText(resp), jsonText(want))
	}
}

// TestRedirectsNotFollowed checks that no provider follows a redirect,
// which would resend its key headers to another host.
func TestRedirectsNotFollowed(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			elsewhere := replay(t, 200, "application/json", "{}")
			u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
			})
			_, err := k.new(u.URL+k.basePath, testKey).Chat(t.Context(), hello("m"))
			if pe := asError(t, err); pe.Status != 307 || !strings.Contains(pe.Message, "redirects to "+elsewhere.URL) {
				t.Errorf("error = %+v, want a 307 naming the target", pe)
			}
			if len(elsewhere.reqs) != 0 {
				t.Error("the redirect was followed")
			}
		})
	}
}
