package providers

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAnthropicRequest(t *testing.T) {
	cases := []struct {
		name   string
		stream bool
		req    *Request
		fields []field
	}{
		{"everything", false, richRequest("claude-sonnet-4-5"), []field{
			{"model", `"claude-sonnet-4-5"`},
			{"max_tokens", `100`},
			{"stream", "<absent>"},
			{"system", `"You are terse.\n\nRespond with only a JSON value that matches this JSON Schema, with no other text and no code fences:\n{\"type\":\"object\",\"properties\":{\"summary\":{\"type\":\"string\"}}}"`},
			{"messages.0", `{"role":"user","content":[{"type":"text","text":"What is in this image, and the weather?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}`},
			{"messages.1", `{"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},{"type":"tool_use","id":"call_2","name":"get_time","input":{}}]}`},
			// Both tool results, then the user's next words, in one user message.
			{"messages.2", `{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"11 degrees"},{"type":"tool_result","tool_use_id":"call_2","content":"noon"},{"type":"text","text":"Thanks. Summarize."}]}`},
			{"messages.3", "<absent>"},
			{"tools", `[{"name":"get_weather","description":"Get the weather in a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},{"name":"get_time","input_schema":{"type":"object"}}]`},
			{"tool_choice", `{"type":"tool","name":"get_weather"}`},
			{"temperature", `0.2`},
			{"top_p", `0.9`},
			{"stop_sequences", `["\n\n"]`},
			{"seed", "<absent>"},
			{"response_format", "<absent>"},
		}},
		{"streaming with defaults", true, hello(""), []field{
			{"model", `"claude-default"`},
			{"max_tokens", `4096`},
			{"stream", `true`},
			{"system", "<absent>"},
			{"messages", `[{"role":"user","content":[{"type":"text","text":"Hello"}]}]`},
			{"tools", "<absent>"},
			{"tool_choice", "<absent>"},
		}},
		{"json_object and an image URL", false, &Request{Model: "m", MaxCompletionTokens: ptr(50),
			ResponseFormat: json.RawMessage(`{"type":"json_object"}`),
			Messages:       []Message{{Role: "user", Parts: []Part{{Type: "image_url", ImageURL: "https://example.com/cat.jpg"}}}}}, []field{
			{"max_tokens", `50`},
			{"system", `"Respond with only a JSON object, with no other text and no code fences."`},
			{"messages.0.content", `[{"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]`},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := replay(t, 200, "text/event-stream", fixture(t, "anthropic_stream.sse"))
			if !c.stream {
				u = replay(t, 200, "application/json", fixture(t, "anthropic_message.json"))
			}
			p := NewAnthropic(AnthropicConfig{BaseURL: u.URL, APIKey: testKey, DefaultModel: "claude-default"})
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
			if r.Method != "POST" || r.Path != "/v1/messages" {
				t.Errorf("request = %s %s, want POST /v1/messages", r.Method, r.Path)
			}
			if r.Header.Get("x-api-key") != testKey || r.Header.Get("anthropic-version") != "2023-06-01" ||
				r.Header.Get("Authorization") != "" {
				t.Errorf("headers = %v, want x-api-key and anthropic-version 2023-06-01", r.Header)
			}
			checkFields(t, r.body(t), c.fields)
		})
	}
}

func TestAnthropicToolChoice(t *testing.T) {
	cases := []struct{ choice, want string }{
		{``, `{"type":"auto"}`},
		{`"auto"`, `{"type":"auto"}`},
		{`"none"`, `{"type":"none"}`},
		{`"required"`, `{"type":"any"}`},
		{`{"type":"function","function":{"name":"get_time"}}`, `{"type":"tool","name":"get_time"}`},
	}
	for _, c := range cases {
		u := replay(t, 200, "application/json", fixture(t, "anthropic_message.json"))
		req := hello("m")
		req.Tools = []Tool{{Name: "get_time"}}
		req.ToolChoice = json.RawMessage(c.choice)
		if _, err := NewAnthropic(AnthropicConfig{BaseURL: u.URL}).Chat(t.Context(), req); err != nil {
			t.Fatal(err)
		}
		checkFields(t, u.last(t).body(t), []field{{"tool_choice", c.want}})
	}
}

