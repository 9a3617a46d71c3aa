package vendors_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/providers/vendors"
)

const fuzzKey = "sk-FUZZ-key-0123456789"

// seeds adds the recorded answers of dir as seeds.
func seeds(f *testing.F, dir string) {
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(200, b)
	}
	f.Add(401, []byte(`{"code":401,"msg":"bad `+fuzzKey+`"}`))
	f.Add(200, []byte(`{"code":200,"data":{"state":"fail","failMsg":"x`+fuzzKey+`","failCode":"`+fuzzKey+`"}}`))
	f.Add(200, []byte(`{"status":"FAILED`+fuzzKey+`","error":{"msg":"sk-FUZZ\u0000-key-0123456789"}}`))
}

// FuzzKieRecord: any recordInfo answer is read without panicking, gives
// a URL, an error or a running state, and no error shows the key.
func FuzzKieRecord(f *testing.F) {
	seeds(f, "kie")
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		target, _, err := vendors.ParseKieRecord(status, body, fuzzKey)
		if err != nil {
			var ve *vendors.Error
			if !errors.As(err, &ve) || strings.Contains(err.Error(), fuzzKey) || target != "" {
				t.Fatalf("error %T %q with target %q", err, err, target)
			}
		}
	})
}

// FuzzFalStatus: any status answer is read without panicking and no
// error shows the key.
func FuzzFalStatus(f *testing.F) {
	seeds(f, "fal")
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		done, st, err := vendors.ParseFalStatus(status, body, fuzzKey)
		if err != nil && (done || strings.Contains(err.Error(), fuzzKey)) {
			t.Fatalf("done %v, error %q", done, err)
		}
		if strings.Contains(st, fuzzKey) {
			t.Fatalf("status %q shows the key", st)
		}
	})
}

// FuzzDataURI: a data: URI decodes within its limit or fails.
func FuzzDataURI(f *testing.F) {
	f.Add("data:image/png;base64,iVBORw0KGgo=", int64(100))
	f.Add("data:,x", int64(1))
	f.Fuzz(func(t *testing.T, uri string, limit int64) {
		if limit <= 0 {
			limit = 1
		}
		b, err := vendors.DecodeDataURI(uri, limit)
		if err == nil && int64(len(b)) > limit {
			t.Fatalf("%d bytes over the limit %d", len(b), limit)
		}
	})
}
