// Package llm holds the nodes that need a language model
// (nodetool.agents.* and nodetool.generators.*): Agent with control-edge
// tools, ControlAgent, Summarizer, Extractor, Classifier and the list,
// data, structured-output, chart and SVG generators. They reach their
// models through Models (the server's *providers.Set).
package llm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode"

	"nodetool/agent"
	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/base"
	"nodetool/nodes/bounded"
	"nodetool/providers"
)

// LLM nodes (engine §5.13): nodes that call a language model through the
// library's Models (the server's providers). Each resolves its "model"
// property with lib.model; NodeTool's provider "empty" (the default of
// every example) means the server's default provider and model. None of
// them is cacheable (the engine caches nothing). Text streams as chunk
// values; structured answers are parsed from JSON and emitted on the
// node's dynamic outputs.

const (
	agentMaxTurns        = 32 // model turns per Agent run
	agentMaxControlCalls = 16 // control-edge tool calls per Agent run
)

// Models routes the language model a node names to a provider and model:
// *providers.Set does.
type Models interface {
	Route(provider, model string) (providers.Provider, string, error)
}

// Web is what the agents' web tools use: a search service and a fetcher
// under the workflow egress policy (each nil when the server has none:
// the tools that need it are then not offered, with a warning).
type Web struct {
	Search agent.Searcher
	Fetch  agent.Fetcher
	// Shell is the operator's opt-in to the agents' Bash tool
	// (--agent-shell); nil: Bash is refused.
	Shell *agent.Shell
}

// lib is the LLM node library: its nodes reach their models through it.
type lib struct {
	models Models // nil: no provider is configured
	web    Web
}

