package main

import (
	"context"
	"fmt"
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
	"nodetool/store"
	"nodetool/terminal"
	"nodetool/workflows"
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := newServerCmd(serverSpec{
		name: "serve", host: "127.0.0.1", port: 7777, auth: "local",
		about:   "Serves the Editor API for NodeTool's web and desktop client: REST routes, the /predict, /chat,\n/updates and /terminal WebSockets, and /v1 chat. The terminal is off unless\nNODETOOL_ENABLE_TERMINAL_WS=1 (never with ENV=production or AUTH_PROVIDER=supabase); its shell\ngets only PATH, HOME, USER, LOGNAME, SHELL, TERM, COLORTERM, TZ, TMPDIR, LANG, LANGUAGE and LC_*.",
		bodyUse: "largest JSON request body and WebSocket message", waitFor: "running requests and jobs",
	}, getenv, stderr)
	fs := c.fs
	fs.String("data-dir", "", "where workflows, jobs, assets and threads are kept (env NODETOOL_DATA_DIR; default $XDG_DATA_HOME/nodetool or ~/.local/share/nodetool)")
	staticFolder := fs.String("static-folder", "", "serve a built NodeTool web client from this folder at /")
	var origins paramFlags
	fs.Var(&origins, "cors-origin", "also allow browser requests from this `origin`, e.g. http://192.168.1.5:3000 (repeatable)")
	tempTTL := fs.Duration("temp-ttl", 24*time.Hour, "how long temp storage objects live")
	maxUpload := byteSize(2 << 30)
	fs.Var(&maxUpload, "max-upload", "largest asset upload (e.g. 2GiB)")
	budgets := addBudgetFlags(fs, engine.DefaultRunTimeout)
	jobLimit := addJobLimitFlags(fs)
	retention := fs.Duration("job-retention", jobs.DefaultRetention, "how long the record of a finished job is kept")
	maxRecords := fs.Int("max-job-records", jobs.DefaultMaxRecords, "most job records kept (the oldest finished ones go first)")
	idleTimeout := fs.Duration("ws-idle-timeout", 10*time.Minute, "close a WebSocket that is not busy (no running job or generation) and got no message for this long")
	keepAlive := fs.Duration("ws-keepalive", 30*time.Second, "ping every WebSocket this often; one whose client sends nothing (not even a pong) for twice as long is closed")
	s, err := c.parse(args, getenv, map[string]*time.Duration{"temp-ttl": tempTTL, "job-retention": retention,
		"ws-idle-timeout": idleTimeout, "ws-keepalive": keepAlive})
	if err != nil {
		if isHelp(err) {
			return nil
		}
		return err
	}
	limits, err := budgets.limits(c.st)
	if err != nil {
		return usageError("%v", err)
	}
	dataDir, err := c.st.dataDir()
	if err != nil {
		return usageError("%v", err)
	}
	maxJobs, maxJobsPerUser, err := jobLimit.resolve(s.auth)
	if err != nil {
		return err
	}
	if *maxRecords < 1 {
		return usageError("--max-job-records must be at least 1, got %d", *maxRecords)
	}
	configDir, err := authn.ConfigDir(getenv)
	if err != nil {
		return usageError("%v", err)
	}
	if sameDir(dataDir, configDir) {
		// The data dir stays locked (flock on the folder) while the server
		// runs, and settings writes lock the config dir the same way.
		return usageError("the data dir and the config dir are both %s: they must differ (set --data-dir or NODETOOL_CONFIG_DIR)", dataDir)
	}
	production := strings.EqualFold(getenv("ENV"), "production")
	termOn := truthy(getenv("NODETOOL_ENABLE_TERMINAL_WS"))
	if termOn && s.auth.Provider() == authn.Supabase {
		return usageError("NODETOOL_ENABLE_TERMINAL_WS=1 is refused with AUTH_PROVIDER=supabase: every signed-in user would get a shell as this server's user; unset it, or use AUTH_PROVIDER=static or local")
	}

	examples, _, err := loadFixedWorkflows(nil, "")
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	var exampleFlows []*engine.Workflow
	for _, f := range examples {
		exampleFlows = append(exampleFlows, f.Workflow)
	}
	db, err := store.Open(dataDir, store.Options{TempTTL: *tempTTL, Logger: s.log})
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("data dir %s: %v (use --data-dir to pick another)", dataDir, err)}
	}
	defer db.Close()
	repo, err := workflows.New(db, nil, nil)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	reg := engine.NewRegistry()
	reg.SetModels(s.models)
	jm := jobs.New(jobs.Options{Registry: reg, Store: db, Logger: s.log,
		Run:     engine.RunOptions{Limits: limits},
		MaxJobs: maxJobs, MaxJobsPerUser: maxJobsPerUser, Retention: *retention, MaxRecords: *maxRecords})
	defer jm.Close()

	ln, err := s.listen()
	if err != nil {
		return err
	}
	addr := listenAddr(s.host, ln)
	srv := editor.New(editor.Deps{
		Registry: reg, Workflows: repo, Store: db, Jobs: jm, Auth: s.auth, Logger: s.log, Examples: exampleFlows, Providers: s.models,
		CORSOrigins: origins, StaticFolder: *staticFolder, Terminal: termOn, Production: production,
		TerminalEnv:  terminal.SafeEnv(getenv),
		LoopbackOnly: authn.IsLoopbackHost(s.host),
		SettingsFile: filepath.Join(configDir, "settings.json"), SecretsFile: filepath.Join(configDir, "secrets.json"),
		MaxBody: int64(c.maxBody), MaxUpload: int64(maxUpload), MaxMessage: int64(c.maxBody), BodyIdleTimeout: *c.bodyTimeout,
		PublicURL: "http://" + addr, IdleTimeout: *idleTimeout, KeepAlive: *keepAlive,
	})
	mux := http.NewServeMux()
	srv.Register(mux)
	chatsrv.Register(mux, chatsrv.Deps{Providers: s.models, Auth: s.auth, Logger: s.log, MaxBody: int64(c.maxBody)})

	lines := []string{providersLine(s.models)}
	if termOn && !production {
		lines = append(lines, "terminal:  enabled at /terminal")
	}
	printBanner(stdout, banner{what: "serve", addr: addr, auth: s.auth, token: s.token, dataDir: dataDir, lines: lines})
	return s.serve(ctx, ln, srv.Handler(mux), "edit and run workflows, read files and use the model servers", srv.Shutdown)
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
