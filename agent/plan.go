package agent

import (
	"fmt"
	"strings"

	"nodetool/lang/pyval"
	"nodetool/providers"
)

const planningSystem = `<role>
You are a TaskArchitect that transforms user objectives into executable Task plans.
</role>

<terminology>
- **Task**: A container with a title and a list of Steps.
- **Step**: An individual unit of work with dependencies, instructions, and an optional output schema.
</terminology>

<execution_patterns>
- Sequential: step1 -> step2 -> step3
- Fan-out: discover -> process each -> aggregate
- Parallel: step1 | step2 -> combine
- Single Step: one atomic operation for simple objectives
</execution_patterns>

<validation_rules>
- All Step IDs unique and descriptive (snake_case)
- Dependencies form a valid DAG (no cycles); every referenced Step ID exists
- Steps are atomic (smallest executable units)
- output_schema, when given, is a JSON schema as a JSON string
</validation_rules>
`

const planPrompt = `Create an executable Task for this objective using the create_task tool.

<objective>%s</objective>

<output_schema>%s</output_schema>

<available_tools>
%s
</available_tools>

Choose the best execution pattern and call the create_task tool with your task plan (at most %d steps).
Required step fields: id (snake_case), instructions (clear actionable text), depends_on (list of step IDs).
Optional: output_schema (a JSON schema as a JSON string), tools (the tool names the step may use).`

// createTaskSchema is create_task's arguments: a Task.
const createTaskSchema = `{"type":"object","properties":{` +
	`"title":{"type":"string","description":"A clear, descriptive title for the task"},` +
	`"steps":{"type":"array","description":"The steps, forming a DAG through depends_on","items":{"type":"object","properties":{` +
	`"id":{"type":"string","description":"Unique snake_case identifier"},` +
	`"instructions":{"type":"string","description":"Clear, actionable instructions"},` +
	`"depends_on":{"type":"array","items":{"type":"string"},"description":"IDs of the steps this one needs"},` +
	`"output_schema":{"type":"string","description":"JSON schema of the step's result, as a JSON string (optional)"},` +
	`"tools":{"type":"array","items":{"type":"string"},"description":"The tools this step may use (optional)"}},` +
	`"required":["id","instructions","depends_on"]}}},"required":["title","steps"]}`

// plan asks the model for a plan with the create_task tool, at most
// planAttempts times, telling it each time what was wrong; the last
// resort is a plan of one step holding the whole objective.
func (c *Config) plan(b Budget) (*Task, error) {
	var toolLines []string
	for _, t := range c.Tools {
		d := t.Def()
		toolLines = append(toolLines, "- "+d.Name+": "+capAt(d.Description, 300))
	}
	if len(toolLines) == 0 {
		toolLines = []string{"(none)"}
	}
	schema := "(free text)"
	if c.OutputSchema != nil {
		schema = pyval.Dumps(c.OutputSchema, pyval.DumpOptions{Indent: -1})
	}
	conv := &Conversation{Messages: []providers.Message{{Role: "system", Content: planningSystem}}}
	if err := conv.Add(b, providers.Message{Role: "user", Content: fmt.Sprintf(planPrompt, c.Objective, schema, strings.Join(toolLines, "\n"), c.MaxSteps)}); err != nil {
		return nil, err
	}
	tool := providers.Tool{Name: "create_task", Description: "Create an executable task with a list of steps to accomplish the given objective.",
		Parameters: []byte(createTaskSchema)}
	why := ""
	for attempt := 1; attempt <= planAttempts; attempt++ {
		req := &providers.Request{Model: c.Model, Messages: conv.Messages, Tools: []providers.Tool{tool}}
		t, err := StreamTurn(b, c.Provider, req, nil)
		if err != nil {
			return nil, err
		}
		var data *pyval.Dict
		callID := ""
		for _, call := range t.Calls {
			if call.Name == "create_task" {
				callID = call.ID
				args, problem, err := DecodeArgs(b, call.Arguments)
				if err != nil {
					return nil, err
				}
				if problem == "" {
					data = args
				}
				break
			}
		}
		if data == nil {
			data = findObject(b, t.Text) // a model that writes the plan instead of calling the tool
		}
		var task *Task
		if data == nil {
			why = fmt.Sprintf("the model did not call create_task (attempt %d of %d)", attempt, planAttempts)
		} else if task, why = c.taskFrom(data); task != nil {
			content := fmt.Sprintf("Created plan '%s' with %d steps.", task.Title, len(task.Steps))
			if why != "" {
				content += " " + why
			}
			c.emit(&PlanningUpdate{Type: "planning_update", Ids: c.Ids, Phase: "Plan Creation", Status: "Success", Content: &content})
			return task, nil
		}
		feedback := "Error: " + why + ". Please call the create_task tool with a valid task plan."
		if callID != "" {
			if err := conv.Add(b, providers.Message{Role: "assistant", Content: t.Text, ToolCalls: t.Calls}); err != nil {
				return nil, err
			}
			for _, call := range t.Calls {
				if err := conv.Add(b, providers.Message{Role: "tool", ToolCallID: call.ID, Name: call.Name, Content: feedback}); err != nil {
					return nil, err
				}
			}
			feedback = "Please call create_task again with the corrected plan."
		} else if err := conv.Add(b, providers.Message{Role: "assistant", Content: t.Text}); err != nil {
			return nil, err
		}
		if err := conv.Add(b, providers.Message{Role: "user", Content: feedback}); err != nil {
			return nil, err
		}
	}
	content := fmt.Sprintf("%s; the objective runs as one step.", why)
	c.emit(&PlanningUpdate{Type: "planning_update", Ids: c.Ids, Phase: "Plan Creation", Status: "Failed", Content: &content})
	return &Task{Type: "task", Title: capAt(c.Objective, 80), Steps: []*Step{newStep("complete_objective", c.Objective, nil)}}, nil
}