// Register adds the LLM nodes (nodetool.agents.*, anthropic.agents.* and
// nodetool.generators.*), which run on models (nil: none configured, and
// every LLM node fails validation saying so); the agents' web tools use
// web.
func Register(r *engine.Registry, models Models, web Web) {
	l := &lib{models: models, web: web}
	model := func(desc string) engine.Prop { return engine.P("model", "language_model", base.DefLLM, desc) }
	image := func(desc string) engine.Prop { return engine.P("image", "image", base.DefImage, desc) }
	audio := func(desc string) engine.Prop { return engine.P("audio", "audio", base.DefAudio, desc) }
	maxTokens := func(def string, max float64) engine.Prop {
		return engine.P("max_tokens", "int", def, "The most tokens the model may generate.").Range(1, max)
	}

	r.Add(&engine.NodeDef{
		Type:        "nodetool.agents.Agent",
		Description: "Chats with a language model and streams its answer. Nodes it controls over control edges become tools it can call; declared outputs switch it to a structured JSON answer.",
		Props: []engine.Prop{
			model("The model to chat with."),
			engine.P("system", "str", `"You are a friendly assistant"`, "The system prompt."),
			engine.P("prompt", "str", `""`, "The user's message."),
			engine.P("tools", "list[tool_name]", "[]", "Built-in tools to enable: google_search, browser, read_file, write_file, list_directory. Nodes connected with control edges are tools too."),
			image("An image to send with the prompt."),
			audio("An audio clip to send with the prompt (not supported by the providers here)."),
			engine.P("history", "list[message]", "[]", "Earlier messages of the conversation.").Titled("Messages"),
			engine.P("thread_id", "str?", `""`, "A conversation thread to continue (not stored here).").Titled("Thread ID"),
			maxTokens("8192", 100000),
		},
		Outputs:         engine.Out("text", "str", "chunk", "chunk", "thinking", "chunk", "audio", "audio"),
		BasicFields:     []string{"prompt", "model", "tools", "image", "audio"},
		StreamingOutput: true,
		DynamicOutputs:  true,
		Check:           l.checkModel,
		Gen:             l.agentGen,
	})
	r.Add(&engine.NodeDef{
		Type:        "anthropic.agents.ClaudeAgent",
		Title:       "Claude Agent",
		Description: "Runs an agent loop on the prompt with any configured model: the nodes it controls over control edges and the built-in tools of allowed_tools (Read, Write, Edit, Glob, Grep in the run's workspace; WebSearch; WebFetch) are its tools. Bash is never available.",
		Props: []engine.Prop{
			engine.P("prompt", "str", `""`, "The task or question for the agent to work on."),
			model("The model to use for the agent (any configured provider)."),
			engine.P("system_prompt", "str", `""`, "Optional system prompt to guide the agent's behavior."),
			engine.P("max_turns", "int", "20", "Maximum number of model turns the agent can take.").Range(1, 100),
			engine.P("allowed_tools", "list[str]", `["Read", "Write", "Bash"]`, "Built-in tools the agent may use: Read, Write, Edit, Glob, Grep, WebSearch, WebFetch (Bash is refused). Nodes connected via control edges are always available."),
			engine.P("permission_mode", "enum(default,acceptEdits,plan,bypassPermissions)", `"acceptEdits"`, "plan: the agent only reads (no writes, no node runs); bypassPermissions: every built-in tool; default and acceptEdits: the tools allowed_tools names.").Enum("nodetool.nodes.anthropic.agents.PermissionMode"),
			engine.P("use_claude_credentials", "bool", "false", "Ignored here: the model is reached through the server's providers."),
		},
		Outputs:         engine.Out("text", "str", "chunk", "chunk"),
		BasicFields:     []string{"prompt", "model", "system_prompt", "max_turns", "allowed_tools", "permission_mode", "use_claude_credentials"},
		StreamingOutput: true,
		Check:           l.checkModel,
		Gen:             l.claudeAgentGen,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.agents.ResearchAgent",
		Title:       "Research Agent",
		Description: "Plans research on an objective and carries it out with web search, page reading and workspace files; its answer fills the declared outputs.",
		Props: []engine.Prop{
			engine.P("objective", "str", `""`, "The research objective or question to investigate"),
			model("Model to use for research and synthesis"),
			engine.P("system_prompt", "str", jsonDefault(defaultResearchPrompt), "System prompt guiding the agent's research behavior"),
			engine.P("tools", "list[tool_name]", `[{"name": "google_search"}, {"name": "browser"}]`, "Tools to enable for research. Select workspace tools (read_file, write_file, list_directory) to enable file operations."),
			maxTokens("8192", 100000),
		},
		Outputs:        []engine.Output{},
		BasicFields:    []string{"objective", "model", "tools"},
		DynamicOutputs: true,
		Check:          l.checkModel,
		Process:        l.researchAgentProcess,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.agents.CreateThread",
		Title:       "Create Thread",
		Description: "Returns a conversation thread id: the one given, or a new one (threads are not stored by this engine).",
		Props: []engine.Prop{
			engine.P("title", "str?", `"Agent Conversation"`, "Optional title for the new thread"),
			engine.P("thread_id", "str", `""`, "Optional custom thread ID, passed on as it is."),
		},
		Outputs:     engine.Out("thread_id", "str"),
		BasicFields: []string{"title", "thread_id"},
		Process:     createThreadProcess,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.agents.ControlAgent",
		Title:       "Control Agent",
		Description: "Asks a language model for property values of the nodes it controls and runs each of them once with those values.",
		Props: []engine.Prop{
			model("The model that decides the values."),
			engine.P("system", "str", jsonDefault(defaultControlPrompt), "The system prompt."),
			maxTokens("2048", 100000),
		},
		Outputs:     engine.Out("__control_output__", "dict[str, any]"),
		BasicFields: []string{"model", "system", "max_tokens"},
		Check:       l.checkModel,
		Gen:         l.controlAgentGen,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.agents.Summarizer",
		Description: "Summarizes text with a language model, streaming the summary as it is written.",
		Props: []engine.Prop{
			engine.P("system_prompt", "str", jsonDefault(defaultSummarizerPrompt), "The instructions for the summary."),
			model("The model that writes the summary."),
			engine.P("text", "str", `""`, "The text to summarize."),
			image("An image to consider too."),
			audio("An audio clip to consider too (not supported by the providers here)."),
		},
		Outputs:         engine.Out("text", "str", "chunk", "chunk"),
		BasicFields:     []string{"text", "model", "image", "audio"},
		StreamingOutput: true,
		Check:           l.checkModel,
		Gen:             l.summarizerGen,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.agents.Extractor",
		Description: "Extracts the fields declared as outputs from text with a language model, one output per field.",
		Props: []engine.Prop{
			engine.P("system_prompt", "str", jsonDefault(defaultExtractorPrompt), "The extraction instructions; the schema of the outputs is appended."),
			model("The model that extracts the fields."),
			engine.P("text", "str", `""`, "The text to extract from."),
			image("An image to extract from too."),
			audio("An audio clip to extract from too (not supported by the providers here)."),
		},
		Outputs:        []engine.Output{},
		BasicFields:    []string{"text", "model", "image", "audio"},
		DynamicOutputs: true,
		Check:          l.checkModel,
		Process:        l.extractorProcess,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.agents.Classifier",
		Description: "Puts the input into exactly one of the given categories, using a language model.",
		Props: []engine.Prop{
			engine.P("system_prompt", "str", jsonDefault(defaultClassifierPrompt), "The classification instructions."),
			model("The model that classifies."),
			engine.P("text", "str", `""`, "The text to classify."),
			image("An image to classify too."),
			audio("An audio clip to classify too (not supported by the providers here)."),
			engine.P("categories", "list[str]", "[]", "The categories to choose from (at least two)."),
		},
		Outputs:     engine.Out("output", "str"),
		BasicFields: []string{"text", "categories", "model", "image", "audio"},
		Check:       l.checkModel,
		Process:     l.classifierProcess,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.generators.StructuredOutputGenerator",
		Title:       "Structured Output Generator",
		Description: "Generates a JSON object with the fields declared as outputs, following instructions and optional context.",
		Props: []engine.Prop{
			engine.P("system_prompt", "str", jsonDefault(defaultStructuredPrompt), "The generation instructions; the schema, instructions and context are appended."),
			model("The model that generates the object."),
			engine.P("instructions", "str", `""`, "What to generate."),
			engine.P("context", "str", `""`, "Material to base the values on."),
			maxTokens("4096", 16384),
		},
		Outputs:        []engine.Output{},
		BasicFields:    []string{"instructions", "context", "model"},
		DynamicOutputs: true,
		Check:          l.checkModel,
		Process:        l.structuredProcess,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.generators.ListGenerator",
		Description: "Asks a language model for a list and emits its items one by one, with their index.",
		Props: []engine.Prop{
			model("The model that writes the list."),
			engine.P("prompt", "str", `""`, "What the list should hold."),
			engine.P("input_text", "str", `""`, "Text to base the list on."),
			maxTokens("4096", 100000),
		},
		Outputs:         engine.Out("item", "str", "index", "int"),
		BasicFields:     []string{"prompt", "model"},
		StreamingOutput: true,
		Check:           l.checkModel,
		Gen:             l.listGeneratorGen,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.generators.DataGenerator",
		Description: "Asks a language model for rows with the given columns; emits each row as a record, then the whole table as a dataframe.",
		Props: []engine.Prop{
			model("The model that generates the data."),
			engine.P("prompt", "str", `""`, "What data to generate."),
			engine.P("input_text", "str", `""`, "Text to base the data on."),
			maxTokens("4096", 100000),
			engine.P("columns", "record_type", `{"type": "record_type", "columns": []}`, "The columns of the table, with their types."),
		},
		Outputs:         engine.Out("record", "dict", "dataframe", "dataframe", "index", "int"),
		BasicFields:     []string{"prompt", "model", "columns"},
		StreamingOutput: true,
		Check:           l.checkModel,
		Gen:             l.dataGeneratorGen,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.generators.ChartGenerator",
		Description: "Designs a Plotly chart configuration for a dataframe from a description, using a language model.",
		Props: []engine.Prop{
			model("The model that designs the chart."),
			engine.P("prompt", "str", `""`, "The chart you want."),
			engine.P("data", "dataframe", base.DefDataFr, "The data to chart."),
			maxTokens("4096", 100000),
		},
		Outputs:     engine.Out("output", "plotly_config"),
		BasicFields: []string{"prompt", "data", "model"},
		Check:       l.checkModel,
		Process:     l.chartProcess,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.generators.SVGGenerator",
		Title:       "SVGGenerator",
		Description: "Draws an SVG graphic from a description, using a language model.",
		Props: []engine.Prop{
			model("The model that draws."),
			engine.P("prompt", "str", `""`, "What to draw."),
			image("A reference image (mentioned to the model, not sent)."),
			audio("A reference audio clip (mentioned to the model, not sent)."),
			maxTokens("8192", 100000),
		},
		Outputs:     engine.Out("output", "list[svg_element]"),
		BasicFields: []string{"prompt", "image", "audio", "model"},
		Check:       l.checkModel,
		Process:     l.svgProcess,
	})
}