func TestAnthropicVersionHeader(t *testing.T) {
	u := replay(t, 200, "application/json", fixture(t, "anthropic_message.json"))
	p := NewAnthropic(AnthropicConfig{BaseURL: u.URL + "/", Version: "2024-01-01"})
	if _, err := p.Chat(t.Context(), hello("m")); err != nil {
		t.Fatal(err)
	}
	r := u.last(t)
	if r.Header.Get("anthropic-version") != "2024-01-01" || r.Header.Get("x-api-key") != "" || r.Path != "/v1/messages" {
		t.Errorf("request %s, headers %v, want version 2024-01-01 and no key", r.Path, r.Header)
	}
}

func TestAnthropicChat(t *testing.T) {
	cases := []struct {
		fixture string
		want    Response
	}{
		{"anthropic_message.json", Response{Model: "claude-3-opus-20240229", FinishReason: "stop", Usage: Usage{10, 25, 35},
			Message: Message{Role: "assistant", Content: "Hi! My name is Claude."}}},
		{"anthropic_tools.json", Response{Model: "claude-opus-4-7", FinishReason: "tool_calls", Usage: Usage{523, 89, 612},
			Message: Message{Role: "assistant", Content: "I'll check the current weather.", ToolCalls: []ToolCall{
				{ID: "toolu_01A09q90qw90lq917835lq9", Name: "get_weather", Arguments: `{ "location": "San Francisco, CA", "unit": "celsius" }`}}}}},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			u := replay(t, 200, "application/json", fixture(t, c.fixture))
			resp, err := NewAnthropic(AnthropicConfig{BaseURL: u.URL}).Chat(t.Context(), hello("claude"))
			if err != nil {
				t.Fatal(err)
			}
			if jsonText(resp) != jsonText(c.want) {
				t.Errorf("Chat = %s\nwant %s", jsonText(resp), jsonText(c.want))
			}
		})
	}
}

