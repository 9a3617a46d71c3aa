package providers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
)

func TestFakeAnswers(t *testing.T) {
	weather := Tool{Name: "get_weather", Parameters: json.RawMessage(
		`{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"},"unit":{"enum":["celsius","fahrenheit"]}},"required":["city"]}`)}
	cases := []struct {
		name   string
		req    *Request
		text   string
		call   *ToolCall
		finish string
		usage  Usage
	}{
		{"echo", &Request{Messages: []Message{{Role: "system", Content: "Be kind."}, {Role: "user", Content: "hello there world"}}},
			"Echo: hello there world", nil, "stop", Usage{5, 4, 9}},
		{"echo of parts", &Request{Messages: []Message{{Role: "user", Parts: []Part{{Type: "text", Text: "look"}, {Type: "image_url", ImageURL: "data:,x"}}}}},
			"Echo: look", nil, "stop", Usage{1, 2, 3}},
		{"no user message", &Request{}, "Echo: (no user message)", nil, "stop", Usage{0, 4, 4}},
		{"tool call", &Request{Tools: []Tool{weather, {Name: "other"}}, Messages: []Message{{Role: "user", Content: "weather?"}}},
			"", &ToolCall{ID: "call_0", Name: "get_weather", Arguments: `{"city":"example city","days":1,"unit":"celsius"}`}, "tool_calls", Usage{1, 2, 3}},
		{"named tool", &Request{Tools: []Tool{weather, {Name: "other"}}, ToolChoice: json.RawMessage(`{"type":"function","function":{"name":"other"}}`),
			Messages: []Message{{Role: "user", Content: "x"}}},
			"", &ToolCall{ID: "call_0", Name: "other", Arguments: `{}`}, "tool_calls", Usage{1, 1, 2}},
		{"tool_choice none", &Request{Tools: []Tool{weather}, ToolChoice: json.RawMessage(`"none"`), Messages: []Message{{Role: "user", Content: "x"}}},
			"Echo: x", nil, "stop", Usage{1, 2, 3}},
		{"after the tool result", &Request{Tools: []Tool{weather}, Messages: []Message{
			{Role: "user", Content: "weather?"},
			{Role: "assistant", ToolCalls: []ToolCall{{ID: "call_0", Name: "get_weather", Arguments: `{"city":"Paris"}`}}},
			{Role: "tool", ToolCallID: "call_0", Content: "11 degrees"}}},
			"The get_weather tool returned: 11 degrees", nil, "stop", Usage{4, 6, 10}},
		{"classifier", &Request{Messages: []Message{{Role: "system", Content: "Classify."}, {Role: "user", Content: "I love it"}},
			ResponseFormat: json.RawMessage(`{"type":"json_schema","json_schema":{"name":"classification","schema":{"type":"object","properties":{"category":{"type":"string","enum":["positive","negative"]}},"required":["category"],"additionalProperties":false},"strict":true}}`)},
			`{"category":"positive"}`, nil, "stop", Usage{4, 1, 5}},
		{"json_object", &Request{Messages: []Message{{Role: "user", Content: "hi"}}, ResponseFormat: json.RawMessage(`{"type":"json_object"}`)},
			`{"result":"Echo: hi"}`, nil, "stop", Usage{1, 2, 3}},
		{"list items", &Request{Messages: []Message{
			{Role: "system", Content: "Generate a list. Wrap each item in <LIST_ITEM> and </LIST_ITEM> tags."},
			{Role: "user", Content: "ideas for a story"}}},
			"<LIST_ITEM>Item 1 about ideas for a story</LIST_ITEM>\n<LIST_ITEM>Item 2 about ideas for a story</LIST_ITEM>\n<LIST_ITEM>Item 3 about ideas for a story</LIST_ITEM>\n",
			nil, "stop", Usage{15, 21, 36}},
		{"schema block", &Request{Messages: []Message{
			{Role: "system", Content: "Fill <JSON_SCHEMA> from the text.\n<JSON_SCHEMA>\n{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"}}}\n</JSON_SCHEMA>\n"},
			{Role: "user", Content: "Ann is 5"}}},
			"```json\n{\"age\":1,\"name\":\"example name\"}\n```", nil, "stop", Usage{11, 4, 15}},
		{"json_object with a schema block", &Request{ResponseFormat: json.RawMessage(`{"type":"json_object"}`), Messages: []Message{
			{Role: "user", Content: "<JSON_SCHEMA>{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}</JSON_SCHEMA>"}}},
			`{"text":"example text"}`, nil, "stop", Usage{1, 2, 3}},
		{"structured answer after a tool result", &Request{Tools: []Tool{weather},
			ResponseFormat: json.RawMessage(`{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"object","properties":{"ok":{"type":"boolean"}}}}}`),
			Messages: []Message{
				{Role: "user", Content: "weather?"},
				{Role: "assistant", ToolCalls: []ToolCall{{ID: "call_0", Name: "get_weather", Arguments: `{"city":"Paris"}`}}},
				{Role: "tool", ToolCallID: "call_0", Content: "11 degrees"}}},
			`{"ok":true}`, nil, "stop", Usage{4, 1, 5}},
		{"svg", &Request{Messages: []Message{
			{Role: "system", Content: "Reply with one <svg> element."},
			{Role: "user", Content: "a red <circle> & a square"}}},
			`<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" viewBox="0 0 200 120"><rect width="200" height="120" fill="#eeeeee"/><text x="100" y="64" text-anchor="middle" font-size="12">a red &lt;circle&gt; &amp; a square</text></svg>`,
			nil, "stop", Usage{11, 20, 31}},
		{"markdown table", &Request{Messages: []Message{
			{Role: "system", Content: "You generate data.\nOutput a markdown table with the following columns: name (string), age (int), score (float), active (bool)."},
			{Role: "user", Content: "people"}}},
			"| name | age | score | active |\n| --- | --- | --- | --- |\n| name 1 | 1 | 1.5 | true |\n| name 2 | 2 | 2.5 | true |\n| name 3 | 3 | 3.5 | true |\n",
			nil, "stop", Usage{20, 48, 68}},
	}
	f := NewFake()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := f.Chat(t.Context(), c.req)
			if err != nil {
				t.Fatal(err)
			}
			want := Response{Model: "fake-model", Message: Message{Role: "assistant", Content: c.text}, FinishReason: c.finish, Usage: c.usage}
			if c.call != nil {
				want.Message.ToolCalls = []ToolCall{*c.call}
			}
			if jsonText(resp) != jsonText(want) {
				t.Errorf("Chat = %s\nwant %s", jsonText(resp), jsonText(want))
			}
		})
	}
}