// jsonDefault returns s as JSON text, for P's default argument.
func jsonDefault(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// errNoModels is the problem of an LLM node when no provider is configured.
var errNoModels = errors.New("no model provider is configured (set --provider and --default-model)")

// model resolves the node's model to a provider and model name.
func (l *lib) model(ctx *engine.Ctx, in *engine.Inputs) (providers.Provider, string, error) {
	if l.models == nil {
		return nil, "", fmt.Errorf("%s cannot use its model: %w", ctx.Title(), errNoModels)
	}
	provider, model := modelRef(in.Get("model"))
	p, m, err := l.models.Route(provider, model)
	if err != nil {
		return nil, "", fmt.Errorf("%s cannot use its model: %w", ctx.Title(), err)
	}
	return p, m, nil
}

// checkModel is the LLM nodes' validation: their model must resolve to a
// configured provider (a model fed by an edge is resolved when it arrives).
func (l *lib) checkModel(props map[string]any, wired func(string) bool) error {
	if wired("model") {
		return nil
	}
	if l.models == nil {
		return errNoModels
	}
	provider, model := modelRef(props["model"])
	_, _, err := l.models.Route(provider, model)
	return err
}

// modelRef reads the provider and model id of a language_model value.
func modelRef(v any) (provider, model string) {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return "", ""
	}
	return d.Str("provider"), d.Str("id")
}

