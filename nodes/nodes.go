// Package nodes is NodeTool's node library: each family of node types (a
// NodeTool namespace, or a few close ones) lives in a package of its own
// under nodes/ and exports one Register function; RegisterAll lists them.
// A node package may import the engine, the language libraries (lang/...),
// nodes/bounded and the model providers, never a server package.
package nodes

import (
	"nodetool/agent"
	"nodetool/egress"
	"nodetool/engine"
	"nodetool/ffmpeg"
	"nodetool/nodes/audio"
	"nodetool/nodes/base"
	"nodetool/nodes/control"
	"nodetool/nodes/data"
	"nodetool/nodes/dicts"
	"nodetool/nodes/images"
	"nodetool/nodes/libbeautifulsoup"
	"nodetool/nodes/libdate"
	"nodetool/nodes/libgrid"
	"nodetool/nodes/libhttp"
	"nodetool/nodes/libjson"
	"nodetool/nodes/libmarkdown"
	"nodetool/nodes/libmath"
	"nodetool/nodes/libpdf"
	"nodetool/nodes/libpillow"
	"nodetool/nodes/librss"
	"nodetool/nodes/libsecret"
	"nodetool/nodes/libsvg"
	"nodetool/nodes/libuuid"
	"nodetool/nodes/lists"
	"nodetool/nodes/llm"
	"nodetool/nodes/logic"
	"nodetool/nodes/media"
	"nodetool/nodes/runfiles"
	"nodetool/nodes/search"
	"nodetool/nodes/speech"
	"nodetool/nodes/text"
	"nodetool/nodes/video"
	"nodetool/providers/vendors"
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
	// AgentShell is the operator's opt-in to the agents' Bash tool
	// (--agent-shell). Nil: Bash is refused, with a warning.
	AgentShell *agent.Shell
	// Assets read the asset folders of the run's user (the editor's
	// store). Nil: the Load * Assets nodes fail saying so.
	Assets runfiles.Assets
	// FFmpeg runs ffmpeg and ffprobe for the video nodes and the audio
	// nodes' compressed formats. Nil: not installed; FFmpegMissing says
	// so, and validation refuses the nodes that need it with it.
	FFmpeg        *ffmpeg.Tools
	FFmpegMissing error
	// MediaAssets are the stored assets media nodes may read by id (the
	// editor's asset store). Nil: refs naming an asset are refused with
	// media.ErrNoAssets.
	MediaAssets media.Assets
	// Outputs keep the media results of runs that are too large to send
	// inline (the worker's temp storage, the editor's asset store). Zero:
	// results stay inline.
	Outputs media.Outputs
	// Kie and Fal are the kie.ai and fal.ai clients of the vendor nodes
	// (kie.*, fal.*). Nil, or no key for a run: those nodes run where the
	// model map sends them.
	Kie *vendors.Kie
	Fal *vendors.Fal
}

// Media are the sources media nodes read refs from.
func (d Deps) Media() media.Sources { return media.Sources{Assets: d.MediaAssets, HTTP: d.HTTP} }

// RegisterAll adds every node type of the library to r.
func RegisterAll(r *engine.Registry, d Deps) {
	explainMissing(r)
	base.RegisterKeeping(r, d.Outputs)
	control.Register(r)
	text.Register(r)
	lists.Register(r)
	dicts.Register(r)
	logic.Register(r)
	libmath.Register(r)
	libuuid.Register(r)
	libjson.Register(r)
	webSearch, webFetch := AgentWeb(d)
	llm.Register(r, d.Models, llm.Web{Search: webSearch, Fetch: webFetch, Shell: d.AgentShell})
	libsecret.Register(r, d.Secrets)
	libhttp.Register(r, d.HTTP)
	librss.Register(r, d.HTTP)
	libmarkdown.Register(r)
	libbeautifulsoup.Register(r)
	libdate.Register(r)
	libpdf.Register(r, d.Media())
	search.Register(r, d.Search)
	data.Register(r, dataFetch(d.HTTP))
	data.RegisterAssets(r, d.Assets)
	text.RegisterAssets(r, d.Assets)
	libjson.RegisterAssets(r, d.Assets)
	speech.Register(r, speech.Deps{Models: d.Models, Sources: d.Media()})
	audio.Register(r, audio.Deps{Models: d.Models, Sources: d.Media(), FFmpeg: d.FFmpeg, FFmpegMissing: d.FFmpegMissing, Assets: d.Assets})
	video.Register(r, video.Deps{Models: d.Models, Sources: d.Media(), FFmpeg: d.FFmpeg, FFmpegMissing: d.FFmpegMissing, Assets: d.Assets})
	libpillow.Register(r, d.Media())
	images.Register(r, d.Models, d.Media())
	images.RegisterAssets(r, d.Assets)
	images.RegisterVendors(r, d.Models, d.Media(), images.Vendors{Kie: d.Kie, Fal: d.Fal})
	libgrid.Register(r, d.Media())
	libsvg.Register(r)
}

// NewRegistry returns a registry holding the whole library.
func NewRegistry(d Deps) *engine.Registry {
	r := engine.NewRegistry()
	RegisterAll(r, d)
	return r
}
