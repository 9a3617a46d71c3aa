// Package ffmpeg runs the ffmpeg and ffprobe programs for the audio and
// video nodes, safely:
//
//   - They are found once: a path given with --ffmpeg (env
//     NODETOOL_FFMPEG), else on PATH; ffprobe beside that ffmpeg, else on
//     PATH. When either is missing, Find says what to install.
//   - They run through exec.CommandContext, never a shell, in a process
//     group of their own that is killed (SIGKILL) when the context ends:
//     the node's deadline, a cancelled run.
//   - Every argument is an Arg: a flag (a constant of the program's own),
//     a value checked to be neither a flag nor a file name nor anything
//     with control characters, a number, or a file inside a private
//     temporary directory (Dir) under a name this package checks (letters,
//     digits and underscores, one extension). So no string from a workflow
//     ever reaches ffmpeg as an option, a protocol URL or a path of its
//     choosing; file names start with the directory's absolute path, never
//     with "-".
//   - Every input file is read with "-protocol_whitelist file" and a
//     whitelist of container formats (no playlists: HLS, concat, ffconcat,
//     which could name other files or URLs).
//   - Output is bounded: ffmpeg's "-fs" caps the file it writes, Dir.Read
//     reads at most a given size, and stderr and stdout are kept up to
//     64 KiB and 1 MiB.
package ffmpeg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrMissing is the error when ffmpeg or ffprobe cannot be found.
var ErrMissing = errors.New("ffmpeg is not installed")

// Install says how to get the programs, for messages.
const Install = "install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; Alpine: apk add ffmpeg; macOS: brew install ffmpeg), or name it with --ffmpeg PATH (env NODETOOL_FFMPEG)"

// Tools are the two programs.
type Tools struct {
	FFmpeg, FFprobe string
}

// Find locates ffmpeg and ffprobe. path, when set, is the ffmpeg
// program to use (the --ffmpeg flag); ffprobe is looked for beside it,
// then on PATH.
func Find(path string) (*Tools, error) {
	var t Tools
	if path != "" {
		p, err := exec.LookPath(path)
		if err != nil {
			return nil, fmt.Errorf("%w: --ffmpeg %s: %v; %s", ErrMissing, path, err, Install)
		}
		t.FFmpeg = p
		probe := filepath.Join(filepath.Dir(p), "ffprobe")
		if q, err := exec.LookPath(probe); err == nil {
			t.FFprobe = q
		}
	} else {
		p, err := exec.LookPath("ffmpeg")
		if err != nil {
			return nil, fmt.Errorf("%w: no ffmpeg on PATH; %s", ErrMissing, Install)
		}
		t.FFmpeg = p
	}
	if t.FFprobe == "" {
		q, err := exec.LookPath("ffprobe")
		if err != nil {
			return nil, fmt.Errorf("%w: ffprobe (which comes with ffmpeg) is not beside %s nor on PATH; %s", ErrMissing, t.FFmpeg, Install)
		}
		t.FFprobe = q
	}
	return &t, nil
}

// Arg is one checked argument.
type Arg struct {
	s    string
	file bool
}

func (a Arg) String() string { return a.s }

var flagRe = regexp.MustCompile(`^-[a-z][a-z0-9_:.]*$`)

// Flag is an option of ffmpeg's own, such as "-vf". It panics on anything
// else: flags are constants in the caller's code.
func Flag(s string) Arg {
	if !flagRe.MatchString(s) {
		panic("ffmpeg: not a flag: " + s)
	}
	return Arg{s: s}
}

// Flags is Flag over several.
func Flags(s ...string) []Arg {
	out := make([]Arg, len(s))
	for i, f := range s {
		out[i] = Flag(f)
	}
	return out
}

// Value is an option's value: a codec, a filter graph, a pixel format.
// It is refused when it starts with "-" (unless it is a number), holds
// control characters, or names a protocol ("file:", "http:"...), so it
// can be built from constants and numbers and checked names only.
func Value(s string) (Arg, error) {
	switch {
	case s == "":
		return Arg{}, errors.New("ffmpeg: empty argument")
	case strings.HasPrefix(s, "-"):
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return Arg{}, fmt.Errorf("ffmpeg: argument %q starts with '-'", excerpt(s))
		}
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return Arg{}, fmt.Errorf("ffmpeg: argument %q holds control characters", excerpt(s))
	case protoRe.MatchString(s):
		return Arg{}, fmt.Errorf("ffmpeg: argument %q names a protocol", excerpt(s))
	}
	return Arg{s: s}, nil
}

var protoRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// MustValue is Value for constants; it panics when Value would refuse.
func MustValue(s string) Arg {
	a, err := Value(s)
	if err != nil {
		panic(err)
	}
	return a
}

// Num is a number, written as ffmpeg reads it.
func Num(f float64) Arg { return Arg{s: strconv.FormatFloat(f, 'f', -1, 64)} }

// Int is an integer.
func Int(i int64) Arg { return Arg{s: strconv.FormatInt(i, 10)} }

func excerpt(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}

// inputFormats are the containers ffmpeg may read from a file: media,
// not playlists or lists of other files.
const inputFormats = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,wav,w64,mp3,ogg,flac,aac,aiff,caf,mpegts,flv,asf,gif,image2,png_pipe,jpeg_pipe,webp_pipe,bmp_pipe,tiff_pipe,srt,ass,webvtt"

// Dir is a private temporary directory for one node's files.
type Dir struct {
	path string
}

// NewDir makes a private (0700) temporary directory.
func NewDir() (*Dir, error) {
	p, err := os.MkdirTemp("", "nodetool-media-")
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: temporary directory: %w", err)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		os.RemoveAll(p)
		return nil, err
	}
	return &Dir{path: abs}, nil
}

