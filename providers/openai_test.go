package providers

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// richRequest uses every field a provider maps.
func richRequest(model string) *Request {
	return &Request{
		Model: model,
		Messages: []Message{
			{Role: "system", Content: "You are terse."},
			{Role: "user", Parts: []Part{
				{Type: "text", Text: "What is in this image, and the weather?"},
				{Type: "image_url", ImageURL: "data:image/png;base64,iVBORw0KGgo="},
			}},
			{Role: "assistant", ToolCalls: []ToolCall{
				{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`},
				{ID: "call_2", Name: "get_time", Arguments: ``},
			}},
			{Role: "tool", ToolCallID: "call_1", Content: "11 degrees"},
			{Role: "tool", ToolCallID: "call_2", Name: "get_time", Content: "noon"},
			{Role: "user", Content: "Thanks. Summarize."},
		},
		Tools: []Tool{
			{Name: "get_weather", Description: "Get the weather in a city",
				Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)},
			{Name: "get_time"},
		},
		ToolChoice:     json.RawMessage(`{"type":"function","function":{"name":"get_weather"}}`),
		ResponseFormat: json.RawMessage(`{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object","properties":{"summary":{"type":"string"}}},"strict":true}}`),
		Temperature:    ptr(0.2),
		TopP:           ptr(0.9),
		MaxTokens:      ptr(100),
		Stop:           []string{"\n\n"},
		Seed:           ptr(int64(42)),
	}
}

func TestOpenAIRequest(t *testing.T) {
	cases := []struct {
		name   string
		stream bool
		req    *Request
		fields []field
	}{
		{"everything", false, richRequest("gpt-4o"), []field{
			{"model", `"gpt-4o"`},
			{"stream", "<absent>"},
			{"stream_options", "<absent>"},
			{"messages.0", `{"role":"system","content":"You are terse."}`},
			{"messages.1.content", `[{"type":"text","text":"What is in this image, and the weather?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]`},
			{"messages.2", `{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"call_2","type":"function","function":{"name":"get_time","arguments":""}}]}`},
			{"messages.3", `{"role":"tool","content":"11 degrees","tool_call_id":"call_1"}`},
			{"messages.5", `{"role":"user","content":"Thanks. Summarize."}`},
			{"tools.0", `{"type":"function","function":{"name":"get_weather","description":"Get the weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}`},
			{"tools.1", `{"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}`},
			{"tool_choice", `{"type":"function","function":{"name":"get_weather"}}`},
			{"response_format.json_schema.name", `"answer"`},
			{"response_format.json_schema.strict", `true`},
			{"temperature", `0.2`},
			{"top_p", `0.9`},
			{"max_tokens", `100`},
			{"max_completion_tokens", "<absent>"},
			{"stop", `["\n\n"]`},
			{"seed", `42`},
		}},
		{"streaming", true, hello("gpt-4o"), []field{
			{"stream", `true`},
			{"stream_options", `{"include_usage":true}`},
			{"messages", `[{"role":"user","content":"Hello"}]`},
			{"tools", "<absent>"},
			{"temperature", "<absent>"},
		}},
		{"max_completion_tokens and no tools", false, &Request{Model: "o3", Messages: []Message{{Role: "user", Content: "hi"}},
			MaxCompletionTokens: ptr(2000), ToolChoice: json.RawMessage(`"auto"`)}, []field{
			{"max_completion_tokens", `2000`},
			{"max_tokens", "<absent>"},
			{"tool_choice", "<absent>"},
		}},
		{"default model", false, hello(""), []field{{"model", `"default-model"`}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := replay(t, 200, "text/event-stream", fixture(t, "openai_stream.sse"))
			if !c.stream {
				u = replay(t, 200, "application/json", fixture(t, "openai_chat.json"))
			}
			p := NewOpenAI(OpenAIConfig{BaseURL: u.URL + "/v1", APIKey: testKey, DefaultModel: "default-model"})
			var err error
			if c.stream {
				var s Stream
				if s, err = p.Stream(t.Context(), c.req); err == nil {
					_, err = deltas(t, s)
				}
			} else {
				_, err = p.Chat(t.Context(), c.req)
			}
			if err != nil {
				t.Fatal(err)
			}
			r := u.last(t)
			if r.Method != "POST" || r.Path != "/v1/chat/completions" {
				t.Errorf("request = %s %s, want POST /v1/chat/completions", r.Method, r.Path)
			}
			if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
				t.Errorf("Authorization = %q, want the bearer key", got)
			}
			if got := r.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q", got)
			}
			checkFields(t, r.body(t), c.fields)
		})
	}
}

func TestOpenAINoKeyNoAuthorization(t *testing.T) {
	u := replay(t, 200, "application/json", fixture(t, "openai_chat.json"))
	if _, err := NewOpenAI(OpenAIConfig{BaseURL: u.URL}).Chat(t.Context(), hello("m")); err != nil {
		t.Fatal(err)
	}
	if got := u.last(t).Header.Get("Authorization"); got != "" {
		t.Errorf("Authorization = %q, want none without a key", got)
	}
}

func TestOpenAIChat(t *testing.T) {
	cases := []struct {
		fixture string
		want    Response
	}{
		{"openai_chat.json", Response{Model: "gpt-5.4", FinishReason: "stop", Usage: Usage{1117, 46, 1163},
			Message: Message{Role: "assistant", Content: "The image shows a wooden boardwalk path running through a lush green field or meadow. The sky is bright blue with some scattered clouds, giving the scene a serene and peaceful atmosphere. Trees and shrubs are visible in the background."}}},
		{"openai_tools.json", Response{Model: "gpt-4o-mini", FinishReason: "tool_calls", Usage: Usage{82, 17, 99},
			Message: Message{Role: "assistant", ToolCalls: []ToolCall{{ID: "call_abc123", Name: "get_current_weather", Arguments: "{\n\"location\": \"Boston, MA\"\n}"}}}}},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			u := replay(t, 200, "application/json", fixture(t, c.fixture))
			resp, err := NewOpenAI(OpenAIConfig{BaseURL: u.URL + "/v1"}).Chat(t.Context(), hello("gpt-4o"))
			if err != nil {
				t.Fatal(err)
			}
			if jsonText(resp) != jsonText(c.want) {
				t.Errorf("Chat = %s\nwant %s", jsonText(resp), jsonText(c.want))
			}
		})
	}
}

func TestOpenAIStream(t *testing.T) {
	cases := []struct {
		fixture string
		want    []Delta
	}{
		{"openai_stream.sse", []Delta{
			{Content: "Hello"},
			{FinishReason: "stop"},
			{Usage: &Usage{9, 1, 10}},
		}},
		{"openai_tools.sse", []Delta{
			{ToolCalls: []ToolCallDelta{{Index: 0, ID: "call_TMbEoYn9q0ZKtoxav5LpD9Ts", Name: "get_weather"}}},
			{ToolCalls: []ToolCallDelta{{Index: 0, Arguments: `{"`}}},
			{ToolCalls: []ToolCallDelta{{Index: 0, Arguments: `city":"Tokyo"}`}}},
			{ToolCalls: []ToolCallDelta{{Index: 1, ID: "call_DdmO9pD3xa9XTPNJ32zg2hcA", Name: "get_time"}}},
			{ToolCalls: []ToolCallDelta{{Index: 1, Arguments: `{"zone":"JST"}`}}},
			{FinishReason: "tool_calls"},
			{Usage: &Usage{140, 38, 178}},
		}},
		{"openai_reasoning.sse", []Delta{
			{Thinking: "Two plus two"},
			{Thinking: " is four."},
			{Content: "4", FinishReason: "stop"},
		}},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			u := replay(t, 200, "text/event-stream", fixture(t, c.fixture))
			s, err := NewOpenAI(OpenAIConfig{BaseURL: u.URL + "/v1"}).Stream(t.Context(), hello("gpt-4o"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := deltas(t, s)
			if err != nil {
				t.Fatal(err)
			}
			if jsonText(got) != jsonText(c.want) {
				t.Errorf("deltas = %s\nwant %s", jsonText(got), jsonText(c.want))
			}
		})
	}
	t.Run("collected tool calls", func(t *testing.T) {
		u := replay(t, 200, "text/event-stream", fixture(t, "openai_tools.sse"))
		s, err := NewOpenAI(OpenAIConfig{BaseURL: u.URL + "/v1"}).Stream(t.Context(), hello("gpt-4o"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := Collect(s)
		if err != nil {
			t.Fatal(err)
		}
		want := []ToolCall{{ID: "call_TMbEoYn9q0ZKtoxav5LpD9Ts", Name: "get_weather", Arguments: `{"city":"Tokyo"}`},
			{ID: "call_DdmO9pD3xa9XTPNJ32zg2hcA", Name: "get_time", Arguments: `{"zone":"JST"}`}}
		if jsonText(resp.Message.ToolCalls) != jsonText(want) {
			t.Errorf("tool calls = %s, want %s", jsonText(resp.Message.ToolCalls), jsonText(want))
		}
	})
}

// TestOpenAIDecoderEdges feeds the decoder bodies from servers that bend
// the format.
func TestOpenAIDecoderEdges(t *testing.T) {
	chunk := func(delta, finish string) string {
		if finish != "" {
			finish = `"` + finish + `"`
		} else {
			finish = "null"
		}
		return `data: {"choices":[{"index":0,"delta":` + delta + `,"finish_reason":` + finish + "}]}\n\n"
	}
	cases := []struct {
		name, body string
		want       string // the deltas as JSON
		err        string
	}{
		{"no [DONE] after finish", chunk(`{"content":"hi"}`, "") + chunk(`{}`, "stop"),
			`[{"Content":"hi","Thinking":"","ToolCalls":null,"FinishReason":"","Usage":null},{"Content":"","Thinking":"","ToolCalls":null,"FinishReason":"stop","Usage":null}]`, ""},
		{"no [DONE] and no finish", chunk(`{"content":"hi"}`, ""), "", "cut off"},
		{"tool calls without index", chunk(`{"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}}]}`, "") +
			chunk(`{"tool_calls":[{"id":"b","function":{"name":"g","arguments":"{"}}]}`, "") +
			chunk(`{"tool_calls":[{"function":{"arguments":"}"}}]}`, "tool_calls") + "data: [DONE]\n\n",
			`[{"Content":"","Thinking":"","ToolCalls":[{"Index":0,"ID":"a","Name":"f","Arguments":"{}"}],"FinishReason":"","Usage":null},{"Content":"","Thinking":"","ToolCalls":[{"Index":1,"ID":"b","Name":"g","Arguments":"{"}],"FinishReason":"","Usage":null},{"Content":"","Thinking":"","ToolCalls":[{"Index":1,"ID":"","Name":"","Arguments":"}"}],"FinishReason":"tool_calls","Usage":null}]`, ""},
		{"vLLM error event", chunk(`{"content":"hi"}`, "") + `data: {"error": {"object": "error", "message": "CUDA out of memory", "type": "InternalServerError", "param": null, "code": 500}}` + "\n\n",
			"", "CUDA out of memory"},
		{"malformed event", "data: {not json\n\n", "", "malformed stream event"},
		{"second choice ignored", `data: {"choices":[{"index":1,"delta":{"content":"x"}},{"index":0,"delta":{"content":"y"}}]}` + "\n\ndata: [DONE]\n\n",
			`[{"Content":"y","Thinking":"","ToolCalls":null,"FinishReason":"","Usage":null}]`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := replay(t, 200, "text/event-stream", c.body)
			s, err := NewOpenAI(OpenAIConfig{BaseURL: u.URL}).Stream(t.Context(), hello("m"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := deltas(t, s)
			if c.err != "" {
				if pe := asError(t, err); !strings.Contains(pe.Error(), c.err) || pe.Provider != "openai" || pe.URL != u.URL+"/chat/completions" {
					t.Errorf("error = %+v, want %q from openai at its URL", pe, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if jsonText(got) != c.want {
				t.Errorf("deltas = %s\nwant %s", jsonText(got), c.want)
			}
		})
	}
}

func TestOpenAIModels(t *testing.T) {
	u := replay(t, 200, "application/json", fixture(t, "openai_models.json"))
	models, err := NewOpenAI(OpenAIConfig{BaseURL: u.URL + "/v1", APIKey: testKey}).Models(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []Model{{"model-id-0", "openai"}, {"model-id-1", "openai"}, {"model-id-2", "openai"}}
	if jsonText(models) != jsonText(want) {
		t.Errorf("Models = %s, want %s", jsonText(models), jsonText(want))
	}
	if r := u.last(t); r.Method != "GET" || r.Path != "/v1/models" || r.Header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("request = %s %s (auth %q), want GET /v1/models with the key", r.Method, r.Path, r.Header.Get("Authorization"))
	}
}

// TestOpenAIBaseURLHygiene checks that a base URL's query is sent but
// that errors show neither it nor user info.
func TestOpenAIBaseURLHygiene(t *testing.T) {
	u := replay(t, 500, "application/json", `{"error":{"message":"boom"}}`)
	base := strings.Replace(u.URL, "http://", "http://user:pa55word@", 1) + "/openai/v1?api-version=2024-10-21"
	_, err := NewOpenAI(OpenAIConfig{BaseURL: base}).Chat(t.Context(), hello("m"))
	pe := asError(t, err)
	if pe.URL != u.URL+"/openai/v1/chat/completions" {
		t.Errorf("error URL = %q, want it without user info or query", pe.URL)
	}
	if strings.Contains(err.Error(), "pa55word") || strings.Contains(err.Error(), "api-version") {
		t.Errorf("error = %q shows secrets from the base URL", err)
	}
	if r := u.last(t); r.Path != "/openai/v1/chat/completions" || r.Query != "api-version=2024-10-21" {
		t.Errorf("request = %s?%s, want the base URL's path and query", r.Path, r.Query)
	}
}

func TestOpenAIBodyLimit(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[{"message":{"content":"`)
		chunk := strings.Repeat("a", 1<<20)
		for range maxBody>>20 + 1 {
			io.WriteString(w, chunk)
		}
		io.WriteString(w, `"}}]}`)
	})
	_, err := NewOpenAI(OpenAIConfig{BaseURL: u.URL}).Chat(t.Context(), hello("m"))
	if pe := asError(t, err); !strings.Contains(pe.Message, "larger than") {
		t.Errorf("error = %v, want a size limit error", err)
	}
}

func TestOpenAIBadPart(t *testing.T) {
	u := replay(t, 200, "application/json", "{}")
	req := &Request{Model: "m", Messages: []Message{{Role: "user", Parts: []Part{{Type: "audio"}}}}}
	_, err := NewOpenAI(OpenAIConfig{BaseURL: u.URL}).Chat(t.Context(), req)
	if pe := asError(t, err); !strings.Contains(pe.Message, `unsupported content part type "audio"`) {
		t.Errorf("error = %v", err)
	}
	if len(u.reqs) != 0 {
		t.Error("a bad request was sent")
	}
}

func TestOpenAIErrorWithStatus200(t *testing.T) {
	u := replay(t, 200, "application/json", `{"error":{"message":"upstream model crashed","type":"server_error"}}`)
	_, err := NewOpenAI(OpenAIConfig{BaseURL: u.URL}).Chat(t.Context(), hello("m"))
	if pe := asError(t, err); pe.Message != "upstream model crashed" {
		t.Errorf("error = %+v, want the upstream message", pe)
	}
	u = replay(t, 200, "application/json", `{"id":"x","choices":[]}`)
	_, err = NewOpenAI(OpenAIConfig{BaseURL: u.URL}).Chat(t.Context(), hello("m"))
	if pe := asError(t, err); !strings.Contains(pe.Message, "no choices") {
		t.Errorf("error = %+v, want no choices", pe)
	}
	u = replay(t, 200, "application/json", `not json`)
	_, err = NewOpenAI(OpenAIConfig{BaseURL: u.URL}).Chat(t.Context(), hello("m"))
	if pe := asError(t, err); !strings.Contains(pe.Message, "malformed response") {
		t.Errorf("error = %+v, want malformed response", pe)
	}
}
