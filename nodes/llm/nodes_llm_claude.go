package llm

import (
	"errors"
	"fmt"
	"strings"

	"nodetool/agent"
	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/providers"
)

// The agents beyond the chat Agent: anthropic.agents.ClaudeAgent (Claude
// Code's agent loop, on any provider), nodetool.agents.ResearchAgent
// (NodeTool's plan-then-execute agent with web tools) and CreateThread.

const claudeMaxTurns = 100 // max_turns' own bound

// builtinTools lists the built-in tools an agent node can name, with how
// to make each for a run: NodeTool's tool names (Agent's and
// ResearchAgent's "tools") and Claude's (ClaudeAgent's "allowed_tools").
// need is what the tool needs that a server may lack.
var builtinTools = map[string]struct {
	make func(l *lib, ws *agent.Workspace) agent.Tool
	need string // "search", "fetch", "shell" or "" (the workspace, which every run has)
	// writes marks a tool with effects (refused in ClaudeAgent's plan mode).
	writes bool
}{
	"read_file":      {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.ReadFileTool(ws) }},
	"write_file":     {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.WriteFileTool(ws) }, writes: true},
	"list_directory": {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.ListDirectoryTool(ws) }},
	"google_search":  {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.GoogleSearchTool(l.web.Search) }, need: "search"},
	"browser":        {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.BrowserTool(l.web.Fetch) }, need: "fetch"},
	"Read":           {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.ReadTool(ws) }},
	"Write":          {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.WriteTool(ws) }, writes: true},
	"Edit":           {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.EditTool(ws) }, writes: true},
	"Glob":           {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.GlobTool(ws) }},
	"Grep":           {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.GrepTool(ws) }},
	"WebSearch":      {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.WebSearchTool(l.web.Search) }, need: "search"},
	"WebFetch":       {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.WebFetchTool(l.web.Fetch) }, need: "fetch"},
	"Bash":           {make: func(l *lib, ws *agent.Workspace) agent.Tool { return agent.BashTool(ws, l.web.Shell) }, need: "shell", writes: true},
}

// claudeTools are Claude's built-in tools this server has, in the order
// bypassPermissions enables them.
var claudeTools = []string{"Read", "Write", "Edit", "Glob", "Grep", "WebSearch", "WebFetch"}

// toolNames reads a list of tool names: strings or {"name": ...} dicts.
func toolNames(list []any) []string {
	var out []string
	for _, t := range list {
		name := ""
		switch v := t.(type) {
		case string:
			name = v
		case *pyval.Dict:
			name = v.Str("name")
		}
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// namedTools makes the built-in tools a node names, each once, warning
// about those this server cannot offer.
func (l *lib) namedTools(ctx *engine.Ctx, names []string) []agent.Tool {
	ws := agent.NewWorkspace(ctx.Workspace)
	var out []agent.Tool
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		bt, ok := builtinTools[name]
		switch {
		case strings.HasPrefix(name, "Bash("):
			ctx.Log("warning", fmt.Sprintf("tool %q is not available: command rules are not enforced here, so only a plain Bash can be allowed (and only with --agent-shell)", name))
			continue
		case name == "Bash" && l.web.Shell == nil:
			ctx.Log("warning", "the Bash tool is not available: this server gives agents a shell only if its operator starts it with --agent-shell (commands would run with the server's rights); the agent has the workspace file tools instead")
			continue
		case !ok:
			ctx.Log("warning", fmt.Sprintf("tool %q is not available here and is ignored (available: %s; nodes connected with control edges are tools too)", name, availableTools()))
			continue
		case bt.need == "search" && l.web.Search == nil:
			ctx.Log("warning", fmt.Sprintf("tool %q needs a web search service, which this server does not have (set SERPAPI_API_KEY or --serpapi-api-key-file)", name))
			continue
		case bt.need == "fetch" && l.web.Fetch == nil:
			ctx.Log("warning", fmt.Sprintf("tool %q needs web access, which this server gives workflows none of", name))
			continue
		}
		out = append(out, bt.make(l, ws))
	}
	return out
}

func availableTools() string {
	return "google_search, browser, read_file, write_file, list_directory; Read, Write, Edit, Glob, Grep, WebSearch, WebFetch; Bash with --agent-shell"
}

// claudeAgentGen runs ClaudeAgent: the prompt in a tool loop of at most
// max_turns model turns, on the node's model (any provider, routed like
// every model node). Its tools are the nodes it controls and the built-in
// tools allowed_tools names, as permission_mode lets it use them: "plan"
// only reads (Read, Glob, Grep, WebSearch, WebFetch; no node runs),
// "bypassPermissions" has every built-in tool, "default" and "acceptEdits"
// the named ones (there is no one to ask, so a tool not named is not
// offered). Bash is offered only when named and the operator allows a
// shell (--agent-shell), never in plan mode. Text streams on chunk as it arrives;
// text is all of the model's text, once, at the end.
func (l *lib) claudeAgentGen(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
	prompt := in.Str("prompt")
	if strings.TrimSpace(prompt) == "" {
		return errors.New("Prompt is required")
	}
	p, model, err := l.model(ctx, in)
	if err != nil {
		return err
	}
	if in.Bool("use_claude_credentials") {
		ctx.Log("info", "use_claude_credentials is ignored: the model is reached through this server's providers")
	}
	mode := in.Str("permission_mode")
	names := toolNames(in.List("allowed_tools"))
	control := newControlTools(ctx)
	switch mode {
	case "bypassPermissions":
		all := append([]string{}, claudeTools...)
		for _, n := range names {
			if n == "Bash" {
				all = append(all, n) // refused, with its warning
			}
		}
		names = all
	case "plan":
		var read []string
		for _, n := range names {
			if bt, ok := builtinTools[n]; ok && bt.writes {
				ctx.Log("warning", fmt.Sprintf("permission_mode plan: %s is not offered (the agent only reads)", n))
				continue
			}
			read = append(read, n)
		}
		names = read
		if len(control.list) > 0 {
			ctx.Log("warning", "permission_mode plan: the nodes connected with control edges are not run (the agent only reads)")
			control = &controlTools{}
		}
	}
	tools := &toolbox{control: control, builtin: l.namedTools(ctx, names)}

	var msgs []providers.Message
	if sys := in.Str("system_prompt"); sys != "" {
		msgs = append(msgs, systemMessage(sys))
	}
	msgs = append(msgs, providers.Message{Role: "user", Content: prompt})
	maxTurns := int(min(max(in.Int("max_turns"), 1), claudeMaxTurns))
	req := &providers.Request{Model: model, Messages: msgs, Tools: tools.defs()}
	nodeID := ctx.NodeID()
	var full strings.Builder
	lp := &loop{p: p, req: req, tools: tools, maxTurns: maxTurns,
		onDelta: func(d providers.Delta) error {
			if d.Content == "" {
				return nil
			}
			if int64(full.Len()+len(d.Content)) > ctx.MaxValue() {
				return ctx.CheckSize(int64(full.Len() + len(d.Content)))
			}
			full.WriteString(d.Content)
			return emit("chunk", chunkValue(nodeID, d.Content, false))
		},
		onTurn: func(text string) error {
			if text != "" {
				ctx.Log("info", text)
			}
			return nil
		}}
	if _, err := lp.run(ctx); err != nil {
		return err
	}
	return emit("text", full.String())
}
