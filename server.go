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
	"nodetool/httpapi"
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
	if s.models, err = c.models.build(c.st, getenv); err != nil {
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

// openStore opens the data dir d, naming it and the flag that picks
// another when it cannot (in use by another server, not writable).
func (s *serverConf) openStore(d dataDir, tempTTL time.Duration) (*store.DB, error) {
	db, err := store.Open(d.path, store.Options{TempTTL: tempTTL, Logger: s.log})
	if err != nil {
		return nil, &exitError{code: 1, msg: fmt.Sprintf("data dir %s: %v (use --data-dir to pick another)", d.path, err)}
	}
	return db, nil
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
