package jinja

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"nodetool/lang/pyval"
)

// testVars are the variables every render case sees.
const testVars = `{
	"name": "World", "n": 75, "f": 2.5, "b": true, "no": false, "nothing": null,
	"xs": ["a", "b", "c"], "nums": [3, 1, 2], "empty": [],
	"d": {"a": 1, "b": 2},
	"user": {"name": "Ann", "tags": ["x", "y"], "address": {"city": "Oslo"}},
	"users": [{"name": "a", "age": 30}, {"name": "b", "age": 20}],
	"GENRE": "rock", "text": "Hello"
}`

func mustVars(t testing.TB, s string) *pyval.Dict {
	t.Helper()
	v, err := pyval.Decode([]byte(s))
	if err != nil {
		t.Fatalf("bad vars JSON: %v", err)
	}
	return v.(*pyval.Dict)
}

func render(t testing.TB, src string, vars *pyval.Dict) (string, error) {
	t.Helper()
	tpl, err := Parse(src)
	if err != nil {
		return "", err
	}
	return tpl.Render(vars)
}

type renderCase struct{ src, want string }

func runRenderCases(t *testing.T, cases []renderCase) {
	t.Helper()
	vars := mustVars(t, testVars)
	for _, c := range cases {
		got, err := render(t, c.src, vars)
		if err != nil {
			t.Errorf("Render(%q) error: %v, want %q", c.src, err, c.want)
			continue
		}
		if got != c.want {
			t.Errorf("Render(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestRenderValues(t *testing.T) {
	runRenderCases(t, []renderCase{
		{"Hello {{ name }}!", "Hello World!"},
		{"{{ n }}", "75"},
		{"{{ f }}", "2.5"},
		{"{{ b }}|{{ no }}", "True|False"},
		{"{{ nothing }}", "None"},
		{"{{ true }}{{ True }}{{ false }}{{ False }}", "TrueTrueFalseFalse"},
		{"{{ none }}{{ None }}", "NoneNone"},
		{"{{ 3.0 }}", "3.0"},
		{"{{ 1e3 }}", "1000.0"},
		{"{{ 1.5e-7 }}", "1.5e-07"},
		{"{{ 1.5E+20 }}", "1.5e+20"},
		{"{{ 0.1 + 0.2 }}", "0.30000000000000004"},
		{"{{ 0x1F }} {{ 0b101 }} {{ 0o17 }} {{ 1_000 }}", "31 5 15 1000"},
		{"{{ xs }}", "['a', 'b', 'c']"},
		{"{{ [1, 'a', none, true, 2.0] }}", "[1, 'a', None, True, 2.0]"},
		{"{{ d }}", "{'a': 1, 'b': 2}"},
		{"{{ {'k': [1, {'z': none}]} }}", "{'k': [1, {'z': None}]}"},
		{`{{ ["it's"] }}`, `["it's"]`},
		{`{{ ['a\nb'] }}`, `['a\nb']`},
		{"{{ (1, 2) }} {{ (1,) }} {{ () }}", "(1, 2) (1,) ()"},
		{"{{ 1, 2 }}", "(1, 2)"},
		{"[{{ missing }}]", "[]"},
		{"{{ range(3) }} {{ range(1, 9, 2) }}", "range(0, 3) range(1, 9, 2)"},
		{"{{ d.items() }}", "dict_items([('a', 1), ('b', 2)])"},
		{"{{ d.keys() }} {{ d.values() }}", "dict_keys(['a', 'b']) dict_values([1, 2])"},
		{`{{ 'a\nb' }}`, "a\nb"},
		{`{{ "tab\tq\"" }}`, "tab\tq\""},
		{`{{ '\x41\u00e9\U0001F600' }}`, "Aé😀"},
		{`{{ '\d\101' }}`, `\dA`},
		{`{{ "a" 'b' "c" }}`, "abc"},
		{"{{ 'ünï' }}", "ünï"},
		{"{{ namespace(a=1) }}", "<Namespace {'a': 1}>"},
	})
}

func TestTrailingNewline(t *testing.T) {
	runRenderCases(t, []renderCase{
		{"a\n", "a"},
		{"a\n\n", "a\n"},
		{"a\r\n", "a"},
		{"a\r\nb\rc", "a\nb\nc"},
		{"", ""},
		{"\n", ""},
		{"{{ name }}\n", "World"},
		{"{% if true %}x{% endif %}\n", "x"},
	})
}

func TestStatements(t *testing.T) {
	runRenderCases(t, []renderCase{
		{"{% if n > 100 %}big{% elif n > 50 %}mid{% else %}small{% endif %}", "mid"},
		{"{% if n > 100 %}big{% elif n > 80 %}mid{% else %}small{% endif %}", "small"},
		{"{% if missing %}yes{% else %}no{% endif %}", "no"},
		{"{% if xs %}yes{% endif %}{% if empty %}no{% endif %}", "yes"},
		{"{% for x in xs %}{{ x }}{% endfor %}", "abc"},
		{"{% for x in empty %}x{% else %}empty{% endfor %}", "empty"},
		{"{% for x in missing %}x{% else %}none{% endfor %}", "none"},
		{"{% for x in 'héj' %}[{{ x }}]{% endfor %}", "[h][é][j]"},
		{"{% for k in d %}{{ k }}{% endfor %}", "ab"},
		{"{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;"},
		{"{% for (k, v) in d|items %}{{ k }}{{ v }}{% endfor %}", "a1b2"},
		{"{% for v in d.values() %}{{ v }}{% endfor %}", "12"},
		{"{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}",
			"1032TrueFalse3|2121FalseFalse3|3210FalseTrue3|"},
		{"{% for x in [1, 2, 3] %}{{ loop.previtem }}-{{ loop.nextitem }} {% endfor %}", "-2 1-3 2- "},
		{"{% for x in range(3) %}{{ loop.cycle('a', 'b') }}{% endfor %}", "aba"},
		{"{% for x in range(10) if x is odd %}{{ x }}{{ ',' if not loop.last }}{% endfor %}", "1,3,5,7,9"},
		{"{% for x in range(10) if x > 7 %}{{ loop.index }}/{{ loop.length }} {% endfor %}", "1/2 2/2 "},
		{"{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }} {% endfor %}{% endfor %}", "1x 1y 2x 2y "},
		{"{% for a in [1, 2] %}{% set outer = loop %}{% for b in 'xy' %}{{ outer.index }}{{ loop.index }} {% endfor %}{% endfor %}", "11 12 21 22 "},
		{"{% for i in range(3) %}{{ i }}{% endfor %}", "012"},
		{"{% for i in range(5, 0, -2) %}{{ i }}{% endfor %}", "531"},
		{"{% for x in users|sort(attribute='age') %}{{ x.name }}{% endfor %}", "ba"},
		// Assignments inside a loop do not leak out, and each iteration
		// starts from the outer value (Jinja2 scoping).
		{"{% set c = 0 %}{% for i in [1, 2, 3] %}{% set c = c + i %}{{ c }}{% endfor %}|{{ c }}", "123|0"},
		{"{% for i in [1] %}{% set inner = 5 %}{% endfor %}[{{ inner }}]", "[]"},
		{"{% for i in [1] %}{% endfor %}[{{ i }}]", "[]"},
		{"{% for i in [] %}{% else %}{% set e = 1 %}{% endfor %}[{{ e }}]", "[]"},
		{"{% for i in 'ab' %}{{ loop|length }}{% endfor %}", "22"},
		{"{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}", "2"},
		{"{% set a, b = 1, 2 %}{{ b }}{{ a }}", "21"},
		{"{% set name = 'me' %}{{ name }}", "me"},
		{"{% set x %}Hi {{ name }}{% endset %}[{{ x }}]", "[Hi World]"},
		{"{% set x | upper | replace('I', 'Y') %}hi{% endset %}{{ x }}", "HY"},
		{"{% set ns = namespace(c=0) %}{% for i in range(5) %}{% set ns.c = ns.c + i %}{% endfor %}{{ ns.c }}", "10"},
		{"{% set ns = namespace(found=false) %}{% for x in xs %}{% if x == 'b' %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}", "True"},
		{"a{# comment {{ x }} #}b", "ab"},
		{"a {#- c -#} b", "ab"},
		{"{% raw %}{{ x }}{% if %}{% endraw %}", "{{ x }}{% if %}"},
		{"a {%- raw -%}  X  {%- endraw -%} b", "aXb"},
		{"{%raw%}{{{%endraw%}", "{{"},
		{"{% for x in [1, 2] -%}\n  {{ x }}\n{%- endfor %}", "12"},
		{"a  {{- 'b' -}}  c", "abc"},
		{"a\n  {%- if true %}\nb{% endif %}", "a\nb"},
		{"{%+ if true +%}x{% endif %}", "x"},
		{"{{ {'a': {'b': 1}} }}", "{'a': {'b': 1}}"},
		{"{% if true %}{% if false %}x{% elif true %}y{% endif %}{% endif %}", "y"},
	})
}

func TestExpressions(t *testing.T) {
	runRenderCases(t, []renderCase{
		{"{{ user.name }} {{ user['name'] }} {{ user.address.city }}", "Ann Ann Oslo"},
		{"[{{ user.missing }}]", "[]"},
		{"{{ xs[0] }}{{ xs[-1] }}{{ xs.1 }}", "acb"},
		{"{{ 'héllo'[1] }}{{ 'héllo'[-1] }}{{ 'héllo'[-5] }}[{{ 'héllo'[5] }}{{ 'héllo'[-6] }}]", "éoh[]"},
		{"[{{ xs[5] }}]", "[]"},
		{"[{{ n[0] }}]", "[]"},
		{"{{ xs[1:] }} {{ xs[::-1] }} {{ xs[:-1] }}", "['b', 'c'] ['c', 'b', 'a'] ['a', 'b']"},
		{"{{ 'hello'[1:4] }} {{ 'hello'[-3:] }} {{ 'hello'[::2] }} {{ 'hello'[10:] }}|", "ell llo hlo |"},
		{"{{ range(10)[2:5] }} {{ (1, 2, 3)[1:] }}", "range(2, 5) (2, 3)"},
		{"{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }}", "7 9"},
		{"{{ 7 / 2 }} {{ 6 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }}", "3.5 3.0 3 -4"},
		{"{{ 7 % 3 }} {{ -7 % 3 }} {{ 7 % -3 }}", "1 2 -2"},
		{"{{ 7.5 // 2 }} {{ 1 // 0.1 }} {{ 5.5 % 2 }} {{ -5.5 % 2 }}", "3.0 9.0 1.5 0.5"},
		{"{{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 2.0 ** 0.5 }}", "1024 0.5 64 4 1.4142135623730951"},
		{"{{ 'ab' * 3 }} {{ 2 * 'x' }} {{ [1] * 3 }} {{ 'a' * -1 }}|", "ababab xx [1, 1, 1] |"},
		{"{{ [] * 999999999999999999 }} {{ '' * 999999999999999999 }}|", "[] |"},
		{"{{ 'a' + 'b' }} {{ [1] + [2] }} {{ (1,) + (2,) }}", "ab [1, 2] (1, 2)"},
		{"{{ true + 1 }} {{ 1 + 1.5 }} {{ 10 / 4 }} {{ -n }} {{ +f }}", "2 2.5 2.5 -75 2.5"},
		{"{{ 'a' ~ 1 ~ none ~ true ~ missing ~ 2.0 }}", "a1NoneTrue2.0"},
		{"{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }}", "True False True True"},
		{"{{ [1, 2] == [1, 2] }} {{ 'b' > 'a' }} {{ 2 >= 2 }} {{ true == 1 }} {{ (1, 2) == [1, 2] }}", "True True True True False"},
		{"{{ d == {'b': 2, 'a': 1} }} {{ missing == none }} {{ [1, 2] < [1, 3] }}", "True False True"},
		{"{{ 'ell' in 'hello' }} {{ 2 in [1, 2] }} {{ 'a' in d }} {{ 'z' not in d }} {{ 5 in range(10) }} {{ 1 in missing }}",
			"True True True True True False"},
		{"{{ 0 or 'x' }} {{ 1 and 'y' }} [{{ '' and 'y' }}] {{ none or [] }}", "x y [] []"},
		{"{{ not 0 }} {{ not missing }} {{ not xs }} {{ not not 1 }}", "True True False True"},
		{"{{ true and not false or false }}", "True"},
		{"{{ 'yes' if n > 50 else 'no' }} [{{ 'a' if false }}]", "yes []"},
		{"{{ 'a' if false else 'b' if true else 'c' }}", "b"},
		{"{{ {'a': 1, 'b': 2}['b'] }} {{ [1, 2,][1] }} {{ {'x': 1,} }}", "2 2 {'x': 1}"},
		{"{{ 'Hi'.upper() }} {{ 'Hi'.lower() }} {{ ' x '.strip() }}|{{ 'xxaxx'.strip('x') }}", "HI hi x|a"},
		{"{{ 'a,b'.split(',') }} {{ ' a b  c '.split() }} {{ 'a b c'.split(' ', 1) }}", "['a', 'b'] ['a', 'b', 'c'] ['a', 'b c']"},
		{"{{ 'abc'.replace('b', 'X') }} {{ 'abc'.startswith('ab') }} {{ 'abc'.endswith(('x', 'c')) }}", "aXc True True"},
		{"{{ ', '.join(['a', 'b']) }} {{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }}", "a, b Hello World Hello"},
		{"{{ 'banana'.count('a') }} {{ 'banana'.find('n') }} {{ '42'.isdigit() }}", "3 2 True"},
		{"{{ d.get('a') }} {{ d.get('z', 'none') }} {{ d.get('z') }}", "1 none None"},
		{"{{ d.keys()|list }} {{ 'a' in d.keys() }} {{ d.items()|length }}", "['a', 'b'] True 2"},
		{"{{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }} {{ range(0)|list }}", "[1, 4, 7] [5, 3, 1] []"},
		{"{{ dict(a=1, b=2) }} {{ dict(d, c=3) }}", "{'a': 1, 'b': 2} {'a': 1, 'b': 2, 'c': 3}"},
		{"{{ x is defined }} {{ n is defined }} {{ x is not defined }} {{ x is undefined }}", "False True True True"},
		{"{{ none is none }} {{ nothing is none }} {{ 0 is none }} {{ n is not none }}", "True True False True"},
		{"{{ 1 is number }} {{ 1.5 is number }} {{ true is number }} {{ 'a' is number }}", "True True True False"},
		{"{{ 'a' is string }} {{ 1 is string }} {{ d is mapping }} {{ xs is sequence }} {{ 1 is integer }} {{ true is integer }}",
			"True False True True True False"},
		{"{{ n is divisibleby 5 }} {{ n is divisibleby(4) }} {{ 3 is odd }} {{ 4 is even }}", "True False True True"},
		{"{{ 'a' is in 'abc' }} {{ 2 is eq 2 }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ none is sameas none }}",
			"True True True True True"},
		{"{{ true is boolean }} {{ 1 is boolean }} {{ 1.0 is float }} {{ xs is iterable }} {{ 'upper' is filter }}",
			"True False True True True"},
		{"{{ n is gt 5 }} {{ n is lessthan 5 }} {{ 3 is ge 3 }}", "True False True"},
		{"{{ x is defined and x > 1 }}", "False"},
		{"{{ GENRE }}", "rock"},
		{"{{ -3|abs }} {{ xs|length + 1 }}", "3 4"},
	})
}

func TestFilters(t *testing.T) {
	runRenderCases(t, []renderCase{
		{"{{ 'Hello'|upper }}{{ 'Hello'|lower }} {{ 'straße'|upper }}", "HELLOhello STRASSE"},
		{"{{ 'hello WORLD foo-bar (baz)'|title }}", "Hello World Foo-Bar (Baz)"},
		{`{{ "they're bill's"|title }}`, "They're Bill's"},
		{"{{ 'hELLO wORLD'|capitalize }}", "Hello world"},
		{"[{{ '  x  '|trim }}] [{{ '--x--'|trim('-') }}]", "[x] [x]"},
		{"{{ 'héllo'|length }} {{ xs|count }} {{ d|length }} {{ missing|length }} {{ range(4)|length }}", "5 3 2 0 4"},
		{"{{ [1, 2, 3]|join('|') }} {{ [1, 2]|join }} {{ 'abc'|join('-') }} {{ [none, true]|join(',') }}", "1|2|3 12 a-b-c None,True"},
		{"{{ users|join(', ', attribute='name') }} {{ [[1, 2], [3]]|join(';', attribute=0) }}", "a, b 1;3"},
		{"{{ missing|default('x') }} [{{ ''|default('x') }}] {{ ''|default('x', true) }} {{ nothing|default('x') }}", "x [] x None"},
		{"{{ missing|d('y') }} {{ 0|default('z', boolean=true) }} [{{ missing|default }}] {{ n|default(1) }}", "y z [] 75"},
		{"{{ 'Hello World'|replace('Hello', 'Goodbye') }}", "Goodbye World"},
		{`{{ "aaaaargh"|replace("a", "d'oh, ", 2) }}`, "d'oh, d'oh, aaargh"},
		{"{{ 'abc'|replace('', '-') }} {{ 12|replace('1', 'x') }}", "-a-b-c- x2"},
		// truncate: Jinja2's documented examples, then edge cases.
		{`{{ "foo bar baz qux"|truncate(9) }}`, "foo..."},
		{`{{ "foo bar baz qux"|truncate(9, True) }}`, "foo ba..."},
		{`{{ "foo bar baz qux"|truncate(11) }}`, "foo bar baz qux"},
		{`{{ "foo bar baz qux"|truncate(11, False, '...', 0) }}`, "foo bar..."},
		{"{{ 'Hello world this is long'|truncate(10) }}", "Hello..."},
		{"{{ 'Hello world this is long'|truncate(10, end='!') }}", "Hello!"},
		{"{{ 'Hello world this is long'|truncate(10, killwords=true) }}", "Hello w..."},
		{"{{ 'short'|truncate(3) }}", "short"},
		{"{{ ('a' * 260)|truncate|length }} {{ ('a' * 261)|truncate|length }}", "260 255"},
		{"{{ 'abcdefghij klm'|truncate(5, leeway=0) }}", "ab..."},
		{"[{{ missing|truncate(5) }}]", "[]"},
		// round: Python's round on the exact binary value, halves to even.
		{"{{ 42.55|round }} {{ 42.55|round(1, 'floor') }} {{ 42.55|round(1, 'ceil') }}", "43.0 42.5 42.6"},
		{"{{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 0.125|round(2) }}", "2.0 4.0 2.67 0.12"},
		{"{{ 42|round }} {{ 1234.5678|round(-2) }} {{ 1250|round(-2) }} {{ -0.4|round }}", "42 1200.0 1200 -0.0"},
		{"{{ 7|round(0, 'ceil') }} {{ 1.5|round(method='floor') }} {{ 2.345|round(2, 'floor') }} {{ -1.5|round(method='ceil') }}", "7.0 1.0 2.34 -1.0"},
		{"{{ 42.55|round|int }} {{ 1.23456|round(3) }} {{ 5|round(2) }}", "43 1.235 5"},
		{"{{ '42'|int }} {{ '42.9'|int }} {{ 'abc'|int }} {{ 'abc'|int(-1) }} {{ 3.99|int }} {{ -3.99|int }}", "42 42 0 -1 3 -3"},
		{"{{ '0x1A'|int(base=16) }} {{ ' 7 '|int }} {{ '1_000'|int }} {{ nothing|int }} {{ true|int }} {{ '1e3'|int }}", "26 7 1000 0 1 1000"},
		{"{{ '0b11'|int(0, 0) }} {{ 'z'|int(0, 36) }} {{ '08'|int }} {{ '-5'|int }}", "3 35 8 -5"},
		{"{{ '3.5'|float }} {{ 'x'|float }} {{ 3|float }} {{ 'x'|float(1.5) }} {{ '1e400'|float }} {{ ' -2 '|float }}", "3.5 0.0 3.0 1.5 inf -2.0"},
		{"{{ 12|string ~ 'a' }} {{ [1]|string }} {{ nothing|string }} [{{ missing|string }}]", "12a [1] None []"},
		{"{{ xs|first }}{{ xs|last }} {{ 'abc'|first }} [{{ []|first }}] {{ d|first }}{{ d|last }}", "ac a [] ab"},
		{"{{ [3, 1, 2]|sort }} {{ ['b', 'C', 'a']|sort }} {{ ['b', 'C', 'a']|sort(case_sensitive=true) }}", "[1, 2, 3] ['a', 'b', 'C'] ['C', 'a', 'b']"},
		{"{{ [3, 1, 2]|sort(reverse=true) }} {{ users|sort(attribute='age')|map(attribute='name')|join(',') }}", "[3, 2, 1] b,a"},
		{"{{ [[2, 'b'], [1, 'z'], [2, 'a']]|sort(attribute='0,1') }}", "[[1, 'z'], [2, 'a'], [2, 'b']]"},
		{"{{ [('b', 1), ('a', 1), ('c', 0)]|sort(attribute='1') }}", "[('c', 0), ('b', 1), ('a', 1)]"},
		{"{{ [('b', 1), ('a', 1), ('c', 0)]|sort(attribute='1', reverse=true) }}", "[('b', 1), ('a', 1), ('c', 0)]"},
		{"{{ d|sort }} {{ 'cab'|sort }}", "['a', 'b'] ['a', 'b', 'c']"},
		{"{{ {'b': 1, 'a': [true, none, 1.5]}|tojson }}", `{"a": [true, null, 1.5], "b": 1}`},
		{`{{ "<a href='x'>&</a>"|tojson }}`, `"\u003ca href=\u0027x\u0027\u003e\u0026\u003c/a\u003e"`},
		{"{{ 'é😀'|tojson }} {{ (1, 2)|tojson }} {{ d.items()|tojson }}", `"\u00e9\ud83d\ude00" [1, 2] [["a", 1], ["b", 2]]`},
		{"{{ [1, {'a': 2}]|tojson(indent=2) }}", "[\n  1,\n  {\n    \"a\": 2\n  }\n]"},
		{"{{ []|tojson(2) }} {{ {}|tojson }} {{ 'x\"y'|tojson }}", `[] {} "x\"y"`},
		{"{{ -2.5|abs }} {{ (-3)|abs }} {{ true|abs }}", "2.5 3 1"},
		{"{{ 'ab'|list }} {{ d|list }} {{ missing|list }} {{ range(3)|list }}", "['a', 'b'] ['a', 'b'] [] [0, 1, 2]"},
		{"{{ ['a', 'A', 'b', 'a']|unique|list }} {{ [1, 1.0, true, 2]|unique }} {{ ['a', 'A']|unique(case_sensitive=true) }}", "['a', 'b'] [1, 2] ['a', 'A']"},
		{"{{ users|unique(attribute='name')|length }}", "2"},
		{"{{ 'abc'|reverse }} {{ [1, 2, 3]|reverse|list }} {{ d|reverse }}", "cba [3, 2, 1] ['b', 'a']"},
		{"{{ 'Hello, world! foo_bar 42'|wordcount }} {{ ''|wordcount }}", "4 0"},
		{"[{{ 'ab'|center(6) }}] [{{ 'abc'|center(6) }}] [{{ 'ab'|center(5) }}] [{{ 'abc'|center(2) }}]", "[  ab  ] [ abc  ] [  ab ] [abc]"},
		{"{{ [1, 2, 3]|sum }} {{ users|sum(attribute='age') }} {{ [1.5, 2]|sum(start=1) }} {{ [[1], [2]]|sum(start=[]) }}", "6 50 4.5 [1, 2]"},
		{"{{ [3, 1, 2]|min }}{{ [3, 1, 2]|max }} {{ ['b', 'A']|min }} {{ users|max(attribute='age') }} [{{ []|min }}]", "13 A {'name': 'a', 'age': 30} []"},
		{"{{ d|items|list }} {{ missing|items }}", "[('a', 1), ('b', 2)] []"},
		{"{{ ['a', 'b']|map('upper')|join }} {{ users|map(attribute='name')|list }} {{ ['ab', 'cde']|map('truncate', 3, end='') }}", "AB ['a', 'b'] ['ab', 'cde']"},
		{"{{ users|map(attribute='zip', default='-')|join }} {{ [1.234, 2.5]|map('round', 1)|list }}", "-- [1.2, 2.5]"},
		{"{{ [1, 2, 3, 4]|select('odd')|list }} {{ [0, 1, '', none, 'x']|select|list }} {{ [1, 2, 3]|reject('even')|list }}", "[1, 3] [1, 'x'] [1, 3]"},
		{"{{ [1, 5, 10]|select('gt', 4)|list }} {{ [1, 5, 10]|select('divisibleby', 5)|list }}", "[5, 10] [5, 10]"},
		{"{{ users|selectattr('age', 'gt', 25)|map(attribute='name')|list }} {{ users|rejectattr('age', 'gt', 25)|map(attribute='name')|list }}", "['a'] ['b']"},
		{"{{ [{'on': true}, {'on': false}]|selectattr('on')|length }}", "1"},
		{`{{ '<a & "b">'|e }} {{ "'"|escape }} {{ '<b>'|safe }}`, "&lt;a &amp; &#34;b&#34;&gt; &#39; <b>"},
		{"{{ '  Hello World  '|trim|lower|replace('world', 'there') }}", "hello there"},
		{"{{ xs|join(', ')|upper }}", "A, B, C"},
		{"{{ name|upper if n > 5 else name|lower }}", "WORLD"},
	})
}

type errCase struct{ src, want string }

func runErrCases(t *testing.T, cases []errCase) {
	t.Helper()
	vars := mustVars(t, testVars)
	for _, c := range cases {
		got, err := render(t, c.src, vars)
		if err == nil {
			t.Errorf("Render(%q) = %q, want error %q", c.src, got, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Render(%q) error = %q, want it to contain %q", c.src, err, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	runErrCases(t, []errCase{
		{"{{ x", "line 1, column 5: expected '}}' to end the expression, got end of template"},
		{"{{ }}", "line 1, column 4: expected an expression between '{{' and '}}'"},
		{"{% if x %}a", "line 1, column 12: unexpected end of template: expected 'elif', 'else' or 'endif' to close the 'if' tag from line 1"},
		{"{% for x in y %}\n{% endif %}", "line 2, column 4: unexpected tag 'endif': expected 'endfor' or 'else' to close the 'for' tag from line 1"},
		{"{% endif %}", "line 1, column 4: unexpected tag 'endif': there is no open block it could close"},
		{"{{ x|nope }}", "line 1, column 6: unknown filter 'nope'"},
		{"{{ x is nope }}", "line 1, column 9: unknown test 'nope'"},
		{"{% macro m() %}{% endmacro %}", "line 1, column 4: the 'macro' tag is not supported"},
		{"{% foo %}", "line 1, column 4: unknown tag 'foo'"},
		{"{% %}", "line 1, column 4: expected a tag name after '{%', got end of tag '%}'"},
		{"{{ 1 + }}", "line 1, column 8: expected an expression, got end of expression '}}'"},
		{"{{ 'abc }}", "line 1, column 4: unterminated string literal"},
		{"{# abc", "line 1, column 1: missing end of comment tag '#}'"},
		{"x\n{% raw %}abc", "line 2, column 1: missing {% endraw %} for the raw block"},
		{"{{ a ! b }}", "line 1, column 6: unexpected character '!'"},
		{"{{ (1 }}", "line 1, column 7: unexpected '}', expected ')'"},
		{"{{ 1) }}", "line 1, column 5: unexpected ')'"},
		{"ab\n{{ x | }}", "line 2, column 8: expected a filter name after '|', got end of expression '}}'"},
		{"{{ 'a'|truncate(1, 2, 3, 4, 5) }}", "filter 'truncate' takes at most 4 arguments (5 given)"},
		{"{{ xs|join(foo=1) }}", "filter 'join' got an unexpected keyword argument 'foo'"},
		{"{{ 'a'|replace('a') }}", "filter 'replace' is missing the required argument 'new'"},
		{"{{ 1|round(1, precision=2) }}", "got multiple values for argument 'precision'"},
		{"{{ f(a=1, 2) }}", "positional argument follows keyword argument"},
		{"{{ f(*xs) }}", "argument unpacking with * is not supported"},
		{"{{ x is divisibleby }}", "test 'divisibleby' takes 1 argument"},
		{"{{ x is defined(1) }}", "test 'defined' takes no arguments"},
		{"{% for loop in xs %}{% endfor %}", "cannot assign to the special loop variable"},
		{"{% for x xs %}{% endfor %}", "expected 'in' after the for-loop target, got 'xs'"},
		{"{% for x in xs recursive %}{% endfor %}", "recursive loops are not supported"},
		{"{% set %}", "expected a variable name, got end of tag '%}'"},
		{"{% set true = 1 %}", "cannot assign to 'true'"},
		{"{% set x 1 %}", "expected '=' or '%}' after the set target, got number"},
		{"{% if x %}{% else %}{% else %}{% endif %}", "unexpected tag 'else': expected 'endif' to close the 'if' tag"},
		{"{% if x y %}{% endif %}", "expected '%}' to end the 'if' tag, got 'y'"},
		{"{{ 99999999999999999999 }}", "integer literal 99999999999999999999 is too large"},
		{`{{ '\x4' }}`, `invalid string literal: truncated \x escape`},
		{"{{ a.+ }}", "expected an attribute name or number after '.', got '+'"},
		{"{{ a[] }}", "expected an index or slice between '[' and ']'"},
		{"{% raw x %}", "malformed raw tag"},
		{"{{ x is defined is defined }}", "line 1, column 17: tests cannot be chained with 'is'"},
	})
}

func TestRenderErrors(t *testing.T) {
	runErrCases(t, []errCase{
		{"{{ 1 / 0 }}", "line 1, column 6: division by zero"},
		{"{{ 1 // 0 }} ", "integer division or modulo by zero"},
		{"{{ 1 % 0 }}", "integer modulo by zero"},
		{"{{ 1.0 / 0 }}", "float division by zero"},
		{"\n  {{ missing.attr }}", "line 2, column 13: 'missing' is undefined"},
		{"{{ d.a.b.c }}", "'int object' has no attribute 'b'"},
		{"{{ missing + 1 }}", "'missing' is undefined"},
		{"{{ missing < 1 }}", "'missing' is undefined"},
		{"{{ missing|int }}", "'missing' is undefined"},
		{"{{ missing|last }}", "'Undefined' object is not reversible"},
		{"{{ missing[0] }}", "'missing' is undefined"},
		{"{{ missing() }}", "'missing' is undefined"},
		{"{{ 'a' + 1 }}", `can only concatenate str (not "int") to str`},
		{"{{ 1 + 'a' }}", "unsupported operand type(s) for +: 'int' and 'str'"},
		{"{{ 1 < 'a' }}", "'<' not supported between instances of 'int' and 'str'"},
		{"{{ [1, 'a']|sort }}", "not supported between instances of"},
		{"{{ -'a' }}", "bad operand type for unary -: 'str'"},
		{"{{ 'a' % 1 }}", "string formatting with % is not supported"},
		{"{{ 1 in 5 }}", "argument of type 'int' is not iterable"},
		{"{{ 1 in 'abc' }}", "'in <string>' requires string as left operand, not int"},
		{"{% for a, b in [1, 2] %}{% endfor %}", "cannot unpack non-iterable int object"},
		{"{% for a, b in [[1, 2, 3]] %}{% endfor %}", "too many values to unpack (expected 2)"},
		{"{% for a, b in ['x'] %}{% endfor %}", "not enough values to unpack (expected 2, got 1)"},
		{"{% for x in 5 %}{% endfor %}", "'int' object is not iterable"},
		{"{{ nothing|first }}", "'NoneType' object is not iterable"},
		{"{{ 2 ** 100 }}", "integer result of ** does not fit in 64 bits"},
		{"{{ 9223372036854775807 + 1 }}", "integer result of + does not fit in 64 bits"},
		{"{{ 10.0 ** 400 }}", "numerical result out of range"},
		{"{{ (-8) ** 0.5 }}", "complex number"},
		{"{{ 0 ** -1 }}", "0.0 cannot be raised to a negative power"},
		{"{{ 'abc'.nope() }}", "'str object' has no attribute 'nope'"},
		{"{{ n() }}", "'int' object is not callable"},
		{"{{ 'abc'|truncate(2) }}", "expected length >= 3, got 2"},
		{"{{ 5|truncate }}", "truncate expects a string, got int"},
		{"{{ 1.5|round(1, 'up') }}", "method must be common, ceil or floor"},
		{"{{ 'x'|round }}", "type str doesn't define __round__ method"},
		{"{{ 1|length }}", "object of type 'int' has no len()"},
		{"{{ missing|tojson }}", "Object of type Undefined is not JSON serializable"},
		{"{{ range(3)|tojson }}", "Object of type range is not JSON serializable"},
		{"{{ {1: 2} }}", "dict keys must be strings, got int"},
		{"{{ range(1, 2, 0) }}", "range() arg 3 must not be zero"},
		{"{{ range(1.5) }}", "'float' object cannot be interpreted as an integer"},
		{"{{ xs|map }}", "map requires a filter argument"},
		{"{{ xs|map('nope') }}", "no filter named 'nope'"},
		{"{{ xs|select('nope') }}", "no test named 'nope'"},
		{"{% set x.y = 1 %}", "only namespace() objects have settable attributes"},
		{"{{ loop.cycle() }}", "'loop' is undefined"},
		{"{% for x in xs %}{{ loop.cycle() }}{% endfor %}", "no items for cycling given"},
		{"{{ [[1]]|unique }}", "unhashable type: 'list'"},
		{"{{ 'x'|int(0, 99)|string ~ ('inf'|float|int) }}", "cannot convert float infinity to integer"},
		{"{{ 'a'.split('') }}", "empty separator"},
		{"{{ ', '.join([1]) }}", "sequence item 0: expected str instance, int found"},
	})
}

func TestLimits(t *testing.T) {
	cases := []struct {
		name string
		src  string
		lim  Limits
		want string
	}{
		{"output", "{% for i in range(100) %}xxxxxxxxxx{% endfor %}", Limits{MaxOutput: 500}, "output is larger than the limit of 500 bytes"},
		{"output in set block", "{% set s %}{% for i in range(100) %}xxxxxxxxxx{% endfor %}{% endset %}", Limits{MaxOutput: 500}, "output is larger than the limit of 500 bytes"},
		{"iterations", "{% for i in range(10) %}{% for j in range(10) %}{% endfor %}{% endfor %}", Limits{MaxIterations: 50}, "loops ran more than 50 iterations in total"},
		{"default iterations", "{% for i in range(10 ** 12) %}{% endfor %}", Limits{}, "loops ran more than 1000000 iterations in total"},
		{"filtered loop", "{% for i in range(100) if i %}{% endfor %}", Limits{MaxIterations: 50}, "loops ran more than 50 iterations"},
		{"steps", "{% for i in range(1000) %}{{ i + i }}{% endfor %}", Limits{Timeout: time.Hour, MaxSteps: 1000}, "template needs too much work to render (more than 1000 steps)"},
		{"string repeat", "{{ 'x' * 100000000 }}", Limits{}, "result is larger than the limit of 16777216 bytes"},
		{"list repeat", "{{ [1, 2] * 1000000 }}", Limits{}, "result has more than 1000000 items"},
		{"range list", "{{ range(10 ** 12)|list }}", Limits{}, "larger than the limit of 1000000 items"},
		{"replace growth", "{{ ('x' * 100000)|replace('x', 'yyyyyyyyyyyyyyyyyyyy')|replace('y', 'zzzzzzzzzz') }}", Limits{}, "result is larger than the limit"},
		{"center", "{{ 'x'|center(100000000) }}", Limits{}, "result is larger than the limit"},
		{"expression depth", "{{ " + strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300) + " }}", Limits{}, "expression is nested too deeply (the limit is 200 levels)"},
		{"operator chain", "{{ 1" + strings.Repeat(" + 1", 300) + " }}", Limits{}, "expression is nested too deeply"},
		{"filter chain", "{{ 1" + strings.Repeat("|abs", 300) + " }}", Limits{}, "expression is nested too deeply"},
		{"not chain", "{{ " + strings.Repeat("not ", 300) + "1 }}", Limits{}, "expression is nested too deeply"},
		{"block depth", strings.Repeat("{% if true %}", 300) + strings.Repeat("{% endif %}", 300), Limits{}, "blocks are nested too deeply (the limit is 200 levels)"},
		{"small depth", "{{ ((1)) }}", Limits{MaxDepth: 2}, "expression is nested too deeply (the limit is 2 levels)"},
		{"tojson indent", "{{ range(100000)|list|tojson(indent=1000) }}", Limits{}, "JSON text would be larger than"},
		{"concat", "{% set s = 'x' * 10000000 %}{{ s ~ s }}", Limits{}, "result is larger than the limit"},
		{"string work", "{% set s = 'x' * 1000000 %}{% for i in range(1000) %}{% if s|upper %}{% endif %}{% endfor %}", Limits{Timeout: time.Hour, MaxSteps: 5_000_000}, "too much work"},
		{"list work", "{% set l = range(100000)|list %}{% for i in range(1000) %}{% if l|unique %}{% endif %}{% endfor %}", Limits{Timeout: time.Hour, MaxSteps: 5_000_000}, "too much work"},
		{"sort work", "{% set l = range(100000)|list %}{% for i in range(1000) %}{% if l|sort %}{% endif %}{% endfor %}", Limits{Timeout: time.Hour, MaxSteps: 5_000_000}, "too much work"},
		{"split work", "{% set s = 'a ' * 100000 %}{% for i in range(1000) %}{% if s.split() %}{% endif %}{% endfor %}", Limits{Timeout: time.Hour, MaxSteps: 5_000_000, MaxAlloc: 1 << 40}, "too much work"},
		{"shared structure", "{% set x = [1] %}" + strings.Repeat("{% set x = [x, x] %}", 40) + "{{ x == x }}", Limits{Timeout: time.Hour}, "too much work"},
		{"shared structure output", "{% set x = [1] %}" + strings.Repeat("{% set x = [x, x] %}", 40) + "{{ x }}", Limits{Timeout: time.Hour}, "rendered value is larger than 16777216 bytes"},
		{"timeout", "{% for i in range(1000000) %}{{ i }}{% endfor %}", Limits{Timeout: time.Nanosecond}, "template took longer than 1ns to render"},
		{"long message", "{{ ('9' * 100000)|int }}", Limits{}, "integer 999999999999999999999999999999999999999999999999999999999999... does not fit in 64 bits"},
	}
	for _, c := range cases {
		tpl, err := ParseWithLimits(c.src, c.lim)
		if err == nil {
			_, err = tpl.Render(nil)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Render(%.60q) error = %v, want %q", c.name, c.src, err, c.want)
		}
	}
}

func TestLimitsAllowOrdinaryTemplates(t *testing.T) {
	src := "{% for i in range(200) %}{% for j in range(100) %}{{ i * j }},{% endfor %}{% endfor %}"
	out, err := render(t, src, nil)
	if err != nil {
		t.Fatalf("Render(%q) error: %v", src, err)
	}
	if n := strings.Count(out, ","); n != 20000 {
		t.Errorf("Render(%q) wrote %d items, want 20000", src, n)
	}
	deep := "{{ " + strings.Repeat("(", 50) + "1" + strings.Repeat(")", 50) + " }}"
	if out, err := render(t, deep, nil); err != nil || out != "1" {
		t.Errorf("Render(%q) = %q, %v, want \"1\"", deep, out, err)
	}
}

func TestErrorPosition(t *testing.T) {
	_, err := Parse("line one\n  ünï {{ x|nope }}")
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("Parse error = %v (%T), want *Error", err, err)
	}
	if e.Line != 2 || e.Col != 12 {
		t.Errorf("error position = %d:%d, want 2:12", e.Line, e.Col)
	}
}

func TestRenderDoesNotModifyVars(t *testing.T) {
	vars := mustVars(t, testVars)
	before := pyval.Repr(vars)
	src := "{% set ns = namespace(d) %}{% set ns.a = 5 %}{{ d|sort }}{{ xs|reverse|list }}{{ nums|sort }}{{ dict(d, z=1) }}{{ ns.a }}{{ users|sum(attribute='age') }}{{ users|map(attribute='name')|list }}"
	if _, err := render(t, src, vars); err != nil {
		t.Fatalf("Render(%q) error: %v", src, err)
	}
	if after := pyval.Repr(vars); after != before {
		t.Errorf("Render(%q) changed vars: %s, want %s", src, after, before)
	}
}

func TestTemplateIsReusable(t *testing.T) {
	tpl, err := Parse("{% set x = v * 2 %}{{ x }}")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{1, 2, 3} {
		got, err := tpl.Render(pyval.DictOf("v", v))
		if want := strconv.FormatInt(v*2, 10); err != nil || got != want {
			t.Errorf("Render(v=%d) = %q, %v, want %q", v, got, err, want)
		}
	}
}
