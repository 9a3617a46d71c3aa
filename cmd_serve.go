package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"nodetool/authn"
	"nodetool/chatsrv"
	"nodetool/editor"
	"nodetool/engine"
	"nodetool/jobs"
	"nodetool/nodes"
	"nodetool/nodes/media"
	"nodetool/providers"
	"nodetool/terminal"
	"nodetool/webui"
	"nodetool/workflows"
)

var serveSpec = serverSpec{
	name: "serve", host: "127.0.0.1", port: 7777, auth: "local",
	about: `Serves the Editor API for NodeTool's web and desktop client: REST routes, the /predict, /chat,
/updates and /terminal WebSockets, and /v1 chat; at / a built-in web page to browse, run and watch
workflows, follow jobs, chat and manage assets (or, with --static-folder, a built NodeTool client).
The terminal is off unless NODETOOL_ENABLE_TERMINAL_WS=1 (never with ENV=production or
AUTH_PROVIDER=supabase, and only on a loopback listener or with enforced auth); its shell gets only
PATH, HOME, USER, LOGNAME, SHELL, TERM, COLORTERM, TZ, TMPDIR, LANG, LANGUAGE and LC_*.`,
	bodyUse: "largest JSON request body and WebSocket message", waitFor: "running requests and jobs",
	env: append(append(append(append(append(append(append([]string{}, envData...), envStorage...), append(envBudgets, "NODETOOL_ENABLE_TERMINAL_WS", "ENV")...), envAccess...), append(envSearch, envVendors...)...), envModelMap...), append(envFFmpeg, envMediaInline...)...),
}

// serveFlags are the flags of serve beyond those of every server.
type serveFlags struct {
	staticFolder                               *string
	origins                                    stringsFlag
	tempTTL, retention, idleTimeout, keepAlive *time.Duration
	maxUpload                                  byteSize
	maxRecords                                 *int
	budgets                                    *budgetFlags
	access                                     *accessFlags
	jobLimit                                   jobLimits
	search                                     *searchFlags
	vendors                                    *vendorFlags
	modelMap                                   *modelMapFlag
}

func addServeFlags(c *serverCmd) *serveFlags {
	fs := c.fs
	f := &serveFlags{maxUpload: byteSize(2 << 30)}
	addDataDirFlag(fs, "serve", "workflows, jobs, assets and threads")
	addStorageFlag(fs, "asset and temp files")
	f.staticFolder = fs.String("static-folder", "", "serve a built NodeTool web client from this folder at / instead of the built-in web page")
	fs.Var(&f.origins, "cors-origin", "also allow browser requests from this `origin`, e.g. http://192.168.1.5:3000 (repeatable)")
	f.tempTTL = fs.Duration("temp-ttl", 24*time.Hour, "how long temp storage objects live")
	fs.Var(&f.maxUpload, "max-upload", "largest asset upload")
	addMediaInlineFlag(fs, "as assets of the job's user, in their home folder")
	f.budgets = addBudgetFlags(fs, engine.DefaultRunTimeout)
	f.access = addAccessFlags(fs)
	f.jobLimit = addJobLimitFlags(fs)
	f.retention = fs.Duration("job-retention", jobs.DefaultRetention, "how long the record of a finished job is kept")
	f.maxRecords = fs.Int("max-job-records", jobs.DefaultMaxRecords, "most job records kept (the oldest finished ones go first)")
	f.idleTimeout = fs.Duration("ws-idle-timeout", 10*time.Minute, "close a WebSocket that is not busy (no running job or generation) and got no message for this long")
	f.keepAlive = fs.Duration("ws-keepalive", 30*time.Second, "ping every WebSocket this often; one whose client sends nothing (not even a pong) for twice as long is closed")
	f.search = addSearchFlags(fs)
	f.vendors = addVendorFlags(fs)
	f.modelMap = addModelMapFlag(fs)
	addFFmpegFlag(fs)
	return f
}

// serveConf is what serve's own flags and environment resolve to.
type serveConf struct {
	limits              engine.Limits
	inlineMax           int64 // --media-inline-max
	access              access
	modelMap            providers.ModelMap
	data                dataDir
	configDir           string
	maxJobs, maxPerUser int
	terminal            bool // NODETOOL_ENABLE_TERMINAL_WS asks for it
	production          bool // ENV=production
}

