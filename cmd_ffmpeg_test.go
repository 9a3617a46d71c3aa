package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Without ffmpeg, validate and run refuse a video workflow naming what to
// install; --ffmpeg names it when it is not on PATH; a --ffmpeg that does
// not exist is a usage error.
func TestFFmpegFlag(t *testing.T) {
	real, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal("ffmpeg is not installed (CI installs it)")
	}
	dir := t.TempDir()
	wf := filepath.Join(dir, "video.json")
	os.WriteFile(wf, []byte(`{"nodes":[{"id":"v","type":"nodetool.video.GetVideoInfo","data":{}}],"edges":[]}`), 0o600)
	t.Setenv("PATH", t.TempDir()) // no ffmpeg on PATH

	out, errOut, code := runCLI(t, "", "validate", wf)
	if code != 1 || !strings.Contains(out+errOut, "node v (nodetool.video.GetVideoInfo): this node needs ffmpeg and ffprobe") ||
		!strings.Contains(out+errOut, "apt-get install ffmpeg") || !strings.Contains(out+errOut, "--ffmpeg PATH") {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	_, errOut, code = runCLI(t, "", "run", "-q", wf)
	if code != 1 || !strings.Contains(errOut, "apt-get install ffmpeg") {
		t.Fatalf("run: exit %d: %s", code, errOut)
	}
	out, errOut, code = runCLI(t, "", "validate", "--ffmpeg", real, wf)
	if code != 0 {
		t.Fatalf("--ffmpeg %s: exit %d:\n%s%s", real, code, out, errOut)
	}
	_, errOut, code = runCLI(t, "", "validate", "--ffmpeg", filepath.Join(dir, "nope"), wf)
	if code != 2 || !strings.Contains(errOut, "--ffmpeg") {
		t.Fatalf("missing --ffmpeg: exit %d: %s", code, errOut)
	}
}
