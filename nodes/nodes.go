// Package nodes is NodeTool's node library: each family of node types (a
// NodeTool namespace, or a few close ones) lives in a package of its own
// under nodes/ and exports one Register function; RegisterAll lists them.
// A node package may import the engine, the language libraries (lang/...),
// nodes/bounded and the model providers, never a server package.
package nodes

import (
	"nodetool/engine"
	"nodetool/nodes/base"
	"nodetool/nodes/control"
	"nodetool/nodes/data"
	"nodetool/nodes/dicts"
	"nodetool/nodes/libjson"
	"nodetool/nodes/libmath"
	"nodetool/nodes/libuuid"
	"nodetool/nodes/lists"
	"nodetool/nodes/llm"
	"nodetool/nodes/logic"
	"nodetool/nodes/text"
)

// Deps are what some node families need from outside the engine.
type Deps struct {
	// Models route the language models LLM nodes name (*providers.Set).
	// Nil: no provider is configured, and LLM nodes fail validation
	// saying so.
	Models llm.Models
}

// RegisterAll adds every node type of the library to r.
func RegisterAll(r *engine.Registry, d Deps) {
	base.Register(r)
	control.Register(r)
	text.Register(r)
	lists.Register(r)
	dicts.Register(r)
	logic.Register(r)
	libmath.Register(r)
	libuuid.Register(r)
	libjson.Register(r)
	llm.Register(r, d.Models)
	// Load CSV URL refuses to download until the egress client is wired
	// here.
	data.Register(r, nil)
}

// NewRegistry returns a registry holding the whole library.
func NewRegistry(d Deps) *engine.Registry {
	r := engine.NewRegistry()
	RegisterAll(r, d)
	return r
}
