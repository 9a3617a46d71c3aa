package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"nodetool/store/s3"
	"nodetool/store/s3/s3test"
)

// A hostile S3 service: the fake, with some operations answered badly.
// Every failure must come back as a clear error (a *BackendError whose
// Detail names what failed, or ErrNotFound), quickly enough (idle and
// header timeouts), and never leave a partial object behind.

// hostileDB opens a DB on the fake with intercept.
func hostileDB(t *testing.T, intercept func(op string, w http.ResponseWriter, r *http.Request) bool) (*DB, *s3test.Server) {
	return hostileDBTimeouts(t, intercept, 0)
}

// hostileDBTimeouts is hostileDB with the client's header and idle
// timeouts set to timeout (0: the defaults).
func hostileDBTimeouts(t *testing.T, intercept func(op string, w http.ResponseWriter, r *http.Request) bool, timeout time.Duration) (*DB, *s3test.Server) {
	t.Helper()
	fake := s3test.NewServer("hostile")
	t.Cleanup(fake.Close)
	fake.Intercept = intercept
	hc := s3.NewHTTPClient()
	if timeout > 0 {
		hc.Transport.(*http.Transport).ResponseHeaderTimeout = timeout
	}
	c, err := s3.New(s3.Config{Endpoint: fake.URL, Bucket: "hostile", Credentials: fake.Creds, HTTP: hc, IdleTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	st := NewS3Storage(c, "")
	st.PartSize = testPartSize
	return openDB(t, dataDir(t), Options{Storage: st, Shared: []string{"workflows"}}), fake
}

// s3Answer writes an S3 error document.
func s3Answer(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, "<Error><Code>"+code+"</Code><Message>hostile</Message></Error>")
}

func wantBackendError(t *testing.T, what string, err error, unavailable bool, detail string) {
	t.Helper()
	var be *BackendError
	if !errors.As(err, &be) || !errors.Is(err, ErrBackend) {
		t.Errorf("%s = %v, want a *BackendError", what, err)
		return
	}
	if be.Unavailable() != unavailable {
		t.Errorf("%s: Unavailable() = %v, want %v (%v)", what, be.Unavailable(), unavailable, err)
	}
	if !strings.Contains(be.Detail(), detail) {
		t.Errorf("%s: Detail() = %q, want it to say %q", what, be.Detail(), detail)
	}
	if strings.Contains(be.Detail(), "127.0.0.1") || strings.Contains(be.Detail(), s3test.SecretKey) {
		t.Errorf("%s: Detail() = %q names the endpoint or the secret", what, be.Detail())
	}
}

func TestHostileS3Errors(t *testing.T) {
	for _, tc := range []struct {
		status      int
		code        string
		unavailable bool
		detail      string
	}{
		{500, "InternalError", true, "answered 500 InternalError"},
		{503, "SlowDown", true, "answered 503 SlowDown"},
		{403, "AccessDenied", false, "answered 403 AccessDenied"},
		{400, "InvalidRequest", false, "answered 400 InvalidRequest"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			db, fake := hostileDB(t, func(op string, w http.ResponseWriter, r *http.Request) bool {
				s3Answer(w, tc.status, tc.code)
				return true
			})
			b := bucket(t, db, "assets")
			ctx := context.Background()
			_, err := b.Put(ctx, "k", strings.NewReader("x"), -1)
			wantBackendError(t, "Put", err, tc.unavailable, tc.detail+"; nothing was changed")
			_, _, err = b.Open("k")
			wantBackendError(t, "Open", err, tc.unavailable, "reading the object failed")
			_, err = b.List("")
			wantBackendError(t, "List", err, tc.unavailable, "listing objects failed")
			err = b.Delete("k")
			wantBackendError(t, "Delete", err, tc.unavailable, "nothing was changed")
			err = db.PutRaw("workflows", "w", []byte(`{}`))
			wantBackendError(t, "PutRaw", err, tc.unavailable, "saving failed")
			_, _, err = db.Lookup(ctx, "workflows", "w")
			wantBackendError(t, "Lookup", err, tc.unavailable, "reading a stored record failed")
			if keys := fake.Keys("hostile"); len(keys) != 0 {
				t.Errorf("objects after refusals = %q, want none", keys)
			}
		})
	}
}

func TestHostileS3Unreachable(t *testing.T) {
	db, fake := hostileDB(t, nil)
	fake.Close()
	_, err := bucket(t, db, "assets").Put(context.Background(), "k", strings.NewReader("x"), -1)
	wantBackendError(t, "Put to a closed port", err, true, "did not answer; nothing was changed")
	err = db.Storage().Check(context.Background())
	wantBackendError(t, "Check", err, true, "did not answer")
}

