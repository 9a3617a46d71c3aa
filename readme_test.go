package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// shellWords splits a command line as a POSIX shell would for the subset
// the README uses: single quotes, double quotes with $VAR expansion, and
// unquoted words with $VAR expansion. A " #" starts a comment.
func shellWords(line string, vars map[string]string) ([]string, string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	expand := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "$"+k, v)
		}
		return s
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, "", fmt.Errorf("unterminated ' in %q", line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := strings.IndexByte(line[i+1:], '"')
			if j < 0 {
				return nil, "", fmt.Errorf("unterminated \" in %q", line)
			}
			cur.WriteString(expand(line[i+1 : i+1+j]))
			i += j + 1
			inWord = true
		case c == '#' && !inWord:
			return words, strings.TrimSpace(line[i+1:]), nil
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			j := strings.IndexAny(line[i:], " \t'\"")
			if j < 0 {
				j = len(line) - i
			}
			cur.WriteString(expand(line[i : i+j]))
			i += j - 1
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, "", nil
}

// readmeBlock returns the lines of the first ```sh block after the README
// line that starts with marker.
func readmeBlock(t *testing.T, marker string) []string {
	t.Helper()
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	state := 0 // 0: before the marker, 1: before the block, 2: in it
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case state == 0 && strings.HasPrefix(line, marker):
			state = 1
		case state == 1 && line == "```sh":
			state = 2
		case state == 2 && line == "```":
			return lines
		case state == 2:
			lines = append(lines, line)
		}
	}
	t.Fatalf("README.md has no ```sh block after %q", marker)
	return nil
}

