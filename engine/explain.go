package engine

import "strings"

// missingNote is why node types starting with prefix are not built in.
type missingNote struct{ prefix, why string }

// Explain records why the node types whose name starts with prefix (a
// namespace with its trailing dot, or a whole type) are not built in, for
// example the service they would need; validation adds it to the refusal
// of such a type. The longest matching prefix wins. Types the registry has
// are never refused, whatever Explain says.
func (r *Registry) Explain(prefix, why string) {
	r.missing = append(r.missing, missingNote{prefix, why})
}

// Missing returns why nodeType is not built in, as recorded by Explain, or
// "" when nothing was recorded for it.
func (r *Registry) Missing(nodeType string) string {
	best, why := -1, ""
	for _, m := range r.missing {
		if strings.HasPrefix(nodeType, m.prefix) && len(m.prefix) > best {
			best, why = len(m.prefix), m.why
		}
	}
	return why
}
