package worker

import (
	"strings"
	"testing"
	"time"

	"nodetool/store"
	"nodetool/store/s3"
	"nodetool/store/s3/s3test"
)

// TestFleetSharesStorage runs two workers on one S3 bucket, as replicas
// behind a load balancer: a workflow saved through one runs on the other,
// an object put through one is served by the other with the same ETag,
// ranges and revalidation, and a delete through one is seen by the other.
// (.ci/run does the same with two processes, HAProxy and SeaweedFS.)
func TestFleetSharesStorage(t *testing.T) {
	for _, b := range storageBackends(t)[1:] {
		st := b.storage(t)
		a := newEnv(t, envOptions{storage: st})
		c := newEnv(t, envOptions{storage: st})

		echo := `{"name":"Echo","access":"private","graph":{"nodes":[{"id":"in","type":"nodetool.input.StringInput","data":{"name":"text"}},{"id":"out","type":"nodetool.output.Output","data":{"name":"echo"}}],"edges":[{"source":"in","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`
		if code, body, _ := a.do(t, "PUT", "/workflows/my-echo", echo); code != 200 {
			t.Fatalf("PUT workflow on A = %d %s", code, body)
		}
		if code, body, _ := c.do(t, "POST", "/workflows/my-echo/run", `{"text":"from B"}`); code != 200 || body != `{"results":{"echo":"from B"}}` {
			t.Errorf("run on B of A's workflow = %d %s", code, body)
		}
		// An update through B runs on A at once.
		if code, body, _ := c.do(t, "PUT", "/workflows/my-echo", strings.Replace(echo, `"name":"echo"`, `"name":"said"`, 1)); code != 200 {
			t.Fatalf("PUT workflow on B = %d %s", code, body)
		}
		if code, body, _ := a.do(t, "POST", "/workflows/my-echo/run", `{"text":"x"}`); code != 200 || body != `{"results":{"said":"x"}}` {
			t.Errorf("run on A after B's update = %d %s", code, body)
		}
		if code, body, _ := a.do(t, "GET", "/workflows", ""); code != 200 || !strings.Contains(body, `"my-echo"`) {
			t.Errorf("list on A = %d, want my-echo in %s", code, body)
		}

		if code, body, _ := a.do(t, "PUT", "/admin/storage/assets/shared/r.txt", "0123456789"); code != 200 {
			t.Fatalf("PUT object on A = %d %s", code, body)
		}
		_, _, ha := a.do(t, "GET", "/storage/assets/shared/r.txt", "")
		code, body, hb := c.do(t, "GET", "/storage/assets/shared/r.txt", "")
		if code != 200 || body != "0123456789" || hb.Get("ETag") == "" || hb.Get("ETag") != ha.Get("ETag") || hb.Get("Last-Modified") != ha.Get("Last-Modified") {
			t.Errorf("GET on B = %d %q ETag %q (A: %q)", code, body, hb.Get("ETag"), ha.Get("ETag"))
		}
		if code, body, h := c.do(t, "GET", "/storage/assets/shared/r.txt", "", "Range", "bytes=3-5"); code != 206 || body != "345" || h.Get("Content-Range") != "bytes 3-5/10" {
			t.Errorf("range GET on B = %d %q %q", code, body, h.Get("Content-Range"))
		}
		if code, _, _ := c.do(t, "GET", "/storage/assets/shared/r.txt", "", "If-None-Match", ha.Get("ETag")); code != 304 {
			t.Errorf("revalidation on B with A's ETag = %d, want 304", code)
		}
		if code, _, _ := c.do(t, "DELETE", "/admin/storage/assets/shared/r.txt", ""); code != 204 {
			t.Errorf("DELETE on B = %d", code)
		}
		if code, _, _ := a.do(t, "GET", "/storage/assets/shared/r.txt", ""); code != 404 {
			t.Errorf("GET on A after B's delete = %d, want 404", code)
		}
		if code, _, _ := c.do(t, "DELETE", "/workflows/my-echo", ""); code != 200 {
			t.Errorf("DELETE workflow on B = %d", code)
		}
		if code, _, _ := a.do(t, "POST", "/workflows/my-echo/run", `{}`); code != 404 {
			t.Errorf("run on A after B's delete = %d, want 404", code)
		}
	}
}

