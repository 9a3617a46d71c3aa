package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
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

// durationFlag validates a positive duration.
func positive(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("--%s must be positive, got %s", name, d)
	}
	return nil
}
