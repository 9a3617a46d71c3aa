package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"nodetool/chatsrv"
	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/jobs"
	"nodetool/nodes"
	"nodetool/nodes/media"
	"nodetool/webui"
	"nodetool/worker"
	"nodetool/workflows"
)

// cmdWorker serves the Worker API, with /v1 chat beside it.
func cmdWorker(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := newServerCmd(serverSpec{
		name: "worker", host: "0.0.0.0", port: 8000, portEnv: "PORT", auth: "static",
		about: `Serves the Worker API: workflows (list, sync, run, stream), storage, /v1 chat and health.
With no --workflow or --workflows-dir, the example workflows shipped in the binary are served.
Every route but /health, /ping and GET/HEAD /storage/* needs the bearer token: the worker prints
it at its first start, and "nodetool token --show" prints it later.`,
		bodyUse: "largest JSON request body", waitFor: "running requests and jobs",
		env: append(append(append(append(append(append(append([]string{}, envData...), envStorage...), envBudgets...), envAccess...), append(envSearch, envVendors...)...), envModelMap...), append(append(envFFmpeg, "NODETOOL_WORKER_UI"), envMediaInline...)...),
	}, getenv, stdout, stderr)
	fs := c.fs
	var files stringsFlag
	fs.Var(&files, "workflow", "serve this workflow `file` (repeatable)")
	workflowsDir := fs.String("workflows-dir", "", "serve every *.json workflow in this `folder`")
	addDataDirFlag(fs, "worker", "workflows and storage")
	addStorageFlag(fs, "storage objects and stored workflows")
	privateStorage := fs.Bool("private-storage", false, "require auth for GET and HEAD on /storage/* too")
	tempTTL := fs.Duration("temp-ttl", 24*time.Hour, "how long temp storage objects live")
	addMediaInlineFlag(fs, "as temp storage objects, GET /storage/temp/KEY, which expire with --temp-ttl")
	maxUpload := byteSize(2 << 30)
	fs.Var(&maxUpload, "max-upload", "largest storage upload")
	budgets := addBudgetFlags(fs, engine.DefaultRunTimeout)
	accessF := addAccessFlags(fs)
	jobLimit := addJobLimitFlags(fs)
	serp := addSearchFlags(fs)
	vf := addVendorFlags(fs)
	mm := addModelMapFlag(fs)
	fs.Bool("ui", false, "serve a run-only web page at /ui/: it asks for the token once and keeps it in the browser tab (env NODETOOL_WORKER_UI)")
	addFFmpegFlag(fs)
	s, err := c.parse(args, getenv, map[string]*time.Duration{"temp-ttl": tempTTL})
	if err != nil {
		return err
	}
	ui, err := strconv.ParseBool(c.st.str("ui", "NODETOOL_WORKER_UI"))
	if err != nil {
		return usageError("--ui / NODETOOL_WORKER_UI must be true or false, got %q", c.st.str("ui", "NODETOOL_WORKER_UI"))
	}
	searcher, err := serp.build(c.st, getenv, nil)
	if err != nil {
		return usageError("%v", err)
	}
	kie, fal, err := vf.build(c.st, getenv, s.metrics, nil)
	if err != nil {
		return usageError("%v", err)
	}
	mmap, err := mm.resolve(c.st)
	if err != nil {
		return usageError("%v", err)
	}
	tools, noFFmpeg, err := findFFmpeg(c.st)
	if err != nil {
		return usageError("%v", err)
	}
	limits, err := budgets.limits(c.st)
	if err != nil {
		return usageError("%v", err)
	}
	inlineMax, err := mediaInlineMax(c.st)
	if err != nil {
		return usageError("%v", err)
	}
	acc, err := accessF.resolve(c.st, "")
	if err != nil {
		return usageError("%v", err)
	}
	maxJobs, maxJobsPerUser, err := jobLimit.resolve(s.auth)
	if err != nil {
		return err
	}
	data, err := c.st.resolveDataDir("worker")
	if err != nil {
		return usageError("%v", err)
	}
	fixed, source, err := loadFixedWorkflows(files, *workflowsDir)
	if err != nil {
		return usageError("%v", err)
	}
	storage, err := s.storage(getenv)
	if err != nil {
		return err
	}
	db, err := s.openStore(data, *tempTTL, storage, "workflows")
	if err != nil {
		return err
	}
	defer db.Close()
	repo, err := workflows.New(db, fixed, nil)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}

	models := nodeModels(s.models, mmap)
	reg := nodes.NewRegistry(nodes.Deps{Models: models, HTTP: acc.http, Secrets: acc.secrets, Search: searcher, AgentShell: acc.shell,
		FFmpeg: tools, FFmpegMissing: noFFmpeg, Kie: kie, Fal: fal,
		Outputs: media.Outputs{Store: &worker.TempOutputs{DB: db, Logger: s.log}, InlineMax: inlineMax}})
	spaces, err := openWorkspaces(data.path, true, s.log)
	if err != nil {
		return err
	}
	srv := worker.New(worker.Deps{
		Registry: reg, Workflows: repo, Store: db, Auth: s.auth, Logger: s.log,
		MaxBody: int64(c.maxBody), MaxUpload: int64(maxUpload), PrivateStorage: *privateStorage,
		Run:             engine.RunOptions{Limits: limits, Observer: s.runObserver()},
		Limiter:         jobs.NewLimiter(maxJobs, maxJobsPerUser),
		BodyIdleTimeout: *c.bodyTimeout,
		Workspaces:      spaces,
		RunLog:          func(g *engine.Graph) []string { return modelRewriteLog(reg, g, models) },
	})
	s.gauge("nodetool_jobs_running", "Workflow runs going on now.", func() float64 { return float64(srv.Running()) })
	mux := http.NewServeMux()
	srv.Register(mux)
	chatsrv.Register(mux, chatsrv.Deps{Providers: s.models, Auth: s.auth, Logger: s.log, MaxBody: int64(c.maxBody)})
	if ui {
		// The page is public; every API call it makes sends the token.
		page := webui.Handler(webui.Options{Base: "/ui/", Mode: webui.Worker}).ServeHTTP
		httpapi.Handle(mux, s.auth, []httpapi.Route{httpapi.Public.Route("GET /ui", page), httpapi.Public.Route("GET /ui/", page)})
	}

	ln, err := s.listen()
	if err != nil {
		return err
	}
	nFixed, nStored := repo.Len()
	lines := nonEmpty(fmt.Sprintf("workflows: %d from %s, %d stored", nFixed, source, nStored), providersLine(s.models), mapLine(mmap), acc.line())
	if ui {
		lines = append(lines, "web page:  http://"+listenAddr(s.host, ln)+"/ui/ (run-only; it asks for the token)")
	}
	if l := storageLine(storage, "stored workflows and storage objects live there, shared by every worker with this URL"); l != "" {
		lines = append(lines, l)
	}
	printBanner(stdout, banner{what: "worker", addr: listenAddr(s.host, ln), auth: s.auth, token: s.token, data: data, lines: withVendorLines(withSearchLine(lines, searcher), kie, fal)})
	return s.serve(ctx, ln, srv.Handler(mux), "run workflows and write storage")
}

// loadFixedWorkflows reads the --workflow files and the --workflows-dir
// folder, or the embedded examples when neither is given.
func loadFixedWorkflows(files []string, dir string) ([]workflows.Fixed, string, error) {
	if len(files) == 0 && dir == "" {
		ex, err := exampleWorkflows()
		if err != nil {
			return nil, "", err
		}
		var out []workflows.Fixed
		for _, name := range sortedNames(ex) {
			f, err := workflows.Parse(ex[name], "example:"+name, name)
			if err != nil {
				return nil, "", err
			}
			out = append(out, f)
		}
		return out, "the embedded examples", nil
	}
	var out []workflows.Fixed
	for _, p := range files {
		f, err := workflows.LoadFile(p)
		if err != nil {
			return nil, "", fmt.Errorf("--workflow: %v", err)
		}
		out = append(out, f)
	}
	if dir != "" {
		fs, err := workflows.LoadDir(dir)
		if err != nil {
			return nil, "", fmt.Errorf("--workflows-dir: %v", err)
		}
		out = append(out, fs...)
	}
	return out, "files", nil
}