// localURL matches the loopback address of a README example.
var localURL = regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+`)

// curlRequest turns curl arguments into a request (the flags the README uses).
func curlRequest(args []string, base string) (*http.Request, error) {
	method, body, url := "", "", ""
	headers := http.Header{}
	hasBody := false
	for i := 1; i < len(args); i++ {
		a := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", a)
			}
			i++
			return args[i], nil
		}
		switch {
		case a == "-X":
			v, err := next()
			if err != nil {
				return nil, err
			}
			method = v
		case a == "-H":
			v, err := next()
			if err != nil {
				return nil, err
			}
			k, val, _ := strings.Cut(v, ":")
			headers.Add(strings.TrimSpace(k), strings.TrimSpace(val))
		case a == "-d" || a == "--data-binary":
			v, err := next()
			if err != nil {
				return nil, err
			}
			body, hasBody = v, true
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--"):
			if strings.Contains(a, "I") {
				method = "HEAD"
			}
		case strings.HasPrefix(a, "http://"):
			url = localURL.ReplaceAllString(a, base)
		default:
			return nil, fmt.Errorf("unsupported curl argument %q", a)
		}
	}
	if method == "" {
		method = "GET"
		if hasBody {
			method = "POST"
		}
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = headers
	return req, nil
}

// runCurlLines runs the curl lines among lines against base, with vars
// for $NAME, and checks each answers the status in its comment. It returns
// the bodies, in order.
func runCurlLines(t *testing.T, lines []string, base string, vars map[string]string) []string {
	t.Helper()
	var bodies []string
	for _, line := range lines {
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		words, comment, err := shellWords(line, vars)
		if err != nil {
			t.Fatal(err)
		}
		want, err := strconv.Atoi(comment)
		if err != nil {
			t.Fatalf("README line %q: the comment must be the expected status", line)
		}
		req, err := curlRequest(words, base)
		if err != nil {
			t.Fatalf("README line %q: %v", line, err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("README line %q: %v", line, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("README line %q: status %d (%s), want %d", line, resp.StatusCode, b, want)
		}
		bodies = append(bodies, string(b))
	}
	return bodies
}

// TestREADMECurlExamples runs the worker as a new user would (no token
// configured), takes the token as the README's TOKEN line does, then runs
// every curl line of the README's worker section, as written, and checks
// the status in its comment.
func TestREADMECurlExamples(t *testing.T) {
	lines := readmeBlock(t, "<!-- curl-examples")
	home := t.TempDir()
	env := map[string]string{"HOME": home}
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
	if !strings.HasPrefix(lines[0], "TOKEN=$(nodetool token --show)") {
		t.Fatalf("the README's curl examples start with %q, want TOKEN=$(nodetool token --show)", lines[0])
	}
	out, errOut, code := runCLIEnv(t, env, "token", "--show")
	token := strings.TrimSuffix(out, "\n")
	if code != 0 || errOut != "" || token == "" || strings.Contains(token, "\n") {
		t.Fatalf("nodetool token --show = %q, stderr %q, exit %d; want the token alone", out, errOut, code)
	}
	if !strings.Contains(s.stdout.String(), "token:     "+token+"\n") {
		t.Fatalf("nodetool token --show printed %q, not the token of the worker's banner:\n%s", token, s.stdout)
	}
	if ran := len(runCurlLines(t, lines, s.url, map[string]string{"TOKEN": token})); ran < 15 {
		t.Fatalf("ran %d README curl lines, want the whole section", ran)
	}
}

// TestREADMEChatExample starts the chat server of the README's offline
// example as written (on a free port) and runs its curl lines: they answer
// without any model server.
func TestREADMEChatExample(t *testing.T) {
	lines := readmeBlock(t, "<!-- chat-example")
	words, _, err := shellWords(lines[0], nil)
	if err != nil || len(words) < 2 || words[0] != "nodetool" || words[1] != "chat-server" {
		t.Fatalf("the README's chat example starts with %q, want a nodetool chat-server line", lines[0])
	}
	s := startServer(t, map[string]string{"HOME": t.TempDir()}, append(words[1:], "--port", "0")...)
	bodies := runCurlLines(t, lines[1:], s.url, nil)
	if len(bodies) != 3 {
		t.Fatalf("ran %d curl lines of the chat example, want 3", len(bodies))
	}
	if !strings.Contains(bodies[1], `"content":"Echo: Hi"`) || !strings.Contains(bodies[2], "data: [DONE]") {
		t.Errorf("the offline chat example answered %q and %q; want Echo: Hi, and a stream ending in [DONE]", bodies[1], bodies[2])
	}
}

// TestREADMEUsageExamples runs each ./nodetool line of the README's usage
// block as written, from the repository root (the test's working
// directory), with a fresh HOME: each must exit 0 and print something.
func TestREADMEUsageExamples(t *testing.T) {
	ran := 0
	for _, line := range readmeBlock(t, "<!-- usage-examples") {
		stdin := ""
		cmd := line
		if before, after, ok := strings.Cut(line, " | ./nodetool "); ok {
			echo, _, err := shellWords(before, nil)
			if err != nil || len(echo) != 2 || echo[0] != "echo" {
				t.Fatalf("README line %q: only echo '...' | ./nodetool is supported", line)
			}
			stdin, cmd = echo[1]+"\n", "./nodetool "+after
		}
		if !strings.HasPrefix(cmd, "./nodetool ") {
			continue
		}
		words, _, err := shellWords(cmd, nil)
		if err != nil {
			t.Fatal(err)
		}
		var args []string
		for _, w := range words[1:] {
			if strings.Contains(w, "*") {
				matches, _ := filepath.Glob(w)
				if len(matches) == 0 {
					t.Errorf("README line %q: %s matches no file from the repository root", line, w)
				}
				args = append(args, matches...)
				continue
			}
			args = append(args, w)
		}
		var out, errb bytes.Buffer
		env := map[string]string{"HOME": t.TempDir()}
		err = run(context.Background(), append([]string{"nodetool"}, args...), func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
		if err != nil || out.Len() == 0 {
			t.Errorf("README line %q: %v, stdout %q, stderr %q; want exit 0 and output", line, err, out.String(), errb.String())
		}
		ran++
	}
	if ran < 7 {
		t.Fatalf("ran %d README usage lines, want the whole block", ran)
	}
}
