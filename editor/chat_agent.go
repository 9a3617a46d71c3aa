package editor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"nodetool/agent"
	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/lang/pyval"
	"nodetool/providers"
	"nodetool/store"
)

// AgentWeb is what the agent mode's web tools use (each nil when the
// server has none: the tool is then not offered).
type AgentWeb struct {
	Search agent.Searcher // google_search
	Fetch  agent.Fetcher  // browser, under the workflow egress policy
}

// agentAnswerSchema is the shape of an agent-mode answer, as NodeTool asks
// for it.
var agentAnswerSchema = pyval.DictOf("type", "object",
	"properties", pyval.DictOf("markdown", pyval.DictOf("type", "string", "description", "The markdown content of the response")),
	"required", []any{"markdown"})

// agentDefaultTools are the tools of an agent-mode message that names
// none, as NodeTool's "omnipotent" agent mode has them (without its MCP
// tools, which drive the NodeTool app).
var agentDefaultTools = []string{"read_file", "write_file", "browser", "google_search"}

// agentChat answers m in agent mode, as NodeTool's agent message processor
// does: the message's text is the objective of a plan-then-execute agent
// (agent.Run) on the message's model, with the tools the message names
// (read_file, write_file, list_directory, browser, google_search; by
// default all but list_directory) and the client's UI tools, in a
// workspace folder of its own (removed when the turn ends). It streams
// chunk frames, a tool_call_update frame per tool call, and
// "agent_execution" messages (saved to the thread) for planning updates,
// task updates, step results and logs; then the final assistant message
// (the answer's markdown) and the done marker. The turn counts as a run
// against the job limits and lives within the run budgets (--max-value,
// --run-timeout). A failure gives an error frame (error_type agent_error),
// the done marker and an assistant message with the error.
func (cs *chatSession) agentChat(ctx context.Context, m *message) any {
	set := cs.s.d.Providers
	if set == nil {
		return errorFrame("No model providers are configured on this server: start nodetool serve with --provider (ollama, openai, anthropic or fake) and --default-model")
	}
	p, model, err := set.Route(deref(m.Provider), deref(m.Model))
	if err != nil {
		return errorFrame(err.Error())
	}
	release, err := cs.s.d.Jobs.Admit(cs.c.user)
	if err != nil {
		return errorFrame(httpapi.ClientMessage(err)) // over a job limit, or shutting down
	}
	defer release()
	execID := store.NewID()
	wsPath, removeWS, err := cs.s.d.Jobs.Workspace("chat-" + execID)
	if err != nil {
		cs.s.log.Error("chat: cannot make an agent's workspace", "err", err)
		return errorFrame("the agent's workspace folder could not be made")
	}
	defer removeWS()
	limits := cs.s.d.Jobs.RunOptions(engine.RunOptions{}).Limits
	maxValue := limits.Value
	if maxValue <= 0 {
		maxValue = engine.DefaultMaxValue
	}
	// The agent works under runCtx (the turn's context, and the run
	// deadline); frames go out under the turn's, so a run that timed out
	// still reports it.
	runCtx := ctx
	if limits.Run > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, limits.Run)
		defer cancel()
	}
	b := agent.Within(runCtx, cs.c.user, maxValue)

	objective := strings.TrimSpace(contentText(m.Content))
	if objective == "" {
		objective = "Complete the requested task"
	}
	thread, workflow := m.ThreadID, m.WorkflowID
	reply := chatReply(m, "assistant")
	yes := true
	reply.AgentMode = &yes
	tools := cs.agentTools(runCtx, m, agent.WorkspaceDir(wsPath))

	// execution saves and sends an agent_execution message.
	sent := true
	execution := func(kind string, content any) {
		raw, err := valueJSON(content)
		if err != nil {
			return
		}
		em := chatReply(m, "agent_execution")
		em.AgentMode, em.AgentExecutionID, em.ExecutionEventType, em.Content = &yes, &execID, &kind, raw
		sent = sent && cs.saveAndSend(ctx, em)
	}
	frame := func(v map[string]any) {
		sent = sent && cs.send(ctx, v)
	}
	events := func(ev agent.Event) {
		if !sent {
			return
		}
		switch e := ev.(type) {
		case *agent.Chunk:
			frame(map[string]any{"type": "chunk", "content": e.Content, "done": false, "thinking": e.Thinking, "thread_id": thread})
		case *agent.ToolCall:
			frame(map[string]any{"type": "tool_call_update", "thread_id": thread, "workflow_id": workflow, "tool_call_id": e.ID,
				"name": e.Name, "message": "Calling " + e.Name + "...", "args": e.Args, "step_id": e.StepID, "agent_execution_id": execID})
		case *agent.TaskUpdate:
			execution("task_update", map[string]any{"type": "task_update", "event": e.Event, "task": e.Task, "step": e.Step})
		case *agent.PlanningUpdate:
			execution("planning_update", map[string]any{"type": "planning_update", "phase": e.Phase, "status": e.Status,
				"content": e.Content, "node_id": e.NodeID})
			if e.Status == "Success" || e.Status == "Failed" {
				severity := "info"
				if e.Status == "Failed" {
					severity = "error"
				}
				execution("log_update", map[string]any{"type": "log_update", "node_id": "agent", "node_name": "Agent",
					"content": e.Phase + ": " + deref(e.Content), "severity": severity})
			}
		case *agent.StepResult:
			if !e.IsTaskResult {
				stepID := e.Step.ID
				execution("step_result", map[string]any{"type": "step_result", "result": e.Result, "step": e.Step,
					"step_id": stepID, "error": e.Error, "is_task_result": false})
			}
		case *agent.Log:
			execution("log_update", map[string]any{"type": "log_update", "node_id": "agent", "node_name": "Agent",
				"content": e.Content, "severity": e.Severity})
		}
	}
	res, err := agent.Run(b, agent.Config{Provider: p, Model: model, Name: "Assistant", Objective: objective, Tools: tools,
		OutputSchema: agentAnswerSchema, Events: events})
	done := map[string]any{"type": "chunk", "content": "", "done": true, "thread_id": thread, "workflow_id": workflow}
	if ctx.Err() != nil || !sent {
		return nil // stopped, superseded or the socket is gone
	}
	if err != nil {
		var pe *providers.Error
		if !errors.As(err, &pe) && !errors.Is(err, agent.ErrTooLarge) && runCtx.Err() == nil {
			cs.s.log.Warn("chat: the agent failed", "err", err)
		}
		msg := "Agent execution error: " + err.Error()
		if runCtx.Err() != nil {
			msg = fmt.Sprintf("Agent execution error: the agent ran out of time (--run-timeout %s)", limits.Run)
		}
		if !cs.send(ctx, map[string]any{"type": "error", "message": msg, "error_type": "agent_error",
			"thread_id": thread, "workflow_id": workflow}) || !cs.send(ctx, done) {
			return nil
		}
		reply.Content, _ = json.Marshal(msg)
		return cs.save(ctx, reply)
	}
	answer := ""
	switch r := res.(type) {
	case string:
		answer = r
	case *pyval.Dict:
		if md, ok := mustGet(r, "markdown").(string); ok {
			answer = md
		} else {
			answer = pyval.Str(r)
		}
	default:
		answer = pyval.Str(res)
	}
	reply.Content, _ = json.Marshal(answer)
	if !cs.saveAndSend(ctx, reply) {
		return nil
	}
	return done
}

