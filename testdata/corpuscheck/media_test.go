package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMediaArgs: image inputs get the test image as a --param; a relative
// folder input gets a workspace holding the test files.
func TestMediaArgs(t *testing.T) {
	var wf corpusWorkflow
	json.Unmarshal([]byte(`{"graph":{"nodes":[
	 {"id":"1","type":"nodetool.input.ImageInput","data":{"name":"pic"}},
	 {"id":"2","type":"nodetool.input.AudioInput","data":{"name":"song"}},
	 {"id":"3","type":"nodetool.input.FolderPathInput","data":{"name":"dir","value":"./photos"}},
	 {"id":"4","type":"nodetool.input.FolderPathInput","data":{"name":"abs","value":"/etc"}}]}}`), &wf)
	args, err := mediaArgs(&wf, "../corpus-media", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(args, " ")
	if !strings.Contains(got, "--param pic=@../corpus-media/image.png") || strings.Contains(got, "song") || strings.Count(got, "--workspace") != 1 {
		t.Fatalf("args %s", got)
	}
	ws := args[len(args)-1]
	if _, err := os.Stat(filepath.Join(ws, "photos", "image.png")); err != nil {
		t.Error(err)
	}
}

// TestCheckMedia: image refs in results must hold an image that decodes.
func TestCheckMedia(t *testing.T) {
	png, err := os.ReadFile("../corpus-media/image.png")
	if err != nil {
		t.Fatal(err)
	}
	good := map[string]any{"type": "image", "uri": "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)}
	bad := map[string]any{"type": "image", "uri": "data:image/png;base64," + base64.StdEncoding.EncodeToString(png[:40])}
	empty := map[string]any{"type": "image", "uri": ""}
	if p := checkMedia("o", []any{good, map[string]any{"x": good}}); len(p) != 0 {
		t.Errorf("good image: %v", p)
	}
	for _, v := range []any{bad, empty, []any{map[string]any{"k": bad}}} {
		if p := checkMedia("o", v); len(p) != 1 {
			t.Errorf("%v: problems %v", v, p)
		}
	}
}