// modelErr wraps a failed model call with the node's title. Provider
// errors already name the provider and its URL. Once the run is cancelled the cause is returned
// instead (the runner ignores it).
func modelErr(ctx *engine.Ctx, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return fmt.Errorf("%s: the model request failed: %w", ctx.Title(), err)
}

// chat makes one non-streamed model call and returns the answer's text.
func chat(ctx *engine.Ctx, p providers.Provider, req *providers.Request) (string, error) {
	resp, err := p.Chat(ctx, req)
	if err != nil {
		return "", modelErr(ctx, err)
	}
	return resp.Message.Content, nil
}

// turn is one streamed completion: its text and the tools it called.
type turn = agent.Turn

// streamTurn streams one completion (agent.StreamTurn: bounded by the
// node's max-value budget), handing every delta to onDelta; a failed
// model call names the node.
func streamTurn(ctx *engine.Ctx, p providers.Provider, req *providers.Request, onDelta func(providers.Delta) error) (turn, error) {
	t, err := agent.StreamTurn(ctx, p, req, onDelta)
	if err != nil && !engine.IsLimit(err) {
		var pe *providers.Error
		if ctx.Err() != nil || errors.As(err, &pe) {
			return turn{}, modelErr(ctx, err)
		}
	}
	return t, err
}

