package media

import (
	"context"
	"fmt"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// Results too large to send inline
//
// A run's results reach its clients inside events and answers (JSON or
// MessagePack). Media content of at most Outputs.InlineMax bytes travels
// inline, as a data: URI in JSON; larger content is kept by the server (an
// OutputStore: the worker's temp storage, the editor's asset store) and the
// ref sent points at it: uri is where to GET it, asset_id the asset's id
// (editor), data null. The output nodes apply this (Outputs.Keep) to a
// value before they record it as a result and post its output_update, as
// the original's output nodes normalise their values, so the final
// job_update's result and a /run answer hold the same refs. What flows on
// to other nodes keeps its inline content.

// DefaultInlineMax is the default of Outputs.InlineMax: media content up to
// 64 KiB stays inline.
const DefaultInlineMax = 64 << 10

// OutputStore keeps the content of media results. Its methods take only
// standard types, so a server package implements it without importing the
// node library.
type OutputStore interface {
	// StoreOutput keeps data, a result (of MIME type contentType) of a run
	// of user's workflow workflowID ("" when not known), under a display
	// name made from the output's name, and returns the URI clients GET it
	// from and its asset id ("" when the store keeps no asset records). On
	// error nothing is left stored.
	StoreOutput(ctx context.Context, user, workflowID, name, contentType string, data []byte) (uri, assetID string, err error)
	// RemoveOutput removes what StoreOutput returned (a value whose other
	// refs could not be stored is not sent, so nothing of it is kept).
	RemoveOutput(ctx context.Context, user, uri, assetID string) error
}

// Outputs says where a server keeps media results (nodes.Deps.Outputs).
// The zero value keeps every result inline.
type Outputs struct {
	// Store keeps content over InlineMax; nil: everything stays inline.
	Store OutputStore
	// InlineMax is the most bytes of content a ref keeps inline; 0 stores
	// every ref that has inline content.
	InlineMax int64
}

// Keep returns v, a value reaching output node output, with every media
// ref (image, audio, video, document; at any depth of lists and dicts)
// whose inline content (data bytes, or a data: URI in uri) is over
// InlineMax replaced by a copy pointing at the stored content. v is
// not changed: lists and dicts on the way are copied. A ref that already
// names an asset is left as it is (the original's rule). Content shared by
// several refs of v is stored once. When a store fails, the refs of v
// stored before are removed and the error says which result failed.
func (o Outputs) Keep(ctx *engine.Ctx, output string, v any) (any, error) {
	if o.Store == nil {
		return v, nil
	}
	k := &keeper{o: o, ctx: ctx, output: output}
	nv, err := k.walk(v)
	if err != nil {
		k.rollback()
		return nil, err
	}
	return nv, nil
}

type storedRef struct{ uri, assetID string }

// keeper stores the refs of one value.
type keeper struct {
	o      Outputs
	ctx    *engine.Ctx
	output string
	done   []storedRef
	memo   map[any]storedRef // by content: bytes (pointer and length) or data: URI
}

type bytesKey struct {
	p *byte
	n int
}

func (k *keeper) walk(v any) (any, error) {
	if err := k.ctx.Tick(); err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case []any:
		var out []any
		for i, e := range t {
			ne, err := k.walk(e)
			if err != nil {
				return nil, err
			}
			if out == nil && !same(ne, e) {
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
		if t == nil {
			return v, nil
		}
		if IsRef(t, "") {
			return k.ref(t)
		}
		var out *pyval.Dict
		var err error
		t.Range(func(key string, e any) bool {
			var ne any
			if ne, err = k.walk(e); err != nil {
				return false
			}
			if !same(ne, e) {
				if out == nil {
					out = t.Copy()
				}
				out.Set(key, ne)
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

// same reports whether walk left a list or dict as it was.
func same(a, b any) bool {
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

// ref stores the content of one media ref if it is over the bound.
func (k *keeper) ref(d *pyval.Dict) (any, error) {
	if d.Str("asset_id") != "" {
		return d, nil
	}
	data, key := k.content(d)
	if len(data) == 0 || (k.o.InlineMax > 0 && int64(len(data)) <= k.o.InlineMax) {
		return d, nil
	}
	s, ok := k.memo[key]
	if !ok {
		_, mime := Sniff(data)
		if mime == "audio/wave" || mime == "audio/x-wav" {
			mime = "audio/wav"
		}
		name := outputName(k.output, k.ctx.NodeID(), len(k.done), Ext(mime))
		uri, id, err := k.o.Store.StoreOutput(k.ctx, k.ctx.UserID(), k.ctx.WorkflowID(), name, mime, data)
		if err != nil {
			return nil, fmt.Errorf("could not store the %s of result %q (%s): %w", d.Str("type"), k.output, engine.FormatBytes(int64(len(data))), err)
		}
		s = storedRef{uri: uri, assetID: id}
		k.done = append(k.done, s)
		if k.memo == nil {
			k.memo = map[any]storedRef{}
		}
		k.memo[key] = s
	}
	c := d.Copy()
	c.Set("uri", s.uri)
	if s.assetID != "" {
		c.Set("asset_id", s.assetID)
	} else {
		c.Set("asset_id", nil)
	}
	c.Set("data", nil)
	return c, nil
}

// content returns a ref's inline content and a key naming it: its data
// bytes, else the content of a data: URI in its uri (decoded only within
// max-value); nil when it has none, or content it cannot read (base64 text
// or a list of byte values in data, as a client may send them, a malformed
// or oversized data: URI), which stays inline as it came.
func (k *keeper) content(d *pyval.Dict) ([]byte, any) {
	if raw, _ := d.Get("data"); raw != nil {
		if b, ok := raw.([]byte); ok && len(b) > 0 {
			return b, bytesKey{&b[0], len(b)}
		}
		return nil, nil
	}
	if uri := d.Str("uri"); strings.HasPrefix(uri, "data:") {
		if b, err := DataURI(k.ctx, uri); err == nil && len(b) > 0 {
			return b, uri
		}
	}
	return nil, nil
}

// rollback removes what was stored for a value that is not sent.
func (k *keeper) rollback() {
	if len(k.done) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(k.ctx), 30*time.Second)
	defer cancel()
	for _, s := range k.done {
		k.o.Store.RemoveOutput(ctx, k.ctx.UserID(), s.uri, s.assetID)
	}
}

// outputName is the display name of a stored result: the output's name,
// the first 8 characters of the node's id, a counter for the second and
// later refs of one value, and the content's extension, as
// "image_3f2a9b1c.png" (the original names auto-saved assets
// "<title>_<path>_<node id[:8]>"). Control characters become "_".
func outputName(output, nodeID string, n int, ext string) string {
	if output == "" {
		output = "output"
	}
	if len(output) > 200 {
		output = output[:200]
	}
	if len(nodeID) > 8 {
		nodeID = nodeID[:8]
	}
	name := output + "_" + nodeID
	if n > 0 {
		name += fmt.Sprintf("_%d", n)
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0xfffd {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(name, "_")) + ext
}
