package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"nodetool/authn"
	"nodetool/chatsrv"
	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/store"
	"nodetool/worker"
	"nodetool/workflows"
)

func cmdWorker(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nodetool worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("host", "0.0.0.0", "address to listen on")
	fs.Int("port", 8000, "port to listen on (env PORT)")
	var files paramFlags
	fs.Var(&files, "workflow", "serve this workflow `file` (repeatable)")
	workflowsDir := fs.String("workflows-dir", "", "serve every *.json workflow in this `folder`")
	fs.String("data-dir", "", "where workflows and storage are kept (env NODETOOL_DATA_DIR; default $XDG_DATA_HOME/nodetool or ~/.local/share/nodetool)")
	fs.String("auth-provider", "static", "none, local, static or supabase (env AUTH_PROVIDER)")
	privateStorage := fs.Bool("private-storage", false, "require auth for GET and HEAD on /storage/* too")
	tempTTL := fs.Duration("temp-ttl", 24*time.Hour, "how long temp storage objects live")
	maxBody := byteSize(httpapi.DefaultMaxBody)
	fs.Var(&maxBody, "max-body", "largest JSON request body (e.g. 16MiB)")
	maxUpload := byteSize(2 << 30)
	fs.Var(&maxUpload, "max-upload", "largest storage upload (e.g. 2GiB)")
	grace := fs.Duration("shutdown-grace", 10*time.Second, "on SIGINT/SIGTERM, how long running requests and jobs may finish")
	nodeTimeout := fs.Duration("node-timeout", 0, "fail a node that runs longer than this (0: no limit)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	insecure := fs.Bool("insecure", false, "allow listening beyond loopback without enforced auth")
	pf := addProviderFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: nodetool worker [flags]\n\nServes the Worker API: workflows (list, sync, run, stream), storage and health.\nWith no --workflow or --workflows-dir, the embedded example workflows are served.\n\nFlags:\n")
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
		return usageError("worker takes no arguments, got %q", strings.Join(fs.Args(), " "))
	}
	st.parsed()

	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return usageError("%v", err)
	}
	host := st.str("host")
	port, err := st.port("PORT")
	if err != nil {
		return usageError("%v", err)
	}
	for name, d := range map[string]time.Duration{"temp-ttl": *tempTTL, "shutdown-grace": *grace} {
		if err := positive(name, d); err != nil {
			return usageError("%v", err)
		}
	}
	dataDir, err := st.dataDir()
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
	fixed, source, err := loadFixedWorkflows(files, *workflowsDir)
	if err != nil {
		return usageError("%v", err)
	}
	db, err := store.Open(dataDir, store.Options{TempTTL: *tempTTL, Logger: log})
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("data dir %s: %v (use --data-dir to pick another)", dataDir, err)}
	}
	defer db.Close()
	repo, err := workflows.New(db, fixed, nil)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}

	reg := engine.NewRegistry()
	reg.SetModels(set)
	srv := worker.New(worker.Deps{
		Registry: reg, Workflows: repo, Store: db, Auth: auth, Logger: log,
		MaxBody: int64(maxBody), MaxUpload: int64(maxUpload), PrivateStorage: *privateStorage,
		NodeTimeout: *nodeTimeout,
	})
	mux := http.NewServeMux()
	srv.Register(mux)
	chatsrv.Register(mux, chatsrv.Deps{Providers: set, Logger: log, MaxBody: int64(maxBody)})

	ln, err := listen(host, port)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	nFixed, nStored := repo.Len()
	printBanner(stdout, banner{
		what: "worker", addr: listenAddr(host, ln), auth: auth, token: tok, dataDir: dataDir,
		lines: []string{fmt.Sprintf("workflows: %d from %s, %d stored", nFixed, source, nStored), providersLine(set)},
	})
	if *insecure && !auth.Enforced() && !authn.IsLoopbackHost(host) {
		log.Warn("listening beyond loopback without authentication (--insecure): anyone who can reach this port can run workflows and write storage", "host", host)
	}
	t := httpapi.DefaultTimeouts
	t.ShutdownGrace = *grace
	return httpapi.Serve(ctx, ln, srv.Handler(mux), t, log)
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

type banner struct {
	what, addr, dataDir string
	auth                *authn.Auth
	token               authn.TokenInfo
	lines               []string
}

// printBanner tells the operator where the server listens and how to reach
// it. The token is shown in full only when it was just generated (there is
// no other way to learn it); otherwise masked, with its file.
func printBanner(w io.Writer, b banner) {
	fmt.Fprintf(w, "nodetool %s listening on http://%s\n", b.what, b.addr)
	fmt.Fprintf(w, "  auth:      %s", b.auth.Provider())
	if !b.auth.Enforced() {
		fmt.Fprint(w, " (no token needed)")
	}
	fmt.Fprintln(w)
	if b.token.Token != "" {
		switch {
		case b.token.Generated:
			fmt.Fprintf(w, "  token:     %s\n             (new; saved to %s; shown only now)\n", b.token.Token, b.token.Path)
		case b.token.Path != "":
			fmt.Fprintf(w, "  token:     %s (from %s)\n", authn.Mask(b.token.Token), b.token.Path)
		default:
			fmt.Fprintf(w, "  token:     %s (from WORKER_AUTH_TOKEN)\n", authn.Mask(b.token.Token))
		}
	}
	if b.dataDir != "" {
		fmt.Fprintf(w, "  data dir:  %s\n", b.dataDir)
	}
	for _, l := range b.lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

func cmdToken(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nodetool token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rotate := fs.Bool("rotate", false, "replace the token with a new one (prints it once)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: nodetool token [--rotate]\n\nShows the worker token (masked) and where it comes from; creates one if there is none.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return usageError("%v", err)
	}
	var tok authn.TokenInfo
	var err error
	if *rotate {
		tok, err = authn.RotateToken(getenv)
	} else {
		tok, err = authn.ResolveToken(getenv)
	}
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	switch {
	case tok.Generated:
		fmt.Fprintf(stdout, "%s\n(new token, saved to %s; it is shown only now)\n", tok.Token, tok.Path)
	case tok.Path != "":
		fmt.Fprintf(stdout, "%s (from %s)\n", authn.Mask(tok.Token), tok.Path)
	default:
		fmt.Fprintf(stdout, "%s (from WORKER_AUTH_TOKEN)\n", authn.Mask(tok.Token))
	}
	return nil
}
