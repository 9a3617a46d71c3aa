// Package nodes is NodeTool's node library: each family of node types (a
// NodeTool namespace, or a few close ones) lives in a package of its own
// under nodes/ and exports one Register function; RegisterAll lists them.
// A node package may import the engine, the language libraries (lang/...),
// nodes/bounded and the model providers, never a server package.
package nodes

import (
	"nodetool/egress"
	"nodetool/engine"
	"nodetool/nodes/base"
	"nodetool/nodes/control"
	"nodetool/nodes/dicts"
	"nodetool/nodes/libbeautifulsoup"
	"nodetool/nodes/libdate"
	"nodetool/nodes/libhttp"
	"nodetool/nodes/libjson"
	"nodetool/nodes/libmarkdown"
	"nodetool/nodes/libmath"
	"nodetool/nodes/libpdf"
	"nodetool/nodes/librss"
	"nodetool/nodes/libsecret"
	"nodetool/nodes/libuuid"
	"nodetool/nodes/lists"
	"nodetool/nodes/llm"
	"nodetool/nodes/logic"
	"nodetool/nodes/search"
	"nodetool/nodes/text"
)

// Deps are what some node families need from outside the engine.
type Deps struct {
	// Models route the language models LLM nodes name (*providers.Set).
	// Nil: no provider is configured, and LLM nodes fail validation
	// saying so.
	Models llm.Models
	// HTTP is the client every node that fetches a URL taken from
	// workflow data goes through (the egress policy), also the agents'
	// page-reading tools (browser, WebFetch). Nil: such nodes fail,
	// refused, and agents are not offered those tools.
	HTTP *egress.Client
	// Secrets are the secrets lib.secret.GetSecret may read. Nil: none,
	// and it returns its default.
	Secrets libsecret.Secrets
	// Search is the SerpAPI client of the search.* nodes and of the
	// agents' web search tools (google_search, WebSearch). Nil: no SerpAPI
	// key is configured; search nodes fail validation saying how to
	// configure one, and agents are not offered search tools.
	Search *search.Client
}

// RegisterAll adds every node type of the library to r.
func RegisterAll(r *engine.Registry, d Deps) {
	explainMissing(r)
	base.Register(r)
	control.Register(r)
	text.Register(r)
	lists.Register(r)
	dicts.Register(r)
	logic.Register(r)
	libmath.Register(r)
	libuuid.Register(r)
	libjson.Register(r)
	webSearch, webFetch := AgentWeb(d)
	llm.Register(r, d.Models, llm.Web{Search: webSearch, Fetch: webFetch})
	libsecret.Register(r, d.Secrets)
	libhttp.Register(r, d.HTTP)
	librss.Register(r, d.HTTP)
	libmarkdown.Register(r)
	libbeautifulsoup.Register(r)
	libdate.Register(r)
	libpdf.Register(r)
	search.Register(r, d.Search)
}

// NewRegistry returns a registry holding the whole library.
func NewRegistry(d Deps) *engine.Registry {
	r := engine.NewRegistry()
	RegisterAll(r, d)
	return r
}
