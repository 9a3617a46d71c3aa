package images_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/bmp"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/nodetest"
)

// inWorkspace runs a one-node graph with dir as the run's workspace.
func inWorkspace(t *testing.T, dir, typ, data string, lim engine.Limits) *engine.Result {
	t.Helper()
	return nodetest.Compile(t, nodetest.Registry(), nodetest.OneNode(typ, data)).Run(context.Background(),
		engine.RunOptions{JobID: "j", Workspace: dir, Limits: lim})
}

func writeFile(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestLoadImageFile: a file of the run's workspace is read into an image
// ref (uri its path there); paths leaving the workspace, files that are
// not images and files over max-value are refused.
func TestLoadImageFile(t *testing.T) {
	dir := t.TempDir()
	png := pngBytes(t, 5, 3, color.NRGBA{1, 2, 3, 255})
	writeFile(t, dir, "pics/a.png", png)
	writeFile(t, dir, "pics/fake.png", []byte("not an image"))
	outside := t.TempDir()
	writeFile(t, outside, "secret.png", png)
	if err := os.Symlink(filepath.Join(outside, "secret.png"), filepath.Join(dir, "pics", "link.png")); err != nil {
		t.Fatal(err)
	}
	res := inWorkspace(t, dir, "nodetool.image.LoadImageFile", `{"path": "./pics/a.png"}`, limits)
	if b := decoded(t, res).Bounds(); b.Dx() != 5 || b.Dy() != 3 {
		t.Errorf("size %v", b)
	}
	if uri := res.Outputs["r"][0].(*pyval.Dict).Str("uri"); uri != "pics/a.png" {
		t.Errorf("uri %q", uri)
	}
	for path, want := range map[string]string{
		"":                 "path cannot be empty",
		"pics/fake.png":    "not an image",
		"pics/none.png":    "does not exist",
		"../x.png":         "leaves the run's workspace",
		"/etc/passwd":      "relative to the run's workspace",
		"pics/link.png":    "leaves the run's workspace",
		"pics":             "is a folder",
		outside + "/s.png": "relative to the run's workspace",
	} {
		res := inWorkspace(t, dir, "nodetool.image.LoadImageFile", `{"path": `+nodetest.JS(path)+`}`, limits)
		if res.Status != engine.StatusFailed || !strings.Contains(res.Error, want) {
			t.Errorf("LoadImageFile(%q): %s %q, want %q", path, res.Status, res.Error, want)
		}
	}
	res = inWorkspace(t, dir, "nodetool.image.LoadImageFile", `{"path": "pics/a.png"}`, engine.Limits{Value: 16})
	nodetest.WantValueLimit(t, res, "n")
	res = nodetest.RunLimits(t, nil, nodetest.OneNode("nodetool.image.LoadImageFile", `{"path": "a.png"}`), limits)
	if !strings.Contains(res.Error, "this run has none") {
		t.Errorf("without a workspace: %q", res.Error)
	}
}

// TestSaveImageFile: the image is written into a folder of the workspace
// in the format its extension names (the content as it is when it
// already has that format); an existing file is kept and the new one
// renamed unless overwrite is set.
func TestSaveImageFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o700); err != nil {
		t.Fatal(err)
	}
	png := pngBytes(t, 6, 4, color.NRGBA{200, 10, 10, 255})
	save := func(name string, overwrite bool) *engine.Result {
		t.Helper()
		ow := "false"
		if overwrite {
			ow = "true"
		}
		return inWorkspace(t, dir, "nodetool.image.SaveImageFile", `{"image": `+dataURI(png)+`, "folder": "out", "filename": `+nodetest.JS(name)+`, "overwrite": `+ow+`}`, limits)
	}
	uri := func(res *engine.Result) string {
		t.Helper()
		nodetest.WantCompleted(t, res)
		return res.Outputs["r"][0].(*pyval.Dict).Str("uri")
	}
	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if p := uri(save("a.png", false)); p != "out/a.png" || !bytes.Equal(read(p), png) {
		t.Errorf("a.png saved as %q", p)
	}
	if p := uri(save("a.png", false)); p != "out/a_1.png" {
		t.Errorf("the second a.png saved as %q, want out/a_1.png", p)
	}
	if p := uri(save("a.png", false)); p != "out/a_2.png" {
		t.Errorf("the third a.png saved as %q", p)
	}
	writeFile(t, dir, "out/b.png", []byte("old"))
	if p := uri(save("b.png", true)); p != "out/b.png" || !bytes.Equal(read(p), png) {
		t.Errorf("overwriting b.png: %q", p)
	}
	p := uri(save("shots/c.JPG", false))
	if p != "out/shots/c.JPG" {
		t.Errorf("c.JPG saved as %q", p)
	}
	img, err := jpeg.Decode(bytes.NewReader(read(p)))
	if err != nil || img.Bounds().Dx() != 6 {
		t.Errorf("c.JPG is not a 6-pixel-wide JPEG: %v", err)
	}
	if r, _, _, _ := img.At(2, 2).RGBA(); r>>8 < 180 {
		t.Errorf("c.JPG's red is %d", r>>8)
	}
	if _, err := bmp.Decode(bytes.NewReader(read(uri(save("d.bmp", false))))); err != nil {
		t.Errorf("d.bmp: %v", err)
	}
	year := time.Now().Format("2006")
	if p := uri(save("%Y-shot.png", false)); !strings.HasPrefix(p, "out/"+year+"-shot") {
		t.Errorf("%%Y-shot.png saved as %q", p)
	}
	for _, c := range []struct{ data, want string }{
		{`{"image": ` + dataURI(png) + `, "folder": "", "filename": "x.png"}`, "folder cannot be empty"},
		{`{"image": ` + dataURI(png) + `, "folder": "out", "filename": ""}`, "filename cannot be empty"},
		{`{"image": ` + dataURI(png) + `, "folder": "missing", "filename": "x.png"}`, "does not exist"},
		{`{"image": ` + dataURI(png) + `, "folder": "../up", "filename": "x.png"}`, "leaves the run's workspace"},
		{`{"image": ` + dataURI(png) + `, "folder": "out", "filename": "../../x.png"}`, "leaves the run's workspace"},
		{`{"image": ` + dataURI(png) + `, "folder": "out", "filename": "x.webp"}`, "the extension must name"},
		{`{"image": ` + dataURI([]byte("text")) + `, "folder": "out", "filename": "x.png"}`, "not an image"},
	} {
		res := inWorkspace(t, dir, "nodetool.image.SaveImageFile", c.data, limits)
		if res.Status != engine.StatusFailed || !strings.Contains(res.Error, c.want) {
			t.Errorf("SaveImageFile(%s): %s %q, want %q", c.data, res.Status, res.Error, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "x.png")); err == nil {
		t.Error("a file was written outside the workspace")
	}
	// A conversion whose result would pass max-value is refused before
	// it is encoded.
	big := pngBytes(t, 100, 100, color.NRGBA{1, 2, 3, 255})
	res := inWorkspace(t, dir, "nodetool.image.SaveImageFile", `{"image": `+dataURI(big)+`, "folder": "out", "filename": "big.bmp"}`, engine.Limits{Value: 20000})
	nodetest.WantValueLimit(t, res, "n")
}

