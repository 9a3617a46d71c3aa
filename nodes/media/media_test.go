package media_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/egress"
	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/base"
	"nodetool/nodes/media"
	"nodetool/nodes/nodetest"
)

// storeAssets is an asset store holding assets by user and id.
type storeAssets map[string][]byte

func (s storeAssets) ReadAsset(_ context.Context, user, id string, max int64) ([]byte, error) {
	b, ok := s[user+"/"+id]
	if !ok {
		return nil, errors.New("not found")
	}
	if int64(len(b)) > max {
		return nil, &media.TooLargeError{What: "asset " + id, Limit: max}
	}
	return b, nil
}

// readRegistry has the base nodes and test.Read, which reads its ref
// through src and outputs the bytes' length and the decoded image size.
func readRegistry(src media.Sources) *engine.Registry {
	r := engine.NewRegistry()
	base.Register(r)
	r.Add(&engine.NodeDef{
		Type:    "test.Read",
		Props:   []engine.Prop{engine.P("ref", "any", "null", "")},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			b, err := src.Read(ctx, in.Get("ref"))
			if err != nil {
				return nil, err
			}
			img, err := src.Image(ctx, in.Get("ref"))
			if err != nil {
				return engine.Single(fmt.Sprintf("%d bytes, %v", len(b), err)), nil
			}
			return engine.Single(fmt.Sprintf("%d bytes, %dx%d", len(b), img.Rect.Dx(), img.Rect.Dy())), nil
		},
	})
	return r
}

