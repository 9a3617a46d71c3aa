package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"nodetool/engine"
)

// maxWorkflowBytes bounds a workflow file or RunJobRequest read by the CLI.
const maxWorkflowBytes = 64 << 20

// loadWorkflow reads a workflow file, or an embedded example by id.
func loadWorkflow(arg string) (*engine.Workflow, string, error) {
	var data []byte
	f, err := os.Open(arg)
	switch {
	case err == nil:
		defer f.Close()
		data, err = readLimited(f, arg)
		if err != nil {
			return nil, arg, err
		}
	case errors.Is(err, os.ErrNotExist):
		ex, exErr := exampleWorkflows()
		if exErr != nil {
			return nil, arg, exErr
		}
		var ok bool
		if data, ok = ex[arg]; !ok {
			return nil, arg, fmt.Errorf("%s: no such file, and no example of that name (examples: %s)", arg, strings.Join(sortedNames(ex), ", "))
		}
	default:
		return nil, arg, err
	}
	wf, err := engine.ParseWorkflow(data)
	if err != nil {
		return nil, arg, fmt.Errorf("%s: %v", arg, err)
	}
	return wf, arg, nil
}

func readLimited(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxWorkflowBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(data) > maxWorkflowBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB", name, maxWorkflowBytes>>20)
	}
	return data, nil
}
