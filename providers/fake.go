package providers

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Fake is a deterministic provider for tests and demos. It never touches
// the network and answers at once. What it answers, in this order:
//
//   - model "fail-before": Chat and Stream fail with a 500 *Error;
//     model "fail-midstream": Stream yields two deltas, then fails.
//   - The request has tools (and tool_choice is not "none") and the last
//     message is the user's: it calls the first tool (or the one
//     tool_choice names), with arguments built from its parameter schema.
//   - The last message is a tool result: "The <tool> tool returned:
//     <content>" (with a json_schema response_format: the schema's
//     example, below, so a structured answer can follow a tool call).
//   - response_format json_schema: a JSON value built from the schema
//     (properties recursively, strings "example <name>", numbers 1,
//     booleans true, arrays of 2 items, enums their first value), so a
//     classifier's {"category": enum} gets the first category.
//     json_object: the example of a <JSON_SCHEMA> block in the prompt if
//     there is one, else {"result": "Echo: <text>"}.
//   - A prompt holding a <JSON_SCHEMA>{...}</JSON_SCHEMA> block (the
//     schema as JSON): the schema's example in a ```json fenced block.
//   - A prompt mentioning <LIST_ITEM>: three <LIST_ITEM>…</LIST_ITEM> items.
//   - A prompt mentioning <svg: one small SVG document.
//   - A prompt asking for a "markdown table": a table with the columns the
//     prompt lists ("columns: a, b (int)", bullet lines such as
//     "- name (string): what it holds", or a header row).
//   - Otherwise "Echo: <last user text>".
//
// Text streams word by word, with no delay. Usage counts words. Any model
// name works; Models lists "fake-model" and "fake-tools", which behave alike.
type Fake struct{}

// NewFake returns the fake provider.
func NewFake() *Fake { return &Fake{} }

func (f *Fake) Name() string { return "fake" }

// Models lists the fake's models.
func (f *Fake) Models(ctx context.Context) ([]Model, error) {
	return []Model{{ID: "fake-model", OwnedBy: "fake"}, {ID: "fake-tools", OwnedBy: "fake"}}, nil
}

// Chat answers at once; it is Stream collected.
func (f *Fake) Chat(ctx context.Context, req *Request) (*Response, error) {
	s, err := f.Stream(ctx, req)
	if err != nil {
		return nil, err
	}
	resp, err := Collect(s)
	if err != nil {
		return nil, err
	}
	resp.Model = req.Model
	if resp.Model == "" {
		resp.Model = "fake-model"
	}
	return resp, nil
}

// Stream plans the whole answer, then hands it out piece by piece.
func (f *Fake) Stream(ctx context.Context, req *Request) (Stream, error) {
	if req == nil {
		return nil, fakeError(0, "nil request")
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Provider: "fake", URL: "fake://", Message: "request canceled", Err: err}
	}
	if req.Model == "fail-before" {
		return nil, fakeError(500, "simulated failure (model fail-before)")
	}
	text, call, err := fakeAnswer(req)
	if err != nil {
		return nil, fakeError(0, "invalid request: "+err.Error())
	}
	var prompt int
	for _, m := range req.Messages {
		prompt += len(strings.Fields(m.text()))
		for _, tc := range m.ToolCalls {
			prompt += len(strings.Fields(tc.Arguments))
		}
	}
	s := &fakeStream{ctx: ctx}
	last := Delta{FinishReason: "stop"}
	if call != nil {
		s.deltas = append(s.deltas, Delta{ToolCalls: []ToolCallDelta{{Index: 0, ID: call.ID, Name: call.Name, Arguments: call.Arguments}}})
		last.FinishReason, last.Usage = "tool_calls", usage(prompt, len(strings.Fields(call.Arguments)))
	} else {
		for _, w := range strings.SplitAfter(text, " ") {
			if w != "" {
				s.deltas = append(s.deltas, Delta{Content: w})
			}
		}
		last.Usage = usage(prompt, len(strings.Fields(text)))
	}
	s.deltas = append(s.deltas, last)
	if req.Model == "fail-midstream" {
		s.deltas = []Delta{{Content: "partial "}, {Content: "answer"}}
		s.fail = fakeError(0, "simulated failure mid-stream (model fail-midstream)")
	}
	return s, nil
}

func fakeError(status int, msg string) *Error {
	return &Error{Provider: "fake", URL: "fake://", Status: status, Message: msg}
}

// fakeStream hands out planned deltas. It keeps the request's context,
// as an HTTP stream does, so that cancelling it ends the stream.
type fakeStream struct {
	ctx    context.Context
	deltas []Delta
	fail   error
	closed bool
}

func (s *fakeStream) Next() (Delta, error) {
	switch {
	case s.closed:
		return Delta{}, io.EOF
	case s.ctx.Err() != nil:
		return Delta{}, &Error{Provider: "fake", URL: "fake://", Message: "request canceled", Err: s.ctx.Err()}
	case len(s.deltas) > 0:
		d := s.deltas[0]
		s.deltas = s.deltas[1:]
		return d, nil
	case s.fail != nil:
		return Delta{}, s.fail
	}
	return Delta{}, io.EOF
}

