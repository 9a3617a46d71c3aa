// Package libpdf holds NodeTool's PDF nodes, lib.pymupdf and
// lib.pdfplumber: both namespaces read PDFs with the same pure-Go reader
// (package pdf), so they share one package, its document loading and its
// page ranges; each keeps its original's page-range rules and result
// shapes.
package libpdf

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"nodetool/nodes/media"
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/pdf"
)

// loader reads the documents of the nodes' "pdf" inputs.
type loader struct{ src media.Sources }

// documentBytes returns the bytes of a DocumentRef: its "data" (bytes),
// or a data: URI in its "uri"; a ref naming an asset, a workspace file or
// a URL is read by the media loader (the run user's assets, the workspace,
// the egress policy).
func (l loader) documentBytes(ctx *engine.Ctx, v any) ([]byte, error) {
	ref, ok := v.(*pyval.Dict)
	if !ok {
		if s, isStr := v.(string); v == nil || isStr && s == "" {
			return nil, errors.New("pdf: no document given (connect a document, for example from lib.http.GetRequestDocument)")
		}
		return nil, fmt.Errorf("pdf: the document is %s, not a document reference", pyval.TypeName(v))
	}
	if data, _ := ref.Get("data"); data != nil {
		switch b := data.(type) {
		case []byte:
			return b, nil
		default:
			return nil, fmt.Errorf("pdf: the document's data is %s, not bytes", pyval.TypeName(data))
		}
	}
	uri, _ := ref.Get("uri")
	u, _ := uri.(string)
	if strings.HasPrefix(u, "data:") {
		return dataURI(ctx, u)
	}
	if asset, _ := ref.Get("asset_id"); (asset != nil && asset != "") || u != "" {
		b, err := l.src.Read(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("pdf: %w", err)
		}
		return b, nil
	}
	return nil, errors.New("pdf: no document given (its data is empty)")
}

// dataURI decodes a data: URI (base64 or percent-encoded), sized first.
func dataURI(ctx *engine.Ctx, u string) ([]byte, error) {
	meta, payload, ok := strings.Cut(u[len("data:"):], ",")
	if !ok {
		return nil, errors.New("pdf: malformed data: URI (no comma)")
	}
	if err := ctx.CheckSize(int64(len(payload))); err != nil {
		return nil, err
	}
	if strings.HasSuffix(meta, ";base64") {
		b, err := base64.StdEncoding.DecodeString(strings.TrimRight(payload, "\r\n"))
		if err != nil {
			b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(payload, "="))
		}
		if err != nil {
			return nil, fmt.Errorf("pdf: malformed base64 in the data: URI: %w", err)
		}
		return b, nil
	}
	s, err := url.PathUnescape(payload)
	if err != nil {
		return nil, fmt.Errorf("pdf: malformed data: URI: %w", err)
	}
	return []byte(s), nil
}

// open loads and parses the node's "pdf" input.
func (l loader) open(ctx *engine.Ctx, in *engine.Inputs) (*pdf.Doc, error) {
	data, err := l.documentBytes(ctx, in.Get("pdf"))
	if err != nil {
		return nil, err
	}
	doc, err := pdf.Open(data, ctx)
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// warn logs the reader's warnings to the run.
func warn(ctx *engine.Ctx, doc *pdf.Doc) {
	for _, w := range doc.Warnings {
		ctx.Log("warning", w)
	}
}
