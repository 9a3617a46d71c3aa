package llm

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
	"nodetool/providers"
)

// agentGen runs the Agent's chat loop (engine §5.13): stream a completion,
// emit its text deltas on chunk (reasoning on thinking) and its whole text
// on text; when the model calls tools, run them and stream again, up to
// agentMaxTurns turns. Its tools are the nodes it controls over control
// edges (Appendix A.1). With dynamic outputs the model must answer with a
// JSON object holding one field per output.
func (l *lib) agentGen(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
	p, model, err := l.model(ctx, in)
	if err != nil {
		return err
	}
	if in.Str("thread_id") != "" {
		ctx.Log("warning", "thread_id is ignored: conversation threads are not stored by this engine; pass earlier messages as history")
	}
	builtin := l.namedTools(ctx, toolNames(in.List("tools")))
	msgs := []providers.Message{systemMessage(in.Str("system"))}
	hist, err := historyMessages(ctx, in.List("history"))
	if err != nil {
		return err
	}
	msgs = append(msgs, hist...)
	user, err := userMessage(ctx, in.Str("prompt"), in.Get("image"), in.Get("audio"))
	if err != nil {
		return err
	}
	msgs = append(msgs, user)

	tools := &toolbox{control: newControlTools(ctx), builtin: builtin}
	maxTokens := int(in.Int("max_tokens"))
	req := &providers.Request{Model: model, Messages: msgs, Tools: tools.defs(), MaxTokens: &maxTokens}
	dyn := ctx.DynamicOutputs()
	if len(dyn) > 0 {
		req.ResponseFormat = rawJSON(pyval.DictOf("type", "json_schema", "json_schema", pyval.DictOf(
			"name", "agent_structured_output", "schema", slotsSchema("Agent Structured Output", dyn), "strict", true)))
	}

	nodeID := ctx.NodeID()
	// Each turn's text goes to "text" as soon as the turn finishes (or
	// when its stream ends without a finish reason).
	var text strings.Builder
	sent := false
	lp := &loop{p: p, req: req, tools: tools, maxTurns: agentMaxTurns,
		onDelta: func(d providers.Delta) error {
			if d.Thinking != "" {
				if err := emit("thinking", chunkValue(nodeID, d.Thinking, true)); err != nil {
					return err
				}
			}
			if d.Content != "" {
				text.WriteString(d.Content)
				if err := emit("chunk", chunkValue(nodeID, d.Content, false)); err != nil {
					return err
				}
			}
			if d.FinishReason != "" && !sent && text.Len() > 0 {
				sent = true
				return emit("text", text.String())
			}
			return nil
		},
		onTurn: func(t string) error {
			defer func() { text.Reset(); sent = false }()
			if t != "" && !sent {
				return emit("text", t)
			}
			return nil
		}}
	last, err := lp.run(ctx)
	if err != nil {
		return err
	}

	if len(dyn) == 0 {
		return nil
	}
	if strings.TrimSpace(last) == "" {
		return errors.New("Agent did not return structured output text")
	}
	obj, err := parseJSONObject(ctx, last)
	if err != nil {
		return err
	}
	if obj == nil {
		return fmt.Errorf("Agent did not return a valid structured JSON object; it answered %s", preview(last))
	}
	for _, o := range dyn {
		if !obj.Has(o.Name) {
			return fmt.Errorf("Agent structured output is missing required field '%s'", o.Name)
		}
	}
	fields, err := structuredFields(ctx, "Agent", obj, dyn)
	if err != nil {
		return err
	}
	for _, o := range dyn {
		if err := emit(o.Name, fields[o.Name]); err != nil {
			return err
		}
	}
	return nil
}

// controlTool is a node the agent controls, offered to the model as a
// tool: calling it runs the node once with the arguments as properties.
type controlTool struct {
	name string
	node engine.ControlledNode
	def  providers.Tool
}

// controlTools are an Agent run's tools and how many calls it made.
type controlTools struct {
	list  []*controlTool
	calls int
}

