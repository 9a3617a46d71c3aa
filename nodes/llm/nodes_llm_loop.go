package llm

import (
	"fmt"
	"strings"

	"nodetool/agent"
	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/providers"
)

// agentMaxBuiltinCalls bounds the built-in tool calls (file, search,
// fetch) of one agent run, besides agentMaxControlCalls for node runs.
const agentMaxBuiltinCalls = 64

// toolbox is an agent node's tools: the nodes it controls over control
// edges (offered first) and the built-in tools it enabled.
type toolbox struct {
	control *controlTools
	builtin []agent.Tool
	calls   int // built-in calls made
}

func (tb *toolbox) defs() []providers.Tool {
	out := tb.control.defs()
	for _, t := range tb.builtin {
		out = append(out, t.Def())
	}
	return out
}

func (tb *toolbox) names() string {
	names := []string{}
	if n := tb.control.names(); n != "none" {
		names = append(names, n)
	}
	for _, t := range tb.builtin {
		names = append(names, t.Def().Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// call runs one tool call: a controlled node, or a built-in tool (posting
// a tool_call_update first). Mistakes the model can fix come back to it
// as results; a failing node or the node's budgets end the run.
func (tb *toolbox) call(ctx *engine.Ctx, call providers.ToolCall) (string, error) {
	var bt agent.Tool
	for _, t := range tb.builtin {
		if t.Def().Name == call.Name {
			bt = t
			break
		}
	}
	if bt == nil {
		if tb.control.find(call.Name) == nil && len(tb.builtin) > 0 {
			ctx.Log("warning", fmt.Sprintf("the model called an unknown tool %q (tools: %s)", call.Name, tb.names()))
			return jsonText(map[string]any{"status": "error", "error": fmt.Sprintf("there is no tool named %q; the tools are: %s", call.Name, tb.names())}), nil
		}
		return tb.control.call(ctx, call)
	}
	args, problem, err := agent.DecodeArgs(ctx, call.Arguments)
	if err != nil {
		return "", err
	}
	msg := "Calling " + call.Name
	if problem == "" && args.Len() > 0 {
		msg += " with " + pystr.ClipCount(strings.Join(args.Keys()[:min(args.Len(), 50)], ", "), 1000)
	}
	ctx.Post(&engine.ToolCallUpdate{Type: "tool_call_update", NodeID: ctx.NodeID(), ToolCallID: call.ID, Name: call.Name,
		Args: args, Message: &msg, JobID: ctx.JobID(), WorkflowID: ctx.WorkflowID()})
	switch {
	case problem != "":
		return jsonText(map[string]any{"error": problem}), nil
	case tb.calls >= agentMaxBuiltinCalls:
		return jsonText(map[string]any{"error": fmt.Sprintf("the limit of %d tool calls per agent run is reached; answer with what you have", agentMaxBuiltinCalls)}), nil
	}
	tb.calls++
	return bt.Call(ctx, args)
}

// loop is one agent node's chat loop.
type loop struct {
	p        providers.Provider
	req      *providers.Request
	tools    *toolbox
	maxTurns int
	// onDelta gets every delta of every turn; onTurn each turn's text
	// once it is whole (before its tools run).
	onDelta func(providers.Delta) error
	onTurn  func(text string) error
}

// run streams completions until the model answers without calling a tool,
// running the tools it calls in between, at most maxTurns times. What the
// conversation grows by (answers, calls, results) is bounded by the node's
// max-value budget. It returns the last turn's text.
func (lp *loop) run(ctx *engine.Ctx) (string, error) {
	conv := &agent.Conversation{Messages: lp.req.Messages}
	last := ""
	for n := 1; ; n++ {
		if n > lp.maxTurns {
			ctx.Log("warning", fmt.Sprintf("stopped after %d model turns: the model kept calling tools", lp.maxTurns))
			return last, nil
		}
		lp.req.Messages = conv.Messages
		t, err := streamTurn(ctx, lp.p, lp.req, lp.onDelta)
		if err != nil {
			return "", err
		}
		if t.Text != "" {
			last = t.Text
		}
		if lp.onTurn != nil {
			if err := lp.onTurn(t.Text); err != nil {
				return "", err
			}
		}
		if len(t.Calls) == 0 {
			return last, nil
		}
		for i := range t.Calls {
			if t.Calls[i].ID == "" {
				t.Calls[i].ID = fmt.Sprintf("call_%d_%d", n, i)
			}
		}
		if err := conv.Add(ctx, providers.Message{Role: "assistant", Content: t.Text, ToolCalls: t.Calls}); err != nil {
			return "", err
		}
		for _, call := range t.Calls {
			content, err := lp.tools.call(ctx, call)
			if err != nil {
				return "", err
			}
			if err := conv.Add(ctx, providers.Message{Role: "tool", ToolCallID: call.ID, Name: call.Name, Content: content}); err != nil {
				return "", err
			}
		}
	}
}

// jsonText writes a small Go value as JSON.
func jsonText(v any) string { return string(rawJSON(v)) }
