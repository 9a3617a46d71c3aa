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
	"nodetool/nodes/runfiles"
	"nodetool/nodes/text"
)

// Deps are what some node families need from outside the engine.
type Deps struct {
	// Models route the language models LLM nodes name (*providers.Set).
	// Nil: no provider is configured, and LLM nodes fail validation
	// saying so.
	Models llm.Models
	// Assets read the asset folders of the run's user (the editor's
	// store). Nil: the Load * Assets nodes fail saying so.
	Assets runfiles.Assets
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
	data.RegisterAssets(r, d.Assets)
	text.RegisterAssets(r, d.Assets)
	libjson.RegisterAssets(r, d.Assets)
}

// NewRegistry returns a registry holding the whole library.
func NewRegistry(d Deps) *engine.Registry {
	r := engine.NewRegistry()
	RegisterAll(r, d)
	return r
}