// chunkValue is a chunk as the value of an LLM node's chunk output.
func chunkValue(nodeID, content string, thinking bool) *pyval.Dict {
	return pyval.DictOf("type", "chunk", "node_id", nodeID, "content_type", "text", "content", content,
		"content_metadata", pyval.NewDict(0), "done", false, "thinking", thinking)
}

func systemMessage(text string) providers.Message {
	return providers.Message{Role: "system", Content: text}
}

// userMessage builds the user's message: the text, plus the image as an
// image_url part when one is set. The providers here carry no audio, so a
// set audio input is reported and left out.
func userMessage(ctx *engine.Ctx, text string, image, audio any) (providers.Message, error) {
	url, err := imageURL(image)
	if err != nil {
		return providers.Message{}, err
	}
	if refSet(audio) {
		ctx.Log("warning", "the audio input is not sent to the model: the providers here take text and images only")
	}
	if url == "" {
		return providers.Message{Role: "user", Content: text}, nil
	}
	var parts []providers.Part
	if text != "" {
		parts = append(parts, providers.Part{Type: "text", Text: text})
	}
	parts = append(parts, providers.Part{Type: "image_url", ImageURL: url})
	return providers.Message{Role: "user", Parts: parts}, nil
}

// refSet reports whether an asset reference (image, audio) points at
// something: a URI, inline data or a stored asset.
func refSet(v any) bool {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return false
	}
	data, _ := d.Get("data")
	return d.Str("uri") != "" || d.Str("asset_id") != "" || (data != nil && !engine.EmptyValue(data) && data != "")
}

// imageURL turns an image reference into a URL a model can fetch: its
// http(s) or data: URI, or a data: URI built from inline bytes. An empty
// reference gives "". Local files and stored assets cannot be sent.
func imageURL(v any) (string, error) {
	d, ok := v.(*pyval.Dict)
	if !ok || !refSet(d) {
		return "", nil
	}
	uri := d.Str("uri")
	if strings.HasPrefix(uri, "data:") || strings.HasPrefix(uri, "http://") || strings.HasPrefix(uri, "https://") {
		return uri, nil
	}
	if data, _ := d.Get("data"); data != nil && !engine.EmptyValue(data) && data != "" {
		b, err := refBytes(data)
		if err != nil {
			return "", fmt.Errorf("the image's data %v", err)
		}
		mime := http.DetectContentType(b)
		if !strings.HasPrefix(mime, "image/") {
			mime = "image/png"
		}
		return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b), nil
	}
	if uri != "" {
		return "", fmt.Errorf("the image %q cannot be sent to the model: give an http(s) URL or a data: URI", uri)
	}
	return "", fmt.Errorf("the image (asset %s) cannot be sent to the model: stored assets are not available here; give an http(s) URL or a data: URI", d.Str("asset_id"))
}

// refBytes reads an asset's inline data: base64 text or a list of bytes.
func refBytes(v any) ([]byte, error) {
	switch t := v.(type) {
	case string:
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(strings.TrimSpace(t)); err == nil {
				return b, nil
			}
		}
		return nil, errors.New("is not base64 text")
	case []any:
		b := make([]byte, len(t))
		for i, x := range t {
			n, ok := x.(int64)
			if !ok || n < 0 || n > 255 {
				return nil, errors.New("is not a list of bytes")
			}
			b[i] = byte(n)
		}
		return b, nil
	}
	return nil, fmt.Errorf("is %s, not base64 text or bytes", pyval.TypeName(v))
}

