package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/nodes"
)

// The corpus runner (-run): every example file whose node types are all
// supported runs to completion with
//
//	nodetool run FILE --provider fake --model-map '*=fake/fake-model' --allow-net 127.0.0.1
//
// (--allow-net once the binary takes it), with SERPAPI_BASE_URL pointing at
// a SERP service (-serp, else a stub of this program), and the fixed
// internet URLs of the files (and of the text they fetch) rewritten to a
// local server holding copies of those resources (-resources
// testdata/corpus-resources: HOST/PATH per URL). Each run's result is
// checked (see checkRun); the files that cannot run must be refused by
// validate naming each unsupported node type (checkFile). It prints how
// many of the files run.

// runFlags are the command lines of every run, besides the file.
var runFlags = []string{"--jsonl", "--provider", "fake", "--model-map", "*=fake/fake-model", "--drop-invalid-edges"}

// egressFlags are added when the binary has the workflow egress policy:
// the local resource server is on loopback, which the default refuses.
var egressFlags = []string{"--allow-net", "127.0.0.1"}

// runTimeout bounds one example's run.
const runTimeout = 2 * time.Minute

// expectations are what some files must show besides completing.
var expectations = map[string]struct {
	previews int      // preview_update events at least
	events   []string // event types that must occur
}{
	"Creative Story Ideas.json": {previews: 3},
}

// agentEvents are the events a run with these node types must post.
var agentEvents = map[string][]string{
	"nodetool.agents.ResearchAgent": {"planning_update", "task_update"},
}

func runCorpus(bin, dir, serp, resources, mediaDir string) int {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		fmt.Fprintf(os.Stderr, "corpuscheck: no workflow files in %s\n", dir)
		return 2
	}
	if serp == "" {
		stub, err := serveSERPStub()
		if err != nil {
			fmt.Fprintln(os.Stderr, "corpuscheck:", err)
			return 2
		}
		serp = stub
	}
	local, hosts, err := serveResources(resources)
	if err != nil {
		fmt.Fprintln(os.Stderr, "corpuscheck:", err)
		return 2
	}
	flags := append([]string{}, runFlags...)
	if takesFlag(bin, "run", "--allow-net") {
		flags = append(flags, egressFlags...)
	}
	env := append(os.Environ(), "SERPAPI_BASE_URL="+serp, "SERPAPI_API_KEY=corpus-check-key")
	reg := nodes.NewRegistry(nodes.Deps{})
	ran, completed, refused, unexplained, failures := 0, 0, 0, 0, 0
	tmp, err := os.MkdirTemp("", "corpuscheck-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "corpuscheck:", err)
		return 2
	}
	defer os.RemoveAll(tmp)
	for _, file := range files {
		name := filepath.Base(file)
		wf, err := readWorkflow(file)
		if err != nil {
			failures++
			fmt.Printf("FAIL %s: %v\n", name, err)
			continue
		}
		if unsupported := wf.unsupported(reg); len(unsupported) > 0 {
			refused++
			problems, _ := checkFile(bin, reg, file)
			for _, p := range problems {
				failures++
				fmt.Printf("FAIL %s: %s\n", name, p)
			}
			fmt.Printf("skip %s: unsupported %s\n", name, strings.Join(unsupported, ", "))
			explained := true
			for _, t := range unsupported {
				if why := reg.Missing(t); why != "" {
					fmt.Printf("     %s: %s\n", t, why)
				} else {
					explained = false
				}
			}
			if !explained {
				unexplained++
			}
			continue
		}
		ran++
		local := rewriteURLs(wf.raw, local, hosts)
		rewritten := filepath.Join(tmp, name)
		if err := os.WriteFile(rewritten, local, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "corpuscheck:", err)
			return 2
		}
		start := time.Now()
		params := []string{}
		if mediaDir != "" {
			if params, err = mediaParams(wf, mediaDir); err != nil {
				failures++
				fmt.Printf("FAIL %s: %v\n", name, err)
				continue
			}
			fargs, err := folderArgs(wf, mediaDir, tmp)
			if err != nil {
				fmt.Fprintln(os.Stderr, "corpuscheck:", err)
				return 2
			}
			params = append(params, fargs...)
		}
		problems := checkRun(bin, rewritten, append(append([]string{}, flags...), params...), env, wf)
		for _, p := range problems {
			failures++
			fmt.Printf("FAIL %s: %s\n", name, p)
		}
		if len(problems) == 0 {
			completed++
			fmt.Printf("ok   %s (%d nodes, %s)\n", name, len(wf.Graph.Nodes), time.Since(start).Round(time.Millisecond))
		}
	}
	fmt.Printf("corpuscheck -run: %d of %d example files run (%d completed with the expected results); %d refused by validate, naming their unsupported node types (%d of them also what each needs); %d failed checks\n",
		ran, len(files), completed, refused, refused-unexplained, failures)
	if failures > 0 {
		return 1
	}
	return 0
}