// resolve checks serve's settings before anything is opened: the data dir
// must not be the config dir, and the terminal is refused with multi-user
// auth.
func (f *serveFlags) resolve(c *serverCmd, s *serverConf, getenv func(string) string) (*serveConf, error) {
	var conf serveConf
	var err error
	if conf.limits, err = f.budgets.limits(c.st); err != nil {
		return nil, usageError("%v", err)
	}
	if conf.inlineMax, err = mediaInlineMax(c.st); err != nil {
		return nil, usageError("%v", err)
	}
	if conf.modelMap, err = f.modelMap.resolve(c.st); err != nil {
		return nil, usageError("%v", err)
	}
	if conf.data, err = c.st.resolveDataDir("serve"); err != nil {
		return nil, usageError("%v", err)
	}
	if conf.maxJobs, conf.maxPerUser, err = f.jobLimit.resolve(s.auth); err != nil {
		return nil, err
	}
	if *f.maxRecords < 1 {
		return nil, usageError("--max-job-records must be at least 1, got %d", *f.maxRecords)
	}
	if conf.configDir, err = authn.ConfigDir(getenv); err != nil {
		return nil, usageError("%v", err)
	}
	if sameDir(conf.data.path, conf.configDir) {
		// The data dir stays locked (flock on the folder) while the server
		// runs, and settings writes lock the config dir the same way.
		return nil, usageError("the data dir and the config dir are both %s: they must differ (set --data-dir or NODETOOL_CONFIG_DIR)", conf.data.path)
	}
	if conf.access, err = f.access.resolve(c.st, secretsFile(conf.configDir)); err != nil {
		return nil, usageError("%v", err)
	}
	conf.production = strings.EqualFold(getenv("ENV"), "production")
	conf.terminal = truthy(getenv("NODETOOL_ENABLE_TERMINAL_WS"))
	if conf.terminal && s.auth.Provider() == authn.Supabase {
		return nil, usageError("NODETOOL_ENABLE_TERMINAL_WS=1 is refused with AUTH_PROVIDER=supabase: every signed-in user would get a shell as this server's user; unset it, or use AUTH_PROVIDER=static or local")
	}
	return &conf, nil
}

