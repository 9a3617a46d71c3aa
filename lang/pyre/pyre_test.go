package pyre

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"nodetool/lang/pyval"
)

func TestPyRegexMatchesPython(t *testing.T) {
	// pattern, text, every match (finditer) as JSON, re.Sub(p, "<\g<0>>", text);
	// expected values come from CPython 3.11's re module.
	cases := []struct{ pattern, text, matches, sub string }{
		{"\\w+", "héllo wörld_1 ٣", "[\"héllo\", \"wörld_1\", \"٣\"]", "<héllo> <wörld_1> <٣>"},
		{"\\W+", "a, b;c", "[\", \", \";\"]", "a<, >b<;>c"},
		{"\\d", "a1٢", "[\"1\", \"٢\"]", "a<1><٢>"},
		{"\\D+", "a1b", "[\"a\", \"b\"]", "<a>1<b>"},
		{"\\s+", "a \t  b\u001cc\u000bd", "[\" \\t  \", \"\\u001c\", \"\\u000b\"]", "a< \t  >b<\u001c>c<\u000b>d"},
		{"\\S+", "a 　b", "[\"a\", \"b\"]", "<a> 　<b>"},
		{"[\\w-]+", "foo-bar baz", "[\"foo-bar\", \"baz\"]", "<foo-bar> <baz>"},
		{"[^\\d\\s]+", "ab 12 c3", "[\"ab\", \"c\"]", "<ab> 12 <c>3"},
		{"[\\s\\d]+", "a 1 2b", "[\" 1 2\"]", "a< 1 2>b"},
		{"x*", "xaxx", "[\"x\", \"\", \"xx\", \"\"]", "<x><>a<xx><>"},
		{"a|", "ab", "[\"a\", \"\", \"\"]", "<a><>b<>"},
		{"(a)(b)?", "aab", "[\"a\", \"ab\"]", "<a><ab>"},
		{"\\x41\\u0042\\U00000043", "ABC", "[\"ABC\"]", "<ABC>"},
		{"\\101", "A", "[\"A\"]", "<A>"},
		{"[\\101-\\103]+", "ABCD", "[\"ABC\"]", "<ABC>D"},
		{"\\0", "a\u0000b", "[\"\\u0000\"]", "a<\u0000>b"},
		{"[]a]+", "]a]b", "[\"]a]\"]", "<]a]>b"},
		{"[^]a]+", "]a]bc", "[\"bc\"]", "]a]<bc>"},
		{"a{2}", "aaaaa", "[\"aa\", \"aa\"]", "<aa><aa>a"},
		{"a{,2}", "aaa", "[\"aa\", \"a\", \"\"]", "<aa><a><>"},
		{"a{1,}?", "aaa", "[\"a\", \"a\", \"a\"]", "<a><a><a>"},
		{"\\.\\*", "x.*y", "[\".*\"]", "x<.*>y"},
		{"\\ ", "a b", "[\" \"]", "a< >b"},
		{"\\#", "a#b", "[\"#\"]", "a<#>b"},
		{"(?i:ab)c", "ABc ABC", "[\"ABc\"]", "<ABc> ABC"},
		{"(?s).", "\n", "[\"\\n\"]", "<\n>"},
		{"(?m)^\\w", "ab\ncd", "[\"a\", \"c\"]", "<a>b\n<c>d"},
		{"(?-i:a)", "Aa", "[\"a\"]", "A<a>"},
		{"^a", "aa", "[\"a\"]", "<a>a"},
		{"\\Aa", "aa", "[\"a\"]", "<a>a"},
		{"a\\Z", "aa", "[\"a\"]", "a<a>"},
		{"\\bx\\b", "x xx x", "[\"x\", \"x\"]", "<x> xx <x>"},
		{"\\Bx", "x xx", "[\"x\"]", "x x<x>"},
		{"[\\b]", "a\bb", "[\"\\b\"]", "a<\b>b"},
		{"é+", "ééé", "[\"ééé\"]", "<ééé>"},
		{"\\é", "é", "[\"é\"]", "<é>"},
		{"(?u)\\w", "é", "[\"é\"]", "<é>"},
		{"(?P<first>\\w)(?P<rest>\\w*)", "hello world", "[\"hello\", \"world\"]", "<hello> <world>"},
		{"", "ab", "[\"\", \"\", \"\"]", "<>a<>b<>"},
		{"[[]", "a[b", "[\"[\"]", "a<[>b"},
		{"\\$\\^", "$^", "[\"$^\"]", "<$^>"},
		// Patterns that look behind their start, searched from the end of
		// the previous match.
		{"\\Ba", "aaa", "[\"a\", \"a\"]", "a<a><a>"},
		{"\\b", "ab cd", "[\"\", \"\", \"\", \"\"]", "<>ab<> <>cd<>"},
		{"\\ba|b", "aba", "[\"a\", \"b\"]", "<a><b>a"},
		{"a|\\bb", "abb b", "[\"a\", \"b\"]", "<a>bb <b>"},
	}
	for _, c := range cases {
		re, err := Compile(c.pattern, Flags{})
		if err != nil {
			t.Errorf("compilePyRegex(%q) error %v", c.pattern, err)
			continue
		}
		var want []string
		if err := json.Unmarshal([]byte(c.matches), &want); err != nil {
			t.Fatalf("bad expectation %q: %v", c.matches, err)
		}
		got := []string{}
		for _, loc := range re.FindAll(c.text, -1) {
			got = append(got, c.text[loc[0]:loc[1]])
		}
		if !slices.Equal(got, want) {
			t.Errorf("findAll(%q, %q) = %q, want %q", c.pattern, c.text, got, want)
		}
		if s, err := re.Sub(pyval.Unlimited, c.text, `<\g<0>>`, 0); err != nil || s != c.sub {
			t.Errorf("sub(%q, %q) = %q, %v; want %q", c.pattern, c.text, s, err, c.sub)
		}
	}
}

