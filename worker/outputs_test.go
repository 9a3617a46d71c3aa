package worker

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/store"
	"nodetool/store/s3/s3test"
)

// tempURI is the uri of a media result kept in temp storage.
var tempURI = regexp.MustCompile(`^/storage/temp/[0-9a-f]{32}\.png$`)

// imageRef is a media ref as a client reads it.
type imageRef struct {
	Type    string  `json:"type"`
	URI     string  `json:"uri"`
	AssetID *string `json:"asset_id"`
	Data    any     `json:"data"`
}

// runImage runs the image workflow and returns its results.
func runImage(t *testing.T, env *testEnv, size int) (img imageRef, album struct{ Cover imageRef }, all []imageRef) {
	t.Helper()
	code, body, _ := env.do(t, "POST", "/workflows/image/run", `{"size":`+itoa(size)+`}`)
	if code != 200 {
		t.Fatalf("run = %d %s", code, body)
	}
	var res struct {
		Results struct {
			Image imageRef
			Album struct{ Cover imageRef }
			All   []imageRef
		}
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatalf("%v in %.300s", err, body)
	}
	return res.Results.Image, res.Results.Album, res.Results.All
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// getPNG GETs a stored result without credentials and decodes it.
func getPNG(t *testing.T, env *testEnv, uri string) image.Config {
	t.Helper()
	code, body, h := env.doAs(t, "", "GET", uri, "")
	if code != 200 || h.Get("Content-Type") != "image/png" {
		t.Fatalf("GET %s = %d %s, %.200s", uri, code, h.Get("Content-Type"), body)
	}
	cfg, err := png.DecodeConfig(strings.NewReader(body))
	if err != nil {
		t.Fatalf("GET %s: not a PNG: %v", uri, err)
	}
	return cfg
}

// TestMediaResultsInTempStorage: an image result over --media-inline-max
// is a temp object; the ref at every depth (output, dict, list) points at
// it, a GET serves the PNG, and nothing is inline.
func TestMediaResultsInTempStorage(t *testing.T) {
	forEachStorage(t, func(t *testing.T, st *store.Storage) {
		env := newEnv(t, envOptions{storage: st, media: true, inlineMax: 64 << 10})
		img, album, all := runImage(t, env, 1024)
		for what, ref := range map[string]imageRef{"image": img, "album.cover": album.Cover} {
			if ref.Type != "image" || !tempURI.MatchString(ref.URI) || ref.Data != nil || ref.AssetID != nil {
				t.Errorf("%s = %+v, want a /storage/temp/KEY.png ref without data", what, ref)
			}
		}
		if len(all) != 1 || !tempURI.MatchString(all[0].URI) || all[0].Data != nil {
			t.Fatalf("all = %+v, want one stored ref", all)
		}
		for _, uri := range []string{img.URI, album.Cover.URI, all[0].URI} {
			if cfg := getPNG(t, env, uri); cfg.Width != 1024 || cfg.Height != 1024 {
				t.Errorf("GET %s: %dx%d, want 1024x1024", uri, cfg.Width, cfg.Height)
			}
		}
		// Each output node keeps its own copy (three objects).
		b, _ := env.db.Blobs("temp")
		if l, err := b.List(""); err != nil || len(l) != 3 {
			t.Errorf("temp objects = %v %v, want 3", l, err)
		}
	})
}

// TestMediaResultsStream: the events that carry results (output_update,
// the final job_update, complete) carry the stored refs, each output's
// value stored once.
func TestMediaResultsStream(t *testing.T) {
	env := newEnv(t, envOptions{media: true, inlineMax: 1})
	code, body, _ := env.do(t, "POST", "/workflows/image/run/stream", `{"size":64}`)
	if code != 200 {
		t.Fatalf("stream = %d %s", code, body)
	}
	uris := map[string]string{} // output -> uri
	for _, ev := range readStream(t, strings.NewReader(body)) {
		if ev.Data == "[DONE]" {
			continue
		}
		var e struct {
			Type       string
			OutputName string `json:"output_name"`
			Value      json.RawMessage
			Result     map[string]json.RawMessage
			Results    map[string]json.RawMessage
		}
		if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
			t.Fatal(err)
		}
		check := func(what, output string, raw json.RawMessage) {
			var ref imageRef
			switch output {
			case "album":
				var d struct{ Cover imageRef }
				json.Unmarshal(raw, &d)
				ref = d.Cover
			case "all":
				var l []imageRef
				json.Unmarshal(raw, &l)
				if len(l) == 1 {
					ref = l[0]
				}
			default:
				json.Unmarshal(raw, &ref)
			}
			if !tempURI.MatchString(ref.URI) || ref.Data != nil {
				t.Errorf("%s %s = %s, want a stored ref", what, output, raw)
				return
			}
			if u, ok := uris[output]; ok && u != ref.URI {
				t.Errorf("%s %s names %s, the output_update %s", what, output, ref.URI, u)
			}
			uris[output] = ref.URI
		}
		switch e.Type {
		case "output_update":
			check("output_update", e.OutputName, e.Value)
		case "job_update":
			for k, v := range e.Result {
				var l []json.RawMessage
				json.Unmarshal(v, &l)
				check("job_update", k, l[len(l)-1])
			}
		case "complete":
			for k, v := range e.Results {
				check("complete", k, v)
			}
		}
	}
	if len(uris) != 3 {
		t.Fatalf("stored results %v, want image, album and all", uris)
	}
	for _, u := range uris {
		getPNG(t, env, u)
	}
}