// TestReadyFollowsTheBackend: /ready is 200 while the storage backend
// answers and 503, saying so, once it stops; /health stays 200.
func TestReadyFollowsTheBackend(t *testing.T) {
	file := newEnv(t, envOptions{})
	if code, body, _ := file.doAs(t, "", "GET", "/ready", ""); code != 200 || !strings.Contains(body, `"storage":"file"`) {
		t.Errorf("/ready with the data dir = %d %s", code, body)
	}
	fake := s3test.NewServer("ready")
	defer fake.Close()
	env := newEnv(t, envOptions{storage: store.NewS3Storage(fake.Client("ready"), ""), readyCache: time.Nanosecond})
	if code, body, _ := env.doAs(t, "", "GET", "/ready", ""); code != 200 || !strings.Contains(body, `"storage":"s3"`) {
		t.Errorf("/ready with S3 up = %d %s", code, body)
	}
	fake.Close()
	code, body, _ := env.doAs(t, "", "GET", "/ready", "")
	if code != 503 || !strings.Contains(body, "checking the storage backend failed: the storage backend did not answer") {
		t.Errorf("/ready with S3 down = %d %s, want 503 saying the backend does not answer", code, body)
	}
	if strings.Contains(body, "127.0.0.1") {
		t.Errorf("/ready names the backend's address: %s", body)
	}
	if code, _, _ := env.doAs(t, "", "GET", "/health", ""); code != 200 {
		t.Errorf("/health with S3 down = %d, want 200", code)
	}
	// The routes that need the backend say what failed.
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/storage/assets/x.txt", ""},
		{"PUT", "/admin/storage/assets/x.txt", "data"},
		{"DELETE", "/admin/storage/assets/x.txt", ""},
		{"PUT", "/workflows/w", `{"name":"W","access":"private","graph":{"nodes":[],"edges":[]}}`},
		{"POST", "/workflows/w/run", `{}`},
		{"GET", "/workflows", ""},
	} {
		code, body, _ := env.do(t, tc.method, tc.path, tc.body)
		if code != 503 || !strings.Contains(body, "the storage backend did not answer") {
			t.Errorf("%s %s with S3 down = %d %s, want 503", tc.method, tc.path, code, body)
		}
	}
	// Read-only workflows from files still run.
	if code, body, _ := env.do(t, "POST", "/workflows/upper/run", `{"text":"up"}`); code != 200 {
		t.Errorf("run of a workflow from a file with S3 down = %d %s", code, body)
	}
}

// TestStorageBackendFailureIsAGatewayError: an S3 that refuses (403) is a
// 502 naming the operation and the answer, and nothing is stored.
func TestStorageBackendFailureIsAGatewayError(t *testing.T) {
	fake := s3test.NewServer("refuses")
	defer fake.Close()
	// The worker signs with a secret the service does not know.
	c, err := s3.New(s3.Config{Endpoint: fake.URL, Bucket: "refuses", Credentials: s3.Credentials{AccessKey: s3test.AccessKey, SecretKey: "rotated"}})
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(t, envOptions{storage: store.NewS3Storage(c, "")})
	code, body, _ := env.do(t, "PUT", "/admin/storage/assets/x.txt", "data")
	if code != 502 || !strings.Contains(body, "storing the object failed: the storage backend answered 403 SignatureDoesNotMatch; nothing was changed") {
		t.Errorf("PUT with a refused signature = %d %s, want 502", code, body)
	}
	if keys := fake.Keys("refuses"); len(keys) != 0 {
		t.Errorf("objects after the refusal = %q", keys)
	}
}
