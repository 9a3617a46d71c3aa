package llm

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"nodetool/agent"
	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/providers"
)

// researchAgentProcess runs ResearchAgent: NodeTool's plan-then-execute
// agent (agent.Run) on the objective, with the tools the node names
// (google_search, browser, and the workspace tools), its answer shaped by
// the node's dynamic outputs: one field per output. The planning, task and
// tool-call updates and the model's text stream as events, as NodeTool's
// node posts them.
func (l *lib) researchAgentProcess(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	objective := in.Str("objective")
	if strings.TrimSpace(objective) == "" {
		return nil, errors.New("Provide a research objective")
	}
	slots := ctx.DynamicOutputs()
	if len(slots) == 0 {
		return nil, errors.New("Define at least one output field for research results")
	}
	p, model, err := l.model(ctx, in)
	if err != nil {
		return nil, err
	}
	schema := slotsSchema("Research Results", slots)
	nodeID, jobID, wfID := ctx.NodeID(), ctx.JobID(), ctx.WorkflowID()
	ids := agent.Ids{NodeID: &nodeID, JobID: &jobID}
	if wfID != "" {
		ids.WorkflowID = &wfID
	}
	cfg := agent.Config{Provider: p, Model: model, Name: "Research Agent", Objective: objective, System: in.Str("system_prompt"),
		Tools: l.namedTools(ctx, toolNames(in.List("tools"))), OutputSchema: schema, MaxTokens: int(in.Int("max_tokens")), Ids: ids,
		Events: func(ev agent.Event) { postAgentEvent(ctx, ev) }}
	res, err := agent.Run(ctx, cfg)
	if err != nil {
		var pe *providers.Error
		if ctx.Err() != nil || errors.As(err, &pe) {
			return nil, modelErr(ctx, err)
		}
		return nil, err
	}
	out := map[string]any{}
	switch r := res.(type) {
	case nil:
		ctx.Log("warning", "Research Agent completed but returned no results")
		for _, s := range slots {
			out[s.Name] = ""
		}
	case *pyval.Dict:
		for _, s := range slots {
			v, ok := r.Get(s.Name)
			if !ok {
				ctx.Log("warning", fmt.Sprintf("Research Agent: the result has no field %q", s.Name))
				continue
			}
			if v == nil {
				out[s.Name] = nil
				continue
			}
			cv, err := engine.Coerce(v, s.Type)
			if err != nil {
				return nil, fmt.Errorf("Research Agent: field %q of the result %v", s.Name, err)
			}
			out[s.Name] = cv
		}
	default:
		out[slots[0].Name] = res
	}
	return out, nil
}

// postAgentEvent posts an agent's event as the node's: planning and task
// updates as they are, tool calls as tool_call_update, text as chunk
// events, notes as log_update. Step results stay inside the node, as in
// NodeTool.
func postAgentEvent(ctx *engine.Ctx, ev agent.Event) {
	nodeID := ctx.NodeID()
	switch e := ev.(type) {
	case *agent.PlanningUpdate, *agent.TaskUpdate:
		ctx.Post(e)
	case *agent.ToolCall:
		msg := e.Message
		step := e.StepID
		ctx.Post(&engine.ToolCallUpdate{Type: "tool_call_update", NodeID: nodeID, ToolCallID: e.ID, Name: e.Name, Args: e.Args,
			Message: &msg, StepID: &step, JobID: ctx.JobID(), WorkflowID: ctx.WorkflowID()})
	case *agent.Chunk:
		ctx.Post(&engine.Chunk{Type: "chunk", NodeID: &nodeID, ContentType: "text", Content: e.Content, ContentMetadata: map[string]any{},
			Thinking: e.Thinking, JobID: ctx.JobID(), WorkflowID: ctx.WorkflowID()})
	case *agent.Log:
		ctx.Log(e.Severity, e.Content)
	}
}

// createThreadProcess returns a conversation thread id: the one given, or
// a new one. Threads are not stored by the engine (an Agent's thread_id
// is ignored, with a warning; pass earlier messages as history), so the
// id is only passed on.
func createThreadProcess(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	if id := strings.TrimSpace(in.Str("thread_id")); id != "" {
		return map[string]any{"thread_id": id}, nil
	}
	var b [16]byte
	rand.Read(b[:])
	return map[string]any{"thread_id": hex.EncodeToString(b[:])}, nil
}
