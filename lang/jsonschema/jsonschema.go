// Package jsonschema validates values against JSON Schema (draft 2020-12 and
// the drafts before it, as Python's jsonschema does), in time polynomial in
// the schema and the value: the result of each (subschema, value) pair is
// computed once, $ref chains and nesting are bounded, and every step ticks
// the caller's pyval.Budget.
package jsonschema

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"nodetool/lang/pyre"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// A JSON Schema validator for lib.json.ValidateJSON, following the Draft
// 2020-12 rules Python's jsonschema applies by default (format is not
// asserted). Supported keywords: type, enum, const; multipleOf, minimum,
// maximum, exclusiveMinimum, exclusiveMaximum; minLength, maxLength,
// pattern; items, prefixItems, contains, minContains, maxContains,
// minItems, maxItems, uniqueItems, unevaluatedItems; properties,
// patternProperties, additionalProperties, required, minProperties,
// maxProperties, propertyNames, dependentRequired, dependentSchemas,
// unevaluatedProperties; allOf, anyOf, oneOf, not, if/then/else; $ref to
// the same document ("#", "#/$defs/name", "#/definitions/name" and other
// JSON pointers). Unknown keywords are ignored. A malformed schema is an
// error (like jsonschema's SchemaError); remote references, $dynamicRef and
// $recursiveRef are refused.

// schemaError is a problem with the schema itself.
type schemaError struct{ msg string }

func (e *schemaError) Error() string { return "invalid JSON schema: " + e.msg }

func schemaErrf(format string, a ...any) error {
	return &schemaError{msg: fmt.Sprintf(format, a...)}
}

// validateJSONSchema reports whether data is valid under schema. ctx (nil
// in tests) is polled on every step and sizes the validator's memo.
//
// The work is polynomial: the result of validating one instance node (by
// identity) against one subschema reached through $ref or an applicator
// (allOf, anyOf, oneOf, not, if/then/else, dependentSchemas), or against
// any subschema when the instance is a list or dict, is computed once and
// remembered. A schema whose anyOf/$ref alternatives double at every level
// therefore costs a step per level, not 2^levels, and an instance that
// holds one dict many times costs a step per distinct dict. The memo is
// bounded by the max-value budget (it starts over when full), and every
// step polls ctx, so what is left is bounded by the node-timeout budget.
func Validate(ctx pyval.Budget, data, schema any) (bool, error) {
	v := newSchemaValidator(ctx, schema)
	if err := v.check(schema, "#", 0); err != nil {
		return false, err
	}
	if err := v.findAnnotationKeywords(); err != nil {
		return false, err
	}
	res, err := v.eval(data, schema, 0, true)
	if err != nil {
		return false, err
	}
	return res.ok, nil
}

type schemaValidator struct {
	ctx     pyval.Budget
	root    any
	regexes map[string]*pyre.Regex
	checked map[*pyval.Dict]bool // subschemas check has accepted
	refs    map[string]any       // resolved $refs
	// annotate is set when the schema uses unevaluatedProperties or
	// unevaluatedItems, the only keywords that read annotations.
	annotate bool

	memo      map[schemaMemoKey]evalResult
	memoCost  int64 // estimated bytes the memo holds
	memoLimit int64
	steps     int64 // validation steps taken, for tests
}

func newSchemaValidator(ctx pyval.Budget, schema any) *schemaValidator {
	limit := ctx.MaxValue()
	return &schemaValidator{ctx: ctx, root: schema, regexes: map[string]*pyre.Regex{}, checked: map[*pyval.Dict]bool{},
		refs: map[string]any{}, memo: map[schemaMemoKey]evalResult{}, memoLimit: limit}
}

// schemaMemoKey is one subschema and one instance node: lists and dicts
// (and strings) by identity, other scalars by value.
type schemaMemoKey struct {
	schema *pyval.Dict
	inst   any
}

type stringKey struct {
	p *byte
	n int
}

// instanceKey identifies an instance node for the memo.
func instanceKey(inst any) any {
	if k, ok := pyval.KeyOf(inst); ok {
		return k
	}
	if s, ok := inst.(string); ok {
		return stringKey{unsafe.StringData(s), len(s)}
	}
	return inst
}

// Estimated bytes of a memo entry and of one annotated property in it.
const (
	schemaMemoEntry = 128
	schemaMemoProp  = 64
)

