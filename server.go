package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"nodetool/authn"
	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/metrics"
	"nodetool/providers"
	"nodetool/store"
)

// serverSpec describes a server command: its name, defaults and help.
type serverSpec struct {
	name    string // "worker", "serve", "chat-server"
	about   string // the help text between the usage line and the flags
	host    string
	port    int
	portEnv string   // an environment variable for the port, or ""
	auth    string   // the default auth provider
	bodyUse string   // what --max-body bounds
	waitFor string   // what --shutdown-grace lets finish
	env     []string // the command's own environment variables, for its help
}

// serverCmd holds the flags every server command takes; a command adds its
// own to fs before parse.
type serverCmd struct {
	spec                serverSpec
	fs                  *flag.FlagSet
	st                  *settings
	maxBody             byteSize
	bodyTimeout         *time.Duration
	grace               *time.Duration
	logFormat, logLevel *string
	insecure            *bool
	metricsOn           *bool
	metricsPublic       *bool
	models              *providerFlags
	stdout, stderr      io.Writer
}

// newServerCmd declares the flags every server command takes; the command
// adds its own to c.fs before calling parse.
func newServerCmd(spec serverSpec, getenv func(string) string, stdout, stderr io.Writer) *serverCmd {
	fs := newFlagSet(spec.name)
	portUse := "port to listen on"
	if spec.portEnv != "" {
		portUse += " (env " + spec.portEnv + ")"
	}
	fs.String("host", spec.host, "address to listen on")
	fs.Int("port", spec.port, portUse)
	fs.String("auth-provider", spec.auth, "none, local, static or supabase (env AUTH_PROVIDER)")
	c := &serverCmd{spec: spec, fs: fs, st: newSettings(fs, getenv), maxBody: byteSize(httpapi.DefaultMaxBody), stdout: stdout, stderr: stderr}
	fs.Var(&c.maxBody, "max-body", spec.bodyUse)
	c.bodyTimeout = fs.Duration("body-timeout", httpapi.DefaultTimeouts.Body, "how long a request, headers and body, may take to arrive (an upload: how long it may stall); a slower client gets 408")
	c.grace = fs.Duration("shutdown-grace", 10*time.Second, "on SIGINT/SIGTERM, how long "+spec.waitFor+" may finish")
	c.logFormat = fs.String("log-format", "text", "log format: text or json")
	c.logLevel = fs.String("log-level", "info", "log level: debug, info, warn or error")
	c.insecure = fs.Bool("insecure", false, "allow listening beyond loopback without enforced auth")
	c.metricsOn = fs.Bool("metrics", true, "serve GET /metrics (Prometheus text format) and measure requests, runs, storage and model calls; false turns both off")
	c.metricsPublic = fs.Bool("metrics-public", false, "serve /metrics without a token (for a scraper on a private network); by default it needs the server's auth")
	c.models = addProviderFlags(fs)
	return c
}

// help is the server command's help: its about text, its flags and the
// environment variables it reads.
func (c *serverCmd) help() help {
	var env []string
	if c.spec.portEnv != "" {
		env = append(env, c.spec.portEnv)
	}
	env = append(env, envAuth...)
	env = append(env, c.spec.env...)
	env = append(env, envProviders...)
	return help{usage: c.spec.name + " [flags]", about: c.spec.about, env: env}
}

// serverConf is what a server command's common flags resolve to.
type serverConf struct {
	cmd    *serverCmd
	log    *slog.Logger
	host   string
	port   int
	auth   *authn.Auth
	token  authn.TokenInfo
	models *providers.Set
	// metrics is nil with --metrics=false.
	metrics *metrics.Server
}