func pngBytes(t testing.TB, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func runRead(t *testing.T, reg *engine.Registry, ref string, ws string, lim engine.Limits) *engine.Result {
	t.Helper()
	p := nodetest.Compile(t, reg, nodetest.OneNode("test.Read", `{"ref":`+ref+`}`))
	return p.Run(context.Background(), engine.RunOptions{JobID: "j", UserID: "u1", Workspace: ws, Limits: lim})
}

func TestReadSources(t *testing.T) {
	img := pngBytes(t, 3, 2)
	b64 := base64.StdEncoding.EncodeToString(img)
	ws := t.TempDir()
	os.WriteFile(filepath.Join(ws, "a.png"), img, 0o600)
	os.Mkdir(filepath.Join(ws, "sub"), 0o700)
	outside := filepath.Join(t.TempDir(), "secret.png")
	os.WriteFile(outside, img, 0o600)
	os.Symlink(outside, filepath.Join(ws, "link.png"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.Write(bytes.Repeat([]byte("x"), 70<<10))
			return
		}
		w.Write(img)
	}))
	defer srv.Close()
	web := egress.New(egress.Policy{Mode: egress.All}, egress.Options{})
	reg := readRegistry(media.Sources{Assets: storeAssets{"u1/A1": img, "u2/B2": img}, HTTP: web})
	want := fmt.Sprintf(`['%d bytes, 3x2']`, len(img))
	for _, c := range []struct{ name, ref, want string }{
		{"base64 data", `{"type":"image","uri":"","data":"` + b64 + `"}`, want},
		{"data uri", `{"type":"image","uri":"data:image/png;base64,` + b64 + `"}`, want},
		{"data uri in data", `{"type":"image","data":"data:image/png;base64,` + b64 + `"}`, want},
		{"workspace file", `{"type":"image","uri":"a.png"}`, want},
		{"file uri", `{"type":"image","uri":"file:a.png"}`, want},
		{"asset id", `{"type":"image","asset_id":"A1"}`, want},
		{"asset uri", `{"type":"image","uri":"asset://A1.png"}`, want},
		{"storage path", `{"type":"image","uri":"/api/storage/A1.png"}`, want},
		{"http", `{"type":"image","uri":"` + srv.URL + `/x.png"}`, want},
		{"not an image", `{"type":"image","data":"aGVsbG8="}`, `['5 bytes, not an image in a supported format (PNG, JPEG, GIF, WebP)']`},
	} {
		res := runRead(t, reg, c.ref, ws, engine.Limits{})
		if res.Status != engine.StatusCompleted || nodetest.Repr(res.Outputs["r"]) != c.want {
			t.Errorf("%s: %s %q %s, want %s", c.name, res.Status, res.Error, nodetest.Repr(res.Outputs["r"]), c.want)
		}
	}
	for _, c := range []struct{ name, ref, want string }{
		{"empty", `{"type":"image","uri":"","asset_id":null,"data":null}`, "the image is empty"},
		{"absolute path", `{"type":"image","uri":"` + outside + `"}`, "cannot read"},
		{"dot dot", `{"type":"image","uri":"../x.png"}`, "path escapes"},
		{"symlink out", `{"type":"image","uri":"link.png"}`, "path escapes"},
		{"folder", `{"type":"image","uri":"sub"}`, "is a folder"},
		{"other user's asset", `{"type":"image","asset_id":"B2"}`, "not found"},
		{"other scheme", `{"type":"image","uri":"ftp://x/y.png"}`, "only data:"},
		{"not a ref", `"x"`, "expected a media reference"},
		{"bad base64", `{"type":"image","data":"%%%"}`, "not base64"},
		{"big download", `{"type":"image","uri":"` + srv.URL + `/big"}`, engine.LimitValue},
		{"big data uri", `{"type":"image","uri":"data:image/png;base64,` + strings.Repeat("AAAA", 30<<10) + `"}`, engine.LimitValue},
	} {
		res := runRead(t, reg, c.ref, ws, nodetest.SmallLimits)
		if res.Status != engine.StatusFailed || !strings.Contains(res.Error, c.want) {
			t.Errorf("%s: %s %q, want failed with %q", c.name, res.Status, res.Error, c.want)
		}
	}
	// No asset store, no egress client: refused, saying why.
	bare := readRegistry(media.Sources{})
	for ref, want := range map[string]string{
		`{"type":"image","asset_id":"A1"}`:         "no asset store",
		`{"type":"image","uri":"` + srv.URL + `"}`: "no egress client",
		`{"type":"image","uri":"x.png"}`:           "no workspace",
	} {
		ws := ws
		if want == "no workspace" {
			ws = ""
		}
		res := runRead(t, bare, ref, ws, engine.Limits{})
		if res.Status != engine.StatusFailed || !strings.Contains(res.Error, want) {
			t.Errorf("%s: %s %q, want failed with %q", ref, res.Status, res.Error, want)
		}
	}
	// Without an asset store, a ref that also has a uri is read from it;
	// with one, the asset id wins (and another user's is not found).
	webOnly := readRegistry(media.Sources{HTTP: web})
	both := `{"type":"image","asset_id":"B2","uri":"` + srv.URL + `/x.png"}`
	if res := runRead(t, webOnly, both, ws, engine.Limits{}); res.Status != engine.StatusCompleted || nodetest.Repr(res.Outputs["r"]) != want {
		t.Errorf("asset id and uri, no asset store: %s %q", res.Status, res.Error)
	}
	if res := runRead(t, reg, both, ws, engine.Limits{}); res.Status != engine.StatusFailed || !strings.Contains(res.Error, "not found") {
		t.Errorf("asset id and uri, with an asset store: %s %q", res.Status, res.Error)
	}
}

// limited is a budget of max bytes a value.
type limited int64

func (limited) Tick() error                { return nil }
func (limited) Check() error               { return nil }
func (l limited) MaxValue() int64          { return int64(l) }
func (l limited) CheckItems(n int64) error { return l.CheckSize(n * 16) }
func (l limited) CheckSize(n int64) error {
	if n < 0 || n > int64(l) {
		return fmt.Errorf("over max-value: %d", n)
	}
	return nil
}

