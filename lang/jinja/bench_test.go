package jinja

import "testing"

// benchTemplate is a typical prompt template: a loop with filters,
// conditions and string building.
const benchTemplate = `Hello {{ name|upper }}!
{% for u in users %}{{ loop.index }}. {{ u.name|title }} ({{ u.age }}){% if not loop.last %}, {% endif %}{% endfor %}
{{ xs|join(", ") }} / {{ d.a + d.b }} / {{ user.address.city ~ "-" ~ n }}
{% set ns = namespace(total=0) %}{% for x in nums|sort %}{% set ns.total = ns.total + x %}{% endfor %}{{ ns.total }}`

// BenchmarkParseRender parses and renders benchTemplate, as the template
// nodes do on every invocation.
func BenchmarkParseRender(b *testing.B) {
	vars := mustVars(b, testVars)
	b.ReportAllocs()
	for b.Loop() {
		tpl, err := Parse(benchTemplate)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tpl.Render(vars); err != nil {
			b.Fatal(err)
		}
	}
}