// maxSchemaNesting bounds how deeply subschemas nest, as JSON text nests.
const maxSchemaNesting = pyval.MaxDepth

// eval validates inst against s, through the memo when memoize is set.
func (v *schemaValidator) eval(inst, s any, depth int, memoize bool) (evalResult, error) {
	d, isDict := s.(*pyval.Dict)
	if !memoize || !isDict {
		return v.validate(inst, s, depth)
	}
	key := schemaMemoKey{d, instanceKey(inst)}
	if r, ok := v.memo[key]; ok {
		return r, nil
	}
	r, err := v.validate(inst, s, depth)
	if err != nil {
		return r, err
	}
	cost := schemaMemoEntry + schemaMemoProp*int64(len(r.props))
	if v.memoCost+cost > v.memoLimit {
		v.memo, v.memoCost = map[schemaMemoKey]evalResult{}, 0
	}
	if cost <= v.memoLimit {
		v.memo[key] = r
		v.memoCost += cost
	}
	return r, nil
}

// findAnnotationKeywords sets annotate when unevaluatedProperties or
// unevaluatedItems appears anywhere in the schema document (a $ref may
// reach a subschema outside the schema keywords).
func (v *schemaValidator) findAnnotationKeywords() error {
	seen := map[pyval.ContainerKey]bool{}
	var walk func(x any) error
	walk = func(x any) error {
		k, ok := pyval.KeyOf(x)
		if !ok || seen[k] || v.annotate {
			return nil
		}
		seen[k] = true
		if err := v.ctx.Tick(); err != nil {
			return err
		}
		switch t := x.(type) {
		case []any:
			for _, e := range t {
				if err := walk(e); err != nil {
					return err
				}
			}
		case *pyval.Dict:
			if t.Has("unevaluatedProperties") || t.Has("unevaluatedItems") {
				v.annotate = true
				return nil
			}
			var err error
			t.Range(func(_ string, e any) bool { err = walk(e); return err == nil })
			return err
		}
		return nil
	}
	return walk(v.root)
}

// merge adds o's annotations to r, polling the node's context for each
// property copied.
func (v *schemaValidator) merge(r *evalResult, o evalResult) error {
	for k := range o.props {
		if err := v.ctx.Tick(); err != nil {
			return err
		}
		if r.props == nil {
			r.props = map[string]bool{}
		}
		r.props[k] = true
	}
	if o.items > r.items {
		r.items = o.items
	}
	r.all = r.all || o.all
	return nil
}

// evalResult is the outcome of validating one instance against one schema,
// with the annotations unevaluatedProperties and unevaluatedItems need.
type evalResult struct {
	ok    bool
	props map[string]bool // object properties evaluated
	items int             // array items evaluated from the start
	all   bool            // every array item evaluated
}

var schemaTypes = map[string]bool{"null": true, "boolean": true, "object": true, "array": true, "number": true, "integer": true, "string": true}

// Keywords whose value is a schema, an array of schemas or a dict of schemas.
var (
	schemaKeywords      = []string{"not", "if", "then", "else", "items", "contains", "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties"}
	schemaListKeywords  = []string{"allOf", "anyOf", "oneOf", "prefixItems"}
	schemaMapKeywords   = []string{"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"}
	countKeywords       = []string{"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains"}
	numberKeywords      = []string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
	unsupportedKeywords = []string{"$dynamicRef", "$recursiveRef"}
)

func isJSONInteger(v any) bool {
	switch t := v.(type) {
	case int64:
		return true
	case float64:
		return t == math.Trunc(t) && !math.IsInf(t, 0)
	}
	return false
}

func isJSONNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

