package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/lang/wav"
)

func dataRef(kind, mime string, b []byte) map[string]any {
	return map[string]any{"type": kind, "uri": "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b), "data": nil}
}

// Media results are checked for what they hold.
func TestCheckMedia(t *testing.T) {
	good, _ := wav.Encode(&wav.Audio{Rate: 8000, Channels: 1, Samples: make([]float32, 80)}, wav.PCM16)
	clip, err := os.ReadFile("../corpus-media/video-clip.mp4")
	if err != nil {
		t.Fatal(err)
	}
	if p := checkMedia("o", []any{dataRef("audio", "audio/wav", good), dataRef("video", "video/mp4", clip)}); len(p) != 0 {
		t.Fatal(p)
	}
	for _, bad := range []map[string]any{
		dataRef("audio", "audio/wav", good[:44]),
		dataRef("audio", "audio/mpeg", []byte("not audio")),
		dataRef("video", "video/mp4", clip[:100]),
		dataRef("video", "video/mp4", good),
		dataRef("image", "image/png", []byte("\x89PNG\r\n\x1a\nbad")),
		{"type": "image", "uri": "", "data": nil},
	} {
		if p := checkMedia("o", []any{map[string]any{"nested": bad}}); len(p) != 1 {
			t.Errorf("%.60v: %v", bad["uri"], p)
		}
	}
}

func TestMediaParams(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "audio-a.wav"), nil, 0o600)
	wf := &corpusWorkflow{}
	wf.Graph.Nodes = append(wf.Graph.Nodes, struct {
		ID   string         `json:"id"`
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}{"1", "nodetool.input.AudioInput", map[string]any{"name": "speech"}})
	p, err := mediaParams(wf, dir)
	if err != nil || strings.Join(p, " ") != "--param speech=@"+filepath.Join(dir, "audio-a.wav") {
		t.Fatalf("%v %v", p, err)
	}
	wf.Graph.Nodes[0].Type = "nodetool.input.VideoInput"
	if _, err := mediaParams(wf, dir); err == nil {
		t.Fatal("no video file, no error")
	}
}

// A local server's asset URL is served from its portable folder name.
func TestHostDirs(t *testing.T) {
	got := string(rewriteURLs([]byte(`"http://127.0.0.1:8000/api/storage/x.mp4"`), "http://L", []string{"127.0.0.1-8000"}))
	if got != `"http://L/127.0.0.1-8000/api/storage/x.mp4"` {
		t.Fatal(got)
	}
}

// TestFolderArgs: a relative folder input gets a workspace holding the test
// files; an absolute one gets nothing.
func TestFolderArgs(t *testing.T) {
	var wf corpusWorkflow
	json.Unmarshal([]byte(`{"graph":{"nodes":[
	 {"id":"3","type":"nodetool.input.FolderPathInput","data":{"name":"dir","value":"./photos"}},
	 {"id":"4","type":"nodetool.input.FolderPathInput","data":{"name":"abs","value":"/etc"}}]}}`), &wf)
	args, err := folderArgs(&wf, "../corpus-media", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(args) != 2 || args[0] != "--workspace" {
		t.Fatalf("args %v", args)
	}
	if _, err := os.Stat(filepath.Join(args[1], "photos", "image-gradient.png")); err != nil {
		t.Error(err)
	}
	json.Unmarshal([]byte(`{"graph":{"nodes":[{"id":"4","type":"nodetool.input.FolderPathInput","data":{"name":"abs","value":"/etc"}}]}}`), &wf)
	if args, err := folderArgs(&wf, "../corpus-media", t.TempDir()); err != nil || args != nil {
		t.Errorf("an absolute folder: %v, %v", args, err)
	}
}