// cmdServe serves the Editor API, with /v1 chat beside it.
func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := newServerCmd(serveSpec, getenv, stdout, stderr)
	f := addServeFlags(c)
	s, err := c.parse(args, getenv, map[string]*time.Duration{"temp-ttl": f.tempTTL, "job-retention": f.retention,
		"ws-idle-timeout": f.idleTimeout, "ws-keepalive": f.keepAlive})
	if err != nil {
		return err
	}
	conf, err := f.resolve(c, s, getenv)
	if err != nil {
		return err
	}
	examples, _, err := loadFixedWorkflows(nil, "")
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	var exampleFlows []*engine.Workflow
	for _, ex := range examples {
		exampleFlows = append(exampleFlows, ex.Workflow)
	}
	storage, err := s.storage(getenv)
	if err != nil {
		return err
	}
	db, err := s.openStore(conf.data, *f.tempTTL, storage)
	if err != nil {
		return err
	}
	defer db.Close()
	repo, err := workflows.New(db, nil, nil)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	// Search nodes use the key a user stored among their secrets, else
	// the operator's.
	secretsFile := secretsFile(conf.configDir)
	searcher, err := f.search.build(c.st, getenv, func(_ context.Context, user string) (string, error) {
		v, _, err := editor.UserSecret(secretsFile, user, "SERPAPI_API_KEY")
		return strings.TrimSpace(v), err
	})
	if err != nil {
		return usageError("%v", err)
	}
	// Vendor nodes too use the user's own key first.
	kie, fal, err := f.vendors.build(c.st, getenv, s.metrics, func(name string) func(context.Context, string) (string, error) {
		return func(_ context.Context, user string) (string, error) {
			v, _, err := editor.UserSecret(secretsFile, user, name)
			return strings.TrimSpace(v), err
		}
	})
	if err != nil {
		return usageError("%v", err)
	}
	tools, noFFmpeg, err := findFFmpeg(c.st)
	if err != nil {
		return usageError("%v", err)
	}
	models := nodeModels(s.models, conf.modelMap)
	// Media results over --media-inline-max become assets of the job's
	// user; their URLs start with the server's address, known once it
	// listens (before any run).
	outAssets := &editor.OutputAssets{DB: db, MaxUpload: int64(f.maxUpload), Logger: s.log}
	nodeDeps := nodes.Deps{Models: models, HTTP: conf.access.http, Secrets: conf.access.secrets, Search: searcher,
		AgentShell: conf.access.shell, Assets: storeAssets{db}, MediaAssets: storeAssets{db}, FFmpeg: tools, FFmpegMissing: noFFmpeg,
		Outputs: media.Outputs{Store: outAssets, InlineMax: conf.inlineMax},
		Kie:     kie, Fal: fal}
	reg := nodes.NewRegistry(nodeDeps)
	spaces, err := openWorkspaces(conf.data.path, false, s.log)
	if err != nil {
		return err
	}
	jm := jobs.New(jobs.Options{Registry: reg, Store: db, Logger: s.log,
		Workspaces: spaces, RunLog: func(g *engine.Graph) []string { return modelRewriteLog(reg, g, models) },
		Run:     engine.RunOptions{Limits: conf.limits, Observer: s.runObserver()},
		MaxJobs: conf.maxJobs, MaxJobsPerUser: conf.maxPerUser, Retention: *f.retention, MaxRecords: *f.maxRecords})
	defer jm.Close()

	ln, err := s.listen()
	if err != nil {
		return err
	}
	addr := listenAddr(s.host, ln)
	deps := editor.Deps{
		Registry: reg, Workflows: repo, Store: db, Jobs: jm, Auth: s.auth, Logger: s.log, Examples: exampleFlows, Providers: s.models,
		CORSOrigins: f.origins, StaticFolder: *f.staticFolder, Terminal: conf.terminal, Production: conf.production,
		TerminalEnv:  terminal.SafeEnv(getenv),
		LoopbackOnly: authn.IsLoopbackHost(s.host),
		SettingsFile: filepath.Join(conf.configDir, "settings.json"), SecretsFile: secretsFile,
		MaxBody: int64(c.maxBody), MaxUpload: int64(f.maxUpload), MaxMessage: int64(c.maxBody), BodyIdleTimeout: *c.bodyTimeout,
		PublicURL: "http://" + addr, IdleTimeout: *f.idleTimeout, KeepAlive: *f.keepAlive,
		AgentWeb: agentWeb(nodeDeps), ModelMap: conf.modelMap,
	}
	outAssets.PublicURL = deps.PublicURL
	if deps.StaticFolder == "" {
		deps.UI = webui.Handler(webui.Options{Base: "/", Mode: webui.Editor})
	}
	srv := editor.New(deps)
	mux := http.NewServeMux()
	srv.Register(mux)
	chatsrv.Register(mux, chatsrv.Deps{Providers: s.models, Auth: s.auth, Logger: s.log, MaxBody: int64(c.maxBody)})

	s.gauge("nodetool_jobs_running", "Workflow runs going on now.", func() float64 { return float64(jm.Running("")) })
	lines := withVendorLines(withSearchLine(nonEmpty(providersLine(s.models), mapLine(conf.modelMap), conf.access.line()), searcher), kie, fal)
	if l := storageLine(storage, "asset and temp files live there (records stay in the data dir)"); l != "" {
		lines = append(lines, l)
	}
	if deps.UI != nil {
		lines = append(lines, "web page:  http://"+addr+"/")
	}
	if line := terminalLine(&deps); line != "" {
		lines = append(lines, line)
	}
	printBanner(stdout, banner{what: "serve", addr: addr, auth: s.auth, token: s.token, data: conf.data, lines: lines})
	return s.serve(ctx, ln, srv.Handler(mux), "edit and run workflows, read files and use the model servers", srv.Shutdown)
}

// secretsFile is where serve keeps each user's secrets.
func secretsFile(configDir string) string { return filepath.Join(configDir, "secrets.json") }

// terminalLine is the banner's line about /terminal: whether it accepts
// connections, by the rule its handler applies, or why it does not though
// NODETOOL_ENABLE_TERMINAL_WS asks for it; "" when nothing asked for it.
func terminalLine(d *editor.Deps) string {
	on, why := d.TerminalState()
	switch {
	case on:
		return "terminal:  enabled at /terminal"
	case why != "":
		return "terminal:  off: NODETOOL_ENABLE_TERMINAL_WS is ignored (" + why + ")"
	}
	return ""
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// sameDir reports whether the paths a and b name one folder.
func sameDir(a, b string) bool {
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ab
}

// agentWeb is the editor's agent-mode chat's web services: the same search
// and egress clients as the workflow nodes.
func agentWeb(d nodes.Deps) editor.AgentWeb {
	s, f := nodes.AgentWeb(d)
	return editor.AgentWeb{Search: s, Fetch: f}
}
