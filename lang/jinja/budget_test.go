package jinja

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestBudgets checks that templates asking for huge values or work fail
// with an *Error naming the limit, before they build the value.
func TestBudgets(t *testing.T) {
	cases := []struct {
		name, src string
		lim       Limits
		limit     string
		want      string
	}{
		{"alloc: big strings kept in a list", "{% set ns = namespace(l=[]) %}{% set big = 'x' * 1000000 %}" +
			"{% for i in range(100) %}{% set ns.l = ns.l + [big ~ i] %}{% endfor %}{{ ns.l|length }}",
			Limits{MaxOutput: 1 << 20}, LimitAlloc, "template builds more than 4194304 bytes of values in total"},
		{"string repeat", "{{ 'x' * 10 ** 12 }}", Limits{}, LimitOutput, "result is larger than the limit of 16777216 bytes"},
		{"power overflow", "{{ 10 ** 10 ** 10 }}", Limits{}, "", "does not fit in 64 bits"},
		{"range loop", "{% for i in range(10 ** 9) %}{% endfor %}", Limits{}, LimitIterations, "loops ran more than 1000000 iterations"},
		{"nested loops", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", Limits{}, LimitIterations, "iterations"},
		{"iterate a long string", "{% for c in 'x' * 2000 %}{% endfor %}", Limits{MaxItems: 1000}, LimitItems, "result has more than 1000 items"},
		{"list of a long string", "{{ ('x' * 2000)|list|length }}", Limits{MaxItems: 1000}, LimitItems, "more than 1000 items"},
		{"split", "{{ ('a,' * 5000).split(',')|length }}", Limits{MaxItems: 1000}, LimitItems, "more than 1000 items"},
		{"split on whitespace", "{{ ('a ' * 5000).split()|length }}", Limits{MaxItems: 1000}, LimitItems, "more than 1000 items"},
		{"splitlines", "{{ ('a\\n' * 5000).splitlines()|length }}", Limits{MaxItems: 1000}, LimitItems, "more than 1000 items"},
		{"escape", "{{ ('<' * 300)|e }}", Limits{MaxOutput: 1000}, LimitOutput, "result is larger than the limit of 1000 bytes"},
		{"tojson escapes", "{{ ('<' * 300)|tojson }}", Limits{MaxOutput: 1000}, LimitOutput, "JSON text would be larger than 1000 bytes"},
		{"replace with empty old", "{{ ('x' * 300)|replace('', 'abc') }}", Limits{MaxOutput: 1000}, LimitOutput, "result is larger than the limit of 1000 bytes"},
		{"center", "{{ 'x'|center(10 ** 12) }}", Limits{}, LimitOutput, "result is larger than the limit"},
		{"join", "{{ ['x' * 600, 'y' * 600]|join }}", Limits{MaxOutput: 1000}, LimitOutput, "result is larger than the limit of 1000 bytes"},
		{"str of a list", "{{ ['x' * 600, 'y' * 600]|string }}", Limits{MaxOutput: 1000}, LimitOutput, "larger than 1000 bytes"},
		{"huge template", strings.Repeat("{{a}}", 30000), Limits{MaxOutput: 1000}, LimitAlloc, "template is too long: it has more than 65536 tokens"},
		{"huge literal in a message", "{{ " + strings.Repeat("9", 100000) + " }}", Limits{}, "", "integer literal 9999"},
		{"deep equal", "{% set ns = namespace(x=[]) %}{% for i in range(2000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x == [ns.x] }}",
			Limits{}, LimitDepth, "nested too deeply to compare"},
		{"deep tuple hash", "{% set ns = namespace(x=(1,)) %}{% for i in range(2000) %}{% set ns.x = (ns.x,) %}{% endfor %}{{ [ns.x]|unique }}",
			Limits{}, LimitDepth, "nested too deeply to compare"},
	}
	for _, c := range cases {
		if c.lim.Timeout == 0 {
			c.lim.Timeout = time.Hour // never race the clock
		}
		tpl, err := ParseWithLimits(c.src, c.lim)
		if err == nil {
			_, err = tpl.Render(nil)
		}
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Msg, c.want) || e.Limit != c.limit || len(e.Msg) > 600 {
			t.Errorf("%s: Render(%.70q) error = %#v, want an *Error naming limit %q with %q", c.name, c.src, err, c.limit, c.want)
		}
	}
}

// TestBudgetsAllowOrdinaryWork renders, within small limits, templates
// that the budget checks must let through.
func TestBudgetsAllowOrdinaryWork(t *testing.T) {
	lim := Limits{MaxOutput: 1000, MaxItems: 1000, MaxAlloc: 1 << 20}
	cases := []renderCase{
		{"{{ ('x' * 300)|replace('', '-')|length }}", "601"},
		{"{{ ('<' * 100)|e|length }}", "400"},
		{"{{ ('a,' * 499).split(',')|length }}", "500"},
		{"{{ ('a ' * 500).split()|length }} {{ ('a\\n' * 500).splitlines()|length }}", "500 500"},
		{"{% for c in 'x' * 1000 %}{% endfor %}{{ ('y' * 1000)|list|length }}", "1000"},
		{"{{ 'héllo'|first }}{{ 'héllo'|last }}[{{ ''|first }}{{ ''|last }}]", "ho[]"},
		{"{{ 'hé日本lo'[1:4] }} {{ 'hé日本lo'[::2] }} {{ 'hé日本lo'[::-1] }} {{ 'hé日本lo'[-2:] }} {{ 'abc'[5:] }}|", "é日本 h日l ol本日éh lo |"},
		{"{{ 'abcxyz'.strip('zyx' ~ 'q' * 40) }} {{ 'xxabc'.lstrip('x' * 40) }}", "abc abc"},
		{"{{ 'a' * 1000 == 'a' * 1000 }} {{ [[1, [2]]] == [[1, [2]]] }} {{ [(1, (2,))]|unique|list }}", "True True [(1, (2,))]"},
		{"{{ 'x'|center(9) }}|", "    x    |"},
	}
	for _, c := range cases {
		tpl, err := ParseWithLimits(c.src, lim)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.src, err)
		}
		out, err := tpl.Render(nil)
		if err != nil || out != c.want {
			t.Errorf("Render(%q) = %q, %v, want %q", c.src, out, err, c.want)
		}
	}
}

// TestRenderContext checks that a render stops when its context is done
// and returns the context's cause as is.
func TestRenderContext(t *testing.T) {
	cause := errors.New("the run was cancelled")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	// A render long enough to look at its context (every 16,384 steps),
	// with no time limit to race against.
	tpl, err := ParseWithLimits("{% for i in range(100000) %}{{ i }}{% endfor %}", Limits{Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.RenderContext(ctx, nil); err != cause {
		t.Fatalf("RenderContext with a cancelled context: error %v, want the cause", err)
	}
	out, err := tpl.RenderContext(context.Background(), nil)
	if err != nil || !strings.HasSuffix(out, "99999") {
		t.Fatalf("RenderContext: %.20q..., %v; want the numbers", out, err)
	}
}