func TestAnthropicStream(t *testing.T) {
	cases := []struct {
		fixture string
		want    Response
		thought string
	}{
		{"anthropic_stream.sse", Response{FinishReason: "stop", Usage: Usage{25, 15, 40},
			Message: Message{Role: "assistant", Content: "Hello!"}}, ""},
		{"anthropic_tools.sse", Response{FinishReason: "tool_calls", Usage: Usage{472, 89, 561},
			Message: Message{Role: "assistant", Content: "Okay, let's check the weather for San Francisco, CA:", ToolCalls: []ToolCall{
				{ID: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", Name: "get_weather", Arguments: `{"location": "San Francisco, CA", "unit": "fahrenheit"}`}}}}, ""},
		{"anthropic_thinking.sse", Response{FinishReason: "stop",
			Message: Message{Role: "assistant", Content: "27 * 453 = 12,231"}},
			"Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3\n3. 27 * 400 = 10,800\n4. 27 * 50 = 1,350\n5. 27 * 3 = 81\n6. 10,800 + 1,350 + 81 = 12,231"},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			u := replay(t, 200, "text/event-stream", fixture(t, c.fixture))
			p := NewAnthropic(AnthropicConfig{BaseURL: u.URL})
			s, err := p.Stream(t.Context(), hello("claude"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := deltas(t, s)
			if err != nil {
				t.Fatal(err)
			}
			var thought strings.Builder
			replayed := &fakeStream{ctx: t.Context(), deltas: got}
			for _, d := range got {
				thought.WriteString(d.Thinking)
			}
			resp, err := Collect(replayed)
			if err != nil {
				t.Fatal(err)
			}
			if jsonText(resp) != jsonText(c.want) {
				t.Errorf("collected = %s\nwant %s", jsonText(resp), jsonText(c.want))
			}
			if thought.String() != c.thought {
				t.Errorf("thinking = %q, want %q", thought.String(), c.thought)
			}
		})
	}
	t.Run("tool call deltas", func(t *testing.T) {
		u := replay(t, 200, "text/event-stream", fixture(t, "anthropic_tools.sse"))
		s, err := NewAnthropic(AnthropicConfig{BaseURL: u.URL}).Stream(t.Context(), hello("claude"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := deltas(t, s)
		if err != nil {
			t.Fatal(err)
		}
		var calls []ToolCallDelta
		for _, d := range got {
			calls = append(calls, d.ToolCalls...)
		}
		if len(calls) != 9 || calls[0] != (ToolCallDelta{Index: 0, ID: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", Name: "get_weather"}) ||
			calls[1] != (ToolCallDelta{Index: 0, Arguments: `{"location":`}) {
			t.Errorf("tool call deltas = %+v, want the start then one piece per input_json_delta", calls)
		}
	})
}

func TestAnthropicStreamEdges(t *testing.T) {
	ev := func(typ, data string) string { return "event: " + typ + "\ndata: " + data + "\n\n" }
	start := ev("message_start", `{"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}`)
	stop := ev("message_stop", `{"type":"message_stop"}`)
	cases := []struct {
		name, body string
		want       []Delta
		err        string
	}{
		{"tool without input", start +
			ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"now","input":{}}}`) +
			ev("content_block_stop", `{"type":"content_block_stop","index":0}`) +
			ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":7}}`) + stop,
			[]Delta{
				{ToolCalls: []ToolCallDelta{{Index: 0, ID: "toolu_1", Name: "now"}}},
				{ToolCalls: []ToolCallDelta{{Index: 0, Arguments: "{}"}}},
				{FinishReason: "tool_calls", Usage: &Usage{5, 7, 12}},
			}, ""},
		{"max_tokens and unknown events", start +
			ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Hi"}}`) +
			ev("future_event", `{"type":"future_event","x":1}`) +
			ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"input_tokens":6,"output_tokens":9}}`) + stop,
			[]Delta{{Content: "Hi"}, {FinishReason: "length", Usage: &Usage{6, 9, 15}}}, ""},
		{"error event", fixture(t, "anthropic_overloaded.sse"), []Delta{{Content: "Hello"}}, "overloaded_error: Overloaded"},
		{"no message_stop", start, nil, "cut off"},
		{"malformed", "event: ping\ndata: {oops\n\n", nil, "malformed stream event"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := replay(t, 200, "text/event-stream", c.body)
			s, err := NewAnthropic(AnthropicConfig{BaseURL: u.URL}).Stream(t.Context(), hello("claude"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := deltas(t, s)
			if c.err != "" {
				if pe := asError(t, err); !strings.Contains(pe.Error(), c.err) || pe.Provider != "anthropic" {
					t.Errorf("error = %+v, want %q from anthropic", pe, c.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if jsonText(got) != jsonText(c.want) {
				t.Errorf("deltas = %s\nwant %s", jsonText(got), jsonText(c.want))
			}
		})
	}
}

func TestAnthropicModels(t *testing.T) {
	u := replay(t, 200, "application/json", fixture(t, "anthropic_models.json"))
	models, err := NewAnthropic(AnthropicConfig{BaseURL: u.URL, APIKey: testKey}).Models(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []Model{{"claude-sonnet-4-5-20250929", "anthropic"}, {"claude-3-7-sonnet-20250219", "anthropic"}}
	if jsonText(models) != jsonText(want) {
		t.Errorf("Models = %s, want %s", jsonText(models), jsonText(want))
	}
	r := u.last(t)
	if r.Method != "GET" || r.Path != "/v1/models" || r.Query != "limit=1000" || r.Header.Get("x-api-key") != testKey {
		t.Errorf("request = %s %s?%s, want GET /v1/models?limit=1000 with the key", r.Method, r.Path, r.Query)
	}
}

func TestAnthropicBadRequests(t *testing.T) {
	cases := []struct {
		name string
		msg  Message
		want string
	}{
		{"role", Message{Role: "narrator", Content: "x"}, `unsupported message role "narrator"`},
		{"image", Message{Role: "user", Parts: []Part{{Type: "image_url", ImageURL: "file:///etc/passwd"}}}, "data: URI or an http(s) URL"},
	}
	for _, c := range cases {
		u := replay(t, 200, "application/json", "{}")
		_, err := NewAnthropic(AnthropicConfig{BaseURL: u.URL}).Chat(t.Context(), &Request{Model: "m", Messages: []Message{c.msg}})
		if pe := asError(t, err); !strings.Contains(pe.Message, c.want) {
			t.Errorf("%s: error = %v, want %q", c.name, err, c.want)
		}
	}
}
