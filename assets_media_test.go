package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/ffmpeg"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
	"nodetool/store"
)

// TestMediaAssetFolderNodes: Load Image Assets, Load Audio Assets and
// Load Video Folder list a folder of the editor's store (records and
// blobs as the asset routes write them), the run's user's only, by content
// type; each item names its asset, and the node that uses it reads the
// content from the store (the media asset reader). Without a store the
// nodes say so.
func TestMediaAssetFolderNodes(t *testing.T) {
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	blobs, err := db.Blobs("assets")
	if err != nil {
		t.Fatal(err)
	}
	file := func(name string) string {
		t.Helper()
		b, err := os.ReadFile("testdata/corpus-media/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	add := func(id, user, parent, name, ct, ext, body string) {
		t.Helper()
		if err := db.Put("assets", id, map[string]any{"id": id, "user_id": user, "parent_id": parent, "name": name, "content_type": ct, "size": len(body)}); err != nil {
			t.Fatal(err)
		}
		if ct != "folder" {
			if _, err := blobs.Put(context.Background(), id+"."+ext, strings.NewReader(body), 1<<24); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("f1", "u1", "u1", "media", "folder", "", "")
	add("i1", "u1", "f1", "gradient.png", "image/png", "png", file("image-gradient.png"))
	add("s1", "u1", "f1", "speech.wav", "audio/wav", "wav", file("audio-speech.wav"))
	add("v1", "u1", "f1", "clip.mp4", "video/mp4", "mp4", file("video-clip.mp4"))
	add("t1", "u1", "f1", "notes.txt", "text/plain", "txt", "not media")
	add("f2", "u2", "u2", "theirs", "folder", "", "")
	add("i2", "u2", "f2", "theirs.png", "image/png", "png", file("image-gradient.png"))
	tools, err := ffmpeg.Find("")
	if err != nil {
		t.Fatalf("%v (CI installs it)", err)
	}
	reg := nodes.NewRegistry(nodes.Deps{Assets: storeAssets{db}, MediaAssets: storeAssets{db}, FFmpeg: tools})

	// load runs a Load node on folder as user, feeding each item to use's
	// input (when use is set).
	load := func(r *engine.Registry, user, typ, folder, slot, use, useIn string) *engine.Result {
		var g nodetest.Graph
		g.Node("n", typ, `{"folder":{"type":"folder","asset_id":`+nodetest.JS(folder)+`}}`)
		record(&g, "n", "name")
		record(&g, "n", slot)
		if use != "" {
			g.Node("u", use, `{}`).Edge("n", slot, "u", useIn)
			def, _ := r.Lookup(use)
			for _, o := range def.Outputs {
				record(&g, "u", o.Name)
			}
		}
		return nodetest.Compile(t, r, g.JSON()).Run(context.Background(), engine.RunOptions{JobID: "j", UserID: user})
	}
	res := load(reg, "u1", "nodetool.image.LoadImageAssets", "f1", "image", "nodetool.image.GetMetadata", "image")
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["name"]) + nodetest.Repr(res.Outputs["image"]); got != `['gradient.png'][{'type': 'image', 'uri': '/api/storage/i1.png', 'asset_id': 'i1', 'data': None, 'metadata': None}]` {
		t.Errorf("LoadImageAssets = %s", got)
	}
	if got := nodetest.Repr(res.Outputs["width"]) + nodetest.Repr(res.Outputs["height"]); got != "[32][24]" {
		t.Errorf("GetMetadata of the asset: width, height = %s", got)
	}

	res = load(reg, "u1", "nodetool.audio.LoadAudioAssets", "f1", "audio", "nodetool.audio.Reverse", "audio")
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["name"]) + nodetest.Repr(res.Outputs["audio"]); got != `['speech.wav'][{'type': 'audio', 'uri': '/api/storage/s1.wav', 'asset_id': 's1', 'data': None, 'metadata': None}]` {
		t.Errorf("LoadAudioAssets = %s", got)
	}
	if out := res.Outputs["output"]; len(out) != 1 || !strings.HasPrefix(string(dataOf(t, out[0])), "RIFF") {
		t.Errorf("Reverse of the audio asset = %.200s", nodetest.Repr(out))
	}

	res = load(reg, "u1", "nodetool.video.LoadVideoAssets", "f1", "video", "nodetool.video.GetVideoInfo", "video")
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["name"]) + nodetest.Repr(res.Outputs["video"]); got != `['clip.mp4'][{'type': 'video', 'uri': '/api/storage/v1.mp4', 'asset_id': 'v1', 'data': None, 'metadata': None, 'duration': None, 'format': None}]` {
		t.Errorf("LoadVideoAssets = %s", got)
	}
	if got := nodetest.Repr(res.Outputs["width"]) + nodetest.Repr(res.Outputs["height"]); got != "[64][48]" {
		t.Errorf("GetVideoInfo of the video asset: width, height = %s", got)
	}

	// Another user's folder does not exist for u1, and u1's for u2; an
	// empty folder is a request to pick one.
	for _, c := range []struct{ user, folder, want string }{
		{"u1", "f2", "asset folder f2 not found"},
		{"u2", "f1", "asset folder f1 not found"},
		{"u1", "", "Please select an asset folder."},
	} {
		for _, typ := range []string{"nodetool.image.LoadImageAssets", "nodetool.audio.LoadAudioAssets", "nodetool.video.LoadVideoAssets"} {
			slot := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(typ[strings.LastIndexByte(typ, '.')+1:], "Load"), "Assets"))
			if res := load(reg, c.user, typ, c.folder, slot, "", ""); !strings.Contains(res.Error, c.want) {
				t.Errorf("%s of %q as %s: %q, want %q", typ, c.folder, c.user, res.Error, c.want)
			}
		}
	}
	// A ref naming another user's asset is not read for u1.
	var g nodetest.Graph
	g.Node("m", "nodetool.image.GetMetadata", `{"image":{"type":"image","asset_id":"i2"}}`)
	record(&g, "m", "width")
	if res := nodetest.Compile(t, reg, g.JSON()).Run(context.Background(), engine.RunOptions{JobID: "j", UserID: "u1"}); res.Status != engine.StatusFailed {
		t.Errorf("u1 read u2's asset: %s", nodetest.Repr(res.Outputs))
	}

	// Where there is no asset store (nodetool run, the worker), the nodes
	// fail saying so.
	for _, typ := range []string{"nodetool.image.LoadImageAssets", "nodetool.audio.LoadAudioAssets", "nodetool.video.LoadVideoAssets"} {
		slot := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(typ[strings.LastIndexByte(typ, '.')+1:], "Load"), "Assets"))
		if res := load(nodetest.Registry(), "u1", typ, "f1", slot, "", ""); !strings.Contains(res.Error, "this process has no asset store") {
			t.Errorf("%s without a store: %q", typ, res.Error)
		}
	}
}

// record adds an Output node named slot fed by src's output slot.
func record(g *nodetest.Graph, src, slot string) {
	g.Node("out_"+slot, "nodetool.output.Output", `{"name":`+nodetest.JS(slot)+`}`).Edge(src, slot, "out_"+slot, "value")
}

func dataOf(t *testing.T, v any) []byte {
	t.Helper()
	d, ok := v.(*pyval.Dict)
	if !ok {
		t.Fatalf("%s is not a ref", nodetest.Repr(v))
	}
	b, _ := d.Get("data")
	data, _ := b.([]byte)
	return data
}