// TestMediaResultsInline: results up to the bound stay inline data: URIs
// and nothing is stored.
func TestMediaResultsInline(t *testing.T) {
	env := newEnv(t, envOptions{media: true, inlineMax: 64 << 10})
	img, album, all := runImage(t, env, 16)
	for _, ref := range []imageRef{img, album.Cover, all[0]} {
		if !strings.HasPrefix(ref.URI, "data:image/png;base64,") || ref.Data != nil {
			t.Errorf("ref %.80v, want an inline data: URI", ref)
		}
	}
	b, _ := env.db.Blobs("temp")
	if l, err := b.List(""); err != nil || len(l) != 0 {
		t.Errorf("temp objects = %v %v, want none", l, err)
	}
}

// TestMediaResultsExpire: a stored result is a temp object like any
// other: past --temp-ttl it is gone (the store's expiry; the sweeper
// removes the file later).
func TestMediaResultsExpire(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	env := newEnv(t, envOptions{media: true, inlineMax: 0, tempTTL: time.Hour, now: clock})
	img, _, _ := runImage(t, env, 16) // 0: even a small image is stored
	if !tempURI.MatchString(img.URI) {
		t.Fatalf("image = %+v, want a stored ref (--media-inline-max 0)", img)
	}
	getPNG(t, env, img.URI)
	mu.Lock()
	now = now.Add(59 * time.Minute)
	mu.Unlock()
	getPNG(t, env, img.URI)
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if code, body, _ := env.doAs(t, "", "GET", img.URI, ""); code != 404 {
		t.Errorf("GET after the TTL = %d %.100s, want 404", code, body)
	}
}

// TestMediaResultsPrivateStorage: with --private-storage the stored
// result needs the token, as every /storage object.
func TestMediaResultsPrivateStorage(t *testing.T) {
	env := newEnv(t, envOptions{media: true, inlineMax: 1, privateStorage: true})
	img, _, _ := runImage(t, env, 64)
	if code, _, _ := env.doAs(t, "", "GET", img.URI, ""); code != 401 {
		t.Errorf("GET without the token = %d, want 401", code)
	}
	code, body, _ := env.do(t, "GET", img.URI, "")
	if _, err := png.Decode(bytes.NewReader([]byte(body))); code != 200 || err != nil {
		t.Errorf("GET with the token = %d, %v", code, err)
	}
}

// TestMediaResultsStoreFails: a backend that cannot store fails the run
// naming the result and what failed (never the backend's address), and
// nothing is left.
func TestMediaResultsStoreFails(t *testing.T) {
	fake := s3test.NewServer("worker-test")
	st := store.NewS3Storage(fake.Client("worker-test"), "fails/")
	env := newEnv(t, envOptions{storage: st, media: true, inlineMax: 1})
	fake.Close()
	code, body, _ := env.do(t, "POST", "/workflows/image/run", `{"size":64}`)
	var e struct {
		Detail string  `json:"detail"`
		NodeID *string `json:"node_id"`
	}
	json.Unmarshal([]byte(body), &e)
	if code != 500 || !strings.Contains(e.Detail, `could not store the image of result "`) ||
		!strings.Contains(e.Detail, "the storage backend did not answer") || strings.Contains(e.Detail, "127.0.0.1") {
		t.Fatalf("run = %d %s, want a 500 naming the result and the backend failure", code, body)
	}
	if e.NodeID == nil || !strings.HasPrefix(*e.NodeID, "out") {
		t.Errorf("node_id = %v, want an output node", e.NodeID)
	}
}

// TestMediaResultsStoreFailsHalfway: when the second ref of a result
// cannot be stored, the first one stored is removed again: a failed
// result leaves nothing.
func TestMediaResultsStoreFailsHalfway(t *testing.T) {
	fake := s3test.NewServer("worker-test")
	t.Cleanup(fake.Close)
	var mu sync.Mutex
	puts := 0
	fake.Intercept = func(op string, w http.ResponseWriter, r *http.Request) bool {
		if op != "PutObject" || !strings.Contains(r.URL.Path, "/temp/") {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if puts++; puts == 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
			return true
		}
		return false
	}
	env := newEnv(t, envOptions{storage: store.NewS3Storage(fake.Client("worker-test"), "halfway/"), media: true, inlineMax: 1})
	code, body, _ := env.do(t, "POST", "/workflows/pair/run", `{}`)
	if code != 500 || !strings.Contains(body, `could not store the image of result \"pair\"`) || !strings.Contains(body, "answered 503 SlowDown") {
		t.Fatalf("run = %d %s, want a 500 naming the result and the backend's answer", code, body)
	}
	mu.Lock()
	n := puts
	mu.Unlock()
	if n != 2 {
		t.Fatalf("%d temp puts, want 2 (one stored, one refused)", n)
	}
	for _, k := range fake.Keys("worker-test") {
		if strings.Contains(k, "/temp/") {
			t.Errorf("temp object %s left after the failed result", k)
		}
	}
}
