package engine

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"nodetool/lang/pyval"
)

// Prop is one input property of a node type.
type Prop struct {
	Name        string
	Type        TypeMeta
	Default     any
	Title       string
	Description string
	Min, Max    *float64
	// Required marks a property the metadata lists as required (a field
	// without a default in the original). Validation does not use it; see
	// NodeDef.RequiredInputs.
	Required bool
	// Extra is the metadata's json_schema_extra (UI hints).
	Extra any
}

// Output is one output slot of a node type.
type Output struct {
	Name   string
	Type   TypeMeta
	Stream bool
}

// ProcessFunc runs one batch of a buffered node: it reads the node's inputs
// and returns a value per output slot. A nil value is not emitted. A node must
// not modify the lists and dicts it reads from in: they may be shared with
// other consumers (use pyval.Clone first).
type ProcessFunc func(ctx *Ctx, in *Inputs) (map[string]any, error)

// GenFunc runs one batch of a streaming-output node, emitting items as they
// are produced. emit blocks while downstream is busy and fails once the run is
// cancelled.
type GenFunc func(ctx *Ctx, in *Inputs, emit Emit) error

// RunFunc drives a streaming-input node: it is called once and reads the
// node's inbox itself until every input stream ends.
type RunFunc func(ctx *Ctx, in *Inputs, inbox *Inbox, emit Emit) error

// Emit sends v on an output slot. Nil values are dropped. Only the
// goroutine that called the node's function calls it (a run may buffer
// deliveries without locks, see sequential.go).
type Emit func(slot string, v any) error

// Role tells the engine how a node takes part in a run beyond its function.
type Role int

const (
	RoleNode     Role = iota
	RoleInput         // workflow parameter source (nodetool.input.*Input)
	RoleOutput        // workflow result sink (nodetool.output.Output)
	RoleConstant      // constant: its completed node_update reports result {}
)

// NodeDef defines one node type. The same definition drives validation,
// execution and the node metadata served to clients.
type NodeDef struct {
	Type        string
	Title       string
	Description string
	Props       []Prop
	Outputs     []Output
	// BasicFields lists the properties the editor shows on the node; nil
	// means the first few properties.
	BasicFields []string
	Layout      string
	// ExposeAsTool marks nodes an agent may call as a tool.
	ExposeAsTool bool
	// StreamingOutput marks nodes that emit items as they produce them
	// (is_streaming_output in the metadata).
	StreamingOutput bool
	// Dynamic nodes accept any extra input handle (dynamic properties).
	Dynamic bool
	// DynamicOutputs nodes take their output slots from the node's
	// dynamic_outputs.
	DynamicOutputs bool
	// RequiredInputs must be connected by an edge.
	RequiredInputs []string
	Role           Role
	// RequiredSettings names settings (API keys) the node needs.
	RequiredSettings []string
	// Check, if set, validates a node's configured property values when a
	// workflow is compiled (an LLM node checks that its model resolves to a
	// configured provider); its error is a problem of the workflow, shown
	// with the node's label. wired reports the properties an edge feeds,
	// whose values are not known until the run.
	Check func(props map[string]any, wired func(prop string) bool) error

	// Exactly one of Process, Gen and Run is set.
	Process ProcessFunc
	Gen     GenFunc
	Run     RunFunc

	props map[string]*Prop
}

// Namespace is the node type without its class name.
func (d *NodeDef) Namespace() string {
	i := strings.LastIndexByte(d.Type, '.')
	if i < 0 {
		return ""
	}
	return d.Type[:i]
}

// Prop returns the named property.
func (d *NodeDef) Prop(name string) (*Prop, bool) {
	p, ok := d.props[name]
	return p, ok
}

// Output returns the named class output slot.
func (d *NodeDef) Output(name string) (*Output, bool) {
	for i := range d.Outputs {
		if d.Outputs[i].Name == name {
			return &d.Outputs[i], true
		}
	}
	return nil, false
}

// Registry holds the node types the engine can run. NewRegistry returns an
// empty one; the node library (package nodes) fills it.
type Registry struct {
	defs map[string]*NodeDef
	// missing says, by node type prefix, why types the registry lacks are
	// not built in (see Explain).
	missing []missingNote
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{defs: map[string]*NodeDef{}}
}

