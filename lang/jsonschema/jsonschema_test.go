package jsonschema

import (
	"fmt"
	"strings"
	"testing"

	"nodetool/lang/pyval"
)

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := pyval.Decode([]byte(s))
	if err != nil {
		t.Fatalf("bad JSON literal %q: %v", s, err)
	}
	return v
}

func TestValidateMatchesPython(t *testing.T) {
	// Expected results come from Python's jsonschema 4.x (Draft 2020-12).
	cases := []struct {
		data, schema string
		want         bool
	}{
		{`{"a": 1}`, `{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}`, true},
		{`{"a": "x"}`, `{"type": "object", "properties": {"a": {"type": "integer"}}}`, false},
		{`{}`, `{"required": ["a"]}`, false},
		{`5`, `{"type": ["string", "null"]}`, false},
		{`null`, `{"type": ["string", "null"]}`, true},
		{`1.0`, `{"type": "integer"}`, true},
		{`true`, `{"type": "integer"}`, false},
		{`true`, `{"type": "boolean"}`, true},
		{`1`, `{"type": "number"}`, true},
		{`3`, `{"minimum": 3, "exclusiveMaximum": 5}`, true},
		{`5`, `{"minimum": 3, "exclusiveMaximum": 5}`, false},
		{`2.5`, `{"exclusiveMinimum": 2.5}`, false},
		{`10`, `{"multipleOf": 5}`, true},
		{`0.3`, `{"multipleOf": 0.1}`, false},
		{`7.5`, `{"multipleOf": 2.5}`, true},
		{`7.0`, `{"multipleOf": 2}`, false},
		{`"héllo"`, `{"minLength": 5, "maxLength": 5}`, true},
		{`"abc"`, `{"pattern": "^a"}`, true},
		{`"xabc"`, `{"pattern": "b"}`, true},
		{`"xyz"`, `{"pattern": "^a"}`, false},
		{`[1, 2, 3]`, `{"items": {"type": "integer"}, "minItems": 2, "maxItems": 3}`, true},
		{`[1, "a"]`, `{"items": {"type": "integer"}}`, false},
		{`[1, "a"]`, `{"prefixItems": [{"type": "integer"}], "items": {"type": "string"}}`, true},
		{`[1, 1]`, `{"uniqueItems": true}`, false},
		{`[1, true]`, `{"uniqueItems": true}`, true},
		{`[{"a": 1}, {"a": 1.0}]`, `{"uniqueItems": true}`, false},
		{`[1, "x"]`, `{"contains": {"type": "string"}}`, true},
		{`[1, 2]`, `{"contains": {"type": "string"}}`, false},
		{`[1, "x", "y"]`, `{"contains": {"type": "string"}, "maxContains": 1}`, false},
		{`{"a": 1, "b": 2}`, `{"properties": {"a": {}}, "additionalProperties": false}`, false},
		{`{"a": 1, "x1": 2}`, `{"properties": {"a": {}}, "patternProperties": {"^x": {"type": "integer"}}, "additionalProperties": false}`, true},
		{`{"a": 1}`, `{"minProperties": 2}`, false},
		{`{"ab": 1}`, `{"propertyNames": {"maxLength": 1}}`, false},
		{`{"a": 1}`, `{"dependentRequired": {"a": ["b"]}}`, false},
		{`{"a": 1, "b": 2}`, `{"dependentSchemas": {"a": {"required": ["c"]}}}`, false},
		{`"red"`, `{"enum": ["red", "green"]}`, true},
		{`1`, `{"enum": [true]}`, false},
		{`{"x": [1]}`, `{"const": {"x": [1.0]}}`, true},
		{`5`, `{"allOf": [{"type": "integer"}, {"minimum": 6}]}`, false},
		{`5`, `{"anyOf": [{"type": "string"}, {"minimum": 1}]}`, true},
		{`5`, `{"oneOf": [{"type": "integer"}, {"minimum": 1}]}`, false},
		{`5`, `{"not": {"type": "integer"}}`, false},
		{`5`, `{"if": {"type": "integer"}, "then": {"minimum": 10}, "else": {"type": "string"}}`, false},
		{`"x"`, `{"if": {"type": "integer"}, "then": {"minimum": 10}, "else": {"type": "string"}}`, true},
		{`5`, `{"$ref": "#/$defs/s", "$defs": {"s": {"type": "string"}}}`, false},
		{`"x"`, `{"$ref": "#/definitions/s", "definitions": {"s": {"type": "string"}}}`, true},
		{`{"a": {"a": {"a": 1}}}`, `{"$ref": "#/$defs/n", "$defs": {"n": {"type": "object", "additionalProperties": {"anyOf": [{"$ref": "#/$defs/n"}, {"type": "integer"}]}}}}`, true},
		{`{"a": 1, "b": 2}`, `{"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": false}`, false},
		{`{"a": 1}`, `{"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": false}`, true},
		{`[1, 2, "x"]`, `{"prefixItems": [{}, {}], "unevaluatedItems": false}`, false},
		{`[1, 2]`, `{"prefixItems": [{}, {}], "unevaluatedItems": false}`, true},
		{`1`, `true`, true},
		{`1`, `false`, false},
		{`"anything"`, `{}`, true},
		{`"not-an-email"`, `{"format": "email"}`, true},
		{`{"a": 1}`, `{"properties": {"a": false}}`, false},
	}
	for _, c := range cases {
		got, err := Validate(pyval.Unlimited, mustJSON(t, c.data), mustJSON(t, c.schema))
		if err != nil {
			t.Errorf("validate(%s, %s) error %v", c.data, c.schema, err)
			continue
		}
		if got != c.want {
			t.Errorf("validate(%s, %s) = %v, want %v", c.data, c.schema, got, c.want)
		}
	}
}