func TestFakeStreamsWords(t *testing.T) {
	s, err := NewFake().Stream(t.Context(), hello("fake-model"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := deltas(t, s)
	if err != nil {
		t.Fatal(err)
	}
	want := []Delta{{Content: "Echo: "}, {Content: "Hello"}, {FinishReason: "stop", Usage: &Usage{1, 2, 3}}}
	if jsonText(got) != jsonText(want) {
		t.Errorf("deltas = %s, want %s", jsonText(got), jsonText(want))
	}
}

func TestFakeFailures(t *testing.T) {
	f := NewFake()
	_, err1 := f.Chat(t.Context(), hello("fail-before"))
	_, err2 := f.Stream(t.Context(), hello("fail-before"))
	for _, err := range []error{err1, err2} {
		if pe := asError(t, err); pe.Status != 500 || pe.Provider != "fake" {
			t.Errorf("fail-before error = %+v, want status 500 from fake", pe)
		}
	}

	s, err := f.Stream(t.Context(), hello("fail-midstream"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := deltas(t, s)
	if len(got) != 2 || asError(t, err).Status != 0 {
		t.Errorf("fail-midstream = %d deltas, %v; want 2 deltas then an error", len(got), err)
	}
	if _, err := f.Chat(t.Context(), hello("fail-midstream")); err == nil {
		t.Error("Chat with fail-midstream succeeded")
	}

	ctx, cancel := context.WithCancel(t.Context())
	s, err = f.Stream(ctx, hello("fake-model"))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := s.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancel = %v, want context.Canceled", err)
	}
	if _, err := f.Chat(ctx, hello("fake-model")); !errors.Is(err, context.Canceled) {
		t.Errorf("Chat with a cancelled context = %v", err)
	}
	s.Close()
	if _, err := s.Next(); err != io.EOF {
		t.Errorf("Next after Close = %v, want io.EOF", err)
	}
}

func TestFakeModels(t *testing.T) {
	models, err := NewFake().Models(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if jsonText(models) != `[{"ID":"fake-model","OwnedBy":"fake"},{"ID":"fake-tools","OwnedBy":"fake"}]` {
		t.Errorf("Models = %s", jsonText(models))
	}
	var _ Provider = NewFake()
	var _ Provider = NewOpenAI(OpenAIConfig{})
	var _ Provider = NewOllama(OllamaConfig{})
	var _ Provider = NewAnthropic(AnthropicConfig{})
}

func TestExampleJSON(t *testing.T) {
	cases := []struct{ schema, want string }{
		{`{"type":"string"}`, `"example value"`},
		{`{"type":"object","properties":{"name":{"type":"string"},"n":{"type":"number"},"ok":{"type":"boolean"},"none":{"type":"null"}}}`,
			`{"n":1,"name":"example name","none":null,"ok":true}`},
		{`{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"}}}}`, `{"tags":["example tags","example tags"]}`},
		{`{"type":"array","items":{"type":"integer"},"minItems":3}`, `[1,1,1]`},
		{`{"type":"array","items":{"type":"integer"},"maxItems":1}`, `[1]`},
		{`{"type":["null","string"]}`, `"example value"`},
		{`{"anyOf":[{"type":"null"},{"type":"integer"}]}`, `1`},
		{`{"const":"fixed"}`, `"fixed"`},
		{`{"$defs":{"Item":{"type":"object","properties":{"id":{"type":"integer"}}}},"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/$defs/Item"}}}}`,
			`{"items":[{"id":1},{"id":1}]}`},
		{`{"$defs":{"Node":{"type":"object","properties":{"next":{"$ref":"#/$defs/Node"}}}},"$ref":"#/$defs/Node"}`, ""}, // recursive: bounded
		{`{"properties":{"x":{}}}`, `{"x":"example x"}`},
		{`true`, `"example value"`},
	}
	for _, c := range cases {
		got, err := exampleJSON(json.RawMessage(c.schema))
		if err != nil {
			t.Errorf("exampleJSON(%s): %v", c.schema, err)
			continue
		}
		if c.want == "" {
			if !json.Valid([]byte(got)) {
				t.Errorf("exampleJSON(%s) = %s, not JSON", c.schema, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("exampleJSON(%s) = %s, want %s", c.schema, got, c.want)
		}
	}
	if _, err := exampleJSON(json.RawMessage(`{bad`)); err == nil {
		t.Error("exampleJSON of a bad schema did not fail")
	}
}

func TestTableColumns(t *testing.T) {
	cases := []struct{ prompt, want string }{
		{"Output a markdown table with columns: a, b, c.", "a,b,c"},
		{"Use the following columns: `name` (string), `age` (int)", "name:string,age:int"},
		{"Columns:\n- title: str\n- year: integer\n\nThanks", "title:str,year:integer"},
		{"Make a markdown table like:\n| city | population |\n|---|---|", "city,population"},
		{"Make a markdown table.", "name,value"},
		{"The table has these columns, in this order:\n- name (string): the name\n- size (int) - in cm\n\nFormat:\n- rows", "name:string,size:int"},
	}
	for _, c := range cases {
		var parts []string
		for _, col := range tableColumns(c.prompt) {
			p := col.name
			if col.kind != "" {
				p += ":" + col.kind
			}
			parts = append(parts, p)
		}
		if got := strings.Join(parts, ","); got != c.want {
			t.Errorf("tableColumns(%q) = %s, want %s", c.prompt, got, c.want)
		}
	}
}

// TestFakeTableParses checks the table the way DataGenerator reads it:
// rows from line 3 on, pipe-split, as many cells as the header.
func TestFakeTableParses(t *testing.T) {
	resp, err := NewFake().Chat(t.Context(), &Request{Messages: []Message{
		{Role: "system", Content: "Reply with a markdown table. Columns: x, y"}, {Role: "user", Content: "data"}}})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(resp.Message.Content), "\n")
	cells := regexp.MustCompile(`\s*\|\s*`)
	header := cells.Split(strings.Trim(lines[0], "| "), -1)
	if len(lines) != 5 || len(header) != 2 {
		t.Fatalf("table = %q", resp.Message.Content)
	}
	for _, l := range lines[2:] {
		if n := len(cells.Split(strings.Trim(l, "| "), -1)); n != len(header) {
			t.Errorf("row %q has %d cells, want %d", l, n, len(header))
		}
	}
}