func newControlTools(ctx *engine.Ctx) *controlTools {
	ts := &controlTools{}
	used := map[string]bool{}
	for _, cn := range ctx.Controlled() {
		if cn.Def.Run != nil {
			ctx.Log("warning", fmt.Sprintf("node %s (%s) cannot be called as a tool: it reads its inputs as streams", cn.ID, cn.Type))
			continue
		}
		base := toolName(cn.Title)
		if base == "" {
			base = toolName(cn.Type[strings.LastIndexByte(cn.Type, '.')+1:])
		}
		if base == "" {
			base = toolName("node_" + cn.ID)
		}
		if base == "" {
			base = "node"
		}
		name := base
		for i := 2; used[name]; i++ {
			suffix := fmt.Sprintf("_%d", i)
			name = base[:min(len(base), 64-len(suffix))] + suffix
		}
		used[name] = true
		props := pyval.NewDict(len(cn.Def.Props))
		for _, p := range cn.Def.Props {
			s := typeSchema(p.Type)
			if p.Description != "" {
				s.Set("description", p.Description)
			}
			props.Set(p.Name, s)
		}
		schema := pyval.DictOf("type", "object", "properties", props, "required", []any{})
		desc := fmt.Sprintf("Runs the workflow node %q (%s) once and returns its outputs. Arguments set the node's properties; leave one out to keep its current value.", cn.Title, cn.Type)
		if cn.Def.Description != "" {
			desc += " The node: " + cn.Def.Description
		}
		ts.list = append(ts.list, &controlTool{name: name, node: cn,
			def: providers.Tool{Name: name, Description: desc, Parameters: rawJSON(schema)}})
	}
	return ts
}

// defs lists the tools for a request (nil when there are none).
func (ts *controlTools) defs() []providers.Tool {
	var out []providers.Tool
	for _, t := range ts.list {
		out = append(out, t.def)
	}
	return out
}

// find matches a called name to a tool: exactly, after normalising case
// and punctuation, or by the controlled node's id.
func (ts *controlTools) find(name string) *controlTool {
	for _, t := range ts.list {
		if t.name == name {
			return t
		}
	}
	norm := toolName(name)
	for _, t := range ts.list {
		if norm != "" && (toolName(t.name) == norm || t.node.ID == name || toolName(t.node.ID) == norm) {
			return t
		}
	}
	return nil
}

func (ts *controlTools) names() string {
	if len(ts.list) == 0 {
		return "none"
	}
	names := make([]string, len(ts.list))
	for i, t := range ts.list {
		names[i] = t.name
	}
	return strings.Join(names, ", ")
}

// call runs one tool call and returns the tool message's content (JSON).
// Mistakes the model can fix (an unknown tool, bad arguments, too many
// calls) are reported back to it; a failing node fails the run.
func (ts *controlTools) call(ctx *engine.Ctx, call providers.ToolCall) (string, error) {
	t := ts.find(call.Name)
	if t == nil {
		ctx.Log("warning", fmt.Sprintf("the model called an unknown tool %q (tools: %s)", call.Name, ts.names()))
		return bounded.JSONText(pyval.DictOf("status", "error", "error",
			fmt.Sprintf("there is no tool named %q; the tools are: %s", call.Name, ts.names()))), nil
	}
	result := func(status string, args *pyval.Dict, key string, v any) (string, error) {
		return bounded.JSONTextBounded(ctx, pyval.DictOf("status", status, "event_type", "run", "target_node_id", t.node.ID,
			"properties", args, key, v))
	}
	args := pyval.NewDict(0)
	if strings.TrimSpace(call.Arguments) != "" {
		v, err := bounded.DecodeJSON(ctx, []byte(call.Arguments))
		if err != nil && (engine.IsLimit(err) || ctx.Err() != nil) {
			return "", err
		}
		d, ok := v.(*pyval.Dict)
		if err != nil || !ok {
			return result("error", args, "error", "the arguments must be a JSON object of property values")
		}
		args = d
	}
	msg := fmt.Sprintf("Running %s", t.node.Title)
	if args.Len() > 0 {
		msg += " with " + pystr.ClipCount(strings.Join(args.Keys()[:min(args.Len(), 50)], ", "), 1000)
	}
	ctx.Post(&engine.ToolCallUpdate{Type: "tool_call_update", NodeID: ctx.NodeID(), ToolCallID: call.ID, Name: t.name,
		Args: args, Message: &msg, JobID: ctx.JobID(), WorkflowID: ctx.WorkflowID()})
	if ts.calls >= agentMaxControlCalls {
		return result("max_calls_reached", args, "error",
			fmt.Sprintf("the limit of %d node runs per agent run is reached; answer with what you have", agentMaxControlCalls))
	}
	if problems := checkProps(t.node.Def, args); len(problems) > 0 {
		return result("error", args, "error", pystr.ClipCount(strings.Join(problems, "; "), 4096))
	}
	ts.calls++
	out, err := ctx.RunControlled(t.node.ID, args)
	if err != nil {
		return "", fmt.Errorf("tool %s (node %s) failed: %w", t.name, t.node.ID, err)
	}
	res := pyval.NewDict(len(out))
	for _, k := range engine.SortedKeys(out) {
		res.Set(k, out[k])
	}
	return result("completed", args, "result", res)
}

