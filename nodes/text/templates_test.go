package text_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
	"nodetool/nodes/text"
)

func TestFormatText(t *testing.T) {
	const report = "## Conditional Logic Decision Result\n\n**Input Value:** {{ value }}\n\n**Condition Checks:**\n- Greater than 100? {{ gt_100 }}\n- Less than 50? {{ lt_50 }}\n- Combined (OR): {{ combined }}\n- Route Decision: {{ route }}\n\n**Processing Path:**\n{{ processing }}"
	cases := []struct{ data, want string }{
		// Conditional Logic Engine pieces: ints and bools render the Python way.
		{`{"template": "{{ value }}", "value": 75}`, "75"},
		{`{"template": "{{ value }}", "value": true}`, "True"},
		{`{"template": "{{ value }}", "value": false}`, "False"},
		{`{"template": "{{ value }}", "value": 2.0}`, "2.0"},
		{`{"template": "{{ value }}", "value": null}`, "None"},
		{`{"template": "{{ text }}", "text": "MEDIUM_VALUE"}`, "MEDIUM_VALUE"},
		{`{"template": "🟡 MEDIUM VALUE: {{ value }} is between 50 and 100. Balanced processing selected.", "value": 75}`,
			"🟡 MEDIUM VALUE: 75 is between 50 and 100. Balanced processing selected."},
		{`{"template": ` + nodetest.JS(report) + `, "value": 120, "gt_100": true, "lt_50": false, "combined": true, "route": "EXTREME_VALUE", "processing": "🔴 HIGH"}`,
			"## Conditional Logic Decision Result\n\n**Input Value:** 120\n\n**Condition Checks:**\n- Greater than 100? True\n- Less than 50? False\n- Combined (OR): True\n- Route Decision: EXTREME_VALUE\n\n**Processing Path:**\n🔴 HIGH"},
		// Upper-case names: the input name and the head of each {{ }} are lowercased.
		{`{"template": "Generate 5 flashcards about {{TOPIC}}.", "TOPIC": "cats"}`, "Generate 5 flashcards about cats."},
		{`{"template": "{{ GENRE|upper }} / {{ genre }} / {{- Genre -}} !", "GENRE": "rock"}`, "ROCK / rock /rock!"},
		{`{"template": "GENRE: {{ GENRE }}", "GENRE": "rock"}`, "GENRE: rock"},
		{`{"template": "{{ Item.Name }}", "item": {"Name": "x"}}`, "x"},
		// Single-brace placeholders.
		{`{"template": "Hi {name}!", "name": "Bob"}`, "Hi Bob!"},
		{`{"template": "Hi {Name}, {name_2}.", "NAME": "Bob", "name_2": 2}`, "Hi Bob, 2."},
		{`{"template": "{ name } {a}} {{a}}", "a": 1, "name": "n"}`, "{ name } {a}} 1"},
		{`{"template": "Return JSON like {\"key\": \"value\"}"}`, `Return JSON like {"key": "value"}`},
		// Jinja features.
		{`{"template": "Title: {{ title|truncate(20) }}", "title": "A very long title that goes on"}`, "Title: A very long..."},
		{`{"template": "{% for item in items %}- {{ item }}\n{% endfor %}", "items": ["a", "b"]}`, "- a\n- b\n"},
		{`{"template": "{% if score > 50 %}pass{% else %}fail{% endif %}", "score": 75}`, "pass"},
		{`{"template": "{{ data }} {{ data|tojson }}", "data": {"k": [1, "x"]}}`, `{'k': [1, 'x']} {"k": [1, "x"]}`},
		{`{"template": "Hello {{ nobody }}!"}`, "Hello !"},
		{`{"template": "{{ nobody|default('friend') }}"}`, "friend"},
		{`{"template": "line\n"}`, "line"},
		{`{"template": ""}`, ""},
	}
	for _, c := range cases {
		got := nodetest.Output(t, "nodetool.text.FormatText", c.data, "output")
		if got != c.want {
			t.Errorf("FormatText(%s) = %q, want %q", c.data, got, c.want)
		}
	}
}

