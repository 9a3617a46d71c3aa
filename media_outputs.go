package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/media"
)

// loadMediaParam reads the local file of --param NAME=@PATH into a ref of
// the input's kind (image, audio, video, document), checking the kind by
// the file's content, never its name, and its size against max-value.
func loadMediaParam(path string, t engine.TypeMeta, maxValue int64) (any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if st.Size() > maxValue {
		return nil, fmt.Errorf("%s is %s, over the max-value limit of %s", path, engine.FormatBytes(st.Size()), engine.FormatBytes(maxValue))
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil && st.Size() > 0 {
		return nil, err
	}
	kind, mime := media.Sniff(data)
	want := t.Type
	if want == media.Document {
		return media.Ref(media.Document, data), nil
	}
	if kind != want {
		got := mime
		if kind != "" {
			got = kind + " (" + mime + ")"
		}
		return nil, fmt.Errorf("the input takes %s, but %s holds %s", want, path, got)
	}
	return media.Ref(want, data), nil
}

// isMediaType reports whether an input of type t takes a media ref.
func isMediaType(t engine.TypeMeta) bool {
	for _, k := range media.Kinds {
		if t.Type == k {
			return true
		}
	}
	return false
}

// writeMediaOutputs writes every media ref holding inline content in the
// results (at any depth) as a file in dir, named after its output, and
// puts the file's path in the ref's uri in place of the content.
func writeMediaOutputs(dir string, outputs map[string][]any) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--output-dir: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("--output-dir: %w", err)
	}
	for name, vals := range outputs {
		n := 0
		for i, v := range vals {
			nv, err := externalize(v, func(kind string, data []byte) (string, error) {
				_, mime := media.Sniff(data)
				file := filepath.Join(abs, safeName(name)+"-"+strconv.Itoa(n)+media.Ext(mime))
				n++
				if err := os.WriteFile(file, data, 0o644); err != nil {
					return "", fmt.Errorf("--output-dir: %w", err)
				}
				return file, nil
			})
			if err != nil {
				return err
			}
			vals[i] = nv
		}
	}
	return nil
}

// externalize returns v with every media ref holding bytes replaced by a
// copy whose uri is what put returns for its content and whose data is
// null. Values without such refs are returned as they are.
func externalize(v any, put func(kind string, data []byte) (string, error)) (any, error) {
	switch t := v.(type) {
	case []any:
		var out []any
		for i, e := range t {
			ne, err := externalize(e, put)
			if err != nil {
				return nil, err
			}
			if out == nil && !sameValue(ne, e) {
				out = append(make([]any, 0, len(t)), t[:i]...)
			}
			if out != nil {
				out = append(out, ne)
			}
		}
		if out == nil {
			return v, nil
		}
		return out, nil
	case *pyval.Dict:
		if raw, ok := t.Get("data"); ok && t.Str("type") != "" {
			if b, ok := raw.([]byte); ok && len(b) > 0 {
				uri, err := put(t.Str("type"), b)
				if err != nil {
					return nil, err
				}
				c := t.Copy()
				c.Set("uri", uri)
				c.Set("data", nil)
				return c, nil
			}
		}
		var out *pyval.Dict
		var err error
		t.Range(func(k string, e any) bool {
			var ne any
			if ne, err = externalize(e, put); err != nil {
				return false
			}
			if !sameValue(ne, e) {
				if out == nil {
					out = t.Copy()
				}
				out.Set(k, ne)
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		if out == nil {
			return v, nil
		}
		return out, nil
	}
	return v, nil
}

// sameValue reports whether externalize left a list or dict unchanged.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case *pyval.Dict:
		y, ok := b.(*pyval.Dict)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	}
	return true
}

// safeName keeps letters, digits, - and _ of an output name for a file
// name.
func safeName(s string) string {
	b := []byte{}
	for i := 0; i < len(s) && len(b) < 64; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b = append(b, c)
		} else {
			b = append(b, '_')
		}
	}
	if len(b) == 0 {
		return "output"
	}
	return string(b)
}
