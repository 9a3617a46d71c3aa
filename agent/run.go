package agent

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"nodetool/lang/jsonschema"
	"nodetool/lang/pyval"
	"nodetool/providers"
)

// Config is one plan-then-execute agent run (Run).
type Config struct {
	Provider providers.Provider
	Model    string
	// Name names the agent in logs ("Research Agent", "Assistant").
	Name      string
	Objective string
	// System is added to every step's instructions (the caller's system
	// prompt), if set.
	System string
	Tools  []Tool
	// OutputSchema is the JSON schema of the answer (nil: free text).
	OutputSchema *pyval.Dict
	// MaxSteps bounds the plan (default 10), MaxTurns the model turns of a
	// step (default 8), MaxToolCalls the tool calls of a step (default 16).
	MaxSteps, MaxTurns, MaxToolCalls int
	// MaxTokens, if set, bounds each model answer.
	MaxTokens int
	// Ids are stamped on the planning, task and step events.
	Ids Ids
	// Events gets every event, in order, from the goroutine that called
	// Run (nil: none).
	Events func(Event)
}

// Defaults of Config.
const (
	DefaultMaxSteps     = 10
	DefaultMaxTurns     = 8
	DefaultMaxToolCalls = 16
	planAttempts        = 3
	finishStep          = "finish_step"
	maxResultChars      = 20000 // of a tool result in the conversation, as NodeTool's step executor
)

func (c *Config) emit(ev Event) {
	if c.Events != nil {
		c.Events(ev)
	}
}

func (c *Config) defaults() {
	if c.MaxSteps <= 0 {
		c.MaxSteps = DefaultMaxSteps
	}
	if c.MaxTurns <= 0 {
		c.MaxTurns = DefaultMaxTurns
	}
	if c.MaxToolCalls <= 0 {
		c.MaxToolCalls = DefaultMaxToolCalls
	}
	if c.Name == "" {
		c.Name = "Agent"
	}
}

// Run plans the objective as steps and runs them in dependency order; it
// returns the last step's result: a value of OutputSchema's shape, or the
// model's text without one. A plan the model cannot make (after three
// attempts, each told what was wrong) becomes one step holding the whole
// objective. Errors are the provider's failures (as they are) and b's end.
func Run(b Budget, c Config) (any, error) {
	c.defaults()
	c.emit(&PlanningUpdate{Type: "planning_update", Ids: c.Ids, Phase: "Planning", Status: "Starting"})
	task, err := c.plan(b)
	if err != nil {
		return nil, err
	}
	c.emit(&TaskUpdate{Type: "task_update", Ids: c.Ids, Task: task.copy(), Event: TaskCreated})
	order, err := stepOrder(task.Steps)
	if err != nil { // plan() only returns acyclic plans
		return nil, err
	}
	if c.OutputSchema != nil {
		order[len(order)-1].OutputSchema = pyval.Dumps(c.OutputSchema, pyval.DumpOptions{Indent: -1})
	}
	results := map[string]any{}
	var last any
	for i, step := range order {
		final := i == len(order)-1
		step.StartTime = time.Now().Unix()
		c.emit(&TaskUpdate{Type: "task_update", Ids: c.Ids, Task: task.copy(), Step: step.copy(), Event: StepStarted})
		var schema *pyval.Dict
		if final && c.OutputSchema != nil {
			schema = c.OutputSchema
		} else if step.OutputSchema != "" {
			schema = parseSchema(step.OutputSchema)
		}
		res, err := c.runStep(b, task, step, schema, results)
		if err != nil {
			msg := err.Error()
			c.emit(&TaskUpdate{Type: "task_update", Ids: c.Ids, Task: task.copy(), Step: step.copy(), Event: StepFailed})
			c.emit(&StepResult{Type: "step_result", Ids: c.Ids, Step: step.copy(), Error: &msg, IsTaskResult: final})
			return nil, err
		}
		step.Completed, step.EndTime = true, time.Now().Unix()
		results[step.ID] = res
		last = res
		c.emit(&TaskUpdate{Type: "task_update", Ids: c.Ids, Task: task.copy(), Step: step.copy(), Event: StepCompleted})
		c.emit(&StepResult{Type: "step_result", Ids: c.Ids, Step: step.copy(), Result: res, IsTaskResult: final})
	}
	c.emit(&TaskUpdate{Type: "task_update", Ids: c.Ids, Task: task.copy(), Event: TaskCompleted})
	return last, nil
}

