package engine

// NodeMetadata is NodeTool's description of a node type, as served by
// /api/nodes/metadata and shipped in package metadata files.
type NodeMetadata struct {
	Title                  string           `json:"title"`
	Description            string           `json:"description"`
	Namespace              string           `json:"namespace"`
	NodeType               string           `json:"node_type"`
	Layout                 string           `json:"layout"`
	Properties             []PropMetadata   `json:"properties"`
	Outputs                []OutputMetadata `json:"outputs"`
	TheModelInfo           map[string]any   `json:"the_model_info"`
	RecommendedModels      []any            `json:"recommended_models"`
	BasicFields            []string         `json:"basic_fields"`
	IsDynamic              bool             `json:"is_dynamic"`
	IsStreamingOutput      bool             `json:"is_streaming_output"`
	ExposeAsTool           bool             `json:"expose_as_tool"`
	SupportsDynamicOutputs bool             `json:"supports_dynamic_outputs"`
	RequiredSettings       []string         `json:"required_settings"`
}

// PropMetadata describes one property in NodeMetadata.
type PropMetadata struct {
	Name            string   `json:"name"`
	Type            TypeMeta `json:"type"`
	Default         any      `json:"default"`
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	Min             *float64 `json:"min"`
	Max             *float64 `json:"max"`
	JSONSchemaExtra any      `json:"json_schema_extra"`
	Required        bool     `json:"required"`
}

// OutputMetadata describes one output slot in NodeMetadata.
type OutputMetadata struct {
	Type   TypeMeta `json:"type"`
	Name   string   `json:"name"`
	Stream bool     `json:"stream"`
}

// Metadata describes the node type for clients.
func (d *NodeDef) Metadata() NodeMetadata {
	m := NodeMetadata{
		Title: d.Title, Description: d.Description, Namespace: d.Namespace(), NodeType: d.Type,
		Layout: d.Layout, Properties: make([]PropMetadata, len(d.Props)), Outputs: make([]OutputMetadata, len(d.Outputs)),
		TheModelInfo: map[string]any{}, RecommendedModels: []any{}, BasicFields: d.BasicFields,
		IsDynamic: d.Dynamic, IsStreamingOutput: d.StreamingOutput, ExposeAsTool: d.ExposeAsTool,
		SupportsDynamicOutputs: d.DynamicOutputs, RequiredSettings: d.RequiredSettings,
	}
	if m.Layout == "" {
		m.Layout = "default"
	}
	if m.BasicFields == nil {
		m.BasicFields = []string{}
		for i, p := range d.Props {
			if i == 3 {
				break
			}
			m.BasicFields = append(m.BasicFields, p.Name)
		}
	}
	if m.RequiredSettings == nil {
		m.RequiredSettings = []string{}
	}
	for i, p := range d.Props {
		m.Properties[i] = PropMetadata{Name: p.Name, Type: p.Type, Default: p.Default, Title: p.Title,
			Description: p.Description, Min: p.Min, Max: p.Max, JSONSchemaExtra: p.Extra, Required: p.Required}
	}
	for i, o := range d.Outputs {
		m.Outputs[i] = OutputMetadata{Type: o.Type, Name: o.Name, Stream: o.Stream}
	}
	return m
}

// Metadata describes every registered node type, sorted by type.
func (r *Registry) Metadata() []NodeMetadata {
	defs := r.Defs()
	out := make([]NodeMetadata, len(defs))
	for i, d := range defs {
		out[i] = d.Metadata()
	}
	return out
}