func TestPyRegexFlagsAndAnchors(t *testing.T) {
	re, err := Compile(`^a.c$`, Flags{IgnoreCase: true, DotAll: true, Multiline: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := re.FindAllValues(pyval.Unlimited, "x\nA\nC\nabc"); pyval.Repr(got) != `['A\nC', 'abc']` {
		t.Errorf("findall(^a.c$ ims) = %s, want ['A\\nC', 'abc']", pyval.Repr(got))
	}
	full, _ := Compile(`a|ab`, Flags{})
	if !full.FullMatch("ab") || full.FullMatch("abc") {
		t.Errorf("fullMatch(a|ab) on ab/abc = %v/%v, want true/false", full.FullMatch("ab"), full.FullMatch("abc"))
	}
	if l1, _ := full.MatchWithin(pyval.Unlimited, "xab"); l1 != nil {
		t.Errorf("matchStart(a|ab) must match at position 0 only")
	}
	if l2, _ := full.MatchWithin(pyval.Unlimited, "abx"); l2 == nil {
		t.Errorf("matchStart(a|ab) must match at position 0 only")
	}
}

func TestPyRegexErrors(t *testing.T) {
	cases := []struct {
		pattern, want string
		unsupported   bool
	}{
		{`(?=a)`, `regex "(?=a)" uses look-around, which is not supported: (?=...)`, true},
		{`(?!a)`, "look-around, which is not supported: (?!...)", true},
		{`(?<=a)b`, "look-around, which is not supported: (?<=...)", true},
		{`(?<!a)b`, "look-around, which is not supported: (?<!...)", true},
		{`(a)\1`, `backreference (\1)`, true},
		{`(a)\12`, `backreference (\12)`, true},
		{`(?P<x>a)(?P=x)`, "backreference (?P=name)", true},
		{`a*+`, "possessive quantifier", true},
		{`a{2}+`, "possessive quantifier", true},
		{`(?>a)`, "atomic group", true},
		{`(?(1)a|b)`, "conditional group", true},
		{`(?x)a b`, "verbose mode (?x)", true},
		{`(?L)a`, "locale flag", true},
		{`(?a:\w)`, "scoped ASCII flag", true},
		{`\N{DASH}`, `named character escape`, true},
		{`(?P<é>a)`, `group name "é"`, true},
		{`(`, `invalid regex "(": missing closing )`, false},
		{`)`, "unexpected )", false},
		{`[a`, "unterminated character set", false},
		{`a**`, "invalid nested repetition operator", false},
		{`\q`, `bad escape \q`, false},
		{`[\8]`, `bad escape \8`, false},
		{`[\A]`, `bad escape \A`, false},
		{`\`, "bad escape (end of pattern)", false},
		{`\x4`, `incomplete escape \x4`, false},
		{`\u12`, `incomplete escape \u12`, false},
		{`\777`, "octal escape value outside of range", false},
		{`(?P<>a)`, "missing group name", false},
		{`(?Q)`, "unknown extension (?Q", false},
		{`(?#never closed`, "unterminated comment", false},
		{`a{2000}`, "invalid repeat count", false},
	}
	for _, c := range cases {
		_, err := Compile(c.pattern, Flags{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("compilePyRegex(%q) error = %v, want it to contain %q", c.pattern, err, c.want)
			continue
		}
		if IsUnsupported(err) != c.unsupported {
			t.Errorf("isUnsupportedRegex(%q) = %v, want %v", c.pattern, IsUnsupported(err), c.unsupported)
		}
	}
}

func TestPyTemplate(t *testing.T) {
	re, err := Compile(`(?P<a>x)(y)?`, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ tmpl, want string }{
		{`[\1|\2|\g<a>|\g<0>|\g<2>]`, `[x||x|x|]`},
		{`\n\t\\`, "\n\t\\"},
		{`\0\101`, "\x00A"},
		{`\10`, ""}, // Python reads \10 as group 10, not \1 then 0
		{`\&\-`, `\&\-`},
		{`$1 $$`, `$1 $$`},
	}
	for _, c := range cases {
		got, err := re.Sub(pyval.Unlimited, "x", c.tmpl, 0)
		if c.tmpl == `\10` {
			if err == nil || !strings.Contains(err.Error(), "group 10 is referenced") {
				t.Errorf("sub(x, %q) error = %v, want a group 10 error", c.tmpl, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("sub(x, %q) = %q, %v; want %q", c.tmpl, got, err, c.want)
		}
	}
	for _, bad := range []string{`\g`, `\g<`, `\g<>`, `\g<1x>`, `\9`, `\c`, `\g<nope>`} {
		if _, err := re.Sub(pyval.Unlimited, "x", bad, 0); err == nil {
			t.Errorf("sub(x, %q) succeeded, want an error", bad)
		}
	}
}