// parseSchema reads a step's output_schema text: a JSON object, else nil
// (the step answers in text).
func parseSchema(s string) *pyval.Dict {
	v, err := pyval.DecodeLimits([]byte(s), pyval.Limits{MaxBytes: 1 << 20})
	d, ok := v.(*pyval.Dict)
	if err != nil || !ok {
		return nil
	}
	return d
}

// stepOrder orders the steps so each comes after those it depends on,
// keeping the plan's order otherwise.
func stepOrder(steps []*Step) ([]*Step, error) {
	byID := map[string]*Step{}
	for _, s := range steps {
		byID[s.ID] = s
	}
	state := map[string]int{} // 1 visiting, 2 done
	var out []*Step
	var visit func(s *Step, depth int) error
	visit = func(s *Step, depth int) error {
		switch state[s.ID] {
		case 1:
			return fmt.Errorf("the steps depend on each other in a cycle (through %q)", s.ID)
		case 2:
			return nil
		}
		if depth > len(steps) {
			return fmt.Errorf("the steps depend on each other in a cycle (through %q)", s.ID)
		}
		state[s.ID] = 1
		for _, d := range s.DependsOn {
			if dep := byID[d]; dep != nil {
				if err := visit(dep, depth+1); err != nil {
					return err
				}
			}
		}
		state[s.ID] = 2
		out = append(out, s)
		return nil
	}
	for _, s := range steps {
		if err := visit(s, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

const executionPrompt = `# Role
You are executing EXACTLY one step within a larger plan. Complete this step end-to-end.

# Objective
%s

# Hard Constraint: No Human Feedback
- Do NOT ask clarifying questions or request user input.
- If something is ambiguous or missing, choose the simplest reasonable assumption and proceed.

# Scope & Discipline
- Do ONLY what is required to satisfy this step objective; avoid tangents and extra work.
- Use upstream step results already present in context; do not ask for them again.
`

const structuredPrompt = `
# Output Schema
- The final ` + "`result`" + ` MUST match this schema:
` + "```json\n%s\n```" + `

# Completion (Tool Call Only)
- When the step is complete, CALL ` + "`finish_step`" + ` exactly once with: {"result": <result>}
- Do NOT output the final result in assistant text.
`

const textPrompt = `
# Completion
- Use tools as needed; when the step is done, answer with its result as your final message (no tool call).
`

// runStep runs one step's tool loop and returns its result.
func (c *Config) runStep(b Budget, task *Task, step *Step, schema *pyval.Dict, results map[string]any) (any, error) {
	system := fmt.Sprintf(executionPrompt, step.Instructions)
	if schema != nil {
		system += fmt.Sprintf(structuredPrompt, pyval.Dumps(schema, pyval.DumpOptions{Indent: 2}))
	} else {
		system += textPrompt
	}
	if c.System != "" {
		system += "\n# Instructions\n" + c.System + "\n"
	}
	user := "Overall objective: " + c.Objective + "\n\nThis step (" + step.ID + "): " + step.Instructions
	if len(step.DependsOn) > 0 {
		deps := pyval.NewDict(len(step.DependsOn))
		for _, d := range step.DependsOn {
			if r, ok := results[d]; ok {
				deps.Set(d, r)
			}
		}
		if deps.Len() > 0 {
			user += "\n\nResults of the steps it depends on:\n```json\n" + capAt(jsonText(deps), maxResultChars*4) + "\n```"
		}
	}
	conv := &Conversation{Messages: []providers.Message{{Role: "system", Content: system}}}
	if err := conv.Add(b, providers.Message{Role: "user", Content: user}); err != nil {
		return nil, err
	}
	tools := stepTools(c.Tools, step.Tools)
	defs := make([]providers.Tool, 0, len(tools)+1)
	for _, t := range tools {
		defs = append(defs, t.Def())
	}
	if schema != nil {
		defs = append(defs, finishTool(schema))
	}
	calls := 0
	lastText := ""
	for turn := 1; turn <= c.MaxTurns; turn++ {
		req := &providers.Request{Model: c.Model, Messages: conv.Messages, Tools: defs}
		if c.MaxTokens > 0 {
			mt := c.MaxTokens
			req.MaxTokens = &mt
		}
		t, err := StreamTurn(b, c.Provider, req, func(d providers.Delta) error {
			if d.Thinking != "" {
				c.emit(&Chunk{Content: d.Thinking, Thinking: true, StepID: step.ID})
			}
			if d.Content != "" {
				c.emit(&Chunk{Content: d.Content, StepID: step.ID})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if t.Text != "" {
			lastText = t.Text
		}
		if len(t.Calls) == 0 {
			if schema == nil {
				return t.Text, nil
			}
			if res, ok := completion(b, t.Text, schema); ok {
				return res, nil
			}
			if err := conv.Add(b, providers.Message{Role: "assistant", Content: t.Text}); err != nil {
				return nil, err
			}
			if err := conv.Add(b, providers.Message{Role: "user", Content: "Call finish_step now with the step's result ({\"result\": ...}, matching the output schema)."}); err != nil {
				return nil, err
			}
			continue
		}
		for i := range t.Calls {
			if t.Calls[i].ID == "" {
				t.Calls[i].ID = fmt.Sprintf("call_%s_%d_%d", step.ID, turn, i)
			}
		}
		if err := conv.Add(b, providers.Message{Role: "assistant", Content: t.Text, ToolCalls: t.Calls}); err != nil {
			return nil, err
		}
		for _, call := range t.Calls {
			args, problem, err := DecodeArgs(b, call.Arguments)
			if err != nil {
				return nil, err
			}
			var content string
			switch {
			case problem != "":
				content = failure("%s", problem)
			case call.Name == finishStep && schema != nil:
				res, ok := args.Get("result")
				if !ok {
					content = failure("finish_step needs {\"result\": ...}")
					break
				}
				valid, err := jsonschema.Validate(b, res, schema)
				if err != nil && b.Err() != nil {
					return nil, context.Cause(b)
				}
				if valid {
					return res, nil
				}
				content = failure("the result does not match the output schema; call finish_step again with a result that does")
			default:
				tool := findTool(tools, call.Name)
				if tool == nil {
					content = failure("there is no tool named %q; the tools are: %s", call.Name, toolNames(tools, schema != nil))
					break
				}
				if calls >= c.MaxToolCalls {
					content = failure("the limit of %d tool calls for this step is reached: finish the step with what you have", c.MaxToolCalls)
					break
				}
				calls++
				c.emit(&ToolCall{ID: call.ID, Name: call.Name, Args: args, Message: callMessage(call.Name, args), StepID: step.ID})
				content, err = tool.Call(b, args)
				if err != nil {
					return nil, err
				}
			}
			if err := conv.Add(b, providers.Message{Role: "tool", ToolCallID: call.ID, Name: call.Name, Content: capAt(content, maxResultChars)}); err != nil {
				return nil, err
			}
		}
	}
	if schema == nil {
		return lastText, nil
	}
	return c.forceResult(b, conv, schema, step)
}

// forceResult asks the model, without tools, for the step's result as
// JSON of the schema (NodeTool's conclusion stage).
func (c *Config) forceResult(b Budget, conv *Conversation, schema *pyval.Dict, step *Step) (any, error) {
	if err := conv.Add(b, providers.Message{Role: "user", Content: "Stop using tools. Answer now with the step's result: a JSON object {\"result\": ...} whose result matches the output schema."}); err != nil {
		return nil, err
	}
	wrapped := pyval.DictOf("type", "object", "properties", pyval.DictOf("result", schema), "required", []any{"result"}, "additionalProperties", false)
	req := &providers.Request{Model: c.Model, Messages: conv.Messages,
		ResponseFormat: []byte(jsonText(pyval.DictOf("type", "json_schema", "json_schema", pyval.DictOf("name", "step_result", "schema", wrapped))))}
	t, err := StreamTurn(b, c.Provider, req, nil)
	if err != nil {
		return nil, err
	}
	if obj := findObject(b, t.Text); obj != nil {
		if res, ok := obj.Get("result"); ok {
			if valid, _ := jsonschema.Validate(b, res, schema); !valid {
				c.emit(&Log{Content: fmt.Sprintf("step %s: the result does not match its output schema; it is kept as it is", step.ID), Severity: "warning"})
			}
			return res, nil
		}
		if valid, _ := jsonschema.Validate(b, obj, schema); valid {
			return obj, nil
		}
	}
	if st, _ := schema.Get("type"); st == "string" && strings.TrimSpace(t.Text) != "" {
		return t.Text, nil
	}
	return nil, fmt.Errorf("%s: step %s gave no result matching its output schema; the model answered %q", c.Name, step.ID, capAt(t.Text, 200))
}

// completion reads a step's result from a text answer: a JSON object
// {"status": "completed", "result": ...}, or a JSON value that matches
// the schema.
func completion(b Budget, text string, schema *pyval.Dict) (any, bool) {
	obj := findObject(b, text)
	if obj == nil {
		return nil, false
	}
	if res, ok := obj.Get("result"); ok {
		if valid, _ := jsonschema.Validate(b, res, schema); valid {
			return res, true
		}
	}
	if valid, _ := jsonschema.Validate(b, obj, schema); valid {
		return obj, true
	}
	return nil, false
}

var jsonFence = regexp.MustCompile("(?i)```json\\s*([\\s\\S]*?)\\s*```")

// findObject finds a JSON object in a model's text: in a ```json fence,
// the whole text, or from the first { to the last }.
func findObject(b Budget, raw string) *pyval.Dict {
	raw = strings.TrimSpace(raw)
	var candidates []string
	if m := jsonFence.FindStringSubmatch(raw); m != nil {
		candidates = append(candidates, strings.TrimSpace(m[1]))
	}
	candidates = append(candidates, raw)
	if i, j := strings.Index(raw, "{"), strings.LastIndex(raw, "}"); i >= 0 && i < j {
		candidates = append(candidates, raw[i:j+1])
	}
	for _, cand := range candidates {
		v, err := pyval.DecodeLimits([]byte(cand), pyval.Limits{MaxBytes: b.MaxValue()})
		if d, ok := v.(*pyval.Dict); ok && err == nil {
			return d
		}
	}
	return nil
}

// finishTool is finish_step with the step's result schema.
func finishTool(schema *pyval.Dict) providers.Tool {
	params := pyval.DictOf("type", "object", "properties", pyval.DictOf("result", schema), "required", []any{"result"}, "additionalProperties", false)
	return providers.Tool{Name: finishStep, Description: "Call this tool when you have completed the step and have the final result ready. " +
		"This is the ONLY way to properly signal step completion. The result must conform to the step's declared output schema.",
		Parameters: []byte(jsonText(params))}
}

// stepTools are the tools a step may use: those it names, or all.
func stepTools(all []Tool, names []string) []Tool {
	if len(names) == 0 {
		return all
	}
	var out []Tool
	for _, t := range all {
		for _, n := range names {
			if t.Def().Name == n {
				out = append(out, t)
				break
			}
		}
	}
	if len(out) == 0 {
		return all
	}
	return out
}

func findTool(tools []Tool, name string) Tool {
	for _, t := range tools {
		if t.Def().Name == name {
			return t
		}
	}
	return nil
}

func toolNames(tools []Tool, finish bool) string {
	var names []string
	for _, t := range tools {
		names = append(names, t.Def().Name)
	}
	if finish {
		names = append(names, finishStep)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// callMessage says what a tool call does, for people.
func callMessage(name string, args *pyval.Dict) string {
	for _, k := range []string{"keyword", "query", "url", "path", "file_path", "pattern"} {
		if v := argStr(args, k); v != "" {
			return fmt.Sprintf("Calling %s: %s", name, capAt(v, 120))
		}
	}
	return "Calling " + name
}
