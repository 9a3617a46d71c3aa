package images_test

import (
	"context"
	"encoding/base64"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

func dataURI(b []byte) string {
	return `{"type":"image","uri":"data:image/png;base64,` + base64.StdEncoding.EncodeToString(b) + `"}`
}

// TestTransforms: Crop, Resize, Scale and Paste give images of the sizes
// and pixels Pillow's would.
func TestTransforms(t *testing.T) {
	red := dataURI(pngBytes(t, 40, 20, color.NRGBA{255, 0, 0, 255}))
	blue := dataURI(pngBytes(t, 4, 4, color.NRGBA{0, 0, 255, 255}))
	reg := nodetest.Registry()
	for _, c := range []struct {
		typ, data string
		w, h      int
	}{
		{"nodetool.image.Crop", `{"image":` + red + `,"left":5,"top":2,"right":25,"bottom":12}`, 20, 10},
		{"nodetool.image.Resize", `{"image":` + red + `,"width":7,"height":9}`, 7, 9},
		{"nodetool.image.Scale", `{"image":` + red + `,"scale":0.5}`, 20, 10},
		{"nodetool.image.Paste", `{"image":` + red + `,"paste":` + blue + `,"left":10,"top":5}`, 40, 20},
	} {
		img := decoded(t, run(t, reg, c.typ, c.data, limits))
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("%s: size %v, want %dx%d", c.typ, b, c.w, c.h)
		}
		if c.typ == "nodetool.image.Paste" {
			if r, _, b, _ := img.At(11, 6).RGBA(); r != 0 || b != 0xffff {
				t.Errorf("Paste: pixel (11,6) not blue")
			}
			if r, _, _, _ := img.At(0, 0).RGBA(); r != 0xffff {
				t.Errorf("Paste: pixel (0,0) not red")
			}
		}
	}
	// A result over max-value is refused before it is made.
	res := run(t, reg, "nodetool.image.Resize", `{"image":`+red+`,"width":4000,"height":4000}`, nodetest.SmallLimits)
	nodetest.WantValueLimit(t, res, "n")
	res = run(t, reg, "nodetool.image.Resize", `{"image":`+red+`,"width":0,"height":5}`, limits)
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "each side must be") {
		t.Errorf("Resize to 0: %s %s", res.Status, res.Error)
	}
}

// runIn runs a one-node graph with a workspace folder.
func runIn(t *testing.T, ws, typ, data string) *engine.Result {
	t.Helper()
	return nodetest.Compile(t, nodetest.Registry(), nodetest.OneNode(typ, data)).Run(context.Background(), engine.RunOptions{JobID: "j", Limits: limits, Workspace: ws})
}

// TestWorkspaceFiles: LoadImageFolder streams the workspace's images (not
// other files, not subfolders unless asked, nothing outside); SaveImage
// and SaveText write into the workspace with the date codes expanded.
func TestWorkspaceFiles(t *testing.T) {
	ws := t.TempDir()
	os.MkdirAll(filepath.Join(ws, "photos", "sub"), 0o700)
	os.WriteFile(filepath.Join(ws, "photos", "b.png"), pngBytes(t, 3, 3, color.NRGBA{1, 2, 3, 255}), 0o600)
	os.WriteFile(filepath.Join(ws, "photos", "a.PNG"), pngBytes(t, 2, 2, color.NRGBA{1, 2, 3, 255}), 0o600)
	os.WriteFile(filepath.Join(ws, "photos", "notes.txt"), []byte("hi"), 0o600)
	os.WriteFile(filepath.Join(ws, "photos", "sub", "c.png"), pngBytes(t, 1, 1, color.NRGBA{1, 2, 3, 255}), 0o600)
	src := `{"nodes":[{"id":"n","type":"nodetool.image.LoadImageFolder","data":{"folder":"./photos"%s}},
	 {"id":"o","type":"nodetool.output.Output","data":{"name":"paths"}}],
	 "edges":[{"id":"e","source":"n","sourceHandle":"path","target":"o","targetHandle":"value"}]}`
	for extra, want := range map[string]string{
		``:                               `['photos/a.PNG', 'photos/b.png']`,
		`,"include_subdirectories":true`: `['photos/a.PNG', 'photos/b.png', 'photos/sub/c.png']`,
		`,"pattern":"b*"`:                `['photos/b.png']`,
		`,"extensions":[".txt"]`:         `[]`,
	} {
		res := nodetest.Compile(t, nodetest.Registry(), strings.Replace(src, "%s", extra, 1)).Run(context.Background(), engine.RunOptions{JobID: "j", Limits: limits, Workspace: ws})
		if res.Status != engine.StatusCompleted {
			t.Fatalf("%s: %s", extra, res.Error)
		}
		if got := nodetest.Repr(res.Outputs["paths"]); got != want {
			t.Errorf("LoadImageFolder%s = %s, want %s", extra, got, want)
		}
	}
	res := nodetest.Compile(t, nodetest.Registry(), strings.Replace(src, `"./photos"%s`, `"../"`, 1)).Run(context.Background(), engine.RunOptions{JobID: "j", Limits: limits, Workspace: ws})
	if res.Status != engine.StatusFailed {
		t.Errorf("LoadImageFolder(../) = %s", res.Status)
	}
	img := dataURI(pngBytes(t, 2, 2, color.NRGBA{9, 9, 9, 255}))
	res = runIn(t, ws, "nodetool.image.SaveImage", `{"image":`+img+`,"folder":{"type":"folder","uri":"out"},"name":"shot-%Y.png"}`)
	if res.Status != engine.StatusCompleted {
		t.Fatal(res.Error)
	}
	if m, _ := filepath.Glob(filepath.Join(ws, "out", "shot-2*.png")); len(m) != 1 {
		t.Errorf("SaveImage wrote %v", m)
	}
	res = runIn(t, ws, "nodetool.text.SaveText", `{"text":"<h1>Guide</h1>","name":"guide-%Y%m%d.html"}`)
	if res.Status != engine.StatusCompleted {
		t.Fatal(res.Error)
	}
	m, _ := filepath.Glob(filepath.Join(ws, "guide-2*.html"))
	if len(m) != 1 {
		t.Fatalf("SaveText wrote %v", m)
	}
	if b, _ := os.ReadFile(m[0]); string(b) != "<h1>Guide</h1>" {
		t.Errorf("SaveText wrote %q", b)
	}
	for _, name := range []string{"../x.txt", "a/b.txt"} {
		if res := runIn(t, ws, "nodetool.text.SaveText", `{"text":"x","name":"`+name+`"}`); res.Status != engine.StatusFailed {
			t.Errorf("SaveText(%s) = %s", name, res.Status)
		}
	}
	if res := runIn(t, "", "nodetool.text.SaveText", `{"text":"x"}`); res.Status != engine.StatusFailed || !strings.Contains(res.Error, "no workspace") {
		t.Errorf("SaveText without a workspace: %s %s", res.Status, res.Error)
	}
}