// historyMessages converts NodeTool message dicts (role, content as text
// or parts, tool_calls, tool_call_id, name) to provider messages.
func historyMessages(ctx *engine.Ctx, list []any) ([]providers.Message, error) {
	out := make([]providers.Message, 0, len(list))
	for i, item := range list {
		d, ok := item.(*pyval.Dict)
		if !ok {
			return nil, fmt.Errorf("history item %d is %s, not a message", i, pyval.TypeName(item))
		}
		m := providers.Message{Role: d.Str("role"), ToolCallID: d.Str("tool_call_id"), Name: d.Str("name")}
		switch m.Role {
		case "system", "user", "assistant", "tool":
		default:
			return nil, fmt.Errorf("history item %d has role %q: use system, user, assistant or tool", i, m.Role)
		}
		content, _ := d.Get("content")
		switch c := content.(type) {
		case nil:
		case string:
			m.Content = c
		case []any:
			for _, pv := range c {
				part, ok := pv.(*pyval.Dict)
				if !ok {
					if s, ok := pv.(string); ok {
						m.Parts = append(m.Parts, providers.Part{Type: "text", Text: s})
					}
					continue
				}
				switch kind := part.Str("type"); kind {
				case "text":
					m.Parts = append(m.Parts, providers.Part{Type: "text", Text: part.Str("text")})
				case "image_url", "image":
					ref, _ := part.Get("image")
					if ref == nil {
						ref, _ = part.Get("image_url")
					}
					url := ""
					switch r := ref.(type) {
					case string:
						url = r
					case *pyval.Dict:
						if u := r.Str("url"); u != "" {
							url = u
						} else {
							u, err := imageURL(r)
							if err != nil {
								return nil, fmt.Errorf("history item %d: %v", i, err)
							}
							url = u
						}
					}
					if url != "" {
						m.Parts = append(m.Parts, providers.Part{Type: "image_url", ImageURL: url})
					}
				default:
					ctx.Log("warning", fmt.Sprintf("history item %d: its %s content is not sent to the model (text and images only)", i, kind))
				}
			}
		default:
			m.Content = pyval.Str(c)
		}
		calls, _ := d.Get("tool_calls")
		list, _ := calls.([]any)
		for j, cv := range list {
			c, ok := cv.(*pyval.Dict)
			if !ok {
				return nil, fmt.Errorf("history item %d: tool call %d is %s, not an object", i, j, pyval.TypeName(cv))
			}
			tc := providers.ToolCall{ID: c.Str("id"), Name: c.Str("name")}
			args, _ := c.Get("args")
			if fn, ok := c.Get("function"); ok {
				if f, ok := fn.(*pyval.Dict); ok {
					tc.Name = f.Str("name")
					args, _ = f.Get("arguments")
				}
			}
			switch a := args.(type) {
			case nil:
				tc.Arguments = "{}"
			case string:
				tc.Arguments = a
			default:
				text, err := bounded.JSONTextBounded(ctx, a)
				if err != nil {
					return nil, err
				}
				tc.Arguments = text
			}
			m.ToolCalls = append(m.ToolCalls, tc)
		}
		out = append(out, m)
	}
	return out, nil
}

// rawJSON writes a value as JSON for a request field.
func rawJSON(v any) json.RawMessage { return json.RawMessage(bounded.JSONText(v)) }

// typeSchema is the JSON Schema of values of a type: str string, int
// integer, float number, bool boolean, list array, dict object, enum a
// string enum, union anyOf; any other type accepts anything.
func typeSchema(t engine.TypeMeta) *pyval.Dict {
	var s *pyval.Dict
	switch t.Type {
	case "str":
		s = pyval.DictOf("type", "string")
	case "int":
		s = pyval.DictOf("type", "integer")
	case "float":
		s = pyval.DictOf("type", "number")
	case "bool":
		s = pyval.DictOf("type", "boolean")
	case "list":
		s = pyval.DictOf("type", "array")
		if len(t.TypeArgs) > 0 {
			s.Set("items", typeSchema(t.TypeArgs[0]))
		}
	case "dict":
		s = pyval.DictOf("type", "object")
	case "enum":
		s = pyval.NewDict(2)
		strs := true
		for _, v := range t.Values {
			if _, ok := v.(string); !ok {
				strs = false
			}
		}
		if strs {
			s.Set("type", "string")
		}
		if len(t.Values) > 0 {
			s.Set("enum", pyval.Clone(t.Values))
		}
	case "union":
		var opts []any
		for _, m := range t.TypeArgs {
			opts = append(opts, typeSchema(m))
		}
		s = pyval.DictOf("anyOf", opts)
	default:
		s = pyval.NewDict(0)
	}
	if t.Optional && s.Len() > 0 {
		s = pyval.DictOf("anyOf", []any{s, pyval.DictOf("type", "null")})
	}
	return s
}

