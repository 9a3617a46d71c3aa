package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"nodetool/authn"
)

// settings reads configuration with the contract's precedence: a flag given
// on the command line beats the environment, which beats the default.
type settings struct {
	fs     *flag.FlagSet
	getenv func(string) string
	set    map[string]bool
}

func newSettings(fs *flag.FlagSet, getenv func(string) string) *settings {
	return &settings{fs: fs, getenv: getenv}
}

// parsed records which flags were given; call after fs.Parse.
func (s *settings) parsed() {
	s.set = map[string]bool{}
	s.fs.Visit(func(f *flag.Flag) { s.set[f.Name] = true })
}

// str returns the flag's value if given, else the first non-empty
// environment variable of envs, else the flag's default.
func (s *settings) str(flagName string, envs ...string) string {
	if !s.set[flagName] {
		for _, e := range envs {
			if v := strings.TrimSpace(s.getenv(e)); v != "" {
				return v
			}
		}
	}
	return s.fs.Lookup(flagName).Value.String()
}

// port resolves --port, then PORT (when env names it), then the default.
func (s *settings) port(env string) (int, error) {
	raw := s.str("port")
	source := "--port"
	if !s.set["port"] && env != "" && s.getenv(env) != "" {
		raw, source = strings.TrimSpace(s.getenv(env)), env
	}
	p, err := strconv.Atoi(raw)
	if err != nil || p < 0 || p > 65535 {
		return 0, fmt.Errorf("%s: %q is not a port number (0-65535)", source, raw)
	}
	return p, nil
}

// dataDir resolves --data-dir, NODETOOL_DATA_DIR, $XDG_DATA_HOME/nodetool,
// then ~/.local/share/nodetool.
func (s *settings) dataDir() (string, error) {
	if d := s.str("data-dir", "NODETOOL_DATA_DIR"); d != "" {
		return filepath.Abs(d)
	}
	if x := s.getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "nodetool"), nil
	}
	home := s.getenv("HOME")
	if home == "" {
		return "", errors.New("cannot find a data directory: set --data-dir or NODETOOL_DATA_DIR (HOME is not set)")
	}
	return filepath.Join(home, ".local", "share", "nodetool"), nil
}

// byteSize is a flag for sizes: 1024, 16MiB, 2GiB, 512KiB (also KB, MB,
// GB as powers of 1024).
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(s string) error {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a size (use bytes, or a number with KiB, MiB or GiB)", s)
	}
	*b = byteSize(n * mult)
	return nil
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

// durationFlag validates a positive duration.
func positive(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("--%s must be positive, got %s", name, d)
	}
	return nil
}
