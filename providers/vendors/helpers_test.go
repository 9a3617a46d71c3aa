package vendors_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nodetool/providers/vendors"
)

// testKey is the key the test servers expect; it must never show in an
// error.
const testKey = "sk-test-0123456789abcdef"

// recorded reads a recorded answer, with the documentation's example
// result URLs pointing at base instead.
func recorded(t testing.TB, name, base string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"https://example.com/generated-content.jpg", "https://v3.fal.media/files/penguin/nano-banana-2-output.png", "https://tempfile.redpandaai.co/xxx/images/user-uploads/uploaded-image.png"} {
		b = bytes.ReplaceAll(b, []byte(u), []byte(base+"/files/out.png"))
	}
	return b
}

// pngBytes is a small PNG.
func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	img.Set(0, 0, color.NRGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// caller is a vendors.Caller for user.
type caller struct {
	context.Context
	user string
}

func (c caller) UserID() string { return c.user }

// bg is a caller with a generous deadline, so that a broken test fails
// instead of hanging.
func bg(t *testing.T) (caller, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	return caller{Context: ctx}, cancel
}

// wantErr checks that err is a *vendors.Error naming the service and model
// and holding every want, and that no form of it shows the key.
func wantErr(t *testing.T, err error, service, model string, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one with %q", want)
	}
	noKey(t, err)
	var ve *vendors.Error
	if !errors.As(err, &ve) {
		t.Fatalf("error %T %v is not a *vendors.Error", err, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, service) || (model != "" && !strings.Contains(msg, model)) {
		t.Errorf("error %q does not name %s model %s", msg, service, model)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
}

// noKey checks that the key shows in no form of v: printed, Go-printed,
// logged as text and as JSON.
func noKey(t *testing.T, v any) {
	t.Helper()
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "v", v)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "v", v)
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), logged.String()} {
		if strings.Contains(s, testKey) {
			t.Errorf("the key shows in %q", s)
		}
	}
}