// agentTools are an agent-mode turn's tools: those the message names (or
// the defaults) that this server has, then the client's UI tools.
func (cs *chatSession) agentTools(ctx context.Context, m *message, ws *agent.Workspace) []agent.Tool {
	var names []string
	if len(m.Tools) > 0 {
		json.Unmarshal(m.Tools, &names)
	}
	if len(names) == 0 {
		names = agentDefaultTools
	}
	web := cs.s.d.AgentWeb
	var tools []agent.Tool
	for _, n := range slices.Compact(slices.Sorted(slices.Values(names))) {
		switch {
		case n == "read_file":
			tools = append(tools, agent.ReadFileTool(ws))
		case n == "write_file":
			tools = append(tools, agent.WriteFileTool(ws))
		case n == "list_directory":
			tools = append(tools, agent.ListDirectoryTool(ws))
		case n == "browser" && web.Fetch != nil:
			tools = append(tools, agent.BrowserTool(web.Fetch))
		case n == "google_search" && web.Search != nil:
			tools = append(tools, agent.GoogleSearchTool(web.Search))
		}
	}
	cs.mu.Lock()
	ui := slices.Clone(cs.uiTools)
	cs.mu.Unlock()
	for _, t := range ui {
		tools = append(tools, cs.uiAgentTool(ctx, t, m.ThreadID))
	}
	return tools
}

// uiAgentTool makes one of the client's UI tools an agent tool: a call is
// sent to the client as a tool_call frame and its tool_result comes back.
func (cs *chatSession) uiAgentTool(ctx context.Context, t providers.Tool, thread *string) agent.Tool {
	params := string(t.Parameters)
	if params == "" {
		params = `{"type":"object"}`
	}
	return agent.NewTool(t.Name, t.Description, params, func(b agent.Budget, args *pyval.Dict) (string, error) {
		id := "call_" + store.NewID()
		ch, forget := cs.expectTool(id)
		defer forget()
		if !cs.send(ctx, map[string]any{"type": "tool_call", "tool_call_id": id, "name": t.Name, "args": args, "thread_id": deref(thread)}) {
			return "", context.Cause(ctx)
		}
		result, ok := cs.awaitTool(ctx, ch)
		if !ok {
			return "", context.Cause(ctx)
		}
		out, err := valueJSON(result)
		if err != nil {
			return `{"error":"the tool result is not JSON"}`, nil
		}
		if int64(len(out)) > b.MaxValue() {
			return "", b.CheckSize(int64(len(out)))
		}
		return string(out), nil
	})
}