func TestFormatTextErrors(t *testing.T) {
	cases := []struct{ data, want string }{
		{`{"template": "{{ x"}`, "Template error: line 1, column 5: expected '}}' to end the expression, got end of template"},
		{`{"template": "{a} {{ x|nope }}"}`, "Template error: line 1, column 10: unknown filter 'nope'"},
		{`{"template": "{a}\n{b} {c} {{ 1 / 0 }}"}`, "Template error: line 2, column 14: division by zero"},
		{`{"template": "{{ value / 0 }}", "value": 1}`, "Template error: line 1, column 10: division by zero"},
		{`{"template": "{{a}"}`, "Template error: line 1, column 4: unexpected '}'"},
		{`{"template": "{% for x in items %}"}`, "Template error: line 1, column 21: unexpected end of template: expected 'endfor' or 'else'"},
		{`{"template": "{{ missing.attr }}"}`, "'missing' is undefined"},
	}
	for _, c := range cases {
		got := nodetest.Error(t, "nodetool.text.FormatText", c.data)
		if !strings.Contains(got, c.want) {
			t.Errorf("FormatText(%s) error = %q, want it to contain %q", c.data, got, c.want)
		}
	}
}

func TestTemplateNode(t *testing.T) {
	cases := []struct{ data, want string }{
		{`{"string": "Hello {{ name }}!", "values": {"name": "World"}}`, "Hello World!"},
		{`{"string": "Hello {name}!", "values": {"name": "World"}}`, "Hello World!"},
		{`{"string": "{{ a }}{{ b }}", "values": {"a": 1, "b": 1}, "b": 2}`, "12"},
		{`{"string": "{{ n }} {{ t }} {{ x }}", "values": {"n": 75, "t": true, "x": [1, "a"]}}`, "75 True [1, 'a']"},
		// Filters are applied (the original left them literal).
		{`{"string": "subject: {{subject}}\ncontent: {{body|truncate(20)}}", "values": {"subject": "Hi", "body": "This body is longer than twenty characters"}}`,
			"subject: Hi\ncontent: This body is..."},
		// Names are case-sensitive here.
		{`{"string": "{{ Name }}|{{ NAME }}", "values": {"Name": "x"}}`, "x|"},
		{`{"string": "{{ a }}", "values": [1, 2]}`, ""},
		{`{"string": "{{ a }}", "values": "text", "a": "dyn"}`, "dyn"},
		{`{"string": "{% for k, v in values.items() %}{{ k }}={{ v }} {% endfor %}", "values": {"values": {"p": 1, "q": 2}}}`, "p=1 q=2 "},
		{`{"string": "{{ unknown }}|"}`, "|"},
		{`{}`, ""},
	}
	for _, c := range cases {
		got := nodetest.Output(t, "nodetool.text.Template", c.data, "output")
		if got != c.want {
			t.Errorf("Template(%s) = %q, want %q", c.data, got, c.want)
		}
	}
	if got, want := nodetest.Error(t, "nodetool.text.Template", `{"string": "{% if %}"}`), "Template error: line 1, column 7: expected an expression, got end of tag '%}'"; !strings.Contains(got, want) {
		t.Errorf("Template({%% if %%}) error = %q, want it to contain %q", got, want)
	}
}

