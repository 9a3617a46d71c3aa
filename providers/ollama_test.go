package providers

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestOllamaRequest(t *testing.T) {
	cases := []struct {
		name   string
		stream bool
		req    *Request
		fields []field
	}{
		{"everything", false, richRequest("llava"), []field{
			{"model", `"llava"`},
			{"stream", `false`},
			{"messages.0", `{"role":"system","content":"You are terse."}`},
			{"messages.1", `{"role":"user","content":"What is in this image, and the weather?","images":["iVBORw0KGgo="]}`},
			{"messages.2", `{"role":"assistant","content":"","tool_calls":[{"id":"call_1","function":{"name":"get_weather","arguments":{"city":"Paris"}}},{"id":"call_2","function":{"name":"get_time","arguments":{}}}]}`},
			// tool_name comes from the call the result answers.
			{"messages.3", `{"role":"tool","content":"11 degrees","tool_name":"get_weather","tool_call_id":"call_1"}`},
			{"messages.4", `{"role":"tool","content":"noon","tool_name":"get_time","tool_call_id":"call_2"}`},
			{"tools.0", `{"type":"function","function":{"name":"get_weather","description":"Get the weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}`},
			{"tool_choice", "<absent>"},
			{"format", `{"type":"object","properties":{"summary":{"type":"string"}}}`},
			{"options", `{"temperature":0.2,"top_p":0.9,"num_predict":100,"stop":["\n\n"],"seed":42}`},
			{"response_format", "<absent>"},
			{"max_tokens", "<absent>"},
		}},
		{"streaming", true, hello(""), []field{
			{"model", `"llama-default"`},
			{"stream", `true`},
			{"messages", `[{"role":"user","content":"Hello"}]`},
			{"options", "<absent>"},
			{"format", "<absent>"},
			{"tools", "<absent>"},
		}},
		{"json_object, tool_choice none", false, &Request{Model: "m", Messages: []Message{{Role: "user", Content: "hi"}},
			ResponseFormat: json.RawMessage(`{"type":"json_object"}`), Tools: []Tool{{Name: "t"}},
			ToolChoice: json.RawMessage(`"none"`), MaxCompletionTokens: ptr(7)}, []field{
			{"format", `"json"`},
			{"tools", "<absent>"},
			{"options", `{"num_predict":7}`},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := replay(t, 200, "application/x-ndjson", fixture(t, "ollama_stream.ndjson"))
			if !c.stream {
				u = replay(t, 200, "application/json", fixture(t, "ollama_chat.json"))
			}
			p := NewOllama(OllamaConfig{BaseURL: u.URL, DefaultModel: "llama-default"})
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
			if r.Method != "POST" || r.Path != "/api/chat" {
				t.Errorf("request = %s %s, want POST /api/chat", r.Method, r.Path)
			}
			checkFields(t, r.body(t), c.fields)
		})
	}
}

func TestOllamaImageURL(t *testing.T) {
	u := replay(t, 200, "application/json", fixture(t, "ollama_chat.json"))
	req := &Request{Model: "llava", Messages: []Message{{Role: "user", Parts: []Part{
		{Type: "text", Text: "what is this?"}, {Type: "image_url", ImageURL: "https://example.com/cat.png"}}}}}
	_, err := NewOllama(OllamaConfig{BaseURL: u.URL}).Chat(t.Context(), req)
	pe := asError(t, err)
	if !strings.Contains(pe.Message, "Ollama cannot fetch image URLs") || !strings.Contains(pe.Message, "data: URI") {
		t.Errorf("error = %v, want it to explain that images must be inline", err)
	}
	if len(u.reqs) != 0 {
		t.Error("the request was sent anyway")
	}
}