// Add registers a node type. It panics on an invalid definition: definitions
// are code, and a broken one is a programming error caught by tests.
func (r *Registry) Add(d *NodeDef) {
	if err := r.check(d); err != nil {
		panic(err)
	}
	d.props = make(map[string]*Prop, len(d.Props))
	for i := range d.Props {
		p := &d.Props[i]
		if p.Title == "" {
			p.Title = titleFromName(p.Name)
		}
		if p.Type.TypeName != "" && !strings.Contains(p.Type.TypeName, ".") {
			p.Type.TypeName = "nodetool.nodes." + d.Type + "." + p.Type.TypeName
		}
		if p.Default != nil {
			if v, err := Coerce(p.Default, p.Type); err == nil {
				p.Default = v
			}
		}
		d.props[p.Name] = p
	}
	if d.Title == "" {
		d.Title = titleFromType(d.Type)
	}
	r.defs[d.Type] = d
}

func (r *Registry) check(d *NodeDef) error {
	n := 0
	for _, f := range []bool{d.Process != nil, d.Gen != nil, d.Run != nil} {
		if f {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("node %s: exactly one of Process, Gen, Run must be set", d.Type)
	}
	if _, dup := r.defs[d.Type]; dup {
		return fmt.Errorf("node %s registered twice", d.Type)
	}
	seen := map[string]bool{}
	for _, p := range d.Props {
		if seen[p.Name] {
			return fmt.Errorf("node %s: property %s declared twice", d.Type, p.Name)
		}
		seen[p.Name] = true
		if p.Default != nil {
			// NodeTool declares some media inputs with default "" (an
			// empty reference); the metadata keeps it.
			emptyRef := p.Default == "" && assetTypes[p.Type.Type]
			if _, err := Coerce(p.Default, p.Type); err != nil && !EmptyValue(p.Default) && !emptyRef {
				return fmt.Errorf("node %s: default of %s: %v", d.Type, p.Name, err)
			}
		}
	}
	return nil
}

// Lookup returns the definition of a node type.
func (r *Registry) Lookup(nodeType string) (*NodeDef, bool) {
	d, ok := r.defs[nodeType]
	return d, ok
}

// Types returns every registered node type, sorted.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.defs))
	for t := range r.defs {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Defs returns every definition, sorted by type.
func (r *Registry) Defs() []*NodeDef {
	out := make([]*NodeDef, 0, len(r.defs))
	for _, t := range r.Types() {
		out = append(out, r.defs[t])
	}
	return out
}

// titleFromType derives a display title from a class name: "FormatText"
// becomes "Format Text".
func titleFromType(t string) string {
	name := t[strings.LastIndexByte(t, '.')+1:]
	return splitCamel(name)
}

func splitCamel(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) {
			prevLower := unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || (unicode.IsUpper(rs[i-1]) && nextLower) {
				b.WriteByte(' ')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// titleFromName derives a property title: "max_tokens" becomes "Max Tokens".
func titleFromName(n string) string {
	parts := strings.Split(n, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, " ")
}

// P declares a property from the compact type notation of ParseType and a
// JSON default, e.g. P("values", "list[any]", `[]`, "The list to sum.").
func P(name, typ, defaultJSON, description string) Prop {
	var def any
	if defaultJSON != "" {
		v, err := pyval.Decode([]byte(defaultJSON))
		if err != nil {
			panic(fmt.Sprintf("property %s: default %q: %v", name, defaultJSON, err))
		}
		def = v
	}
	return Prop{Name: name, Type: MustType(typ), Default: def, Description: description}
}

// Range sets the property's min and max (UI hints).
func (p Prop) Range(min, max float64) Prop {
	p.Min, p.Max = &min, &max
	return p
}

// Enum sets the enum type name reported in metadata. A name without a dot is
// taken as nested in the node's module.
func (p Prop) Enum(typeName string) Prop {
	p.Type.TypeName = typeName
	return p
}

// Titled overrides the derived title.
func (p Prop) Titled(title string) Prop {
	p.Title = title
	return p
}

// Out declares output slots from name, type pairs: Out("output", "str").
func Out(nameType ...string) []Output {
	if len(nameType)%2 != 0 {
		panic("engine.Out: odd argument count")
	}
	out := make([]Output, 0, len(nameType)/2)
	for i := 0; i < len(nameType); i += 2 {
		out = append(out, Output{Name: nameType[i], Type: MustType(nameType[i+1])})
	}
	return out
}

// Single wraps a value for a node's only slot, "output".
func Single(v any) map[string]any { return map[string]any{"output": v} }
