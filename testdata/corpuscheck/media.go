package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"

	"nodetool/nodes/media"
)

// mediaArgs are the run flags giving an example its media inputs from the
// folder of test files (dir, "" or missing: none): --param NAME=@FILE for
// each nodetool.input.<Kind>Input with a <kind>.* file in dir, and for a
// FolderPathInput naming a relative folder, a workspace (made under tmp)
// holding that folder with a copy of every file of dir.
func mediaArgs(wf *corpusWorkflow, dir, tmp string) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	files := map[string]string{} // kind -> path
	var all []string
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		kind := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		files[kind] = filepath.Join(dir, e.Name())
		all = append(all, files[kind])
	}
	var args []string
	ws := ""
	for _, n := range wf.Graph.Nodes {
		name, _ := n.Data["name"].(string)
		kind, ok := strings.CutPrefix(n.Type, "nodetool.input.")
		if !ok || name == "" {
			continue
		}
		kind = strings.ToLower(strings.TrimSuffix(kind, "Input"))
		if f, ok := files[kind]; ok {
			args = append(args, "--param", name+"=@"+f)
			continue
		}
		folder, _ := n.Data["value"].(string)
		if kind != "folderpath" || folder == "" || !filepath.IsLocal(folder) {
			continue
		}
		if ws == "" {
			if ws, err = os.MkdirTemp(tmp, "ws-"); err != nil {
				return nil, err
			}
			args = append(args, "--workspace", ws)
		}
		if err := os.MkdirAll(filepath.Join(ws, folder), 0o700); err != nil {
			return nil, err
		}
		for _, f := range all {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(filepath.Join(ws, folder, filepath.Base(f)), data, 0o600); err != nil {
				return nil, err
			}
		}
	}
	return args, nil
}

// checkMedia reports the image refs in a result value whose content does
// not decode as an image.
func checkMedia(output string, v any) []string {
	var problems []string
	switch t := v.(type) {
	case []any:
		for _, x := range t {
			problems = append(problems, checkMedia(output, x)...)
		}
	case map[string]any:
		if t["type"] == "image" {
			uri, _ := t["uri"].(string)
			rest, ok := strings.CutPrefix(uri, "data:")
			_, b64, _ := strings.Cut(rest, ";base64,")
			data, err := base64.StdEncoding.DecodeString(b64)
			if !ok || err != nil || b64 == "" {
				return []string{fmt.Sprintf("output %q: an image without inline content (uri %.60q)", output, uri)}
			}
			if cfg, _, err := media.DecodeConfig(data); err != nil || cfg.Width < 1 || cfg.Height < 1 {
				return []string{fmt.Sprintf("output %q: an image that does not decode: %v", output, err)}
			}
			if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
				return []string{fmt.Sprintf("output %q: an image that does not decode: %v", output, err)}
			}
			return nil
		}
		for _, x := range t {
			problems = append(problems, checkMedia(output, x)...)
		}
	}
	return problems
}