func TestOllamaChat(t *testing.T) {
	cases := []struct {
		fixture string
		want    Response
	}{
		{"ollama_chat.json", Response{Model: "llama3.2", FinishReason: "stop", Usage: Usage{26, 298, 324},
			Message: Message{Role: "assistant", Content: "Hello! How are you today?"}}},
		{"ollama_tools.json", Response{Model: "llama3.2", FinishReason: "tool_calls", Usage: Usage{122, 33, 155},
			Message: Message{Role: "assistant", ToolCalls: []ToolCall{{ID: "call_0", Name: "get_current_weather",
				Arguments: `{"format":"celsius","location":"Paris, FR"}`}}}}},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			u := replay(t, 200, "application/json", fixture(t, c.fixture))
			resp, err := NewOllama(OllamaConfig{BaseURL: u.URL}).Chat(t.Context(), hello("llama3.2"))
			if err != nil {
				t.Fatal(err)
			}
			if jsonText(resp) != jsonText(c.want) {
				t.Errorf("Chat = %s\nwant %s", jsonText(resp), jsonText(c.want))
			}
			for _, tc := range resp.Message.ToolCalls {
				var v map[string]any
				if err := json.Unmarshal([]byte(tc.Arguments), &v); err != nil || v["location"] != "Paris, FR" {
					t.Errorf("arguments %q do not decode to the object sent", tc.Arguments)
				}
			}
		})
	}
}

