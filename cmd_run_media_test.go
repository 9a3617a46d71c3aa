package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// imageEcho is a workflow whose image input goes straight to an output.
const imageEcho = `{"graph":{"nodes":[
 {"id":"in","type":"nodetool.input.ImageInput","data":{"name":"picture"}},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}],
 "edges":[{"id":"e","source":"in","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`

func TestRunMediaParamsAndOutputDir(t *testing.T) {
	dir := t.TempDir()
	wf := filepath.Join(dir, "echo.json")
	os.WriteFile(wf, []byte(imageEcho), 0o600)
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 3, 2)))
	// The name says text, the content says PNG: the content decides.
	pic := filepath.Join(dir, "picture.txt")
	os.WriteFile(pic, buf.Bytes(), 0o600)
	text := filepath.Join(dir, "notes.png")
	os.WriteFile(text, []byte("just some text"), 0o600)

	out, errOut, code := runCLI(t, "", "run", wf, "-q", "--param", "picture=@"+pic)
	if code != 0 || !strings.Contains(out, `"uri":"data:image/png;base64,`) {
		t.Fatalf("inline: %q (exit %d, %s)", out, code, errOut)
	}

	outDir := filepath.Join(dir, "results")
	out, errOut, code = runCLI(t, "", "run", wf, "-q", "--param", "picture=@"+pic, "--output-dir", outDir)
	if code != 0 {
		t.Fatalf("output-dir: exit %d, %s", code, errOut)
	}
	var res map[string][]map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res["result"]) != 1 {
		t.Fatalf("result %q: %v", out, err)
	}
	ref := res["result"][0]
	path, _ := ref["uri"].(string)
	if ref["type"] != "image" || ref["data"] != nil || path != filepath.Join(outDir, "result-0.png") {
		t.Fatalf("ref %v", ref)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, buf.Bytes()) {
		t.Fatalf("written file: %v", err)
	}

	for _, c := range []struct{ param, want string }{
		{"picture=@" + text, "the input takes image, but " + text + " holds document (text/plain; charset=utf-8)"},
		{"picture=@" + filepath.Join(dir, "missing.png"), "no such file"},
		{"picture=@" + dir, "not a regular file"},
	} {
		_, errOut, code := runCLI(t, "", "run", wf, "-q", "--param", c.param)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, %q; want 2 with %q", c.param, code, errOut, c.want)
		}
	}
	_, errOut, code = runCLI(t, "", "run", wf, "-q", "--max-value", "10", "--param", "picture=@"+pic)
	if code != 2 || !strings.Contains(errOut, "over the max-value limit") {
		t.Errorf("big file: exit %d, %q", code, errOut)
	}
}