// parse parses args and resolves the common settings: the logger, the
// address, auth (refusing an exposed listener without it) and the model
// providers. durations are the command's own duration flags that must be
// positive. It returns errHelp for -h (the help is printed on stdout).
func (c *serverCmd) parse(args []string, getenv func(string) string, durations map[string]*time.Duration) (*serverConf, error) {
	pos, err := parseArgs(c.fs, c.help(), args, c.stdout)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, usageError("%s takes no arguments, got %q (see \"nodetool %s -h\")", c.spec.name, strings.Join(pos, " "), c.spec.name)
	}
	c.st.parsed()
	log, err := newLogger(c.stderr, *c.logFormat, *c.logLevel)
	if err != nil {
		return nil, usageError("%v", err)
	}
	if err := positive("shutdown-grace", *c.grace); err != nil {
		return nil, usageError("%v", err)
	}
	if err := positive("body-timeout", *c.bodyTimeout); err != nil {
		return nil, usageError("%v", err)
	}
	for name, d := range durations {
		if err := positive(name, *d); err != nil {
			return nil, usageError("%v", err)
		}
	}
	s := &serverConf{cmd: c, log: log, host: c.st.str("host")}
	if s.port, err = c.st.port(c.spec.portEnv); err != nil {
		return nil, usageError("%v", err)
	}
	if s.auth, s.token, err = serverAuth(getenv, c.st.str("auth-provider", "AUTH_PROVIDER"), s.host, *c.insecure, log); err != nil {
		return nil, usageError("%v", err)
	}
	if *c.metricsOn {
		s.metrics = metrics.NewServer(version)
	}
	if s.models, err = c.models.build(c.st, getenv, s.metrics); err != nil {
		return nil, usageError("%v", err)
	}
	return s, nil
}

// listen opens the server's listener.
func (s *serverConf) listen() (net.Listener, error) {
	ln, err := listen(s.host, s.port)
	if err != nil {
		return nil, &exitError{code: 1, msg: err.Error()}
	}
	return ln, nil
}

// openStore opens the data dir d with its blobs (and the record kinds in
// shared) in storage (nil: the data dir), naming the data dir and the flag
// that picks another when it cannot (in use by another server, not
// writable).
func (s *serverConf) openStore(d dataDir, tempTTL time.Duration, storage *store.Storage, shared ...string) (*store.DB, error) {
	// Job records (two writes per job) live in a journal written by group
	// commit, so that a thousand jobs at once do not cost two thousand fsyncs.
	opts := store.Options{TempTTL: tempTTL, Logger: s.log, Storage: storage, Shared: shared, Journaled: []string{"jobs"}}
	if s.metrics != nil {
		opts.Observer = s.metrics
	}
	db, err := store.Open(d.path, opts)
	if err != nil {
		return nil, &exitError{code: 1, msg: fmt.Sprintf("data dir %s: %v (use --data-dir to pick another)", d.path, err)}
	}
	return db, nil
}

// addStorageFlag declares --storage-url for a server command that keeps
// what in its storage.
func addStorageFlag(fs *flag.FlagSet, what string) {
	fs.String("storage-url", "", "where "+what+" live: file:///path, or s3://BUCKET[/PREFIX][?addressing=virtual] for an S3-compatible service "+
		"configured by AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_REGION "+
		"(env NODETOOL_STORAGE_URL; default: the data dir)")
}