func TestHostileS3Slow(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	db, _ := hostileDBTimeouts(t, func(op string, w http.ResponseWriter, r *http.Request) bool {
		switch {
		case op == "HeadObject":
			// Never answers: the header timeout ends the wait.
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return true
		case op == "GetObject":
			// Headers, half the body, then nothing: the idle timeout ends it.
			w.Header().Set("Content-Length", "100")
			w.Header().Set("ETag", `"e"`)
			w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusOK)
			w.Write(bytes.Repeat([]byte("x"), 50))
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return true
		}
		return false
	}, 300*time.Millisecond)
	b := bucket(t, db, "assets")
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := b.Stat("k")
		wantBackendError(t, "Stat of a silent service", err, true, "did not answer")
		f, _, err := b.Open("k")
		if err != nil {
			t.Errorf("Open = %v, want the reader (the headers came)", err)
			return
		}
		defer f.Close()
		n, err := io.Copy(io.Discard, f)
		wantBackendError(t, "reading a stalled body", err, true, "stopped sending")
		if n != 50 {
			t.Errorf("read %d bytes before the stall, want 50", n)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("calls to a silent service did not end within 30s")
	}
}

func TestHostileS3Truncated(t *testing.T) {
	db, fake := hostileDB(t, func(op string, w http.ResponseWriter, r *http.Request) bool {
		switch op {
		case "GetObject":
			w.Header().Set("Content-Length", "100")
			w.Header().Set("ETag", `"e"`)
			w.WriteHeader(http.StatusOK)
			w.Write(bytes.Repeat([]byte("x"), 40))
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
			return true
		case "ListObjectsV2":
			w.Header().Set("Content-Type", "application/xml")
			io.WriteString(w, `<?xml version="1.0"?><ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a</Key><Size>1`)
			return true
		}
		return false
	})
	b := bucket(t, db, "assets")
	f, _, err := b.Open("k")
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	_, err = io.Copy(io.Discard, f)
	f.Close()
	wantBackendError(t, "reading a truncated body", err, false, "cut its answer short")
	_, err = b.List("")
	wantBackendError(t, "List of a truncated listing", err, false, "malformed answer")
	if err := db.PutRaw("workflows", "w", []byte(`{"a":1}`)); err != nil {
		t.Fatalf("PutRaw = %v", err)
	}
	_, _, err = db.Lookup(context.Background(), "workflows", "w")
	wantBackendError(t, "Lookup of a truncated record", err, false, "cut its answer short")
	_ = fake
}

// TestHostileS3Multipart: a multipart upload that fails part way, or
// whose completion the service refuses in a 200 answer, is aborted:
// nothing is stored and no upload lingers.
func TestHostileS3Multipart(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fail   func(parts *atomic.Int32, op string, w http.ResponseWriter, r *http.Request) bool
		detail string
	}{
		{"second part fails", func(parts *atomic.Int32, op string, w http.ResponseWriter, r *http.Request) bool {
			if op == "UploadPart" && parts.Add(1) == 2 {
				io.Copy(io.Discard, r.Body) // else the client may see the reset before the answer
				s3Answer(w, 500, "InternalError")
				return true
			}
			return false
		}, "answered 500 InternalError"},
		{"completion fails in a 200", func(_ *atomic.Int32, op string, w http.ResponseWriter, r *http.Request) bool {
			if op == "CompleteMultipartUpload" {
				w.Header().Set("Content-Type", "application/xml")
				io.WriteString(w, "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>")
				return true
			}
			return false
		}, "answered 200 InternalError"},
		{"part without ETag", func(_ *atomic.Int32, op string, w http.ResponseWriter, r *http.Request) bool {
			if op == "UploadPart" {
				io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusOK)
				return true
			}
			return false
		}, "malformed answer (NoETag)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var parts atomic.Int32
			db, fake := hostileDB(t, func(op string, w http.ResponseWriter, r *http.Request) bool {
				return tc.fail(&parts, op, w, r)
			})
			b := bucket(t, db, "assets")
			_, err := b.Put(context.Background(), "big", newGen(12<<20, 9), -1)
			wantBackendError(t, "Put", err, strings.Contains(tc.detail, "InternalError"), tc.detail)
			if fake.Uploads() != 0 || fake.Calls("AbortMultipartUpload") != 1 {
				t.Errorf("after the failed upload: %d uploads open, %d aborts, want 0 and 1", fake.Uploads(), fake.Calls("AbortMultipartUpload"))
			}
			if keys := fake.Keys("hostile"); len(keys) != 0 {
				t.Errorf("objects = %q, want none", keys)
			}
		})
	}
}