func newStep(id, instructions string, deps []string) *Step {
	if deps == nil {
		deps = []string{}
	}
	return &Step{Type: "step", ID: id, Instructions: instructions, Logs: []any{}, DependsOn: deps}
}

// taskFrom checks a plan and repairs what it can without guessing: a
// missing or repeated step id gets a unique one, dependencies on steps
// that do not exist are dropped, unknown tool names are dropped. A plan
// with no steps, too many, steps without instructions or a dependency
// cycle is refused (task nil; why says why). why also lists the repairs.
func (c *Config) taskFrom(d *pyval.Dict) (task *Task, why string) {
	raw, _ := d.Get("steps")
	list, ok := raw.([]any)
	switch {
	case !ok || len(list) == 0:
		return nil, "the plan has no steps"
	case len(list) > c.MaxSteps:
		return nil, fmt.Sprintf("the plan has %d steps; make one of at most %d", len(list), c.MaxSteps)
	}
	known := map[string]bool{}
	for _, t := range c.Tools {
		known[t.Def().Name] = true
	}
	task = &Task{Type: "task", Title: strings.TrimSpace(d.Str("title"))}
	if task.Title == "" {
		task.Title = capAt(c.Objective, 80)
	}
	var repairs []string
	ids := map[string]bool{}
	deps := make([][]string, len(list))
	for i, item := range list {
		sd, ok := item.(*pyval.Dict)
		if !ok {
			return nil, fmt.Sprintf("step %d is not an object", i+1)
		}
		instr := strings.TrimSpace(sd.Str("instructions"))
		if instr == "" {
			return nil, fmt.Sprintf("step %d has no instructions", i+1)
		}
		id := strings.TrimSpace(sd.Str("id"))
		if id == "" {
			id = fmt.Sprintf("step_%d", i+1)
		}
		if ids[id] {
			base := id
			for n := 2; ids[id]; n++ {
				id = fmt.Sprintf("%s_%d", base, n)
			}
			repairs = append(repairs, fmt.Sprintf("a repeated step id %q became %q", base, id))
		}
		ids[id] = true
		s := newStep(id, instr, nil)
		if sv := strings.TrimSpace(sd.Str("output_schema")); sv != "" && parseSchema(sv) != nil {
			s.OutputSchema = sv
		}
		if tv, ok := sd.Get("tools"); ok {
			tl, _ := tv.([]any)
			for _, x := range tl {
				if name, ok := x.(string); ok && known[name] {
					s.Tools = append(s.Tools, name)
				}
			}
		}
		dv, _ := sd.Get("depends_on")
		dl, _ := dv.([]any)
		for _, x := range dl {
			if name, ok := x.(string); ok {
				deps[i] = append(deps[i], name)
			}
		}
		task.Steps = append(task.Steps, s)
	}
	for i, s := range task.Steps {
		for _, dep := range deps[i] {
			if !ids[dep] || dep == s.ID {
				repairs = append(repairs, fmt.Sprintf("step %s's dependency %q was dropped (no such step)", s.ID, dep))
				continue
			}
			s.DependsOn = append(s.DependsOn, dep)
		}
	}
	if _, err := stepOrder(task.Steps); err != nil {
		return nil, err.Error()
	}
	if len(repairs) > 0 {
		why = "Repaired: " + strings.Join(repairs, "; ") + "."
	}
	return task, why
}
