package jinja

import (
	"errors"
	"testing"
)

// fuzzLimits keep each fuzz iteration small and fast.
var fuzzLimits = Limits{MaxDepth: 50, MaxOutput: 1 << 16, MaxIterations: 10_000, MaxItems: 10_000, MaxSteps: 200_000}

var fuzzSeeds = []string{
	"Hello {{ name }}!",
	"{% for k, v in d.items() %}{{ loop.index }}:{{ k }}={{ v|tojson }}{% else %}none{% endfor %}",
	"{% if n > 50 and not b %}{{ n|round(1, 'ceil') }}{% elif xs %}{{ xs|join(', ') }}{% else %}{{ missing|default('x') }}{% endif %}",
	"{% set ns = namespace(c=0) %}{% for i in range(5) if i is odd %}{% set ns.c = ns.c + i %}{% endfor %}{{ ns.c }}",
	"{{ 'foo bar baz'|truncate(9) }}{{ 'x'|center(9) }}{{ xs[::-1] }}{{ 'abc'[1:] }}{{ 7 // -2 }}{{ 2 ** 0.5 }}",
	"{% raw %}{{ x }}{% endraw %}{# comment #}{{- ' a ' -}}  {%- if true -%} x {%- endif %}",
	"{% set a, b = (1, 2) %}{{ a ~ b }}{{ {'k': [1, 2.5, none, true]} }}{{ d|dictsort if false }}",
	"{{ users|sort(attribute='age', reverse=true)|map(attribute='name')|unique|list }}",
	"{{ 'A-b c'|title }}{{ '%s'|length }}{{ [3,1]|sort|first }}{{ range(3)|sum }}{{ 'x'.upper().lower() }}",
	"{% set s %}{{ n }}{% endset %}{{ s|int + 1 }}{{ ('1e3'|float)|int }}{{ -n|abs }}",
	"{{ x", "{% if %}", "{% for %}", "{{ (1 }}", "{% endif %}", "{{ 'abc }}", "{# x", "{% raw %}",
	"{{ 1 / 0 }}", "{{ missing.x }}", "{{ 2 ** 64 }}", "{% for a, b in [1] %}{% endfor %}",
	"{{ x|nope }}", "{{ a[] }}", "{{ f(*a) }}", "{{ 0x }}", "{{ 1__0 }}", "{{ 1e }}", "{{ 'a\\x' }}",
	"{{ ((((((((((1)))))))))) }}", "{% for i in range(100000000) %}{% endfor %}",
	"{{ 'x' * 99999999 }}", "{{ [1] * 99999999 }}", "{{ range(-9223372036854775807, 9223372036854775807) }}",
	"{% set x = [1] %}{% set x = [x, x] %}{% set x = [x, x] %}{{ x }}",
	"{% for c in 'x' * 5000 %}{% endfor %}", "{{ ('a,' * 9999).split(',')|length }}", "{{ ('<' * 99999)|e|tojson }}",
	"{% set ns = namespace(x=[]) %}{% for i in range(2000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x == [ns.x] }}",
	"{{ 'héllo'[::-2] }}{{ 'abc'.strip('c' * 99) }}{{ ('x' * 9999)|replace('', 'yy') }}{{ 10 ** 10 ** 10 }}",
	"{{-}}", "{%--%}", "{{ }}}", "{{ {{ }} }}", "{%- raw -%}{%- endraw -%}", "\r\n{{ a }}\r",
}

func FuzzParseRender(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	vars := mustVars(f, testVars)
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<12 {
			return
		}
		tpl, err := ParseWithLimits(src, fuzzLimits)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 || e.Col < 1 {
				t.Fatalf("Parse(%q) error %v (%T), want *Error with a position", src, err, err)
			}
			return
		}
		out, err := tpl.Render(vars)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 || e.Col < 1 {
				t.Fatalf("Render(%q) error %v (%T), want *Error with a position", src, err, err)
			}
			return
		}
		if len(out) > fuzzLimits.MaxOutput {
			t.Fatalf("Render(%q) wrote %d bytes, more than the limit", src, len(out))
		}
	})
}