func (s *fakeStream) Close() error {
	s.closed = true
	return nil
}

// fakeAnswer decides the answer: text, or a tool call.
func fakeAnswer(req *Request) (string, *ToolCall, error) {
	var lastUser string
	var prompt strings.Builder // system and user text, where instructions live
	for _, m := range req.Messages {
		if m.Role == "user" {
			lastUser = m.text()
		}
		if m.Role == "system" || m.Role == "developer" || m.Role == "user" {
			prompt.WriteString(m.text())
			prompt.WriteString("\n")
		}
	}
	echo := "Echo: " + lastUser
	if lastUser == "" {
		echo = "Echo: (no user message)"
	}
	var last *Message
	if n := len(req.Messages); n > 0 {
		last = &req.Messages[n-1]
	}

	mode, name := toolChoice(req.ToolChoice)
	if len(req.Tools) > 0 && mode != "none" && last != nil && last.Role == "user" {
		tool := req.Tools[0]
		for _, t := range req.Tools {
			if mode == "function" && t.Name == name {
				tool = t
			}
		}
		args, err := exampleJSON(tool.params())
		if err != nil {
			return "", nil, fmt.Errorf("tool %s: %w", tool.Name, err)
		}
		return "", &ToolCall{ID: "call_0", Name: tool.Name, Arguments: args}, nil
	}
	kind, schema, err := responseFormat(req.ResponseFormat)
	if err != nil {
		return "", nil, err
	}
	if last != nil && last.Role == "tool" && kind != "json_schema" {
		tool := last.Name
		for _, m := range req.Messages {
			for _, tc := range m.ToolCalls {
				if tool == "" && tc.ID == last.ToolCallID {
					tool = tc.Name
				}
			}
		}
		return fmt.Sprintf("The %s tool returned: %s", tool, last.text()), nil, nil
	}

	p := prompt.String()
	block := schemaBlock(p)
	switch kind {
	case "json_schema":
		s, err := exampleJSON(schema)
		return s, nil, err
	case "json_object":
		if block != nil {
			s, err := exampleJSON(block)
			return s, nil, err
		}
		b, _ := json.Marshal(map[string]string{"result": echo})
		return string(b), nil, nil
	}

	switch lower := strings.ToLower(p); {
	case block != nil:
		s, err := exampleJSON(block)
		if err != nil {
			return "", nil, err
		}
		return "```json\n" + s + "\n```", nil, nil
	case strings.Contains(lower, "<list_item>"):
		topic := strings.Join(firstWords(lastUser, 6), " ")
		var b strings.Builder
		for i := 1; i <= 3; i++ {
			if topic == "" {
				fmt.Fprintf(&b, "<LIST_ITEM>Item %d</LIST_ITEM>\n", i)
			} else {
				fmt.Fprintf(&b, "<LIST_ITEM>Item %d about %s</LIST_ITEM>\n", i, topic)
			}
		}
		return b.String(), nil, nil
	case strings.Contains(lower, "<svg"):
		title := strings.Join(firstWords(lastUser, 6), " ")
		if title == "" {
			title = "SVG"
		}
		var esc strings.Builder
		xml.EscapeText(&esc, []byte(title))
		return `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" viewBox="0 0 200 120">` +
			`<rect width="200" height="120" fill="#eeeeee"/>` +
			`<text x="100" y="64" text-anchor="middle" font-size="12">` + esc.String() + `</text></svg>`, nil, nil
	case strings.Contains(lower, "markdown table"):
		return fakeTable(tableColumns(p)), nil, nil
	}
	return echo, nil, nil
}

// schemaBlock returns the JSON schema of the last <JSON_SCHEMA> block
// before a closing </JSON_SCHEMA> tag in the prompt, or nil when there is
// none or it does not parse. Prose may name the tag before the block.
func schemaBlock(prompt string) json.RawMessage {
	end := strings.Index(prompt, "</JSON_SCHEMA>")
	if end < 0 {
		return nil
	}
	start := strings.LastIndex(prompt[:end], "<JSON_SCHEMA>")
	if start < 0 {
		return nil
	}
	body := strings.TrimSpace(prompt[start+len("<JSON_SCHEMA>") : end])
	if !json.Valid([]byte(body)) {
		return nil
	}
	return json.RawMessage(body)
}

func firstWords(s string, n int) []string {
	w := strings.Fields(s)
	return w[:min(n, len(w))]
}

// column is one column the prompt asks for, with its type if given.
type column struct{ name, kind string }

var (
	columnsLine = regexp.MustCompile(`(?i)\bcolumns?\b[^:\n]*:[ \t]*(.*)`)
	bulletLine  = regexp.MustCompile(`^\s*(?:[-*•]|\d+[.)])\s+(.+)$`)
	typedName   = regexp.MustCompile(`^([^(:]+?)\s*(?:\(([^)]*)\)(?:\s*[:–—-].*)?|:\s*(\S+))?\s*$`)
)