// corpusWorkflow is an example file as the runner reads it.
type corpusWorkflow struct {
	raw   []byte
	Graph struct {
		Nodes []struct {
			ID   string         `json:"id"`
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		} `json:"nodes"`
	} `json:"graph"`
}

func readWorkflow(file string) (*corpusWorkflow, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	wf := &corpusWorkflow{raw: data}
	if err := json.Unmarshal(data, wf); err != nil {
		return nil, fmt.Errorf("not a workflow file: %v", err)
	}
	return wf, nil
}

// unsupported lists the file's node types the engine does not have.
func (wf *corpusWorkflow) unsupported(reg *engine.Registry) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range wf.Graph.Nodes {
		if _, ok := reg.Lookup(n.Type); !ok && !seen[n.Type] {
			seen[n.Type] = true
			out = append(out, n.Type)
		}
	}
	sort.Strings(out)
	return out
}

// takesFlag reports whether "bin cmd -h" lists flag.
func takesFlag(bin, cmd, flag string) bool {
	out, _ := exec.Command(bin, cmd, "-h").Output()
	return bytes.Contains(out, []byte("  "+flag+" "))
}

// checkRun runs one example and checks its result: the run completes,
// every output node produced a value that is not null or empty text,
// JSON-looking text parses, and the events the file's nodes must post are
// there.
func checkRun(bin, file string, flags, env []string, wf *corpusWorkflow) []string {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"run", file}, flags...)...)
	cmd.Env = env
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return []string{fmt.Sprintf("the run took over %s", runTimeout)}
	}
	var final map[string]any
	seen := map[string]int{}
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return []string{"an event is not JSON: " + err.Error()}
		}
		typ, _ := ev["type"].(string)
		seen[typ]++
		if typ == "job_update" {
			final = ev
		}
	}
	if err != nil || final == nil || final["status"] != "completed" {
		msg := fmt.Sprintf("the run did not complete (%v): %v", err, final)
		if final != nil {
			msg = fmt.Sprintf("the run %v: %v (node %v)", final["status"], final["error"], final["node_id"])
		}
		return []string{msg + tail(stderr.String())}
	}
	var problems []string
	result, _ := final["result"].(map[string]any)
	for _, n := range wf.Graph.Nodes {
		if n.Type != "nodetool.output.Output" {
			continue
		}
		name, _ := n.Data["name"].(string)
		vals, _ := result[name].([]any)
		if len(vals) == 0 {
			problems = append(problems, fmt.Sprintf("output %q produced nothing", name))
			continue
		}
		problems = append(problems, checkMedia(name, vals)...)
		for _, v := range vals {
			switch t := v.(type) {
			case nil:
				problems = append(problems, fmt.Sprintf("output %q is null", name))
			case string:
				s := strings.TrimSpace(t)
				if s == "" {
					problems = append(problems, fmt.Sprintf("output %q is empty text", name))
				}
				if (strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) && !json.Valid([]byte(s)) {
					problems = append(problems, fmt.Sprintf("output %q looks like JSON but does not parse: %.80s", name, s))
				}
			}
		}
	}
	want := expectations[filepath.Base(file)]
	if seen["preview_update"] < want.previews {
		problems = append(problems, fmt.Sprintf("%d preview_update events, want at least %d", seen["preview_update"], want.previews))
	}
	events := append([]string{}, want.events...)
	for _, n := range wf.Graph.Nodes {
		events = append(events, agentEvents[n.Type]...)
	}
	for _, e := range events {
		if seen[e] == 0 {
			problems = append(problems, fmt.Sprintf("no %s event", e))
		}
	}
	return problems
}