// envStorage are the environment variables of --storage-url.
var envStorage = []string{"NODETOOL_STORAGE_URL", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"}

// storage resolves --storage-url.
func (s *serverConf) storage(getenv func(string) string) (*store.Storage, error) {
	st, err := store.ParseStorageURL(s.cmd.st.str("storage-url", "NODETOOL_STORAGE_URL"), getenv)
	if err != nil {
		return nil, usageError("--storage-url/NODETOOL_STORAGE_URL: %v", err)
	}
	return st, nil
}

// storageLine describes the storage for a banner ("" for the data dir).
func storageLine(st *store.Storage, shared string) string {
	if st == nil {
		return ""
	}
	return "storage:   " + st.String() + "; " + shared
}

// withMetrics adds GET /metrics to h (behind the server's auth unless
// --metrics-public), through the chain every surface uses; other paths go
// to h. Without metrics it is h.
func (s *serverConf) withMetrics(h http.Handler) http.Handler {
	if s.metrics == nil {
		return h
	}
	access := httpapi.Authenticated
	if *s.cmd.metricsPublic {
		access = httpapi.Public
	}
	mux := http.NewServeMux()
	httpapi.Handle(mux, s.auth, []httpapi.Route{access.Route("GET /metrics", s.metrics.Registry.Handler())})
	m := httpapi.Chain(mux, httpapi.Middleware{Log: s.log, Auth: s.auth})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			m.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// runObserver is the engine.Observer of the server's runs (nil without
// metrics).
func (s *serverConf) runObserver() engine.Observer {
	if s.metrics == nil {
		return nil
	}
	return s.metrics
}

// gauge registers a gauge read at each scrape (nothing without metrics).
func (s *serverConf) gauge(name, help string, fn func() float64) {
	if s.metrics != nil {
		s.metrics.Registry.GaugeFunc(name, help, fn)
	}
}

// serve serves h on ln until ctx ends, then shuts down within
// --shutdown-grace (onShutdown: see httpapi.Serve). exposed says what an
// open unauthenticated listener lets anyone do, for the warning --insecure
// earns.
func (s *serverConf) serve(ctx context.Context, ln net.Listener, h http.Handler, exposed string, onShutdown ...func(context.Context)) error {
	if *s.cmd.insecure && !s.auth.Enforced() && !authn.IsLoopbackHost(s.host) {
		s.log.Warn("listening beyond loopback without authentication (--insecure): anyone who can reach this port can "+exposed, "host", s.host)
	}
	t := httpapi.DefaultTimeouts
	t.ShutdownGrace = *s.cmd.grace
	t.Body = *s.cmd.bodyTimeout
	h = s.withMetrics(h)
	if s.metrics != nil {
		h = httpapi.Instrument(s.metrics, h)
	}
	return httpapi.Serve(ctx, ln, h, t, s.log, onShutdown...)
}

// jobLimits are the --max-jobs flags of the servers that run workflows.
type jobLimits struct {
	max, perUser *int
}

func addJobLimitFlags(fs *flag.FlagSet) jobLimits {
	return jobLimits{
		max:     fs.Int("max-jobs", 64, "most workflow runs going on at once; more are refused (429 or a WebSocket error), never queued"),
		perUser: fs.Int("max-jobs-per-user", 16, "most workflow runs of one user at once, with AUTH_PROVIDER=supabase (ignored otherwise)"),
	}
}

// resolve checks the limits and returns them; the per-user limit applies
// only when auth tells users apart (supabase).
func (l jobLimits) resolve(auth *authn.Auth) (max, perUser int, err error) {
	if *l.max < 1 {
		return 0, 0, usageError("--max-jobs must be at least 1, got %d", *l.max)
	}
	if *l.perUser < 1 {
		return 0, 0, usageError("--max-jobs-per-user must be at least 1, got %d", *l.perUser)
	}
	if auth.Provider() != authn.Supabase {
		return *l.max, 0, nil
	}
	return *l.max, *l.perUser, nil
}

// newLogger builds the server log: text or JSON on w at the given level.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", format)
}

// serverAuth resolves the auth provider and builds the authenticator,
// refusing an exposed listener without enforced auth unless insecure.
func serverAuth(getenv func(string) string, provider, host string, insecure bool, log *slog.Logger) (*authn.Auth, authn.TokenInfo, error) {
	p, err := authn.ParseProvider(provider)
	if err != nil {
		return nil, authn.TokenInfo{}, fmt.Errorf("--auth-provider/AUTH_PROVIDER: %v", err)
	}
	if err := authn.CheckExposure(host, p, insecure); err != nil {
		return nil, authn.TokenInfo{}, err
	}
	opts, tok, err := authn.OptionsFromEnv(getenv, p)
	if err != nil {
		return nil, authn.TokenInfo{}, err
	}
	opts.Logger = log
	a, err := authn.New(opts)
	if err != nil {
		return nil, authn.TokenInfo{}, err
	}
	return a, tok, nil
}

// listen opens the TCP listener.
func listen(host string, port int) (net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %v", net.JoinHostPort(host, strconv.Itoa(port)), err)
	}
	return ln, nil
}

// listenAddr is the address to print: the host as configured, the port as
// bound (which differs from the configured one for port 0).
func listenAddr(host string, ln net.Listener) string {
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return net.JoinHostPort(host, port)
}