// checkProps lists what is wrong with property values for a node:
// unknown names and values its properties cannot take.
func checkProps(def *engine.NodeDef, props *pyval.Dict) []string {
	var problems []string
	props.Range(func(k string, v any) bool {
		p, ok := def.Prop(k)
		switch {
		case !ok && !def.Dynamic:
			names := make([]string, len(def.Props))
			for i, p := range def.Props {
				names[i] = p.Name
			}
			problems = append(problems, fmt.Sprintf("%q is not a property of this node (properties: %s)", k, strings.Join(names, ", ")))
		case ok && v != nil:
			if _, err := engine.Coerce(v, p.Type); err != nil {
				problems = append(problems, fmt.Sprintf("property %q %v", k, err))
			}
		}
		return true
	})
	return problems
}

// toolName turns a title into a tool name: snake case of ASCII letters
// and digits ("To Uppercase", "ToUppercase" -> "to_uppercase"), at most
// 64 characters; "" when nothing is left.
func toolName(s string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range s {
		if r >= 128 || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteByte('_')
			prevLower = false
			continue
		}
		if unicode.IsUpper(r) && prevLower {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
		prevLower = unicode.IsLower(r)
	}
	parts := strings.FieldsFunc(b.String(), func(r rune) bool { return r == '_' })
	out := strings.Join(parts, "_")
	if len(out) > 64 {
		out = strings.TrimRight(out[:64], "_")
	}
	return out
}

