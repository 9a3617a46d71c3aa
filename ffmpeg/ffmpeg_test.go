package ffmpeg_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"nodetool/ffmpeg"
)

func tools(t *testing.T) *ffmpeg.Tools {
	t.Helper()
	tl, err := ffmpeg.Find("")
	if err != nil {
		t.Fatalf("%v (CI installs it)", err)
	}
	return tl
}

func TestFindMissing(t *testing.T) {
	_, err := ffmpeg.Find(filepath.Join(t.TempDir(), "ffmpeg"))
	if !errors.Is(err, ffmpeg.ErrMissing) || !strings.Contains(err.Error(), "apt-get install ffmpeg") || !strings.Contains(err.Error(), "NODETOOL_FFMPEG") {
		t.Fatalf("got %v", err)
	}
	tl := tools(t)
	got, err := ffmpeg.Find(tl.FFmpeg)
	if err != nil || got.FFmpeg != tl.FFmpeg || got.FFprobe == "" {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestValueRefusesInjection(t *testing.T) {
	for _, s := range []string{"", "-i", "-f", "--help", "-filter_complex", "file:/etc/passwd", "http://example.com/x.mp4",
		"concat:a|b", "a\nb", "x\x00y"} {
		if _, err := ffmpeg.Value(s); err == nil {
			t.Errorf("Value(%q) accepted", s)
		}
	}
	for _, s := range []string{"-1", "-0.5", "libx264", "scale=64:-2", "eq=saturation=1.5", "yuv420p"} {
		if _, err := ffmpeg.Value(s); err != nil {
			t.Errorf("Value(%q): %v", s, err)
		}
	}
}

func TestFileNames(t *testing.T) {
	d, err := ffmpeg.NewDir()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, s := range []string{"-evil.mp4", "-i", "../x.mp4", "a b.mp4", "a/b.mp4", "x.mp4;rm", "in.mp4\n", "IN.MP4", "file:x.mp4", "noext", ".mp4", "a.b.mp4"} {
		if _, err := d.File(s); err == nil {
			t.Errorf("File(%q) accepted", s)
		}
	}
	for _, s := range []string{"in_0.mp4", "frame_%05d.png", "out.wav"} {
		a, err := d.File(s)
		if err != nil || !filepath.IsAbs(a.String()) || strings.HasPrefix(a.String(), "-") {
			t.Errorf("File(%q) = %q, %v", s, a, err)
		}
	}
}

func TestRunRefusesNonFileInput(t *testing.T) {
	tl := tools(t)
	d, _ := ffmpeg.NewDir()
	defer d.Close()
	out, _ := d.File("out.wav")
	in := ffmpeg.MustValue("in.wav")
	err := tl.Run(context.Background(), 1<<20, ffmpeg.Flag("-i"), in, out)
	if err == nil || !strings.Contains(err.Error(), "is not a file") {
		t.Fatalf("got %v", err)
	}
	if err := tl.Run(context.Background(), 1<<20, ffmpeg.Flag("-i"), out, in); err == nil {
		t.Fatal("a value as the output accepted")
	}
}

// TestOddBytesUnderOurName: whatever the caller's file was called, it
// reaches ffmpeg under our name; a playlist disguised as a video, which
// would make ffmpeg read another file, is refused.
func TestPlaylistRefused(t *testing.T) {
	tl := tools(t)
	d, _ := ffmpeg.NewDir()
	defer d.Close()
	secret := filepath.Join(t.TempDir(), "secret.wav")
	makeTone(t, tl, secret)
	for name, body := range map[string]string{
		"hls":    "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile://" + secret + "\n#EXT-X-ENDLIST\n",
		"concat": "ffconcat version 1.0\nfile '" + secret + "'\n",
	} {
		in, err := d.Put("in.mp4", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := d.File("out.wav")
		err = tl.Run(context.Background(), 1<<20, ffmpeg.Flag("-i"), in, out)
		if err == nil {
			t.Errorf("%s: a playlist was read", name)
		}
		var fe *ffmpeg.Error
		if !errors.As(err, &fe) || !strings.Contains(fe.Stderr, "whitelist") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func makeTone(t *testing.T, tl *ffmpeg.Tools, path string) {
	t.Helper()
	d, _ := ffmpeg.NewDir()
	defer d.Close()
	out, _ := d.File("tone.wav")
	err := tl.Run(context.Background(), 1<<20, ffmpeg.Flag("-f"), ffmpeg.MustValue("lavfi"), ffmpeg.Flag("-i"),
		ffmpeg.MustValue("sine=frequency=440:duration=0.2"), out)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := d.Read("tone.wav", 1<<20)
	os.WriteFile(path, b, 0o600)
}

func TestRunAndProbe(t *testing.T) {
	tl := tools(t)
	d, _ := ffmpeg.NewDir()
	defer d.Close()
	out, _ := d.File("clip.mp4")
	err := tl.Run(context.Background(), 1<<20, ffmpeg.Flag("-f"), ffmpeg.MustValue("lavfi"), ffmpeg.Flag("-i"),
		ffmpeg.MustValue("testsrc=size=64x48:rate=10:duration=0.5"), ffmpeg.Flag("-pix_fmt"), ffmpeg.MustValue("yuv420p"), out)
	if err != nil {
		t.Fatal(err)
	}
	js, err := tl.Probe(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Streams []struct {
			Width, Height int
		}
	}
	if err := json.Unmarshal(js, &p); err != nil || len(p.Streams) != 1 || p.Streams[0].Width != 64 {
		t.Fatalf("%s %v", js, err)
	}
	if _, err := d.Read("clip.mp4", 10); !errors.Is(err, ffmpeg.ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
	// -fs bounds what ffmpeg writes.
	big, _ := d.File("big.wav")
	err = tl.Run(context.Background(), 10000, ffmpeg.Flag("-f"), ffmpeg.MustValue("lavfi"), ffmpeg.Flag("-i"),
		ffmpeg.MustValue("sine=frequency=440:duration=10"), big)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := d.Read("big.wav", 20000); err != nil {
		t.Fatal(err)
	} else if len(b) > 10000+4096 {
		t.Fatalf("wrote %d bytes", len(b))
	}
}

func TestErrorSaysWhy(t *testing.T) {
	tl := tools(t)
	d, _ := ffmpeg.NewDir()
	defer d.Close()
	in, _ := d.Put("in.mp4", []byte("not a video"))
	out, _ := d.File("out.mp4")
	err := tl.Run(context.Background(), 1<<20, ffmpeg.Flag("-i"), in, out)
	var fe *ffmpeg.Error
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "ffmpeg failed") {
		t.Fatalf("got %v", err)
	}
}

// TestCancelKillsGroup runs a stand-in "ffmpeg" that starts a child of
// its own and waits: cancelling must kill both.
func TestCancelKillsGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	script := filepath.Join(dir, "ffmpeg")
	os.WriteFile(script, []byte("#!/bin/sh\nsleep 1000 &\necho $! > "+pidFile+"\nwait\n"), 0o700)
	tl := &ffmpeg.Tools{FFmpeg: script, FFprobe: script}
	d, _ := ffmpeg.NewDir()
	defer d.Close()
	out, _ := d.File("out.wav")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tl.Run(ctx, 1<<20, ffmpeg.Flag("-i"), out, out) }()
	var pid int
	deadline := time.Now().Add(time.Minute)
	for pid == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the stand-in did not start")
		}
		b, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after cancel")
	}
	for !gone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d still runs", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// gone reports whether pid has exited (it may linger as a zombie until
// its new parent reaps it).
func gone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && (s[i+2] == 'Z' || s[i+2] == 'X')
}