func tail(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	return "\n    " + strings.Join(lines[max(0, len(lines)-5):], "\n    ")
}

// hostDirs are the folders of hosts whose names cannot be file names
// everywhere: a local NodeTool server's assets (Color Boost Video).
var hostDirs = map[string]string{"127.0.0.1-8000": "127.0.0.1:8000"}

// rewriteURLs points the URLs of the hosts in hosts at the local resource
// server: https://HOST/p (and http://) become BASE/HOST/p.
func rewriteURLs(data []byte, base string, hosts []string) []byte {
	for _, dir := range hosts {
		if h, ok := hostDirs[dir]; ok {
			data = bytes.ReplaceAll(data, []byte("http://"+h+"/"), []byte(base+"/"+dir+"/"))
		}
	}
	for _, h := range hosts {
		for _, scheme := range []string{"https://", "http://"} {
			data = bytes.ReplaceAll(data, []byte(scheme+h+"/"), []byte(base+"/"+h+"/"))
		}
	}
	return data
}

// serveResources serves the folder of local copies (HOST/PATH) on
// loopback and returns its base URL and the hosts it holds. The text it
// serves has its URLs rewritten too, so links lead to local copies. A
// missing folder serves nothing.
func serveResources(dir string) (string, []string, error) {
	var hosts []string
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil && !os.IsNotExist(err) {
			return "", nil, err
		}
		for _, e := range entries {
			if e.IsDir() && strings.Contains(e.Name(), ".") {
				hosts = append(hosts, e.Name())
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	base := "http://" + ln.Addr().String()
	var root *os.Root
	if len(hosts) > 0 {
		if root, err = os.OpenRoot(dir); err != nil {
			return "", nil, err
		}
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if root == nil || name == "" || !filepath.IsLocal(name) {
			http.NotFound(w, r)
			return
		}
		data, err := root.ReadFile(filepath.FromSlash(name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = http.DetectContentType(data)
		}
		if strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "xml") || strings.Contains(ctype, "json") {
			data = rewriteURLs(data, base, hosts)
		}
		w.Header().Set("Content-Type", ctype)
		w.Write(data)
	})}
	go srv.Serve(ln)
	return base, hosts, nil
}

// serpAnswer is the stub SERP service's answer to every search: the
// result arrays of SerpAPI's common engines, one item each.
const serpAnswer = `{"search_metadata":{"status":"Success"},"search_parameters":{"q":%[1]q},` +
	`"organic_results":[{"position":1,"title":"Result for %[2]s","link":"https://example.org/1","snippet":"A result about %[2]s."}],` +
	`"news_results":[{"position":1,"title":"News on %[2]s","link":"https://example.org/n","snippet":"News.","source":{"name":"Example"},"date":"today"}]}`

var safeText = regexp.MustCompile(`[^A-Za-z0-9 ._-]`)

// serveSERPStub serves GET /search.json on loopback as a SERP service
// would (used when no -serp is given) and returns its base URL.
func serveSERPStub() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/search.json" {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("api_key") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key"}`)
			return
		}
		q := r.URL.Query().Get("q")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, serpAnswer, q, safeText.ReplaceAllString(q, ""))
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}
