package providers

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// text returns a message's text: Content, or its text parts joined by
// newlines.
func (m *Message) text() string {
	if len(m.Parts) == 0 {
		return m.Content
	}
	var parts []string
	for _, p := range m.Parts {
		if p.Type == "text" && p.Text != "" {
			parts = append(parts, p.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// dataURI splits a data: URI into its media type and base64 payload. A
// payload that is not base64 already is percent-decoded and encoded.
func dataURI(s string) (mediaType, b64 string, ok bool) {
	rest, found := strings.CutPrefix(s, "data:")
	if !found {
		return "", "", false
	}
	meta, payload, found := strings.Cut(rest, ",")
	if !found {
		return "", "", false
	}
	params := strings.Split(meta, ";")
	mediaType = params[0]
	if mediaType == "" {
		mediaType = "text/plain"
	}
	if params[len(params)-1] == "base64" {
		return mediaType, strings.Join(strings.Fields(payload), ""), true
	}
	raw, err := url.PathUnescape(payload)
	if err != nil {
		return "", "", false
	}
	return mediaType, base64.StdEncoding.EncodeToString([]byte(raw)), true
}

// toolChoice reads an OpenAI tool_choice: "auto", "none", "required", or
// {"type":"function","function":{"name":...}}. An empty choice is "auto".
func toolChoice(raw json.RawMessage) (mode, name string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "auto", ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, ""
	}
	var v struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return "auto", ""
	}
	if v.Function.Name != "" {
		return "function", v.Function.Name
	}
	if v.Name != "" {
		return "function", v.Name
	}
	return "auto", ""
}

// responseFormat reads an OpenAI response_format: its type ("text",
// "json_object", "json_schema" or "" when unset) and, for json_schema,
// the schema.
func responseFormat(raw json.RawMessage) (kind string, schema json.RawMessage, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil, nil
	}
	var v struct {
		Type       string `json:"type"`
		JSONSchema struct {
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", nil, fmt.Errorf("response_format does not parse: %w", err)
	}
	if v.Type == "json_schema" && len(v.JSONSchema.Schema) == 0 {
		return "", nil, fmt.Errorf("response_format json_schema has no schema")
	}
	return v.Type, v.JSONSchema.Schema, nil
}

// argsObject returns tool call arguments as a JSON object, {} when they
// are empty or not an object.
func argsObject(args string) json.RawMessage {
	b := bytes.TrimSpace([]byte(args))
	if len(b) > 0 && b[0] == '{' && json.Valid(b) {
		return b
	}
	return json.RawMessage("{}")
}

// params returns a tool's parameter schema, {"type":"object"} when unset.
func (t *Tool) params() json.RawMessage {
	if len(bytes.TrimSpace(t.Parameters)) == 0 {
		return json.RawMessage(`{"type":"object"}`)
	}
	return t.Parameters
}
