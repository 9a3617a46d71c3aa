package engine

// Event is a message a run posts to its subscriber (read-only: payloads may
// be shared between events): job, node and edge state
// changes, outputs, previews, logs and progress. Every event marshals to the
// flat JSON object NodeTool clients expect, with a "type" discriminator and
// every field present (null when unset).
type Event interface {
	EventType() string
}

// Job statuses.
const (
	StatusRunning   = "running"
	StatusCompleted = "completed"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
)

// JobUpdate reports the state of the whole run. The final one carries the
// result (completed), the error and failing node (failed), or nothing
// (cancelled).
type JobUpdate struct {
	Type       string           `json:"type"`
	Status     string           `json:"status"`
	JobID      string           `json:"job_id"`
	WorkflowID string           `json:"workflow_id"`
	Message    *string          `json:"message"`
	Result     map[string][]any `json:"result"`
	Error      *string          `json:"error"`
	Traceback  *string          `json:"traceback"`
	NodeID     *string          `json:"node_id"`
	Duration   *float64         `json:"duration"`
	RunState   map[string]any   `json:"run_state"`
}

func (*JobUpdate) EventType() string { return "job_update" }

// NodeUpdate reports a node's state: running (with the properties it runs
// with), completed (with its result), error.
type NodeUpdate struct {
	Type       string  `json:"type"`
	NodeID     string  `json:"node_id"`
	NodeName   string  `json:"node_name"`
	NodeType   string  `json:"node_type"`
	Status     string  `json:"status"`
	Error      *string `json:"error"`
	Result     any     `json:"result"`
	Properties any     `json:"properties"`
	JobID      string  `json:"job_id"`
	WorkflowID string  `json:"workflow_id"`
}

func (*NodeUpdate) EventType() string { return "node_update" }

// EdgeUpdate reports a value placed on an edge (message_sent, with a
// per-edge running counter) or the end of the edge's stream (drained).
type EdgeUpdate struct {
	Type       string `json:"type"`
	EdgeID     string `json:"edge_id"`
	Status     string `json:"status"`
	Counter    *int64 `json:"counter"`
	JobID      string `json:"job_id"`
	WorkflowID string `json:"workflow_id"`
}

func (*EdgeUpdate) EventType() string { return "edge_update" }

// OutputUpdate reports a value reaching an output node.
type OutputUpdate struct {
	Type       string         `json:"type"`
	NodeID     string         `json:"node_id"`
	NodeName   string         `json:"node_name"`
	OutputName string         `json:"output_name"`
	Value      any            `json:"value"`
	OutputType string         `json:"output_type"`
	Metadata   map[string]any `json:"metadata"`
	JobID      string         `json:"job_id"`
	WorkflowID string         `json:"workflow_id"`
}

func (*OutputUpdate) EventType() string { return "output_update" }

// PreviewUpdate reports a value reaching a Preview node.
type PreviewUpdate struct {
	Type       string `json:"type"`
	NodeID     string `json:"node_id"`
	Value      any    `json:"value"`
	JobID      string `json:"job_id"`
	WorkflowID string `json:"workflow_id"`
}

func (*PreviewUpdate) EventType() string { return "preview_update" }

// LogUpdate carries a log line from a node.
type LogUpdate struct {
	Type       string `json:"type"`
	NodeID     string `json:"node_id"`
	NodeName   string `json:"node_name"`
	Content    string `json:"content"`
	Severity   string `json:"severity"`
	JobID      string `json:"job_id"`
	WorkflowID string `json:"workflow_id"`
}

func (*LogUpdate) EventType() string { return "log_update" }

// NodeProgress reports progress of a long-running node.
type NodeProgress struct {
	Type       string `json:"type"`
	NodeID     string `json:"node_id"`
	Progress   int64  `json:"progress"`
	Total      int64  `json:"total"`
	Chunk      string `json:"chunk"`
	JobID      string `json:"job_id"`
	WorkflowID string `json:"workflow_id"`
}

func (*NodeProgress) EventType() string { return "node_progress" }

// Chunk is a piece of streamed content (LLM text, audio). It is both an
// event and, on LLM nodes' chunk outputs, a value (as a dict).
type Chunk struct {
	Type            string         `json:"type"`
	NodeID          *string        `json:"node_id"`
	ContentType     string         `json:"content_type"`
	Content         string         `json:"content"`
	ContentMetadata map[string]any `json:"content_metadata"`
	Done            bool           `json:"done"`
	Thinking        bool           `json:"thinking"`
	JobID           string         `json:"job_id"`
	WorkflowID      string         `json:"workflow_id"`
}

func (*Chunk) EventType() string { return "chunk" }

// ToolCallUpdate reports a tool call an agent node is about to make.
type ToolCallUpdate struct {
	Type             string  `json:"type"`
	NodeID           string  `json:"node_id"`
	ToolCallID       string  `json:"tool_call_id"`
	Name             string  `json:"name"`
	Args             any     `json:"args"`
	Message          *string `json:"message"`
	StepID           *string `json:"step_id"`
	AgentExecutionID *string `json:"agent_execution_id"`
	JobID            string  `json:"job_id"`
	WorkflowID       string  `json:"workflow_id"`
}

func (*ToolCallUpdate) EventType() string { return "tool_call_update" }

// ToolResultUpdate reports the result of a tool call.
type ToolResultUpdate struct {
	Type       string `json:"type"`
	NodeID     string `json:"node_id"`
	Result     any    `json:"result"`
	JobID      string `json:"job_id"`
	WorkflowID string `json:"workflow_id"`
}

func (*ToolResultUpdate) EventType() string { return "tool_result_update" }

func strp(s string) *string { return &s }
