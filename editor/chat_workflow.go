package editor

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/lang/pyval"
	"nodetool/store"
)

// Input nodes a workflow chat fills from the conversation (chatParams).
const (
	messageInputType     = "nodetool.input.MessageInput"
	messageListInputType = "nodetool.input.MessageListInput"
	stringInputType      = "nodetool.input.StringInput"
)

// chatTextInputs are the StringInput names that get the last user text.
var chatTextInputs = map[string]bool{"text": true, "prompt": true, "message": true, "input": true}

// workflowChat answers m by running its workflow: the graph the message
// carries (the editor's unsaved one), else the stored workflow, which must
// be visible to the caller ("Workflow not found" otherwise). The run's
// params come from the conversation (chatParams); every engine event is
// forwarded as it comes (with the run's job_id and workflow_id), then the
// done marker, then an assistant message with workflow_assistant true
// whose content is parts built from the outputs (outputParts). A run that
// fails gives an error frame, the done marker and an assistant message
// with the error. The run is not a job of the jobs API: it belongs to the
// socket and ends with it; it is a run of the job manager all the same
// (its limits, run options and shutdown). A run over a limit gets an error
// frame naming the limit. It returns the last frame, unsent (nil when the
// turn ended early).
func (cs *chatSession) workflowChat(ctx context.Context, m *message, history []*message) any {
	wfID := *m.WorkflowID
	var graph *engine.Graph
	if g := bytes.TrimSpace(m.Graph); len(g) > 0 && string(g) != "null" {
		gv, err := pyval.Decode(g)
		if err == nil {
			graph, err = engine.GraphFromValue(gv)
		}
		if err != nil {
			return errorFrame("invalid graph: " + err.Error())
		}
	} else {
		e, err := cs.s.d.Workflows.Get(cs.c.user, wfID)
		if err != nil {
			return errorFrame("Workflow not found")
		}
		graph = &e.Workflow.Graph
	}
	reply := chatReply(m, "assistant")
	yes := true
	reply.WorkflowAssistant = &yes

	plan, err := cs.s.d.Registry.Compile(graph)
	if err != nil {
		return cs.workflowFailed(ctx, reply, err.Error())
	}
	runID := store.NewID()
	cs.s.d.Jobs.LogRun(graph, runID, wfID)
	res, err := cs.s.d.Jobs.Run(ctx, cs.c.user, plan, engine.RunOptions{
		JobID: runID, WorkflowID: wfID, Params: chatParams(plan.Inputs(), m, history),
		OnEvent: func(ev engine.Event) { cs.send(ctx, ev) },
	})
	if err != nil {
		return errorFrame(httpapi.ClientMessage(err)) // over a job limit, or shutting down
	}
	if ctx.Err() != nil {
		return nil
	}
	if res.Status != engine.StatusCompleted {
		return cs.workflowFailed(ctx, reply, res.Error)
	}
	if !cs.send(ctx, doneMarker) {
		return nil
	}
	parts := outputParts(plan.OutputNames(), res.Outputs)
	content, err := valueJSON(parts)
	if err != nil {
		cs.s.log.Warn("chat: a workflow output cannot be stored", "workflow_id", wfID, "err", err)
		content, _ = json.Marshal([]any{map[string]any{"type": "text", "text": "The workflow's output cannot be shown."}})
	}
	reply.Content = content
	return cs.save(ctx, reply)
}

// workflowFailed reports a workflow run that failed (the engine already
// sent its job_update). The error frame carries the reason as "message",
// like every chat error, and as "error", where NodeTool puts it for
// workflow failures. It returns the last frame, unsent.
func (cs *chatSession) workflowFailed(ctx context.Context, reply *message, reason string) any {
	msg := "Workflow failed: " + reason
	if !cs.send(ctx, map[string]any{"type": "error", "message": msg, "error": reason}) || !cs.send(ctx, doneMarker) {
		return nil
	}
	reply.Content, _ = json.Marshal([]any{map[string]any{"type": "text", "text": msg}})
	return cs.save(ctx, reply)
}

// chatParams maps the conversation onto the workflow's inputs:
//
//   - every MessageInput (whatever its name) gets the last user message,
//     as a Message object;
//   - every MessageListInput gets the history, as a list of Message
//     objects;
//   - a StringInput named "text", "prompt", "message" or "input" gets the
//     last user message's text (its text parts joined by newlines).
//
// Other inputs keep their defaults.
func chatParams(inputs []engine.InputInfo, m *message, history []*message) *pyval.Dict {
	last := m
	if deref(m.Role) != "user" {
		for i := len(history) - 1; i >= 0; i-- {
			if deref(history[i].Role) == "user" {
				last = history[i]
				break
			}
		}
	}
	params := pyval.NewDict(0)
	for _, in := range inputs {
		switch {
		case in.NodeType == messageInputType:
			params.Set(in.Name, messageValue(last))
		case in.NodeType == messageListInputType:
			list := make([]any, 0, len(history))
			for _, h := range history {
				list = append(list, messageValue(h))
			}
			params.Set(in.Name, list)
		case in.NodeType == stringInputType && chatTextInputs[in.Name]:
			params.Set(in.Name, contentText(last.Content))
		}
	}
	return params
}

// messageValue is a message as the engine sees a Message object.
func messageValue(m *message) any {
	data, err := json.Marshal(presentMessage(m))
	if err != nil {
		return nil
	}
	v, err := pyval.Decode(data)
	if err != nil {
		return nil
	}
	return v
}

// outputParts builds message content from a run's outputs, output by
// output: strings become text parts, lists of strings one text part
// joined with spaces, image, audio, video and document references media
// parts (also inside lists). Other values are left out.
func outputParts(names []string, outputs map[string][]any) []any {
	parts := []any{}
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		for _, v := range outputs[name] {
			parts = appendPart(parts, v, true)
		}
	}
	return parts
}

func appendPart(parts []any, v any, top bool) []any {
	switch t := v.(type) {
	case string:
		return append(parts, pyval.DictOf("type", "text", "text", t))
	case *pyval.Dict:
		switch kind := t.Str("type"); kind {
		case "image":
			return append(parts, pyval.DictOf("type", "image_url", "image", t))
		case "audio", "video", "document":
			return append(parts, pyval.DictOf("type", kind, kind, t))
		}
	case []any:
		if !top {
			return parts
		}
		var words []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				words = append(words, s)
				continue
			}
			words = nil
			break
		}
		if len(words) == len(t) && len(t) > 0 {
			return append(parts, pyval.DictOf("type", "text", "text", strings.Join(words, " ")))
		}
		for _, e := range t {
			parts = appendPart(parts, e, false)
		}
	}
	return parts
}
