package workflows

import (
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// Present returns the workflow as the APIs show it: a copy with the input
// and output schemas derived from its graph, and description and thumbnail
// never null.
func Present(w *engine.Workflow) *engine.Workflow {
	c := *w
	if c.Thumbnail == nil {
		empty := ""
		c.Thumbnail = &empty
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	if c.Graph.Nodes == nil {
		c.Graph.Nodes = []*engine.Node{}
	}
	if c.Graph.Edges == nil {
		c.Graph.Edges = []*engine.Edge{}
	}
	c.InputSchema = InputSchema(&w.Graph)
	c.OutputSchema = OutputSchema(&w.Graph)
	return &c
}

// InputSchema describes a graph's input nodes as a JSON Schema object: one
// property per input node, named by the node's name (or its id), all
// required.
func InputSchema(g *engine.Graph) *pyval.Dict {
	props := pyval.NewDict(4)
	required := []any{}
	for _, n := range g.Nodes {
		if !strings.HasPrefix(n.Type, "nodetool.input.") {
			continue
		}
		class := strings.TrimPrefix(n.Type, "nodetool.input.")
		var s *pyval.Dict
		data := n.Data
		get := func(k string, def any) any {
			if v, ok := data.Get(k); ok && v != nil {
				return v
			}
			return def
		}
		switch class {
		case "FloatInput", "IntegerInput":
			typ := "number"
			if class == "IntegerInput" {
				typ = "integer"
			}
			s = pyval.DictOf("type", typ, "minimum", get("min", int64(0)), "maximum", get("max", int64(100)), "default", get("value", int64(0)))
		case "StringInput", "FilePathInput", "FolderPathInput", "DocumentFileInput":
			s = pyval.DictOf("type", "string", "default", get("value", ""))
		case "SelectInput":
			s = pyval.DictOf("type", "string", "default", get("value", ""))
			if opts, ok := get("options", nil).([]any); ok && len(opts) > 0 {
				s.Set("enum", opts)
			}
		case "BooleanInput":
			s = pyval.DictOf("type", "boolean", "default", get("value", false))
		case "StringListInput", "TextListInput":
			s = pyval.DictOf("type", "array", "items", pyval.DictOf("type", "string"), "default", get("value", []any{}))
		case "ImageInput", "VideoInput", "AudioInput", "DocumentInput":
			kind := strings.ToLower(strings.TrimSuffix(class, "Input"))
			s = pyval.DictOf("type", "object",
				"properties", pyval.DictOf(
					"uri", pyval.DictOf("type", "string", "format", "uri"),
					"type", pyval.DictOf("type", "string", "enum", []any{kind})),
				"required", []any{"uri", "type"})
		default:
			continue
		}
		name := data.Str("name")
		if name == "" {
			name = n.ID
		}
		s.Set("label", data.Str("label"))
		props.Set(name, s)
		required = append(required, name)
	}
	return pyval.DictOf("type", "object", "properties", props, "required", required)
}

// OutputSchema describes a graph's output nodes: one property per output,
// named by the node's name.
func OutputSchema(g *engine.Graph) *pyval.Dict {
	props := pyval.NewDict(2)
	required := []any{}
	for _, n := range g.Nodes {
		if !strings.HasPrefix(n.Type, "nodetool.output.") {
			continue
		}
		name := n.Data.Str("name")
		if name == "" {
			name = n.ID
		}
		props.Set(name, pyval.DictOf("type", "any", "label", n.Data.Str("label")))
		required = append(required, name)
	}
	return pyval.DictOf("type", "object", "properties", props, "required", required)
}