// check validates the schema's own shape (the metaschema check), walking
// every subschema once (a subschema that appears in several places is
// checked where it is first met).
func (v *schemaValidator) check(s any, at string, depth int) error {
	if _, ok := s.(bool); ok {
		return nil
	}
	d, ok := s.(*pyval.Dict)
	if !ok {
		return schemaErrf("%s must be an object or a boolean, not %s", pystr.ClipCount(at, 200), pyval.TypeName(s))
	}
	if v.checked[d] {
		return nil
	}
	if depth > maxSchemaNesting {
		return schemaErrf("subschemas nest deeper than %d levels", maxSchemaNesting)
	}
	if err := v.ctx.Tick(); err != nil {
		return err
	}
	v.checked[d] = true
	at = pystr.ClipCount(at, 200)

	for _, k := range unsupportedKeywords {
		if d.Has(k) {
			return schemaErrf("%s: %s is not supported", at, k)
		}
	}
	if t, ok := d.Get("type"); ok {
		names := []any{t}
		if l, isList := t.([]any); isList {
			names = l
		}
		for _, n := range names {
			if s, isStr := n.(string); !isStr || !schemaTypes[s] {
				return schemaErrf("%s/type: %s is not a JSON Schema type (null, boolean, object, array, number, integer, string)", at, shortRepr(n))
			}
		}
	}
	if e, ok := d.Get("enum"); ok {
		if _, isList := e.([]any); !isList {
			return schemaErrf("%s/enum must be an array", at)
		}
	}
	if r, ok := d.Get("required"); ok {
		l, isList := r.([]any)
		if !isList {
			return schemaErrf("%s/required must be an array of strings", at)
		}
		for _, x := range l {
			if _, isStr := x.(string); !isStr {
				return schemaErrf("%s/required must be an array of strings", at)
			}
		}
	}
	if dr, ok := d.Get("dependentRequired"); ok {
		m, isMap := dr.(*pyval.Dict)
		if !isMap {
			return schemaErrf("%s/dependentRequired must be an object", at)
		}
		var bad error
		m.Range(func(k string, x any) bool {
			l, isList := x.([]any)
			if !isList {
				bad = schemaErrf("%s/dependentRequired/%s must be an array of strings", at, k)
				return false
			}
			for _, y := range l {
				if _, isStr := y.(string); !isStr {
					bad = schemaErrf("%s/dependentRequired/%s must be an array of strings", at, k)
					return false
				}
			}
			return true
		})
		if bad != nil {
			return bad
		}
	}
	for _, k := range countKeywords {
		if x, ok := d.Get(k); ok {
			if f, _ := pyval.AsNumber(x); !isJSONInteger(x) || f < 0 {
				return schemaErrf("%s/%s must be a non-negative integer, not %s", at, k, shortRepr(x))
			}
		}
	}
	for _, k := range numberKeywords {
		if x, ok := d.Get(k); ok {
			if !isJSONNumber(x) {
				return schemaErrf("%s/%s must be a number, not %s", at, k, shortRepr(x))
			}
			if f, _ := pyval.AsNumber(x); k == "multipleOf" && f <= 0 {
				return schemaErrf("%s/multipleOf must be greater than 0", at)
			}
		}
	}
	if p, ok := d.Get("pattern"); ok {
		ps, isStr := p.(string)
		if !isStr {
			return schemaErrf("%s/pattern must be a string", at)
		}
		if _, err := v.regex(ps); err != nil {
			return err
		}
	}
	if r, ok := d.Get("$ref"); ok {
		if _, isStr := r.(string); !isStr {
			return schemaErrf("%s/$ref must be a string", at)
		}
	}
	for _, k := range schemaKeywords {
		if x, ok := d.Get(k); ok {
			if k == "items" {
				if _, isList := x.([]any); isList {
					return schemaErrf("%s/items must be a schema (object or boolean); use prefixItems for a list of schemas", at)
				}
			}
			if err := v.check(x, at+"/"+k, depth+1); err != nil {
				return err
			}
		}
	}
	for _, k := range schemaListKeywords {
		if x, ok := d.Get(k); ok {
			l, isList := x.([]any)
			if !isList || len(l) == 0 {
				return schemaErrf("%s/%s must be a non-empty array of schemas", at, k)
			}
			for i, sub := range l {
				if err := v.check(sub, fmt.Sprintf("%s/%s/%d", at, k, i), depth+1); err != nil {
					return err
				}
			}
		}
	}
	for _, k := range schemaMapKeywords {
		if x, ok := d.Get(k); ok {
			m, isMap := x.(*pyval.Dict)
			if !isMap {
				return schemaErrf("%s/%s must be an object", at, k)
			}
			for _, name := range m.Keys() {
				if k == "patternProperties" {
					if _, err := v.regex(name); err != nil {
						return err
					}
				}
				sub, _ := m.Get(name)
				if err := v.check(sub, at+"/"+k+"/"+name, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (v *schemaValidator) regex(p string) (*pyre.Regex, error) {
	if re, ok := v.regexes[p]; ok {
		return re, nil
	}
	re, err := pyre.Compile(p, pyre.Flags{})
	if err != nil {
		return nil, &schemaError{msg: err.Error()}
	}
	v.regexes[p] = re
	return re, nil
}

// resolve follows a same-document $ref.
func (v *schemaValidator) resolve(ref string) (any, error) {
	if target, ok := v.refs[ref]; ok {
		return target, nil
	}
	shown := pystr.ClipCount(ref, 200)
	if !strings.HasPrefix(ref, "#") {
		return nil, schemaErrf("cannot resolve $ref %q: only references within the schema (starting with #) are supported", shown)
	}
	frag, err := url.PathUnescape(ref[1:])
	if err != nil {
		return nil, schemaErrf("bad $ref %q", shown)
	}
	cur := v.root
	if frag == "" {
		return cur, nil
	}
	if !strings.HasPrefix(frag, "/") {
		return nil, schemaErrf("cannot resolve $ref %q: anchors are not supported, use a JSON pointer such as #/$defs/name", shown)
	}
	for _, tok := range strings.Split(frag[1:], "/") {
		if err := v.ctx.Tick(); err != nil {
			return nil, err
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch t := cur.(type) {
		case *pyval.Dict:
			x, ok := t.Get(tok)
			if !ok {
				return nil, schemaErrf("cannot resolve $ref %q: %q not found", shown, pystr.ClipCount(tok, 200))
			}
			cur = x
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil, schemaErrf("cannot resolve $ref %q: %q not found", shown, pystr.ClipCount(tok, 200))
			}
			cur = t[i]
		default:
			return nil, schemaErrf("cannot resolve $ref %q", shown)
		}
	}
	if err := v.check(cur, shown, 0); err != nil {
		return nil, err
	}
	v.refs[ref] = cur
	return cur, nil
}

// jsonType reports whether instance has the JSON Schema type name.
func jsonType(inst any, name string) bool {
	switch name {
	case "null":
		return inst == nil
	case "boolean":
		_, ok := inst.(bool)
		return ok
	case "object":
		_, ok := inst.(*pyval.Dict)
		return ok
	case "array":
		_, ok := inst.([]any)
		return ok
	case "number":
		return isJSONNumber(inst)
	case "integer":
		return isJSONInteger(inst)
	case "string":
		_, ok := inst.(string)
		return ok
	}
	return false
}

// numCmp compares two JSON numbers.
func numCmp(a, b any) int {
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok {
			return schemaCmp(x, y)
		}
	}
	x, _ := pyval.AsNumber(a)
	y, _ := pyval.AsNumber(b)
	return schemaCmp(x, y)
}

func schemaCmp[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

const maxSchemaDepth = 200

func (v *schemaValidator) validate(inst, s any, depth int) (evalResult, error) {
	if depth > maxSchemaDepth {
		return evalResult{}, schemaErrf("$ref nesting deeper than %d levels (a reference cycle?)", maxSchemaDepth)
	}
	v.steps++
	if err := v.ctx.Tick(); err != nil {
		return evalResult{}, err
	}
	if b, ok := s.(bool); ok {
		return evalResult{ok: b}, nil
	}
	p := &schemaPass{v: v, inst: inst, d: s.(*pyval.Dict), depth: depth, res: evalResult{ok: true}}
	for _, step := range []func() error{p.ref, p.assertions, p.structure, p.applicators, p.unevaluated} {
		if err := step(); err != nil {
			return p.res, err
		}
	}
	if !p.res.ok {
		// Failed schemas produce no annotations.
		return evalResult{}, nil
	}
	return p.res, nil
}

// schemaPass is the validation of one instance node against one subschema.
type schemaPass struct {
	v     *schemaValidator
	inst  any
	d     *pyval.Dict
	depth int
	res   evalResult
}

func (p *schemaPass) fail() { p.res.ok = false }

// sub validates a part of the instance (an item, a property): through the
// memo when it is a list or dict.
func (p *schemaPass) sub(x, schema any) (evalResult, error) {
	_, container := pyval.KeyOf(x)
	return p.v.eval(x, schema, p.depth+1, container)
}

// app validates the instance itself against another subschema, always
// through the memo.
func (p *schemaPass) app(x, schema any) (evalResult, error) {
	return p.v.eval(x, schema, p.depth+1, true)
}

// ref applies $ref.
func (p *schemaPass) ref() error {
	if r, ok := p.d.Get("$ref"); ok {
		target, err := p.v.resolve(r.(string))
		if err != nil {
			return err
		}
		rr, err := p.app(p.inst, target)
		if err != nil {
			return err
		}
		if !rr.ok {
			p.fail()
		}
		if err := p.v.merge(&p.res, rr); err != nil {
			return err
		}
	}
	return nil
}

// assertions applies the keywords that test the value itself: type, enum,
// const, and those of numbers and strings.
func (p *schemaPass) assertions() error {
	if t, ok := p.d.Get("type"); ok {
		names := []any{t}
		if l, isList := t.([]any); isList {
			names = l
		}
		match := false
		for _, n := range names {
			if jsonType(p.inst, n.(string)) {
				match = true
			}
		}
		if !match {
			p.fail()
		}
	}
	if e, ok := p.d.Get("enum"); ok {
		found := false
		for _, x := range e.([]any) {
			eq, err := pyval.JSONEqualWithin(p.v.ctx, p.inst, x)
			if err != nil {
				return err
			}
			if eq {
				found = true
				break
			}
		}
		if !found {
			p.fail()
		}
	}
	if c, ok := p.d.Get("const"); ok {
		eq, err := pyval.JSONEqualWithin(p.v.ctx, p.inst, c)
		if err != nil {
			return err
		}
		if !eq {
			p.fail()
		}
	}
	if isJSONNumber(p.inst) {
		if x, ok := p.d.Get("minimum"); ok && numCmp(p.inst, x) < 0 {
			p.fail()
		}
		if x, ok := p.d.Get("maximum"); ok && numCmp(p.inst, x) > 0 {
			p.fail()
		}
		if x, ok := p.d.Get("exclusiveMinimum"); ok && numCmp(p.inst, x) <= 0 {
			p.fail()
		}
		if x, ok := p.d.Get("exclusiveMaximum"); ok && numCmp(p.inst, x) >= 0 {
			p.fail()
		}
		if x, ok := p.d.Get("multipleOf"); ok && !multipleOf(p.inst, x) {
			p.fail()
		}
	}
	if str, ok := p.inst.(string); ok && (p.d.Has("minLength") || p.d.Has("maxLength") || p.d.Has("pattern")) {
		if err := p.v.checkBeforeSearch(str); err != nil {
			return err
		}
		n := int64(utf8.RuneCountInString(str))
		if x, ok := p.d.Get("minLength"); ok && float64(n) < schemaNumber(x) {
			p.fail()
		}
		if x, ok := p.d.Get("maxLength"); ok && float64(n) > schemaNumber(x) {
			p.fail()
		}
		if x, ok := p.d.Get("pattern"); ok {
			re, err := p.v.regex(x.(string))
			if err != nil {
				return err
			}
			if err := p.v.checkBeforeSearch(str); err != nil {
				return err
			}
			if re.Search(str) == nil {
				p.fail()
			}
		}
	}
	return nil
}

// structure applies the keywords of arrays and objects.
func (p *schemaPass) structure() error {
	if arr, ok := p.inst.([]any); ok {
		if err := p.v.validateArray(arr, p.d, &p.res, p.sub, p.app); err != nil {
			return err
		}
	}
	if obj, ok := p.inst.(*pyval.Dict); ok {
		if err := p.v.validateObject(obj, p.d, &p.res, p.sub, p.app); err != nil {
			return err
		}
	}
	return nil
}

// applicators applies allOf, anyOf, oneOf, not and if/then/else: the
// annotations of passing subschemas count as evaluated.
func (p *schemaPass) applicators() error {
	// Applicators: annotations of passing subschemas count as evaluated.
	if l, ok := p.d.Get("allOf"); ok {
		for _, schema := range l.([]any) {
			r, err := p.app(p.inst, schema)
			if err != nil {
				return err
			}
			if !r.ok {
				p.fail()
			}
			if err := p.v.merge(&p.res, r); err != nil {
				return err
			}
		}
	}
	if l, ok := p.d.Get("anyOf"); ok {
		passed := false
		for _, schema := range l.([]any) {
			r, err := p.app(p.inst, schema)
			if err != nil {
				return err
			}
			if r.ok {
				passed = true
				if err := p.v.merge(&p.res, r); err != nil {
					return err
				}
			}
		}
		if !passed {
			p.fail()
		}
	}
	if l, ok := p.d.Get("oneOf"); ok {
		n := 0
		for _, schema := range l.([]any) {
			r, err := p.app(p.inst, schema)
			if err != nil {
				return err
			}
			if r.ok {
				n++
				if err := p.v.merge(&p.res, r); err != nil {
					return err
				}
			}
		}
		if n != 1 {
			p.fail()
		}
	}
	if x, ok := p.d.Get("not"); ok {
		r, err := p.app(p.inst, x)
		if err != nil {
			return err
		}
		if r.ok {
			p.fail()
		}
	}
	if x, ok := p.d.Get("if"); ok {
		r, err := p.app(p.inst, x)
		if err != nil {
			return err
		}
		branch := "else"
		if r.ok {
			branch = "then"
			if err := p.v.merge(&p.res, r); err != nil {
				return err
			}
		}
		if y, ok := p.d.Get(branch); ok {
			br, err := p.app(p.inst, y)
			if err != nil {
				return err
			}
			if !br.ok {
				p.fail()
			}
			if err := p.v.merge(&p.res, br); err != nil {
				return err
			}
		}
	}
	return nil
}

// unevaluated applies unevaluatedItems and unevaluatedProperties, which
// look at everything evaluated before them.
func (p *schemaPass) unevaluated() error {
	// unevaluated* look at everything evaluated above.
	if arr, ok := p.inst.([]any); ok {
		if x, ok := p.d.Get("unevaluatedItems"); ok && !p.res.all {
			for _, item := range arr[min(p.res.items, len(arr)):] {
				r, err := p.sub(item, x)
				if err != nil {
					return err
				}
				if !r.ok {
					p.fail()
				}
			}
			p.res.all = true
		}
	}
	if obj, ok := p.inst.(*pyval.Dict); ok {
		if x, ok := p.d.Get("unevaluatedProperties"); ok {
			for _, k := range obj.Keys() {
				if p.res.props[k] {
					continue
				}
				val, _ := obj.Get(k)
				r, err := p.sub(val, x)
				if err != nil {
					return err
				}
				if !r.ok {
					p.fail()
				}
				if p.res.props == nil {
					p.res.props = map[string]bool{}
				}
				p.res.props[k] = true
			}
		}
	}
	return nil
}

func schemaNumber(x any) float64 {
	f, _ := pyval.AsNumber(x)
	return f
}

// multipleOf follows jsonschema: a float divisor divides and checks the
// quotient is integral (so 0.3 is not a multiple of 0.1, as in Python); an
// int divisor uses the remainder.
func multipleOf(inst, div any) bool {
	x := schemaNumber(inst)
	if dv, ok := div.(float64); ok {
		q := x / dv
		if math.IsInf(q, 0) || math.IsNaN(q) {
			return false
		}
		return q == math.Trunc(q)
	}
	dvi := div.(int64)
	if xi, ok := inst.(int64); ok {
		return xi%dvi == 0
	}
	return math.Mod(x, float64(dvi)) == 0
}

type subValidate func(x, schema any) (evalResult, error)

// checkBeforeSearch polls the node's context before a step that reads a
// long text (a regular expression, a length), which costs more than most.
func (v *schemaValidator) checkBeforeSearch(s string) error {
	if len(s) > 1<<12 {
		return v.ctx.Check()
	}
	return nil
}

func (v *schemaValidator) validateArray(arr []any, d *pyval.Dict, res *evalResult, sub, app subValidate) error {
	fail := func() { res.ok = false }
	n := float64(len(arr))
	if x, ok := d.Get("minItems"); ok && n < schemaNumber(x) {
		fail()
	}
	if x, ok := d.Get("maxItems"); ok && n > schemaNumber(x) {
		fail()
	}
	if x, ok := d.Get("uniqueItems"); ok && x == true {
		seen := pyval.NewSet(v.ctx, true)
		for _, item := range arr {
			added, err := seen.Add(item)
			if err != nil {
				return err
			}
			if !added {
				fail()
				break
			}
		}
	}
	prefix := 0
	if x, ok := d.Get("prefixItems"); ok {
		for i, schema := range x.([]any) {
			if i >= len(arr) {
				break
			}
			r, err := sub(arr[i], schema)
			if err != nil {
				return err
			}
			if !r.ok {
				fail()
			}
			prefix = i + 1
		}
		if prefix > res.items {
			res.items = prefix
		}
	}
	if x, ok := d.Get("items"); ok {
		for _, item := range arr[min(prefix, len(arr)):] {
			r, err := sub(item, x)
			if err != nil {
				return err
			}
			if !r.ok {
				fail()
			}
		}
		res.all = true
	}
	if x, ok := d.Get("contains"); ok {
		count := 0
		for _, item := range arr {
			r, err := sub(item, x)
			if err != nil {
				return err
			}
			if r.ok {
				count++
			}
		}
		minC := 1.0
		if m, ok := d.Get("minContains"); ok {
			minC = schemaNumber(m)
		}
		if float64(count) < minC {
			fail()
		}
		if m, ok := d.Get("maxContains"); ok && float64(count) > schemaNumber(m) {
			fail()
		}
		if count == len(arr) {
			res.all = true
		}
	}
	return nil
}

func (v *schemaValidator) validateObject(obj *pyval.Dict, d *pyval.Dict, res *evalResult, sub, app subValidate) error {
	fail := func() { res.ok = false }
	mark := func(k string) {
		if !v.annotate {
			return
		}
		if res.props == nil {
			res.props = map[string]bool{}
		}
		res.props[k] = true
	}
	n := float64(obj.Len())
	if x, ok := d.Get("minProperties"); ok && n < schemaNumber(x) {
		fail()
	}
	if x, ok := d.Get("maxProperties"); ok && n > schemaNumber(x) {
		fail()
	}
	if x, ok := d.Get("required"); ok {
		for _, k := range x.([]any) {
			if !obj.Has(k.(string)) {
				fail()
			}
		}
	}
	if x, ok := d.Get("dependentRequired"); ok {
		deps := x.(*pyval.Dict)
		for _, k := range deps.Keys() {
			if !obj.Has(k) {
				continue
			}
			req, _ := deps.Get(k)
			for _, r := range req.([]any) {
				if !obj.Has(r.(string)) {
					fail()
				}
			}
		}
	}
	if x, ok := d.Get("dependentSchemas"); ok {
		deps := x.(*pyval.Dict)
		for _, k := range deps.Keys() {
			if !obj.Has(k) {
				continue
			}
			schema, _ := deps.Get(k)
			r, err := app(obj, schema)
			if err != nil {
				return err
			}
			if !r.ok {
				fail()
			}
			if err := v.merge(res, r); err != nil {
				return err
			}
		}
	}
	matched := map[string]bool{}
	if x, ok := d.Get("properties"); ok {
		props := x.(*pyval.Dict)
		for _, k := range props.Keys() {
			val, ok := obj.Get(k)
			if !ok {
				continue
			}
			schema, _ := props.Get(k)
			r, err := sub(val, schema)
			if err != nil {
				return err
			}
			if !r.ok {
				fail()
			}
			matched[k] = true
			mark(k)
		}
	}
	if x, ok := d.Get("patternProperties"); ok {
		pats := x.(*pyval.Dict)
		for _, p := range pats.Keys() {
			re, err := v.regex(p)
			if err != nil {
				return err
			}
			schema, _ := pats.Get(p)
			for _, k := range obj.Keys() {
				if err := v.checkBeforeSearch(k); err != nil {
					return err
				}
				if re.Search(k) == nil {
					continue
				}
				val, _ := obj.Get(k)
				r, err := sub(val, schema)
				if err != nil {
					return err
				}
				if !r.ok {
					fail()
				}
				matched[k] = true
				mark(k)
			}
		}
	}
	if x, ok := d.Get("additionalProperties"); ok {
		for _, k := range obj.Keys() {
			if matched[k] {
				continue
			}
			val, _ := obj.Get(k)
			r, err := sub(val, x)
			if err != nil {
				return err
			}
			if !r.ok {
				fail()
			}
			mark(k)
		}
	}
	if x, ok := d.Get("propertyNames"); ok {
		keys := slices.Sorted(slices.Values(obj.Keys())) // a copy: the dict is shared
		for _, k := range keys {
			r, err := sub(k, x)
			if err != nil {
				return err
			}
			if !r.ok {
				fail()
			}
		}
	}
	return nil
}

// shortRepr names a value in a message: "a list", "a dict", or its repr
// cut to a readable length.
func shortRepr(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case *pyval.Dict:
		return "a dict"
	}
	return pystr.ClipCount(pyval.Repr(v), 200)
}
