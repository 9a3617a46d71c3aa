package jsonpath

import (
	"strings"
	"testing"

	"nodetool/lang/pyval"
)

func TestJSONPathFind(t *testing.T) {
	// Expected values come from Python's jsonpath-ng, except where noted.
	const doc = `{"store":{"book":[{"title":"A","price":8,"tags":["x","y"]},{"title":"B","price":12}],"bicycle":{"color":"red","price":19}},"a b":1,"0":"zero","list":[1,2,3,4,5]}`
	data := mustJSON(t, doc)
	cases := []struct{ path, want string }{
		{"$", "[" + pyval.Repr(data) + "]"},
		{"$.store.book[0].title", `['A']`},
		{"$..price", `[8, 12, 19]`},
		{"$.store.*", `[[{'title': 'A', 'price': 8, 'tags': ['x', 'y']}, {'title': 'B', 'price': 12}], {'color': 'red', 'price': 19}]`},
		{"$.store.book[*].title", `['A', 'B']`},
		{"$.list[1:3]", `[2, 3]`},
		{"$.list[-2:]", `[4, 5]`},
		{"$.list[::2]", `[1, 3, 5]`},
		{"$.list[5:1:-1]", `[5, 4, 3]`},
		{"$.list[:]", `[1, 2, 3, 4, 5]`},
		{"$.list[0,2]", `[1, 3]`},
		{"$.list[-1]", `[5]`},
		{"$.list[-9]", `[]`}, // jsonpath-ng raises IndexError
		{"$.list[10]", `[]`},
		{"$['a b']", `[1]`},
		{`$["a b"]`, `[1]`},
		{"$.'a b'", `[1]`},
		{"$.0", `['zero']`},
		{"$..book[1].title", `['B']`},
		{"$..tags[*]", `['x', 'y']`},
		{"$.store..color", `['red']`},
		{"$.store.bicycle[*]", `[{'color': 'red', 'price': 19}]`},
		{"$.store.bicycle.color[0]", `['r']`},
		{"store.bicycle.color", `['red']`},
		{"$.store['bicycle','book'][0]", `[{'title': 'A', 'price': 8, 'tags': ['x', 'y']}]`}, // jsonpath-ng raises KeyError
		{"$.store.book[0].tags.1", `['y']`},                                                  // extension: jsonpath-ng finds nothing
		{"$.list.*", `[]`},
		{"$.nothing.deeper", `[]`},
		{" $ . store . bicycle . color ", `['red']`},
		{"$..*", `[{'book': [{'title': 'A', 'price': 8, 'tags': ['x', 'y']}, {'title': 'B', 'price': 12}], 'bicycle': {'color': 'red', 'price': 19}}, 1, 'zero', [1, 2, 3, 4, 5], [{'title': 'A', 'price': 8, 'tags': ['x', 'y']}, {'title': 'B', 'price': 12}], {'color': 'red', 'price': 19}, 'A', 8, ['x', 'y'], 'B', 12, 'red', 19]`},
	}
	for _, c := range cases {
		p, err := Parse(c.path)
		if err != nil {
			t.Errorf("parseJSONPath(%q) error %v", c.path, err)
			continue
		}
		if got := pyval.Repr(p.Find(data)); got != c.want {
			t.Errorf("find(%q) = %s, want %s", c.path, got, c.want)
		}
	}
	// Slices and [*] treat a scalar as a one-item list; null gives nothing.
	for _, c := range []struct{ doc, path, want string }{
		{`5`, "$[*]", `[5]`},
		{`null`, "$[*]", `[]`},
		{`"abc"`, "$[0:1]", `['abc']`},
		{`[]`, "$[0]", `[]`},
		{`{}`, "$.*", `[]`},
	} {
		p, err := Parse(c.path)
		if err != nil {
			t.Errorf("parseJSONPath(%q) error %v", c.path, err)
			continue
		}
		if got := pyval.Repr(p.Find(mustJSON(t, c.doc))); got != c.want {
			t.Errorf("find(%s, %q) = %s, want %s", c.doc, c.path, got, c.want)
		}
	}
}

func TestJSONPathErrors(t *testing.T) {
	cases := []struct{ path, want string }{
		{"", "the path is empty"},
		{"$.", "unexpected end of the path"},
		{"$[", "unexpected end of the path"},
		{"$[0", "missing ]"},
		{"$['a'", "missing ]"},
		{"$['a", "unterminated quoted key"},
		{"$[?(@.price < 10)]", "filter expressions [?(...)] are not supported"},
		{"$.a | $.b", "the | (union of paths) operator is not supported"},
		{"$.a & $.b", "the & (intersection) operator is not supported"},
		{"$.a.`parent`", "named operators such as `this` and `parent` are not supported"},
		{"($.a)", "parentheses are not supported"},
		{"$[1:2:0]", "slice step cannot be zero"},
		{"$[1:2:3:4]", "at most three parts"},
		{"$[0,'a']", "a bracket cannot mix keys, indexes and slices"},
		{"$['a',0]", "a bracket cannot mix keys, indexes and slices"},
		{"$[0,1:2]", "a bracket cannot mix keys, indexes and slices"},
		{"$a", "unexpected 'a' at position 1"},
		{"$.a b", "unexpected 'b'"},
		{"$[99999999999999999999]", "out of range"},
	}
	for _, c := range cases {
		_, err := Parse(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseJSONPath(%q) error = %v, want it to contain %q", c.path, err, c.want)
		}
	}
}

func TestLookupPathDotted(t *testing.T) {
	data := mustJSON(t, `{"a":{"b":{"c":1}},"l":[10,{"x":"y"}],"k.dot":2,"n":null,"":"empty"}`)
	cases := []struct {
		path  string
		want  string
		found bool
	}{
		{"a.b.c", `1`, true},
		{"a.b", `{'c': 1}`, true},
		{"l.0", `10`, true},
		{"l.1.x", `'y'`, true},
		{"l.2", `None`, false},
		{"l.-1", `None`, false},
		{"l.x", `None`, false},
		{"k.dot", `None`, false},
		{"n", `None`, false},
		{"n.x", `None`, false},
		{"", `'empty'`, true},
		{"$['k.dot']", `2`, true},
		{"$.l[-1].x", `'y'`, true},
	}
	for _, c := range cases {
		v, found, err := Lookup(pyval.Unlimited, data, c.path)
		if err != nil || found != c.found || pyval.Repr(v) != c.want {
			t.Errorf("lookupPath(%q) = %s, %v, %v; want %s, %v", c.path, pyval.Repr(v), found, err, c.want, c.found)
		}
	}
}

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := pyval.Decode([]byte(s))
	if err != nil {
		t.Fatalf("bad JSON literal %q: %v", s, err)
	}
	return v
}