// tableColumns finds the columns a prompt asks for: "columns: a, b (int)"
// on one line, or bullet lines after "columns:", or a markdown header row.
func tableColumns(prompt string) []column {
	lines := strings.Split(prompt, "\n")
	var specs []string
	for i, line := range lines {
		m := columnsLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if rest := strings.TrimSpace(m[1]); rest != "" {
			specs = strings.Split(strings.TrimSuffix(rest, "."), ",")
		} else {
			for _, l := range lines[i+1:] {
				b := bulletLine.FindStringSubmatch(l)
				if b == nil {
					break
				}
				specs = append(specs, b[1])
			}
		}
		if len(specs) > 0 {
			break
		}
	}
	if len(specs) == 0 {
		for _, line := range lines {
			if l := strings.TrimSpace(line); strings.HasPrefix(l, "|") && strings.Count(l, "|") >= 3 {
				specs = strings.Split(strings.Trim(l, "|"), "|")
				break
			}
		}
	}
	var cols []column
	for _, s := range specs {
		s = strings.Trim(strings.TrimSpace(s), "`'\"*")
		m := typedName.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		name := strings.Trim(strings.TrimSpace(m[1]), "`'\"*")
		if name == "" || strings.Trim(name, "-: ") == "" {
			continue
		}
		cols = append(cols, column{name: name, kind: strings.ToLower(m[2] + m[3])})
	}
	if len(cols) == 0 {
		cols = []column{{name: "name"}, {name: "value"}}
	}
	return cols
}

// fakeTable writes a markdown table of three rows with values that fit
// each column's type.
func fakeTable(cols []column) string {
	var b strings.Builder
	row := func(cells []string) { b.WriteString("| " + strings.Join(cells, " | ") + " |\n") }
	cells := make([]string, len(cols))
	for i, c := range cols {
		cells[i] = c.name
	}
	row(cells)
	for i := range cells {
		cells[i] = "---"
	}
	row(cells)
	for r := 1; r <= 3; r++ {
		for i, c := range cols {
			switch {
			case strings.Contains(c.kind, "int"):
				cells[i] = fmt.Sprint(r)
			case strings.Contains(c.kind, "float"), strings.Contains(c.kind, "number"), strings.Contains(c.kind, "double"):
				cells[i] = fmt.Sprintf("%d.5", r)
			case strings.Contains(c.kind, "bool"):
				cells[i] = "true"
			default:
				cells[i] = fmt.Sprintf("%s %d", c.name, r)
			}
		}
		row(cells)
	}
	return b.String()
}

// exampleJSON builds a JSON value that matches schema (see Fake).
// Recursive schemas are cut off: past a depth of 16, or after 10000
// values, it gives null.
func exampleJSON(schema json.RawMessage) (string, error) {
	var root any
	if err := json.Unmarshal(schema, &root); err != nil {
		return "", fmt.Errorf("schema does not parse: %w", err)
	}
	g := &exampler{root: root, budget: 10000}
	b, err := json.Marshal(g.value(root, "value", 0))
	return string(b), err
}

type exampler struct {
	root   any
	budget int
}

func (g *exampler) value(s any, name string, depth int) any {
	if depth > 16 || g.budget <= 0 {
		return nil
	}
	g.budget--
	root := g.root
	m, ok := s.(map[string]any)
	if !ok {
		return "example " + name
	}
	if ref, ok := m["$ref"].(string); ok {
		return g.value(resolveRef(root, ref), name, depth+1)
	}
	if v, ok := m["const"]; ok {
		return v
	}
	if e, ok := m["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	for _, k := range []string{"anyOf", "oneOf", "allOf"} {
		if opts, ok := m[k].([]any); ok {
			for _, o := range opts {
				if om, ok := o.(map[string]any); !ok || om["type"] != "null" {
					return g.value(o, name, depth+1)
				}
			}
		}
	}
	typ, _ := m["type"].(string)
	if ts, ok := m["type"].([]any); ok {
		for _, t := range ts {
			if t, _ := t.(string); t != "null" && typ == "" {
				typ = t
			}
		}
	}
	if typ == "" {
		switch {
		case m["properties"] != nil:
			typ = "object"
		case m["items"] != nil:
			typ = "array"
		default:
			typ = "string"
		}
	}
	switch typ {
	case "object":
		out := map[string]any{}
		props, _ := m["properties"].(map[string]any)
		for k, p := range props {
			out[k] = g.value(p, k, depth+1)
		}
		return out
	case "array":
		items := m["items"]
		if list, ok := items.([]any); ok && len(list) > 0 {
			items = list[0]
		}
		n := 2
		if v, ok := m["minItems"].(float64); ok && int(v) > n {
			n = min(int(v), 10)
		}
		if v, ok := m["maxItems"].(float64); ok && int(v) < n {
			n = max(int(v), 0)
		}
		out := make([]any, n)
		for i := range out {
			out[i] = g.value(items, name, depth+1)
		}
		return out
	case "integer", "number":
		return 1
	case "boolean":
		return true
	case "null":
		return nil
	}
	return "example " + name
}

// resolveRef follows a local JSON pointer such as "#/$defs/Item".
func resolveRef(root any, ref string) any {
	p, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil
	}
	cur := root
	for _, tok := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[tok]
	}
	return cur
}
