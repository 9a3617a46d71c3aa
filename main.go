// Command nodetool runs NodeTool workflows: in-process from the command line,
// or behind one of NodeTool's three API surfaces.
//
// Usage:
//
//	nodetool serve [flags]        the Editor API for NodeTool's client (127.0.0.1:7777)
//	nodetool worker [flags]       the Worker API (0.0.0.0:8000)
//	nodetool chat-server [flags]  OpenAI-compatible chat only (127.0.0.1:8080)
//	nodetool run FILE|EXAMPLE [--param name=value]... [--stdin] [--jsonl] [--workspace DIR] [--output-dir DIR] [--model-map FROM=TO]...
//	nodetool validate [--model-map FROM=TO]... FILE...
//	nodetool token [--show] [--rotate]
//	nodetool version
//
// "nodetool COMMAND -h" (or "nodetool help COMMAND") prints the command's
// flags and the environment variables it reads, on stdout with exit status
// 0; a usage error goes to stderr with exit status 2.
//
// nodetool run loads a workflow file exported from NodeTool (a full Workflow
// object or a bare {"nodes","edges"} graph), or one of the example workflows
// built into the binary (the files of examples/) by id, validates it and runs it. Progress goes to stderr, one
// line per node state change; the result ({"output name": [values...]}) goes
// to stdout as one line of JSON. With --jsonl, stdout gets every engine event
// as one JSON object per line instead (the last one is the final job_update).
// --param name=value sets the input node called name; the value is converted
// to that input's type (numbers, booleans; JSON for lists and objects).
// --stdin reads a RunJobRequest JSON object ({"params": {...}}, optionally
// with a "graph" to run instead of FILE). Exit status: 0 completed, 1 failed
// or cancelled, 2 bad usage.
//
// nodetool validate checks workflow files without running them and prints,
// per file, OK or every problem found (unsupported node types with their node
// ids, edges to missing nodes or handles, type mismatches, missing required
// inputs, invalid property values, cycles). Exit status 1 if any file has a
// problem. Both take --drop-invalid-edges (drop edges to missing nodes or
// handles with a warning) and the model provider flags below.
//
// The servers: worker serves the example workflows plus --workflow files,
// --workflows-dir and workflows stored through its API, behind a bearer
// token (WORKER_AUTH_TOKEN, WORKER_AUTH_TOKEN_FILE, or generated at first
// start and kept in the config dir's deployment.yaml; nodetool token shows
// it masked, nodetool token --show whole, alone on stdout); chat-server serves /v1/models and /v1/chat/completions;
// serve is the local control plane of the NodeTool app (REST under /api/,
// the tRPC API at /trpc and the unified /ws socket of today's client, the
// seed-era /predict, /chat, /updates and /terminal WebSockets, /v1). Each refuses
// to listen beyond loopback without an enforced auth provider unless given
// --insecure, and stops gracefully on SIGINT/SIGTERM within
// --shutdown-grace. Each wants request headers within 10 s (64 KiB at
// most) and the whole request within --body-timeout (default 60 s; an upload
// may take longer but not stall longer; too slow is 408), drops a client
// that does not take a write within 30 s, and closes idle connections after
// 120 s. A request refused before its body is read (401, 403, 413) is
// answered at once and its connection closed. Flags beat environment
// variables, which beat defaults.
//
// Memory: every command keeps the garbage collector's heap goal at least
// 32 MiB above the live heap (GOGC raised while the live heap is small, 100
// once it passes 32 MiB; see heapfloor.go); GOGC in the environment turns
// this off, and GOMEMLIMIT bounds the heap as usual.
//
// Run budgets (run, worker, serve): --run-timeout / NODETOOL_RUN_TIMEOUT
// (whole run; 10m on the servers, none for run), --node-timeout /
// NODETOOL_NODE_TIMEOUT (a node's working time on one input, waiting
// excluded; none), --max-value / NODETOOL_MAX_VALUE (any one value; 64MiB)
// and --max-results / NODETOOL_MAX_RESULTS (what a run's outputs accumulate;
// 128MiB). A run that breaks one fails naming the node and the limit. worker
// and serve run at most --max-jobs workflows at once (64), --max-jobs-per-user
// per user with supabase auth (16), and refuse more (429, or an error reply on
// a WebSocket). serve pings its WebSockets every --ws-keepalive (30s), closes
// one whose client is silent for twice that or idle for --ws-idle-timeout
// (10m), and keeps finished job records --job-retention (720h), at most
// --max-job-records (5000). In remote Supabase mode, AUTH_NEGATIVE_CACHE_TTL
// (30 s), AUTH_VERIFY_RATE (50/s) and AUTH_VERIFY_IP_RATE (10/s per client)
// bound the calls to Supabase.
//
// Workflow network access (run, worker, serve): nodes that fetch a URL taken
// from workflow data (lib.http, lib.rss) go through one HTTP client under
// --egress / NODETOOL_EGRESS: public (the default: the internet, but not
// loopback, private, link-local including cloud metadata, carrier-grade NAT,
// multicast or other special addresses, checked on the address dialed and on
// every redirect, at most 10), none, or all; --allow-net / NODETOOL_ALLOW_NET
// (HOST[:PORT], IP[:PORT] or CIDR; repeatable or comma-separated) adds
// exceptions. No proxy is used for it; bodies are read within --max-value.
// The model providers and other services the operator configures are not
// subject to it. lib.secret.GetSecret reads the user's own secrets saved in
// serve, then the environment variables named by --workflow-secrets /
// NODETOOL_WORKFLOW_SECRETS, and nothing else of the environment.
//
// Model providers, for /v1 and the workflow nodes that need a model:
// --provider / NODETOOL_PROVIDER (ollama, openai, anthropic, fake; default
// ollama), --default-model / NODETOOL_DEFAULT_MODEL, --ollama-url /
// OLLAMA_API_URL, --openai-base-url / OPENAI_BASE_URL with OPENAI_API_KEY or
// --openai-api-key-file, and ANTHROPIC_API_KEY or --anthropic-api-key-file
// with --anthropic-base-url / ANTHROPIC_BASE_URL. Only the providers asked
// for are configured: the default, Ollama when its URL is set, an
// OpenAI-compatible server when its URL or key is set, Anthropic when its
// key is set. With AUTH_PROVIDER=supabase, SUPABASE_URL and SUPABASE_KEY
// verify tokens with Supabase, or SUPABASE_JWT_SECRET (at least 32 bytes)
// verifies them locally.
//
// Search nodes (search.*; run, validate, worker, serve): SerpAPI's HTTP API,
// GET {base}/search.json?engine=...&api_key=..., at --serpapi-base-url /
// SERPAPI_BASE_URL (default https://serpapi.com, or any service speaking its
// API, such as go run ./testdata/serpfake), with the key of SERPAPI_API_KEY
// or --serpapi-api-key-file (a file of mode 0600). serve first uses the
// SERPAPI_API_KEY secret the user stored in the editor's settings; the other
// commands refuse a workflow with search nodes when no key is set. One search
// waits at most 60 s (less when a node or run deadline comes first) and its
// answer is bounded by --max-value. The SERP service is the operator's, so the
// workflow egress policy does not apply to it; its key is never logged and
// is scrubbed from errors.
// Vendor nodes (kie.image.*, fal.text_to_image.NanoBanana2; run, validate,
// worker, serve): with a key they call their service: kie.ai (POST
// {base}/api/v1/jobs/createTask, then GET {base}/api/v1/jobs/recordInfo until
// done; input images go to {upload}/api/file-stream-upload) at --kie-url /
// NODETOOL_KIE_URL (default https://api.kie.ai), uploads at --kie-upload-url
// / NODETOOL_KIE_UPLOAD_URL (default https://kieai.redpandaai.co, or
// --kie-url when that is not kie.ai's), key KIE_API_KEY or
// --kie-api-key-file; fal.ai's queue API at --fal-url / NODETOOL_FAL_URL
// (default https://queue.fal.run), key FAL_API_KEY or --fal-api-key-file
// (key files of mode 0600). serve first uses the user's own secret of that
// name. A --model-map rule naming the vendor (kie/..., fal/...) wins over
// the key; without a key the nodes run where the model map sends them (e.g.
// '*=fake/fake-model'). A task waits at most timeout_seconds (0: the
// original node's wait, 30 s to 400 s; fal.ai 10 min); its result file is
// fetched without the key and refused past --max-value before it is
// buffered. The services are the operator's, so the workflow egress policy
// does not apply to them; keys are never logged and are scrubbed from
// errors.
// Media programs (run, validate, worker, serve): the video nodes
// (nodetool.video.*) and the audio nodes' compressed formats run the ffmpeg
// and ffprobe programs named by --ffmpeg / NODETOOL_FFMPEG (ffprobe beside
// it), else found on PATH; never through a shell, in a private temporary
// folder, killed with their process group when the node's deadline passes.
// Without them, validate and run refuse those nodes naming what to install.
// Model map (run, validate, worker, serve): --model-map FROM=TO (repeatable;
// NODETOOL_MODEL_MAP, comma-separated) rewrites the model a workflow node
// names before it is routed: each side is provider/model, FROM's parts may
// be * (a bare * matches every model, also an unset one), TO's model may be
// * (keep the name); the first match wins. validate and run list the
// rewrites per node, the servers log them once per run at info. The chat
// routes (/v1, the editor's /chat) are not mapped.
//
// Media: images, audio, video and documents are NodeTool's asset refs
// ({"type", "uri", "asset_id", "data"}). run --param NAME=@PATH loads a
// local file into a media input (its kind checked by content); run
// --output-dir DIR / NODETOOL_OUTPUT_DIR writes media results as files in DIR
// and prints their paths in the result JSON (else inline data: URIs). The
// servers send media results up to --media-inline-max /
// NODETOOL_MEDIA_INLINE_MAX (64KiB; 0: none) inline as data: URIs and store
// larger ones: worker as temp objects (uri /storage/temp/KEY, a path; they
// expire with --temp-ttl; --private-storage makes reading them need the
// token), serve as assets of the job's user (asset_id, and uri its
// /api/storage/ID.EXT URL) in output_update, job_update and /run answers. Nodes
// read refs from inline data, data: URIs, stored assets (serve, worker),
// files in the run's workspace and http(s) URLs under the egress policy;
// images are decoded only after their header's pixel count passed
// max-value.
//
// Workspaces: every run gets a folder for the files its nodes read and
// write (only through an os.Root on it): run a temporary one removed at exit,
// or --workspace DIR / NODETOOL_WORKSPACE (made 0700 if missing, kept);
// worker and serve <data dir>/workspaces/<job id> (0700), which the worker
// removes when the run ends and serve when the job's record goes
// (--job-retention, --max-job-records); folders no job keeps are removed at
// start.
//
// Agents (anthropic.agents.ClaudeAgent, nodetool.agents.Agent and
// ResearchAgent, and serve's /chat messages with agent_mode) run on any
// configured provider. Their file tools (Read, Write, Edit, Glob, Grep;
// read_file, write_file, list_directory) reach only the run's workspace,
// through an os.Root, following no symbolic link; their web tools use the
// search service and the workflow egress policy. Bash is refused (with a
// warning) unless the operator starts run, worker or serve with
// --agent-shell (NODETOOL_AGENT_SHELL=true): then a ClaudeAgent that names
// Bash runs /bin/sh -c in the run's workspace folder with only PATH, LANG
// and TZ of the environment, each command killed (its whole process group)
// after 2 minutes or at the node's deadline, 64 KiB of its output read back.
// The commands run with the server's rights and are NOT confined to the
// workspace: turn it on only where every workflow and model is trusted.
//
// Files: run and validate read only the workflow files named (at most 64 MiB
// each). worker and serve keep their state as plain files in their data dir
// (--data-dir / NODETOOL_DATA_DIR, which name it exactly; default
// $XDG_DATA_HOME/nodetool/worker and .../serve, or under
// ~/.local/share/nodetool, so the two run side by side), which one server at
// a time may hold (an flock on the directory itself), and never follow a
// symlink inside it. The worker keeps using $XDG_DATA_HOME/nodetool itself,
// the shared default of earlier versions, while that holds data and
// .../worker does not exist; its banner says how to move the data. The static
// provider's token (generated when none is given) and the editor's settings
// and secrets live in the config dir (NODETOOL_CONFIG_DIR, default
// $XDG_CONFIG_HOME/nodetool or ~/.config/nodetool), which serve wants apart
// from the data dir. The /terminal shell (serve, NODETOOL_ENABLE_TERMINAL_WS=1,
// refused with ENV=production or AUTH_PROVIDER=supabase, and on a listener
// beyond loopback without enforced auth; the banner says which) gets only PATH,
// HOME, USER, LOGNAME, SHELL, TERM, COLORTERM, TZ, TMPDIR, LANG, LANGUAGE and
// LC_* of the server's environment. chat-server keeps no other state.
//
// Storage (worker, serve): --storage-url / NODETOOL_STORAGE_URL puts the
// storage objects (and the worker's stored workflows) elsewhere: file:///path,
// or s3://BUCKET[/PREFIX][?addressing=virtual] on any S3-compatible service,
// configured by AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3; default AWS),
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_REGION
// (default us-east-1); path-style addressing with a custom endpoint. Workers
// that share the token and the storage URL are replicas: put any number behind
// a load balancer (deploy/ has HAProxy, systemd and container recipes). A
// failing backend is a 502 or 503 saying what failed. GET /ready (public, on
// the worker) is 200 while the backend answers (checked at most every 2 s),
// 503 otherwise; /health never asks the backend.
//
// Metrics: every server serves GET /metrics in the Prometheus text format
// (requests by route pattern and status with durations, workflow runs and
// node durations, budget refusals, open streams and WebSockets, running jobs,
// model provider and storage calls, Go runtime), behind the server's auth
// unless --metrics-public; --metrics=false turns measuring and /metrics off.
//
// Web page: serve answers / with a built-in web page (embedded in the
// binary; no network beyond the server) to browse, run and watch workflows,
// follow jobs, chat and manage assets, unless --static-folder serves a built
// NodeTool client instead. worker --ui / NODETOOL_WORKER_UI=true (off by
// default) serves a run-only page at /ui/ that asks for the bearer token once
// and keeps it in the browser tab's sessionStorage. The pages use only the
// documented API, under a strict Content-Security-Policy.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	keepHeapFloor(os.Getenv)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, "nodetool:", ee.msg)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "nodetool:", err)
		os.Exit(1)
	}
}