// bomb is a PNG whose header claims w x h pixels, with no pixel data.
func bomb(w, h uint32) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	// IHDR starts at 8 (length), 12 ("IHDR"), 16 width, 20 height.
	put := func(o int, v uint32) { b[o], b[o+1], b[o+2], b[o+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v) }
	put(16, w)
	put(20, h)
	put(29, crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestDecodeFormats(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 4, 3))
	for i := range src.Pix {
		src.Pix[i] = 200
	}
	var p, j, g bytes.Buffer
	png.Encode(&p, src)
	jpeg.Encode(&j, src, nil)
	gif.Encode(&g, src, nil)
	webp, err := os.ReadFile("testdata/tiny.webp")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"png": p.Bytes(), "jpeg": j.Bytes(), "gif": g.Bytes(), "webp": webp} {
		img, format, err := media.DecodeImage(limited(1<<20), data)
		if err != nil || format != name || img.Bounds().Dx() == 0 {
			t.Errorf("%s: %v %q", name, err, format)
		}
		if k, _ := media.Sniff(data); k != media.Image {
			t.Errorf("%s sniffed as %q", name, k)
		}
	}
	if _, _, err := media.DecodeImage(limited(1<<20), bomb(60000, 60000)); err == nil || !strings.Contains(err.Error(), "over max-value") {
		t.Errorf("bomb: %v", err)
	}
	if _, _, err := media.DecodeImage(limited(1<<40), bomb(1<<20, 1<<20)); err == nil || !strings.Contains(err.Error(), "over max-value") {
		t.Errorf("pixel limit: %v", err)
	}
	if _, _, err := media.DecodeImage(limited(1<<20), []byte("hello")); !errors.Is(err, media.ErrNotImage) {
		t.Errorf("text: %v", err)
	}
}

func TestNRGBAConversions(t *testing.T) {
	rgba := image.NewRGBA(image.Rect(2, 2, 4, 4))
	rgba.Set(2, 2, color.NRGBA{200, 100, 50, 128})
	rgba.Set(3, 3, color.NRGBA{10, 20, 30, 255})
	ycc := image.NewYCbCr(image.Rect(0, 0, 40, 40), image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = 128
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = 128, 128
	}
	for _, img := range []image.Image{rgba, ycc, image.NewGray(image.Rect(1, 1, 5, 5))} {
		n := media.NRGBA(img)
		b := img.Bounds()
		if n.Rect != image.Rect(0, 0, b.Dx(), b.Dy()) {
			t.Fatalf("%T: rect %v", img, n.Rect)
		}
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				want := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
				got := n.NRGBAAt(x, y)
				d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
				if d(got.R, want.R) > 1 || d(got.G, want.G) > 1 || d(got.B, want.B) > 1 || got.A != want.A {
					t.Fatalf("%T at %d,%d: %v, want %v", img, x, y, got, want)
				}
			}
		}
	}
}

func TestRefJSON(t *testing.T) {
	ref := media.ImageRef([]byte{1, 2, 3})
	b, err := ref.MarshalJSON()
	if err != nil || string(b) != `{"type":"image","uri":"data:image/png;base64,AQID","asset_id":null,"data":null,"metadata":null}` {
		t.Fatalf("%s %v", b, err)
	}
	if !media.IsSet(ref) || media.IsSet(pyval.DictOf("type", "image", "uri", "", "data", nil)) {
		t.Fatal("IsSet")
	}
	if v := media.Ref(media.Video, nil); !v.Has("duration") || !v.Has("format") {
		t.Fatal("video ref lacks duration, format")
	}
}

func FuzzDecodeImage(f *testing.F) {
	f.Add(pngBytes(f, 2, 2))
	f.Add(bomb(1<<16, 1<<16))
	if b, err := os.ReadFile("testdata/tiny.webp"); err == nil {
		f.Add(b)
	}
	var j, g bytes.Buffer
	jpeg.Encode(&j, image.NewGray(image.Rect(0, 0, 8, 8)), nil)
	gif.Encode(&g, image.NewGray(image.Rect(0, 0, 8, 8)), nil)
	f.Add(j.Bytes())
	f.Add(g.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		img, _, err := media.DecodeImage(limited(4<<20), data)
		if err != nil {
			return
		}
		r := img.Bounds()
		if int64(r.Dx())*int64(r.Dy())*4 > 8<<20 {
			t.Fatalf("decoded %v past the budget", r)
		}
		media.NRGBA(img)
	})
}
