package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// llmExamples are the LLM examples of the corpus, with the least each must
// show besides completing: how many preview_update events (for those whose
// results go to previews).
var llmExamples = []struct {
	file     string
	previews int
}{
	{"Product Description Generator.json", 0},
	{"Research Paper Summarizer.json", 0},
	{"Data Validation Pipeline.json", 0},
	{"Game Encounter Planner Agent.json", 0},
	{"Creative Story Ideas.json", 3},
	{"Data Generator.json", 0}, // its only edge names a missing handle: dropped
}

func runLLMExamples(bin, dir string) int {
	failures := 0
	for _, ex := range llmExamples {
		problems := runLLMExample(bin, filepath.Join(dir, ex.file), ex.previews)
		for _, p := range problems {
			failures++
			fmt.Printf("FAIL %s: %s\n", ex.file, p)
		}
		if len(problems) == 0 {
			fmt.Printf("ok   %s\n", ex.file)
		}
	}
	fmt.Printf("corpuscheck -llm: %d examples, %d failed checks\n", len(llmExamples), failures)
	if failures > 0 {
		return 1
	}
	return 0
}

func runLLMExample(bin, file string, wantPreviews int) []string {
	data, err := os.ReadFile(file)
	if err != nil {
		return []string{err.Error()}
	}
	var wf struct {
		Graph struct {
			Nodes []struct {
				Type string         `json:"type"`
				Data map[string]any `json:"data"`
			} `json:"nodes"`
		} `json:"graph"`
	}
	if err := json.Unmarshal(data, &wf); err != nil {
		return []string{err.Error()}
	}
	var outputs []string
	for _, n := range wf.Graph.Nodes {
		if n.Type == "nodetool.output.Output" {
			name, _ := n.Data["name"].(string)
			outputs = append(outputs, name)
		}
	}
	cmd := exec.Command(bin, "run", file, "--jsonl", "--provider", "fake", "--drop-invalid-edges")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return []string{fmt.Sprintf("nodetool run failed: %v\n%s", err, stderr.String())}
	}
	var problems []string
	var final map[string]any
	previews := 0
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return []string{"an event is not JSON: " + err.Error()}
		}
		switch ev["type"] {
		case "preview_update":
			previews++
		case "job_update":
			final = ev
		}
	}
	if final == nil || final["status"] != "completed" {
		return []string{fmt.Sprintf("the run did not complete: %v", final)}
	}
	result, _ := final["result"].(map[string]any)
	for _, name := range outputs {
		vals, _ := result[name].([]any)
		if len(vals) == 0 {
			problems = append(problems, fmt.Sprintf("output %q produced nothing", name))
			continue
		}
		for _, v := range vals {
			switch t := v.(type) {
			case string:
				if strings.TrimSpace(t) == "" {
					problems = append(problems, fmt.Sprintf("output %q is empty text", name))
				}
				if s := strings.TrimSpace(t); strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
					if !json.Valid([]byte(s)) {
						problems = append(problems, fmt.Sprintf("output %q looks like JSON but does not parse: %.80s", name, s))
					}
				}
			case nil:
				problems = append(problems, fmt.Sprintf("output %q is null", name))
			}
		}
	}
	if previews < wantPreviews {
		problems = append(problems, fmt.Sprintf("%d preview_update events, want at least %d", previews, wantPreviews))
	}
	return problems
}