func TestOllamaStream(t *testing.T) {
	cases := []struct {
		fixture string
		want    []Delta
		err     string
	}{
		{"ollama_stream.ndjson", []Delta{
			{Content: "The"}, {Content: " sky"}, {FinishReason: "stop", Usage: &Usage{26, 282, 308}},
		}, ""},
		{"ollama_tools.ndjson", []Delta{
			{ToolCalls: []ToolCallDelta{{Index: 0, ID: "call_0", Name: "get_weather", Arguments: `{"city":"Tokyo"}`}}},
			{FinishReason: "tool_calls", Usage: &Usage{169, 15, 184}},
		}, ""},
		{"ollama_thinking.ndjson", []Delta{
			{Thinking: "Count"}, {Thinking: " the r's."}, {Content: "Three."},
			{FinishReason: "length", Usage: &Usage{18, 40, 58}},
		}, ""},
		{"ollama_error.ndjson", []Delta{{Content: " Yes"}, {Content: "."}}, "an error was encountered while running the model"},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			u := replay(t, 200, "application/x-ndjson", fixture(t, c.fixture))
			s, err := NewOllama(OllamaConfig{BaseURL: u.URL}).Stream(t.Context(), hello("llama3.2"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := deltas(t, s)
			if c.err != "" {
				if pe := asError(t, err); !strings.Contains(pe.Error(), c.err) || pe.Provider != "ollama" || pe.URL != u.URL+"/api/chat" {
					t.Errorf("error = %+v, want %q from ollama at its URL", pe, c.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if jsonText(got) != jsonText(c.want) {
				t.Errorf("deltas = %s\nwant %s", jsonText(got), jsonText(c.want))
			}
		})
	}
	t.Run("tool call ids", func(t *testing.T) {
		body := `{"message":{"role":"assistant","content":"","tool_calls":[{"id":"call_x","function":{"name":"a","arguments":{}}},{"function":{"name":"b","arguments":{"n":1}}}]},"done":false}` + "\n" +
			`{"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"c"}}]},"done":false}` + "\n" +
			`{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}` + "\n"
		u := replay(t, 200, "application/x-ndjson", body)
		s, err := NewOllama(OllamaConfig{BaseURL: u.URL}).Stream(t.Context(), hello("m"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := Collect(s)
		if err != nil {
			t.Fatal(err)
		}
		want := []ToolCall{{ID: "call_x", Name: "a", Arguments: "{}"}, {ID: "call_1", Name: "b", Arguments: `{"n":1}`}, {ID: "call_2", Name: "c", Arguments: "{}"}}
		if jsonText(resp.Message.ToolCalls) != jsonText(want) || resp.FinishReason != "tool_calls" {
			t.Errorf("collected = %s, want calls %s and finish tool_calls", jsonText(resp), jsonText(want))
		}
	})
}

func TestOllamaModels(t *testing.T) {
	u := replay(t, 200, "application/json", fixture(t, "ollama_tags.json"))
	models, err := NewOllama(OllamaConfig{BaseURL: u.URL}).Models(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []Model{{"deepseek-r1:latest", "ollama"}, {"llama3.2:latest", "ollama"}}
	if jsonText(models) != jsonText(want) {
		t.Errorf("Models = %s, want %s", jsonText(models), jsonText(want))
	}
	if r := u.last(t); r.Method != "GET" || r.Path != "/api/tags" {
		t.Errorf("request = %s %s, want GET /api/tags", r.Method, r.Path)
	}
}

func TestNDJSONReader(t *testing.T) {
	cases := []struct {
		name, in string
		max      int
		want     []string
		err      error
	}{
		{"lines", "{\"a\":1}\n{\"b\":2}\n", 100, []string{`{"a":1}`, `{"b":2}`}, io.EOF},
		{"crlf and blanks", "\r\n{\"a\":1}\r\n\n  \n{\"b\":2}\r\n", 100, []string{`{"a":1}`, `{"b":2}`}, io.EOF},
		{"unterminated last line", "{\"a\":1}\n{\"b\"", 100, []string{`{"a":1}`}, io.ErrUnexpectedEOF},
		{"trailing blank", "{\"a\":1}\n   ", 100, []string{`{"a":1}`}, io.EOF},
		{"exactly max", "12345\n", 5, []string{"12345"}, io.EOF},
		{"over max", "123456\nok\n", 5, nil, errLineTooLong},
		{"over the buffer", strings.Repeat("x", 200<<10) + "\n", 100 << 10, nil, errLineTooLong},
		{"long but allowed", strings.Repeat("x", 200<<10) + "\n", 300 << 10, []string{strings.Repeat("x", 200<<10)}, io.EOF},
		{"empty", "", 10, nil, io.EOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newNDJSONReader(strings.NewReader(c.in), c.max)
			var got []string
			var err error
			for {
				var line []byte
				if line, err = r.Next(); err != nil {
					break
				}
				got = append(got, string(line))
			}
			if err != c.err || jsonText(got) != jsonText(c.want) {
				t.Errorf("lines = %.80q, %v; want %.80q, %v", got, err, c.want, c.err)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("Next after the end = %v, want %v again", again, err)
			}
		})
	}
}

// FuzzNDJSON checks that the NDJSON reader never panics, never returns a
// line over its limit or holding a newline, and always ends; and that the
// Ollama decoder on the same bytes ends without panicking.
func FuzzNDJSON(f *testing.F) {
	for _, name := range []string{"ollama_stream.ndjson", "ollama_tools.ndjson", "ollama_thinking.ndjson", "ollama_error.ndjson"} {
		f.Add([]byte(fixture(f, name)), uint16(4096))
	}
	f.Add([]byte("\n\n\r\n"), uint16(1))
	f.Add([]byte(`{"done":true}`), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, limit uint16) {
		max := int(limit%512) + 1
		r := newNDJSONReader(bytes.NewReader(data), max)
		total := 0
		for range len(data) + 2 {
			line, err := r.Next()
			if err != nil {
				break
			}
			if len(line) == 0 || len(line) > max || bytes.IndexByte(line, '\n') >= 0 {
				t.Fatalf("bad line %q (limit %d)", line, max)
			}
			total += len(line)
		}
		if _, err := r.Next(); err == nil {
			t.Fatal("the reader did not end")
		}
		if total > len(data) {
			t.Fatalf("read %d bytes of lines from %d bytes", total, len(data))
		}
		next := ollamaDecoder(bytes.NewReader(data))
		for range len(data) + 2 {
			if _, err := next(); err != nil {
				return
			}
		}
		t.Fatal("the decoder did not end")
	})
}