// Close removes the directory and everything in it.
func (d *Dir) Close() error { return os.RemoveAll(d.path) }

var nameRe = regexp.MustCompile(`^[a-z0-9_]{1,64}(%0[1-9]d[a-z0-9_]*)?\.[a-z0-9]{1,8}$`)

// File is the argument naming the file name inside d. name is letters,
// digits and underscores with one extension ("in_0.mp4"), or an image
// sequence pattern ("frame_%05d.png"); anything else is an error.
func (d *Dir) File(name string) (Arg, error) {
	if !nameRe.MatchString(name) {
		return Arg{}, fmt.Errorf("ffmpeg: bad file name %q", excerpt(name))
	}
	return Arg{s: filepath.Join(d.path, name), file: true}, nil
}

// Put writes data to the file name inside d and returns its argument.
func (d *Dir) Put(name string, data []byte) (Arg, error) {
	a, err := d.File(name)
	if err != nil {
		return a, err
	}
	if err := os.WriteFile(a.s, data, 0o600); err != nil {
		return Arg{}, fmt.Errorf("ffmpeg: writing %s: %w", name, err)
	}
	return a, nil
}

// Clear removes the files of d whose names start with prefix (letters,
// digits and underscores), such as a batch of extracted frames.
func (d *Dir) Clear(prefix string) error {
	if prefix == "" || strings.Trim(prefix, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return fmt.Errorf("ffmpeg: bad prefix %s", excerpt(prefix))
	}
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			if err := os.Remove(filepath.Join(d.path, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// ErrTooLarge is the error of Read for a file over its limit.
var ErrTooLarge = errors.New("ffmpeg: output over the size limit")

// Read reads the file name inside d, refusing one over max bytes.
func (d *Dir) Read(name string, max int64) ([]byte, error) {
	a, err := d.File(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(a.s)
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: reading %s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: reading %s: %w", name, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrTooLarge, name, max)
	}
	return b, nil
}

// Output bounds.
const (
	maxStderr = 64 << 10
	maxStdout = 1 << 20
)

// Error is a failed run: the program's exit and the last line of what it
// said.
type Error struct {
	Program string
	Err     error
	Stderr  string
}

func (e *Error) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
		msg = msg[i+1:]
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	if msg == "" {
		return fmt.Sprintf("%s failed: %v", e.Program, e.Err)
	}
	return fmt.Sprintf("%s failed: %v: %s", e.Program, e.Err, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Run runs ffmpeg with args, writing at most maxOut bytes to its
// output file: the last argument, which must be a file of a Dir. Inputs
// (after "-i") must be files of a Dir, or values after "-f lavfi" (a
// generator such as "color=c=black:s=64x64").
func (t *Tools) Run(ctx context.Context, maxOut int64, args ...Arg) error {
	if len(args) == 0 || !args[len(args)-1].file {
		return errors.New("ffmpeg: the last argument must be the output file")
	}
	argv := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}
	for i, a := range args {
		if a.s == "" {
			return errors.New("ffmpeg: empty argument")
		}
		if i > 0 && args[i-1].s == "-i" && !a.file {
			if i < 3 || args[i-3].s != "-f" || args[i-2].s != "lavfi" {
				return fmt.Errorf("ffmpeg: input %q is not a file of a temporary directory", excerpt(a.s))
			}
		}
		if a.s == "-i" && i+1 < len(args) && args[i+1].file {
			argv = append(argv, "-protocol_whitelist", "file", "-format_whitelist", inputFormats)
		}
		if i == len(args)-1 {
			argv = append(argv, "-fs", strconv.FormatInt(maxOut, 10))
		}
		argv = append(argv, a.s)
	}
	_, err := t.run(ctx, t.FFmpeg, argv)
	return err
}

// Probe runs ffprobe on file (a file of a Dir) and returns its JSON
// answer (format and streams).
func (t *Tools) Probe(ctx context.Context, file Arg) ([]byte, error) {
	if !file.file {
		return nil, errors.New("ffprobe: not a file of a temporary directory")
	}
	argv := []string{"-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file", "-format_whitelist", inputFormats,
		"-print_format", "json", "-show_format", "-show_streams", file.s}
	return t.run(ctx, t.FFprobe, argv)
}

// ProbeArgs runs ffprobe with args (the file among them) and returns its
// standard output.
func (t *Tools) ProbeArgs(ctx context.Context, args ...Arg) ([]byte, error) {
	argv := []string{"-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file", "-format_whitelist", inputFormats}
	for _, a := range args {
		argv = append(argv, a.s)
	}
	return t.run(ctx, t.FFprobe, argv)
}

// waitDelay bounds the wait for the pipes to close after the process is
// killed.
const waitDelay = 5 * time.Second

func (t *Tools) run(ctx context.Context, prog string, argv []string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, prog, argv...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	cmd.Dir = os.TempDir()
	var stdout, stderr capped
	stdout.max, stderr.max = maxStdout, maxStderr
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	setGroup(cmd)
	cmd.WaitDelay = waitDelay
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(prog), ctx.Err())
	}
	if err != nil {
		return nil, &Error{Program: filepath.Base(prog), Err: err, Stderr: stderr.String()}
	}
	if stdout.over {
		return nil, fmt.Errorf("%s: output over %d bytes", filepath.Base(prog), maxStdout)
	}
	return stdout.Bytes(), nil
}

// capped keeps the first max bytes written to it and drops the rest.
type capped struct {
	bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	n := len(p)
	if room := c.max - c.Len(); room < len(p) {
		p = p[:max(0, room)]
		c.over = true
	}
	c.Buffer.Write(p)
	return n, nil
}