// doublingSchema is a schema of levels definitions, each an anyOf (or
// allOf, oneOf) of two $refs to the next, the last one "type": "integer":
// validating without memoization takes 2^levels steps.
func doublingSchema(levels int, keyword string) string {
	var defs []string
	for i := range levels {
		defs = append(defs, fmt.Sprintf(`"l%d": {%q: [{"$ref": "#/$defs/l%d"}, {"$ref": "#/$defs/l%d"}]}`, i, keyword, i+1, i+1))
	}
	defs = append(defs, fmt.Sprintf(`"l%d": {"type": "integer"}`, levels))
	return `{"$ref": "#/$defs/l0", "$defs": {` + strings.Join(defs, ", ") + `}}`
}

// Validation is polynomial: the 22- and 40-level doubling schemas of the
// report (11.9 s and "never" before) take a few steps per level.
func TestDoublingSchemasTakeFewSteps(t *testing.T) {
	for _, levels := range []int{22, 40} {
		for _, keyword := range []string{"anyOf", "allOf", "oneOf"} {
			for _, data := range []string{`1`, `"x"`, `{"a": [1, 2]}`} {
				v := newSchemaValidator(pyval.Unlimited, mustJSON(t, doublingSchema(levels, keyword)))
				if err := v.check(v.root, "#", 0); err != nil {
					t.Fatal(err)
				}
				res, err := v.eval(mustJSON(t, data), v.root, 0, true)
				if err != nil {
					t.Fatalf("%d levels of %s: %v", levels, keyword, err)
				}
				want := data == `1` && keyword != "oneOf" // oneOf: both branches pass
				if res.ok != want {
					t.Errorf("%d levels of %s on %s = %v, want %v", levels, keyword, data, res.ok, want)
				}
				if v.steps > int64(4*levels+4) {
					t.Errorf("%d levels of %s on %s took %d steps, want at most %d", levels, keyword, data, v.steps, 4*levels+4)
				}
			}
		}
	}
}

// A self-referencing schema fails on its depth bound; a schema that nests
// too deeply is refused.
func TestReferenceCyclesAndNesting(t *testing.T) {
	for _, schema := range []string{`{"$ref": "#"}`, `{"anyOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"allOf": [{"$ref": "#"}]}}}`} {
		if _, err := Validate(pyval.Unlimited, int64(1), mustJSON(t, schema)); err == nil || !strings.Contains(err.Error(), "a reference cycle") {
			t.Errorf("validate(%s) error %v, want the depth bound", schema, err)
		}
	}
	deep := any(pyval.DictOf("type", "integer"))
	for range maxSchemaNesting + 1 {
		deep = pyval.DictOf("not", deep)
	}
	if _, err := Validate(pyval.Unlimited, int64(1), deep); err == nil || !strings.Contains(err.Error(), "nest deeper than") {
		t.Errorf("validate(%d nested nots) error %v, want the nesting bound", maxSchemaNesting+1, err)
	}
}
