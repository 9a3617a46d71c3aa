package agent

import "nodetool/lang/pyval"

// Event is what Run reports as it goes. Each has NodeTool's wire shape
// (a "type" discriminator, every field present) and an EventType method,
// so a workflow node can post the planning and task updates as they are;
// ToolCall, Chunk and Log carry what the caller turns into its own
// events or frames. Events are not changed after they are sent.
type Event interface {
	EventType() string
}

// Ids are the ids the caller stamps on events: the node, thread, workflow
// and job the agent works for (nil fields are sent as null).
type Ids struct {
	NodeID     *string `json:"node_id"`
	ThreadID   *string `json:"thread_id"`
	WorkflowID *string `json:"workflow_id"`
	JobID      *string `json:"job_id"`
}

// PlanningUpdate reports a planning phase ("Planning", "Plan Creation")
// and its status ("Starting", "Success", "Failed").
type PlanningUpdate struct {
	Type string `json:"type"`
	Ids
	Phase   string  `json:"phase"`
	Status  string  `json:"status"`
	Content *string `json:"content"`
}

func (*PlanningUpdate) EventType() string { return "planning_update" }

// Task update events (TaskUpdate.Event).
const (
	TaskCreated   = "task_created"
	StepStarted   = "step_started"
	StepCompleted = "step_completed"
	StepFailed    = "step_failed"
	TaskCompleted = "task_completed"
)

// TaskUpdate reports the plan (Task) and the progress of its steps. Task
// and Step are copies as they were when the event was sent.
type TaskUpdate struct {
	Type string `json:"type"`
	Ids
	Task  *Task  `json:"task"`
	Step  *Step  `json:"step"`
	Event string `json:"event"`
}

func (*TaskUpdate) EventType() string { return "task_update" }

// StepResult is a step's result; IsTaskResult marks the last step's, the
// agent's answer.
type StepResult struct {
	Type string `json:"type"`
	Ids
	Step         *Step   `json:"step"`
	Result       any     `json:"result"`
	Error        *string `json:"error"`
	IsTaskResult bool    `json:"is_task_result"`
}

func (*StepResult) EventType() string { return "step_result" }

// ToolCall reports a tool call the agent is about to run (not finish_step).
type ToolCall struct {
	ID      string
	Name    string
	Args    *pyval.Dict
	Message string // what it does, for people
	StepID  string
}

func (*ToolCall) EventType() string { return "tool_call" }

// Chunk is a piece of the model's text as it streams.
type Chunk struct {
	Content  string
	Thinking bool
	StepID   string
}

func (*Chunk) EventType() string { return "chunk" }

// Log is a note on the agent's progress (severity info or warning).
type Log struct {
	Content  string
	Severity string
}

func (*Log) EventType() string { return "log" }

// Task is a plan: a title and its steps, as NodeTool shapes it.
type Task struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Steps       []*Step `json:"steps"`
}

// Step is one step of a plan.
type Step struct {
	Type         string   `json:"type"`
	ID           string   `json:"id"`
	Instructions string   `json:"instructions"`
	Logs         []any    `json:"logs"`
	Completed    bool     `json:"completed"`
	StartTime    int64    `json:"start_time"`
	EndTime      int64    `json:"end_time"`
	DependsOn    []string `json:"depends_on"`
	Tools        []string `json:"tools"`
	ToolName     *string  `json:"tool_name"`
	OutputSchema string   `json:"output_schema"`
}

// copy returns a snapshot of the task, for an event.
func (t *Task) copy() *Task {
	c := *t
	c.Steps = make([]*Step, len(t.Steps))
	for i, s := range t.Steps {
		c.Steps[i] = s.copy()
	}
	return &c
}

func (s *Step) copy() *Step {
	c := *s
	return &c
}
