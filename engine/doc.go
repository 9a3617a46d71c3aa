// Package engine runs NodeTool workflows: it loads the workflow JSON the
// NodeTool app exports (ParseWorkflow), validates a graph against a Registry
// of node definitions before anything runs, reporting every problem at once
// (Registry.Compile), and runs the resulting Plan with one goroutine per
// node and bounded inboxes between them (Plan.Run, Plan.Start), streaming
// values from node to node and posting NodeTool's events (job_update,
// node_update, output_update, ...) to the caller.
//
// The engine knows no node type itself: the node library (package nodes)
// fills a Registry with NodeDefs, whose code sees its run through Ctx and
// its inputs through Inputs. Every run lives inside Limits (a whole-run
// deadline, a per-node deadline that counts working time only, a cap on any
// one value and on what a run accumulates); a run that breaks one fails
// with a *LimitError naming the node and the limit. The engine imports no
// project package but its value model, lang/pyval.
package engine
