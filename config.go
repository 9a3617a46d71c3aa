package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
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

// dataDir is where a server keeps its state, and how it came to be there.
type dataDir struct {
	path string
	// note, for the banner, is set when path is the shared folder of
	// earlier versions, or when that folder holds data path does not.
	note string
}

// addDataDirFlag declares --data-dir for a server command that keeps what
// in its data dir.
func addDataDirFlag(fs *flag.FlagSet, cmd, what string) {
	fs.String("data-dir", "", "where "+what+" are kept (env NODETOOL_DATA_DIR; default $XDG_DATA_HOME/nodetool/"+cmd+
		" or ~/.local/share/nodetool/"+cmd+"); one running server per data dir")
}

// resolveDataDir picks the data dir of the server command cmd: --data-dir,
// else NODETOOL_DATA_DIR, either naming it exactly; else the command's own
// folder, $XDG_DATA_HOME/nodetool/<cmd> or ~/.local/share/nodetool/<cmd>,
// so that worker and serve run side by side with their defaults.
//
// Earlier versions kept both in $XDG_DATA_HOME/nodetool itself. While that
// folder holds data (see holdsStore) and the worker's own folder does not
// exist, the worker keeps using it, and its note says how to move the
// data; serve starts in its own folder, and its note says where the old
// data is and how to open it.
func (s *settings) resolveDataDir(cmd string) (dataDir, error) {
	if d := s.str("data-dir", "NODETOOL_DATA_DIR"); d != "" {
		abs, err := filepath.Abs(d)
		return dataDir{path: abs}, err
	}
	shared := ""
	if x := s.getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		shared = filepath.Join(x, "nodetool")
	} else if home := s.getenv("HOME"); home != "" {
		shared = filepath.Join(home, ".local", "share", "nodetool")
	} else {
		return dataDir{}, errors.New("cannot find a data directory: set --data-dir or NODETOOL_DATA_DIR (HOME is not set)")
	}
	own := filepath.Join(shared, cmd)
	if !holdsStore(shared) {
		return dataDir{path: own}, nil
	}
	workerDir := filepath.Join(shared, "worker")
	_, err := os.Stat(workerDir)
	workerMoved := !errors.Is(err, fs.ErrNotExist)
	if cmd == "worker" && !workerMoved {
		return dataDir{path: shared, note: fmt.Sprintf("the shared data dir of earlier versions, kept while it holds data and %s does not exist; "+
			"to move the data there: mkdir -m 700 %s && mv %s %s %s/", own, own,
			filepath.Join(shared, "records"), filepath.Join(shared, "blobs"), own)}, nil
	}
	users := ""
	if !workerMoved {
		users = fmt.Sprintf(", which the worker uses until %s exists", workerDir)
	}
	return dataDir{path: own, note: fmt.Sprintf("%s, the shared data dir of earlier versions, holds data%s; "+
		"to open it with %s instead: --data-dir %s", shared, users, cmd, shared)}, nil
}

// holdsStore reports whether dir holds the data of a store: an entry in
// its records, blobs/assets or blobs/temp folder.
func holdsStore(dir string) bool {
	for _, sub := range []string{"records", filepath.Join("blobs", "assets"), filepath.Join("blobs", "temp")} {
		f, err := os.Open(filepath.Join(dir, sub))
		if err != nil {
			continue
		}
		names, _ := f.Readdirnames(1)
		f.Close()
		if len(names) > 0 {
			return true
		}
	}
	return false
}

// stringsFlag collects the values of a repeatable flag, in order.
type stringsFlag []string

func (p *stringsFlag) String() string     { return strings.Join(*p, " ") }
func (p *stringsFlag) Set(v string) error { *p = append(*p, v); return nil }

// byteSize is a flag for sizes: 1024, 16MiB, 2GiB, 512KiB (also KB, MB,
// GB as powers of 1024).
type byteSize int64

// String gives the size in the largest unit that divides it ("16MiB",
// "2GiB", "1000"), in a form Set takes back.
func (b *byteSize) String() string {
	n := int64(*b)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

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

// positive checks that the duration given for the flag name is above zero.
func positive(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("--%s must be positive, got %s", name, d)
	}
	return nil
}
