package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"nodetool/authn"
	"nodetool/chatsrv"
	"nodetool/engine"
	"nodetool/jobs"
	"nodetool/store"
	"nodetool/worker"
	"nodetool/workflows"
)

func cmdWorker(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := newServerCmd(serverSpec{
		name: "worker", host: "0.0.0.0", port: 8000, portEnv: "PORT", auth: "static",
		about:   "Serves the Worker API: workflows (list, sync, run, stream), storage and health.\nWith no --workflow or --workflows-dir, the embedded example workflows are served.",
		bodyUse: "largest JSON request body", waitFor: "running requests and jobs",
	}, getenv, stderr)
	fs := c.fs
	var files paramFlags
	fs.Var(&files, "workflow", "serve this workflow `file` (repeatable)")
	workflowsDir := fs.String("workflows-dir", "", "serve every *.json workflow in this `folder`")
	fs.String("data-dir", "", "where workflows and storage are kept (env NODETOOL_DATA_DIR; default $XDG_DATA_HOME/nodetool or ~/.local/share/nodetool)")
	privateStorage := fs.Bool("private-storage", false, "require auth for GET and HEAD on /storage/* too")
	tempTTL := fs.Duration("temp-ttl", 24*time.Hour, "how long temp storage objects live")
	maxUpload := byteSize(2 << 30)
	fs.Var(&maxUpload, "max-upload", "largest storage upload (e.g. 2GiB)")
	budgets := addBudgetFlags(fs, engine.DefaultRunTimeout)
	jobLimit := addJobLimitFlags(fs)
	s, err := c.parse(args, getenv, map[string]*time.Duration{"temp-ttl": tempTTL})
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
	maxJobs, maxJobsPerUser, err := jobLimit.resolve(s.auth)
	if err != nil {
		return err
	}
	dataDir, err := c.st.dataDir()
	if err != nil {
		return usageError("%v", err)
	}
	fixed, source, err := loadFixedWorkflows(files, *workflowsDir)
	if err != nil {
		return usageError("%v", err)
	}
	db, err := store.Open(dataDir, store.Options{TempTTL: *tempTTL, Logger: s.log})
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("data dir %s: %v (use --data-dir to pick another)", dataDir, err)}
	}
	defer db.Close()
	repo, err := workflows.New(db, fixed, nil)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}

	reg := engine.NewRegistry()
	reg.SetModels(s.models)
	srv := worker.New(worker.Deps{
		Registry: reg, Workflows: repo, Store: db, Auth: s.auth, Logger: s.log,
		MaxBody: int64(c.maxBody), MaxUpload: int64(maxUpload), PrivateStorage: *privateStorage,
		Run:             engine.RunOptions{Limits: limits},
		Limiter:         jobs.NewLimiter(maxJobs, maxJobsPerUser),
		BodyIdleTimeout: *c.bodyTimeout,
	})
	mux := http.NewServeMux()
	srv.Register(mux)
	chatsrv.Register(mux, chatsrv.Deps{Providers: s.models, Auth: s.auth, Logger: s.log, MaxBody: int64(c.maxBody)})

	ln, err := s.listen()
	if err != nil {
		return err
	}
	nFixed, nStored := repo.Len()
	printBanner(stdout, banner{
		what: "worker", addr: listenAddr(s.host, ln), auth: s.auth, token: s.token, dataDir: dataDir,
		lines: []string{fmt.Sprintf("workflows: %d from %s, %d stored", nFixed, source, nStored), providersLine(s.models)},
	})
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