// slotsSchema is the JSON Schema of an object holding one field per
// output slot, every field required.
func slotsSchema(title string, outs []engine.Output) *pyval.Dict {
	props := pyval.NewDict(len(outs))
	required := make([]any, len(outs))
	for i, o := range outs {
		props.Set(o.Name, typeSchema(o.Type))
		required[i] = o.Name
	}
	return pyval.DictOf("type", "object", "title", title, "additionalProperties", false,
		"properties", props, "required", required)
}

var jsonFence = regexp.MustCompile("(?i)```json\\s*([\\s\\S]*?)\\s*```")

// parseJSONObject finds the JSON object in a model's answer: inside a
// ```json fence, else the whole text, else from the first { to the last }.
// It returns nil when none of them is an object, and an error only when
// the node must stop (its budgets).
func parseJSONObject(ctx *engine.Ctx, raw string) (*pyval.Dict, error) {
	raw = strings.TrimSpace(raw)
	var candidates []string
	if m := jsonFence.FindStringSubmatch(raw); m != nil {
		candidates = append(candidates, strings.TrimSpace(m[1]))
	}
	candidates = append(candidates, raw)
	if i, j := strings.Index(raw, "{"), strings.LastIndex(raw, "}"); i >= 0 && i < j {
		candidates = append(candidates, raw[i:j+1])
	}
	for _, c := range candidates {
		v, err := bounded.DecodeJSON(ctx, []byte(c))
		if err != nil && (engine.IsLimit(err) || ctx.Err() != nil) {
			return nil, err
		}
		if d, ok := v.(*pyval.Dict); ok && err == nil {
			return d, nil
		}
	}
	return nil, nil
}

// preview shortens a model's answer for an error message: white space
// collapsed, at most 200 characters. It reads only what it shows.
func preview(s string) string {
	var b strings.Builder
	n, space, more := 0, false, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if n == 200 {
			more = true
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
			if n++; n == 200 {
				more = true
				break
			}
		}
		b.WriteRune(r)
		n++
	}
	out := b.String()
	if more {
		out += "…"
	}
	return fmt.Sprintf("%q", out)
}

// structuredFields picks the declared outputs from a model's JSON object,
// checking each value against its slot's type. Keys that are not declared
// are dropped with a warning; a missing field is an error.
func structuredFields(ctx *engine.Ctx, node string, obj *pyval.Dict, outs []engine.Output) (map[string]any, error) {
	res := make(map[string]any, len(outs))
	declared := map[string]bool{}
	for _, o := range outs {
		declared[o.Name] = true
		v, ok := obj.Get(o.Name)
		if !ok {
			return nil, fmt.Errorf("%s: the model's answer has no field %q (it has: %s)", node, o.Name, keyList(obj))
		}
		if v == nil {
			continue
		}
		cv, err := engine.Coerce(v, o.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: field %q of the model's answer %v", node, o.Name, err)
		}
		res[o.Name] = cv
	}
	var extra []string
	for _, k := range obj.Keys() {
		if !declared[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		ctx.Log("warning", fmt.Sprintf("%s: dropped fields the node has no output for: %s", node, pystr.ClipCount(strings.Join(extra[:min(len(extra), 50)], ", "), 1000)))
	}
	return res, nil
}

func keyList(d *pyval.Dict) string {
	if d.Len() == 0 {
		return "nothing"
	}
	return pystr.ClipCount(strings.Join(d.Keys()[:min(d.Len(), 50)], ", "), 1000)
}
