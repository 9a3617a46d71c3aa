package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
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
			url = strings.Replace(a, "http://127.0.0.1:8000", base, 1)
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

// TestREADMECurlExamples runs every curl line of the README's worker section,
// as written, against the binary's worker, and checks the status in its
// comment.
func TestREADMECurlExamples(t *testing.T) {
	f, err := os.Open("README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := workerEnv(t)
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
	vars := map[string]string{"TOKEN": env["WORKER_AUTH_TOKEN"]}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	inSection, ran := false, 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "<!-- curl-examples") {
			inSection = true
			continue
		}
		if inSection && strings.HasPrefix(line, "## ") {
			break
		}
		if !inSection || !strings.HasPrefix(line, "curl ") {
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
		req, err := curlRequest(words, s.url)
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
		ran++
	}
	if ran < 15 {
		t.Fatalf("ran %d README curl lines, want the whole section", ran)
	}
}