// TestImagesToList: each dynamic input becomes an image ref: refs as they
// are, other values as a ref holding them as content.
func TestImagesToList(t *testing.T) {
	png := pngBytes(t, 2, 2, color.NRGBA{0, 0, 0, 255})
	b64 := base64.StdEncoding.EncodeToString(png)
	var g nodetest.Graph
	g.NodeDyn("n", "nodetool.image.ImagesToList", `{}`, `{"a": {"type": "image", "uri": "https://example.com/a.png", "asset_id": null, "data": null, "metadata": null}, "b": `+nodetest.JS(b64)+`}`).
		Output("n", "list")
	g.Node("s", "nodetool.list.GetElement", `{"index": 1}`).Edge("n", "output", "s", "values").
		Node("m", "nodetool.image.GetMetadata", `{}`).Edge("s", "output", "m", "image").
		Node("w", "nodetool.output.Output", `{"name": "width"}`).Edge("m", "width", "w", "value")
	res := g.Run(t, nodetest.Registry(), limits)
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["list"][0]); got != `[{'type': 'image', 'uri': 'https://example.com/a.png', 'asset_id': None, 'data': None, 'metadata': None}, {'type': 'image', 'uri': '', 'asset_id': None, 'data': '`+b64+`', 'metadata': None}]` {
		t.Errorf("ImagesToList = %s", got)
	}
	if got := nodetest.Repr(res.Outputs["width"]); got != "[2]" {
		t.Errorf("the second image's width = %s", got)
	}
	nodetest.RunCases(t, "nodetool.image.", []nodetest.Case{{"ImagesToList", `{}`, `[]`}})
	var bad nodetest.Graph
	bad.NodeDyn("n", "nodetool.image.ImagesToList", `{}`, `{"a": {"type": "audio", "uri": "x.wav"}}`).Output("n", "list")
	if res := bad.Run(t, nodetest.Registry(), limits); !strings.Contains(res.Error, "not an image") {
		t.Errorf("an audio ref: %q", res.Error)
	}
}

// TestLoadImageAssetsWithoutStore: where no asset store is configured
// (nodetool run, the worker) the node says so. (The root package's
// TestMediaAssetFolderNodes runs it on the editor's store.)
func TestLoadImageAssetsWithoutStore(t *testing.T) {
	nodetest.RunErrCases(t, "nodetool.image.", []nodetest.Case{
		{"LoadImageAssets", `{"folder":{"type":"folder","asset_id":"f1"}}`, "this process has no asset store"},
		{"LoadImageAssets", `{}`, "Please select an asset folder."},
	})
}
