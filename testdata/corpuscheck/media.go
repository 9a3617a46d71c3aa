package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"nodetool/lang/wav"
	"nodetool/nodes/media"
)

// Media inputs: each input node of a media kind (AudioInput, VideoInput,
// ImageInput) gets --param NAME=@FILE, the first file of the -media
// folder named KIND-* (audio-speech.wav, video-clip.mp4, image-*.png).
// Media results are checked for what they hold: images decode, WAV
// headers are valid (other audio probes), videos probe with ffprobe.

var mediaInputs = map[string]string{
	"nodetool.input.AudioInput": "audio",
	"nodetool.input.VideoInput": "video",
	"nodetool.input.ImageInput": "image",
}

// mediaParams are the --param flags of the file's media inputs.
func mediaParams(wf *corpusWorkflow, dir string) ([]string, error) {
	var out []string
	for _, n := range wf.Graph.Nodes {
		kind, ok := mediaInputs[n.Type]
		if !ok {
			continue
		}
		name, _ := n.Data["name"].(string)
		if name == "" {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dir, kind+"-*"))
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("input %q takes %s, and the media folder %q has no %s-* file", name, kind, dir, kind)
		}
		out = append(out, "--param", name+"=@"+files[0])
	}
	return out, nil
}

// checkMedia checks every media ref in a result value (at any depth).
func checkMedia(name string, v any) []string {
	var problems []string
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case []any:
			for _, e := range t {
				walk(e)
			}
		case map[string]any:
			kind, _ := t["type"].(string)
			if kind == media.Image || kind == media.Audio || kind == media.Video {
				if err := checkRef(kind, t); err != nil {
					problems = append(problems, fmt.Sprintf("output %q: %s: %v", name, kind, err))
				}
				return
			}
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	return problems
}

// refBytes reads a result ref's content: its data (base64 or a data:
// URI) or a data: URI or file path in uri.
func refBytes(ref map[string]any) ([]byte, error) {
	for _, k := range []string{"data", "uri"} {
		s, _ := ref[k].(string)
		if s == "" {
			continue
		}
		if strings.HasPrefix(s, "data:") {
			_, payload, ok := strings.Cut(s, ",")
			if !ok {
				return nil, fmt.Errorf("a data: URI without a comma")
			}
			return base64.StdEncoding.DecodeString(payload)
		}
		if k == "data" {
			return base64.StdEncoding.DecodeString(s)
		}
		if filepath.IsAbs(s) {
			return os.ReadFile(s)
		}
		return nil, fmt.Errorf("uri %.60q holds no content to check", s)
	}
	return nil, fmt.Errorf("the ref is empty")
}

func checkRef(kind string, ref map[string]any) error {
	b, err := refBytes(ref)
	if err != nil {
		return err
	}
	switch kind {
	case media.Image:
		_, _, err := media.DecodeConfig(b)
		return err
	case media.Audio:
		if wav.IsWAV(b) {
			h, err := wav.ReadHeader(b)
			if err == nil && h.Frames == 0 {
				err = fmt.Errorf("a WAV file without samples")
			}
			return err
		}
		return probe(b, "audio")
	}
	return probe(b, "video")
}

// probe checks with ffprobe that b holds a stream of the kind.
func probe(b []byte, kind string) error {
	f, err := os.CreateTemp("", "corpuscheck-media-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	f.Write(b)
	f.Close()
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", f.Name()).Output()
	if err != nil {
		return fmt.Errorf("ffprobe cannot read it: %v", err)
	}
	var p struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &p); err != nil {
		return err
	}
	for _, s := range p.Streams {
		if s.CodecType == kind {
			return nil
		}
	}
	return fmt.Errorf("ffprobe finds no %s stream", kind)
}

// folderArgs gives an example whose FolderPathInput names a relative
// folder ("./photos") a workspace (made under tmp) holding that folder with
// a copy of every test file of dir: --workspace WS, or nothing.
func folderArgs(wf *corpusWorkflow, dir, tmp string) ([]string, error) {
	ws := ""
	for _, n := range wf.Graph.Nodes {
		folder, _ := n.Data["value"].(string)
		if n.Type != "nodetool.input.FolderPathInput" || folder == "" || !filepath.IsLocal(folder) {
			continue
		}
		if ws == "" {
			var err error
			if ws, err = os.MkdirTemp(tmp, "ws-"); err != nil {
				return nil, err
			}
		}
		files, err := filepath.Glob(filepath.Join(dir, "*-*.*"))
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Join(ws, folder), 0o700); err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(filepath.Join(ws, folder, filepath.Base(f)), data, 0o600); err != nil {
				return nil, err
			}
		}
	}
	if ws == "" {
		return nil, nil
	}
	return []string{"--workspace", ws}, nil
}