func TestConvertSingleBraces(t *testing.T) {
	cases := []struct{ in, want string }{
		{"{a}", "{{ a }}"},
		{"{_x1}{y}", "{{ _x1 }}{{ y }}"},
		{"{{a}}", "{{a}}"},
		{"{{a}", "{{a}"},
		{"{a}}", "{a}}"},
		{"{1a}", "{1a}"},
		{"{a b}", "{a b}"},
		{"{été}", "{été}"},
		{"{aé}", "{{ aé }}"},
		{"x{a}\r\n{b}", "x{{ a }}\r\n{{ b }}"},
		{"{", "{"},
		{"{a", "{a"},
	}
	for _, c := range cases {
		if got, _ := text.ConvertSingleBraces(c.in); got != c.want {
			t.Errorf("text.ConvertSingleBraces(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLowercaseHeads(t *testing.T) {
	cases := []struct{ in, want string }{
		{"{{ NAME }}", "{{ name }}"},
		{"{{NAME|Upper}} NAME", "{{name|Upper}} NAME"},
		{"{{- Item.Name -}}", "{{- item.Name -}}"},
		{"{{ 'ABC' }} {{ 5 }}", "{{ 'ABC' }} {{ 5 }}"},
		{"{% if X %}{{ X1 }}{% endif %}", "{% if X %}{{ x1 }}{% endif %}"},
		{"{{", "{{"},
	}
	for _, c := range cases {
		if got := text.LowercaseHeads(c.in); got != c.want {
			t.Errorf("text.LowercaseHeads(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// BenchmarkFormatTextNode runs input -> FormatText -> output in parallel, as
// BenchmarkTextWorkflow does for ToUppercase.
func BenchmarkFormatTextNode(b *testing.B) {
	p := nodetest.Compile(b, nodetest.Registry(), `{"nodes":[
	 {"id":"in","type":"nodetool.input.StringInput","data":{"name":"text","value":"world"}},
	 {"id":"f","type":"nodetool.text.FormatText","data":{"template":"Hello {{ name|title }}! {% for i in range(3) %}{{ i }}{% endfor %}"}},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}
	],"edges":[
	 {"id":"e1","source":"in","sourceHandle":"output","target":"f","targetHandle":"name"},
	 {"id":"e2","source":"f","sourceHandle":"output","target":"out","targetHandle":"value"}
	]}`)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res := p.Run(context.Background(), engine.RunOptions{})
			if res.Status != engine.StatusCompleted || res.Outputs["result"][0] != "Hello World! 012" {
				b.Error("unexpected result", res.Status, res.Error, res.Outputs)
				return
			}
		}
	})
}

// TestTemplateBudgets renders templates that ask for huge values: each
// must fail with max-value in the node, before building the value.
func TestTemplateBudgets(t *testing.T) {
	bombs := []struct{ typ, data string }{
		{"FormatText", `{"template":"{{ 'x' * 10 ** 12 }}"}`},
		// One big value substituted many times.
		{"Template", `{"string":"{% for i in range(100) %}{{ v }}{% endfor %}","values":{"v":` + nodetest.JS(nodetest.Rep("x", 1000)) + `}}`},
		{"FormatText", `{"template":"{% set v = 'x' * 60000 %}{{ v }}{{ v }}"}`},
		// Many big strings kept in a list.
		{"FormatText", `{"template":"{% set ns = namespace(l=[]) %}{% set big = 'x' * 60000 %}{% for i in range(100) %}{% set ns.l = ns.l + [big ~ i] %}{% endfor %}{{ ns.l|length }}"}`},
		{"FormatText", `{"template":"{{ ('a,' * 5000).split(',')|length }}"}`},
		{"Template", `{"string":"{{ v|replace('', 'yyyy') }}","values":{"v":` + nodetest.JS(nodetest.Rep("x", 20000)) + `}}`},
	}
	for _, b := range bombs {
		res := nodetest.RunLimits(t, nil, nodetest.OneNode("nodetool.text."+b.typ, b.data), nodetest.SmallLimits)
		nodetest.WantLimit(t, res, engine.LimitValue, "n")
		if !strings.Contains(res.Error, "Template error: line 1") || strings.Contains(res.Error, "its output") {
			t.Errorf("%s: error %q does not say where", b.data, res.Error)
		}
	}
	// Fixed budgets of the template engine: loop iterations and nesting.
	for _, c := range []struct{ data, want string }{
		{`{"template":"{% for i in range(10 ** 9) %}{% endfor %}"}`, "loops ran more than 1000000 iterations"},
		{`{"template":"{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"}`, "iterations"},
		{`{"template":"{% set ns = namespace(x=[]) %}{% for i in range(2000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x == [ns.x] }}"}`, "nested too deeply"},
	} {
		res := nodetest.RunLimits(t, nil, nodetest.OneNode("nodetool.text.FormatText", c.data), nodetest.SmallLimits)
		if res.Status != engine.StatusFailed || res.NodeID != "n" || !strings.Contains(res.Error, c.want) {
			t.Errorf("%s: status %s, node %q, error %q; want %q", c.data, res.Status, res.NodeID, res.Error, c.want)
		}
	}
	// Normal templates work within the same budgets.
	res := nodetest.RunLimits(t, nil, nodetest.OneNode("nodetool.text.Template",
		`{"string":"{% for i in range(3) %}{{ v }}{% endfor %}","values":{"v":`+nodetest.JS(nodetest.Rep("x", 1000))+`}}`), nodetest.SmallLimits)
	if res.Status != engine.StatusCompleted || res.Outputs["r"][0] != nodetest.Rep("x", 3000) {
		t.Fatalf("a normal template: %s %q", res.Status, res.Error)
	}
}

// TestTemplateStopsWithTheNode renders a template that takes far longer
// than its node-timeout: the render polls its context and stops.
func TestTemplateStopsWithTheNode(t *testing.T) {
	res := nodetest.RunLimits(t, nil, nodetest.OneNode("nodetool.text.FormatText",
		`{"template":"{% for i in range(1000000) %}{{ i }}{% endfor %}"}`), engine.Limits{Node: 50 * time.Millisecond})
	nodetest.WantLimit(t, res, engine.LimitNodeTimeout, "n")
}
