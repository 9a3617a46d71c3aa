package authn

import (
	"errors"
	"testing"
)

func TestParseDeployment(t *testing.T) {
	cases := []struct {
		name, in string
		token    string
		errLine  int // 0: accepted
	}{
		{"empty", "", "", 0},
		{"comments only", "# a\n\n   # b\n", "", 0},
		{"plain", "worker_auth_token: abc-DEF_123\n", "abc-DEF_123", 0},
		{"plain with comment", "worker_auth_token: abc   # the token\n", "abc", 0},
		{"plain with hash inside", "worker_auth_token: abc#def\n", "abc#def", 0},
		{"double quoted", `worker_auth_token: "a\"b\\c\u0041"` + "\n", `a"b\cA`, 0},
		{"single quoted", "worker_auth_token: 'it''s' # c\n", "it's", 0},
		{"null", "worker_auth_token: null\n", "", 0},
		{"tilde", "worker_auth_token: ~\n", "", 0},
		{"quoted null is a string", "worker_auth_token: 'null'\n", "null", 0},
		{"crlf", "a: 1\r\nworker_auth_token: tok\r\n", "tok", 0},
		{"bom", "\uFEFFworker_auth_token: tok\n", "tok", 0},
		{"no final newline", "worker_auth_token: tok", "tok", 0},
		{"nested block", "deployments:\n  prod:\n    type: self-hosted\n    env:\n      A: \"x: y\"\n    list:\n    - a\n    - 'b'\nworker_auth_token: tok\n", "tok", 0},
		{"column-0 list", "hosts:\n- a\n- b: c\nworker_auth_token: tok\n", "tok", 0},
		{"block scalar", "notes: |\n  \"unbalanced\n  tab\there\nworker_auth_token: tok\n", "tok", 0},
		{"nested block scalar", "d:\n  script: >-\n    'not a quote\n  next: 1\n", "", 0},
		{"multi-line quoted nested", "d:\n  desc: 'a long\n    text'\n  b: 1\n", "", 0},
		{"empty flow", "defaults: {}\nlist: []\n", "", 0},
		{"indented comment after scalar", "a: 1\n  # note\n", "", 0},
		{"tab before comment", "a: 1\t# note\n", "", 0},

		{"tab indent", "d:\n\tb: 1\n", "", 2},
		{"tab after spaces", "d:\n  \tb: 1\n", "", 2},
		{"top-level tab", "\ta: 1\n", "", 1},
		{"no colon", "hello\n", "", 1},
		{"space before colon", "a : 1\n", "", 1},
		{"quoted key", "\"a\": 1\n", "", 1},
		{"no space after colon", "a:1\n", "", 1},
		{"unterminated double", "worker_auth_token: \"abc\n", "", 1},
		{"unterminated single", "worker_auth_token: 'abc\n", "", 1},
		{"bad escape", "worker_auth_token: \"a\\qb\"\n", "", 1},
		{"text after quote", "worker_auth_token: \"a\" b\n", "", 1},
		{"flow map", "a: {b: 1}\n", "", 1},
		{"alias", "a: *x\n", "", 1},
		{"tag", "a: !!str 1\n", "", 1},
		{"dash value", "a: - 1\n", "", 1},
		{"token as list", "worker_auth_token:\n- a\n", "", 2},
		{"token flow", "worker_auth_token: {}\n", "", 1},
		{"list without key", "- a\n", "", 1},
		{"list after scalar", "a: 1\n- b\n", "", 2},
		{"duplicate", "a: 1\na: 2\n", "", 2},
		{"lone cr", "a: 1\rb: 2\n", "", 1},
		{"unterminated at eof", "d:\n  k: \"abc\n", "", 2},
		{"document end", "a: 1\n...\n", "", 2},
	}
	for _, c := range cases {
		d, err := parseDeployment([]byte(c.in))
		var se *syntaxError
		switch {
		case c.errLine == 0 && err != nil:
			t.Errorf("%s: parseDeployment(%q) = %v, want ok", c.name, c.in, err)
		case c.errLine == 0 && d.token != c.token:
			t.Errorf("%s: parseDeployment(%q) token = %q, want %q", c.name, c.in, d.token, c.token)
		case c.errLine != 0 && !errors.As(err, &se):
			t.Errorf("%s: parseDeployment(%q) = %v, want a syntax error on line %d", c.name, c.in, err, c.errLine)
		case c.errLine != 0 && se.line != c.errLine:
			t.Errorf("%s: parseDeployment(%q) = %v, want line %d", c.name, c.in, err, c.errLine)
		}
	}
}