// controlAgentGen asks the model for property values of the controlled
// nodes and runs each of them once with the values it accepts. The model
// sees each node's properties (value, type, description, default) and a
// JSON schema of the settable ones; its answer is a JSON object of
// property values, possibly wrapped in one key ("result", "properties",
// ...) or keyed by node id.
func (l *lib) controlAgentGen(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
	var nodes []engine.ControlledNode
	for _, cn := range ctx.Controlled() {
		if cn.Def.Run != nil {
			ctx.Log("warning", fmt.Sprintf("node %s (%s) cannot be controlled: it reads its inputs as streams", cn.ID, cn.Type))
			continue
		}
		nodes = append(nodes, cn)
	}
	if len(nodes) == 0 {
		ctx.Log("warning", "Control Agent controls no node: connect its control output to the nodes it should set")
		return nil
	}
	p, model, err := l.model(ctx, in)
	if err != nil {
		return err
	}
	info := pyval.NewDict(len(nodes))
	settable := pyval.NewDict(0)
	for _, cn := range nodes {
		props := pyval.NewDict(len(cn.Def.Props))
		for _, pr := range cn.Def.Props {
			props.Set(pr.Name, pyval.DictOf("value", pyval.Clone(cn.Props[pr.Name]), "type", pr.Type.String(),
				"description", pr.Description, "default", pyval.Clone(pr.Default)))
			if !settable.Has(pr.Name) && llmSettable(pr.Type) {
				s := typeSchema(pr.Type)
				if pr.Description != "" {
					s.Set("description", pr.Description)
				}
				settable.Set(pr.Name, s)
			}
		}
		info.Set(cn.ID, pyval.DictOf("node_id", cn.ID, "node_type", cn.Type, "node_title", cn.Title, "properties", props))
	}
	schema := pyval.DictOf("type", "object", "properties", settable, "additionalProperties", false)
	infoText, err := bounded.Dumps(ctx, info, pyval.DumpOptions{Indent: 2})
	if err != nil {
		return err
	}
	user := "These are the nodes you control, keyed by node id, with each property's current value, type, description and default:\n\n```json\n" +
		infoText + "\n```\n\n" +
		"Your answer is one JSON object of property values, matching this schema:\n<JSON_SCHEMA>\n" +
		pyval.Dumps(schema, pyval.DumpOptions{Indent: 2}) + "\n</JSON_SCHEMA>\n\n" +
		"Leave out properties that should keep their current value. Write only the JSON object."
	maxTokens := int(in.Int("max_tokens"))
	raw, err := chat(ctx, p, &providers.Request{Model: model, MaxTokens: &maxTokens,
		Messages:       []providers.Message{systemMessage(in.Str("system")), {Role: "user", Content: user}},
		ResponseFormat: rawJSON(pyval.DictOf("type", "json_object"))})
	if err != nil {
		return err
	}
	obj, err := parseJSONObject(ctx, raw)
	if err != nil {
		return err
	}
	if obj == nil {
		return fmt.Errorf("Control Agent: the model did not answer with a JSON object; it answered %s", preview(raw))
	}
	perNode := controlValues(obj, nodes)
	accepted := map[string]bool{}
	unknown := map[string]bool{}
	typeErr := map[string]string{}
	for _, cn := range nodes {
		vals := perNode[cn.ID]
		props := pyval.NewDict(vals.Len())
		vals.Range(func(k string, v any) bool {
			pr, ok := cn.Def.Prop(k)
			switch {
			case !ok && !cn.Def.Dynamic:
				unknown[k] = true
				return true
			case ok && v != nil:
				if _, err := engine.Coerce(v, pr.Type); err != nil {
					typeErr[k] = fmt.Sprintf("node %s: %v", cn.ID, err)
					return true
				}
			}
			accepted[k] = true
			props.Set(k, v)
			return true
		})
		if err := emit("__control_output__", &engine.ControlEvent{Target: cn.ID, Properties: props}); err != nil {
			return err
		}
	}
	var dropped []string
	for _, k := range engine.SortedKeys(typeErr) {
		dropped = append(dropped, fmt.Sprintf("%s (%s)", k, typeErr[k]))
	}
	for _, k := range engine.SortedKeys(unknown) {
		if !accepted[k] && typeErr[k] == "" {
			dropped = append(dropped, k+" (no controlled node has this property)")
		}
	}
	if len(dropped) > 0 {
		ctx.Log("warning", "Control Agent ignored values from the model: "+strings.Join(dropped, "; "))
	}
	return nil
}

// controlValues reads a Control Agent's answer as property values per
// controlled node: an object keyed by node ids gives each node its own;
// otherwise every node gets the same object, unwrapped from a single
// wrapper key or from a node description's "properties".
func controlValues(obj *pyval.Dict, nodes []engine.ControlledNode) map[string]*pyval.Dict {
	if obj.Len() == 1 {
		k := obj.Keys()[0]
		switch strings.ToLower(k) {
		case "result", "output", "json", "data", "properties", "response":
			if v, _ := obj.Get(k); v != nil {
				if d, ok := v.(*pyval.Dict); ok {
					obj = d
				}
			}
		}
	}
	if v, ok := obj.Get("properties"); ok && (obj.Has("node_id") || obj.Has("node_type") || obj.Has("analysis")) {
		d, _ := v.(*pyval.Dict)
		if d == nil {
			d = pyval.NewDict(0)
		}
		obj = d
	}
	ids := map[string]bool{}
	for _, cn := range nodes {
		ids[cn.ID] = true
	}
	byNode := obj.Len() > 0
	obj.Range(func(k string, v any) bool {
		_, isDict := v.(*pyval.Dict)
		byNode = ids[k] && isDict
		return byNode
	})
	out := map[string]*pyval.Dict{}
	for _, cn := range nodes {
		if !byNode {
			out[cn.ID] = obj
			continue
		}
		v, _ := obj.Get(cn.ID)
		d, _ := v.(*pyval.Dict)
		if d == nil {
			d = pyval.NewDict(0)
		}
		out[cn.ID] = d
	}
	return out
}

// llmSettable reports whether a model can sensibly write a value of the
// type: plain JSON values, not assets or model selectors.
func llmSettable(t engine.TypeMeta) bool {
	switch t.Type {
	case "str", "int", "float", "bool", "list", "dict", "enum", "any":
		return true
	case "union":
		for _, m := range t.TypeArgs {
			if !llmSettable(m) {
				return false
			}
		}
		return true
	}
	return false
}
