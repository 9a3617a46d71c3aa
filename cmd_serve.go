package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"nodetool/authn"
	"nodetool/chatsrv"
	"nodetool/editor"
	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/jobs"
	"nodetool/store"
	"nodetool/workflows"
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nodetool serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("host", "127.0.0.1", "address to listen on")
	fs.Int("port", 7777, "port to listen on")
	fs.String("data-dir", "", "where workflows, jobs, assets and threads are kept (env NODETOOL_DATA_DIR; default $XDG_DATA_HOME/nodetool or ~/.local/share/nodetool)")
	fs.String("auth-provider", "local", "none, local, static or supabase (env AUTH_PROVIDER)")
	staticFolder := fs.String("static-folder", "", "serve a built NodeTool web client from this folder at /")
	var origins paramFlags
	fs.Var(&origins, "cors-origin", "also allow browser requests from this `origin`, e.g. http://192.168.1.5:3000 (repeatable)")
	tempTTL := fs.Duration("temp-ttl", 24*time.Hour, "how long temp storage objects live")
	maxBody := byteSize(httpapi.DefaultMaxBody)
	fs.Var(&maxBody, "max-body", "largest JSON request body and WebSocket message (e.g. 16MiB)")
	maxUpload := byteSize(2 << 30)
	fs.Var(&maxUpload, "max-upload", "largest asset upload (e.g. 2GiB)")
	grace := fs.Duration("shutdown-grace", 10*time.Second, "on SIGINT/SIGTERM, how long running requests and jobs may finish")
	nodeTimeout := fs.Duration("node-timeout", 0, "fail a node that runs longer than this (0: no limit)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	insecure := fs.Bool("insecure", false, "allow listening beyond loopback without enforced auth")
	pf := addProviderFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: nodetool serve [flags]\n\nServes the Editor API for NodeTool's web and desktop client: REST routes, the /predict, /chat,\n/updates and /terminal WebSockets, and /v1 chat. The terminal is off unless\nNODETOOL_ENABLE_TERMINAL_WS=1 (never with ENV=production).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	st := newSettings(fs, getenv)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("serve takes no arguments, got %q", strings.Join(fs.Args(), " "))
	}
	st.parsed()
	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return usageError("%v", err)
	}
	for name, d := range map[string]time.Duration{"temp-ttl": *tempTTL, "shutdown-grace": *grace} {
		if err := positive(name, d); err != nil {
			return usageError("%v", err)
		}
	}
	host := st.str("host")
	port, err := st.port("")
	if err != nil {
		return usageError("%v", err)
	}
	dataDir, err := st.dataDir()
	if err != nil {
		return usageError("%v", err)
	}
	configDir, err := authn.ConfigDir(getenv)
	if err != nil {
		return usageError("%v", err)
	}
	auth, tok, err := serverAuth(getenv, st.str("auth-provider", "AUTH_PROVIDER"), host, *insecure, log)
	if err != nil {
		return usageError("%v", err)
	}
	set, err := pf.build(st, getenv)
	if err != nil {
		return usageError("%v", err)
	}
	production := strings.EqualFold(getenv("ENV"), "production")
	terminal := truthy(getenv("NODETOOL_ENABLE_TERMINAL_WS"))

	examples, _, err := loadFixedWorkflows(nil, "")
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	var exampleFlows []*engine.Workflow
	for _, f := range examples {
		exampleFlows = append(exampleFlows, f.Workflow)
	}
	db, err := store.Open(dataDir, store.Options{TempTTL: *tempTTL, Logger: log})
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("data dir %s: %v (use --data-dir to pick another)", dataDir, err)}
	}
	defer db.Close()
	repo, err := workflows.New(db, nil, nil)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	reg := engine.NewRegistry()
	reg.SetModels(set)
	jm := jobs.New(jobs.Options{Registry: reg, Store: db, Logger: log, NodeTimeout: *nodeTimeout})
	defer jm.Close()

	ln, err := listen(host, port)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	addr := listenAddr(host, ln)
	srv := editor.New(editor.Deps{
		Registry: reg, Workflows: repo, Store: db, Jobs: jm, Auth: auth, Logger: log, Examples: exampleFlows, Providers: set,
		CORSOrigins: origins, StaticFolder: *staticFolder, Terminal: terminal, Production: production,
		LoopbackOnly: authn.IsLoopbackHost(host),
		SettingsFile: filepath.Join(configDir, "settings.json"), SecretsFile: filepath.Join(configDir, "secrets.json"),
		MaxBody: int64(maxBody), MaxUpload: int64(maxUpload), MaxMessage: int64(maxBody),
		PublicURL: "http://" + addr,
	})
	mux := http.NewServeMux()
	srv.Register(mux)
	chatsrv.Register(mux, chatsrv.Deps{Providers: set, Logger: log, MaxBody: int64(maxBody)})

	lines := []string{providersLine(set)}
	if terminal && !production {
		lines = append(lines, "terminal:  enabled at /terminal")
	}
	printBanner(stdout, banner{what: "serve", addr: addr, auth: auth, token: tok, dataDir: dataDir, lines: lines})
	if *insecure && !auth.Enforced() && !authn.IsLoopbackHost(host) {
		log.Warn("listening beyond loopback without authentication (--insecure)", "host", host)
	}
	t := httpapi.DefaultTimeouts
	t.ShutdownGrace = *grace
	return httpapi.Serve(ctx, ln, srv.Handler(mux), t, log)
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
