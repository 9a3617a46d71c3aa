package providers

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// drain runs a decoder over data until it ends, failing if it does not.
func drain(t *testing.T, newDecoder func(io.Reader) func() (Delta, error), data []byte) {
	next := newDecoder(bytes.NewReader(data))
	for range len(data) + 2 {
		if _, err := next(); err != nil {
			return
		}
	}
	t.Fatal("the decoder did not end")
}

// FuzzOpenAISSE feeds random bytes to the OpenAI stream decoder as if they
// were a response body: it must end, with a delta or an error, and never
// panic.
func FuzzOpenAISSE(f *testing.F) {
	for _, name := range []string{"openai_stream.sse", "openai_tools.sse", "openai_reasoning.sse"} {
		f.Add([]byte(fixture(f, name)))
	}
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":-5}]}}]}\n\n"))
	f.Add([]byte("data: {\"error\":1}\n\ndata: [DONE]\r\r"))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, openaiDecoder, data) })
}

// FuzzAnthropicSSE does the same for the Anthropic stream decoder.
func FuzzAnthropicSSE(f *testing.F) {
	for _, name := range []string{"anthropic_stream.sse", "anthropic_tools.sse", "anthropic_thinking.sse", "anthropic_overloaded.sse"} {
		f.Add([]byte(fixture(f, name)))
	}
	f.Add([]byte("event: content_block_delta\ndata: {\"index\":-1,\"delta\":{\"type\":\"input_json_delta\"}}\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, anthropicDecoder, data) })
}

// FuzzExampleJSON checks that the fake's schema examples are always JSON
// and always finish, whatever the schema.
func FuzzExampleJSON(f *testing.F) {
	f.Add([]byte(`{"type":"object","properties":{"a":{"$ref":"#"},"b":{"type":"array","items":{"$ref":"#"}}}}`))
	f.Add([]byte(`{"anyOf":[{"type":"null"},{"enum":[1,2]}]}`))
	f.Fuzz(func(t *testing.T, schema []byte) {
		got, err := exampleJSON(schema)
		if err == nil && !json.Valid([]byte(got)) {
			t.Fatalf("exampleJSON(%q) = %q, not JSON", schema, got)
		}
	})
}
