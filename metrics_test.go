package main

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"nodetool/store/s3/s3test"
)

// scrape reads /metrics into series -> value ("name{labels}" as written).
func scrape(t *testing.T, url, token string) map[string]float64 {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /metrics = %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// TestMetricsSeriesMove drives a worker (S3 storage on the fake, an
// OpenAI-compatible upstream) and checks that each main series moves by
// what the traffic did, with route patterns (never raw paths) as labels.
func TestMetricsSeriesMove(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	}))
	defer upstream.Close()
	fake := s3test.NewServer("metrics")
	defer fake.Close()
	env := workerEnv(t)
	env["NODETOOL_STORAGE_URL"] = "s3://metrics/fleet"
	env["AWS_ENDPOINT_URL"] = fake.URL
	env["AWS_ACCESS_KEY_ID"] = s3test.AccessKey
	env["AWS_SECRET_ACCESS_KEY"] = s3test.SecretKey
	token := env["WORKER_AUTH_TOKEN"]
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0", "--provider", "openai",
		"--openai-base-url", upstream.URL+"/v1", "--default-model", "m", "--max-value", "1KiB")
	if !strings.Contains(s.stdout.String(), "storage:   s3://metrics/fleet at "+fake.URL+" (path-style)") {
		t.Errorf("banner does not name the storage:\n%s", s.stdout)
	}
	if code, _ := authGet(t, "GET", s.url+"/metrics", "", ""); code != 401 {
		t.Errorf("/metrics without a token = %d, want 401", code)
	}
	before := scrape(t, s.url, token)

	steps := []struct{ method, path, body string }{
		{"POST", "/workflows/uppercase/run", `{"text":"hi"}`},
		{"POST", "/workflows/uppercase/run", `{"text":"` + strings.Repeat("x", 2000) + `"}`}, // over --max-value
		{"PUT", "/admin/storage/assets/docs/secret-name-42.txt", "hello metrics"},
		{"GET", "/storage/assets/docs/secret-name-42.txt", ""},
		{"GET", "/storage/assets/docs/missing-99.txt", ""},
		{"POST", "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`},
		{"GET", "/no/such/route/7", ""},
	}
	for _, st := range steps {
		authGet(t, st.method, s.url+st.path, token, st.body)
	}
	resp, err := http.Post(s.url+"/workflows/uppercase/run/stream", "application/json", strings.NewReader(`{}`))
	if err == nil {
		resp.Body.Close() // 401: counted too
	}
	after := scrape(t, s.url, token)

	for _, c := range []struct {
		series string
		delta  float64
	}{
		{`nodetool_http_requests_total{route="/workflows/{id}/run",method="POST",code="200"}`, 1},
		{`nodetool_http_requests_total{route="/workflows/{id}/run",method="POST",code="500"}`, 1},
		{`nodetool_http_request_duration_seconds_count{route="/workflows/{id}/run",method="POST"}`, 2},
		{`nodetool_http_requests_total{route="/admin/storage/{bucket}/{key...}",method="PUT",code="200"}`, 1},
		{`nodetool_http_requests_total{route="/storage/{bucket}/{key...}",method="GET",code="200"}`, 1},
		{`nodetool_http_requests_total{route="/storage/{bucket}/{key...}",method="GET",code="404"}`, 1},
		{`nodetool_http_requests_total{route="/v1/chat/completions",method="POST",code="200"}`, 1},
		{`nodetool_http_requests_total{route="none",method="GET",code="404"}`, 1},
		{`nodetool_http_requests_total{route="/workflows/{id}/run/stream",method="POST",code="401"}`, 1},
		{`nodetool_workflow_runs_total{status="completed"}`, 1},
		{`nodetool_workflow_runs_total{status="failed"}`, 1},
		{`nodetool_workflow_run_duration_seconds_count{status="completed"}`, 1},
		{`nodetool_budget_refusals_total{budget="max-value"}`, 1},
		{`nodetool_node_duration_seconds_count{node_type="nodetool.text.ToUppercase"}`, 2}, // both runs
		{`nodetool_node_failures_total{node_type="nodetool.input.StringInput"}`, 1},
		{`nodetool_storage_operations_total{backend="s3",op="put",result="ok"}`, 1},
		{`nodetool_storage_operations_total{backend="s3",op="get",result="ok"}`, 1},
		{`nodetool_storage_operations_total{backend="s3",op="get",result="not_found"}`, 1},
		{`nodetool_storage_bytes_total{backend="s3",direction="write"}`, 13},
		{`nodetool_storage_bytes_total{backend="s3",direction="read"}`, 13},
		{`nodetool_provider_requests_total{provider="openai",code="200"}`, 1},
		{`nodetool_provider_request_duration_seconds_count{provider="openai"}`, 1},
	} {
		if d := after[c.series] - before[c.series]; d != c.delta {
			t.Errorf("%s moved by %v, want %v", c.series, d, c.delta)
		}
	}
	for _, gauge := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_start_time_seconds"} {
		if after[gauge] <= 0 {
			t.Errorf("%s = %v, want > 0", gauge, after[gauge])
		}
	}
	if _, ok := after[`nodetool_jobs_running`]; !ok {
		t.Errorf("nodetool_jobs_running missing")
	}
	for series := range after {
		if strings.Contains(series, "secret-name-42") || strings.Contains(series, "/no/such") || strings.Contains(series, "uppercase") {
			t.Errorf("a raw path or id became a label: %s", series)
		}
	}
}

// TestMetricsAccess: /metrics needs the server's auth unless
// --metrics-public, and is gone with --metrics=false; every server has it.
func TestMetricsAccess(t *testing.T) {
	env := workerEnv(t)
	token := env["WORKER_AUTH_TOKEN"]
	pub := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0", "--metrics-public")
	if code, body := authGet(t, "GET", pub.url+"/metrics", "", ""); code != 200 || !strings.Contains(body, "# TYPE nodetool_http_requests_total counter") {
		t.Errorf("/metrics with --metrics-public, no token = %d", code)
	}
	if code, _ := authGet(t, "POST", pub.url+"/metrics", token, ""); code != 405 {
		t.Errorf("POST /metrics = %d, want 405", code)
	}
	env2 := workerEnv(t)
	off := startServer(t, env2, "worker", "--host", "127.0.0.1", "--port", "0", "--metrics=false")
	if code, _ := authGet(t, "GET", off.url+"/metrics", env2["WORKER_AUTH_TOKEN"], ""); code != 404 {
		t.Errorf("/metrics with --metrics=false = %d, want 404", code)
	}
	chat := startServer(t, workerEnv(t), "chat-server", "--port", "0", "--provider", "fake")
	if code, body := authGet(t, "GET", chat.url+"/metrics", "", ""); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("chat-server /metrics (local auth) = %d", code)
	}
	senv := workerEnv(t)
	senv["NODETOOL_CONFIG_DIR"] = senv["HOME"] + "/config"
	serve := startServer(t, senv, "serve", "--port", "0")
	if code, body := authGet(t, "GET", serve.url+"/metrics", "", ""); code != 200 || !strings.Contains(body, "nodetool_jobs_running") {
		t.Errorf("serve /metrics (local auth) = %d", code)
	}
}
