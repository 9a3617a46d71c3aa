// Package libhttp holds the lib.http nodes: HTTP requests (text, binary,
// JSON, documents), header checks, URL validation and downloads of
// files, images and tables. Every request goes through the egress client
// (nodes.Deps.HTTP), so the server's egress policy decides what a
// workflow may reach; responses are read within the node's max-value
// budget and its deadline.
package libhttp

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"nodetool/egress"
	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
)

const urlDesc = "The URL to make the request to."

func urlProp() engine.Prop { return engine.P("url", "str", `""`, urlDesc) }

// Register adds the lib.http nodes, which fetch through c (nil: every
// request is refused).
func Register(r *engine.Registry, c *egress.Client) {
	textNode := func(typ, title, m, desc string, withData bool) {
		props := []engine.Prop{urlProp()}
		if withData {
			props = append(props, engine.P("data", "str", `""`, "The text sent as the request body."))
		}
		r.Add(&engine.NodeDef{
			Type: typ, Title: title, Description: desc, ExposeAsTool: true,
			BasicFields: []string{"url"}, Props: props, Outputs: engine.Out("output", "str"),
			Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				req := egress.Request{Method: m, URL: in.Str("url")}
				if withData {
					req.Body = []byte(in.Str("data"))
				}
				resp, err := Fetch(ctx, c, req)
				if err != nil {
					return nil, err
				}
				s, err := Text(ctx, resp)
				if err != nil {
					return nil, err
				}
				return engine.Single(s), nil
			},
		})
	}
	textNode("lib.http.GetRequest", "GET Request", http.MethodGet, "Fetches a URL with GET and returns the response body as text (decoded by its charset).", false)
	textNode("lib.http.PostRequest", "POST Request", http.MethodPost, "Sends text to a URL with POST and returns the response body as text.", true)
	textNode("lib.http.PutRequest", "PUT Request", http.MethodPut, "Sends text to a URL with PUT and returns the response body as text.", true)
	textNode("lib.http.DeleteRequest", "DELETE Request", http.MethodDelete, "Sends a DELETE request to a URL and returns the response body as text.", false)

	r.Add(&engine.NodeDef{
		Type: "lib.http.HeadRequest", Title: "HEAD Request", BasicFields: []string{"url"},
		Description: "Sends a HEAD request to a URL and returns the response headers: names in lower case, repeated headers joined with \", \".",
		Props:       []engine.Prop{urlProp()},
		Outputs:     engine.Out("output", "dict[str, str]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			resp, err := Fetch(ctx, c, egress.Request{Method: http.MethodHead, URL: in.Str("url")})
			if err != nil {
				return nil, err
			}
			return engine.Single(headerDict(resp.Header)), nil
		},
	})
	binNode := func(typ, title, m, desc string, withData bool, out func([]byte) any, outType string) {
		props := []engine.Prop{urlProp()}
		if withData {
			props = append(props, engine.P("data", "union[str, bytes]", `""`, "The request body: text or bytes."))
		}
		r.Add(&engine.NodeDef{
			Type: typ, Title: title, Description: desc, ExposeAsTool: true,
			BasicFields: []string{"url"}, Props: props, Outputs: engine.Out("output", outType),
			Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				req := egress.Request{Method: m, URL: in.Str("url")}
				if withData {
					switch d := in.Get("data").(type) {
					case string:
						req.Body = []byte(d)
					case []byte:
						req.Body = d
					}
				}
				resp, err := Fetch(ctx, c, req)
				if err != nil {
					return nil, err
				}
				return engine.Single(out(resp.Body)), nil
			},
		})
	}
	raw := func(b []byte) any { return b }
	binNode("lib.http.GetRequestBinary", "GET Binary", http.MethodGet, "Fetches a URL with GET and returns the response body as bytes.", false, raw, "bytes")
	binNode("lib.http.PostRequestBinary", "POST Binary", http.MethodPost, "Sends text or bytes to a URL with POST and returns the response body as bytes.", true, raw, "bytes")
	binNode("lib.http.GetRequestDocument", "GET Document", http.MethodGet, "Fetches a document (PDF, Word, ...) with GET and returns it as a document reference holding its bytes.", false,
		func(b []byte) any { return Ref("document", b) }, "document")

	jsonNode := func(typ, title, m, desc string, withData bool) {
		props := []engine.Prop{urlProp()}
		if withData {
			props = append(props, engine.P("data", "dict", `{}`, "The object sent as the JSON request body."))
		}
		r.Add(&engine.NodeDef{
			Type: typ, Title: title, Description: desc, BasicFields: []string{"url"},
			Props: props, Outputs: engine.Out("output", "dict"),
			Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				req := egress.Request{Method: m, URL: in.Str("url"), Header: http.Header{}}
				if withData {
					body, err := bounded.Dumps(ctx, in.Dict("data"), pyval.DumpOptions{Indent: -1})
					if err != nil {
						return nil, err
					}
					req.Body = []byte(body)
					req.Header.Set("Content-Type", "application/json")
				} else {
					req.Header.Set("Accept", "application/json")
				}
				resp, err := Fetch(ctx, c, req)
				if err != nil {
					return nil, err
				}
				v, err := bounded.DecodeJSON(ctx, resp.Body)
				if err != nil {
					if engine.IsLimit(err) {
						return nil, err
					}
					return nil, fmt.Errorf("%s %s: the response is not JSON: %v", m, resp.URL, err)
				}
				return engine.Single(v), nil
			},
		})
	}
	jsonNode("lib.http.JSONGetRequest", "GET JSON", http.MethodGet, "Fetches a URL with GET (asking for JSON) and returns the parsed JSON response.", false)
	jsonNode("lib.http.JSONPostRequest", "POST JSON", http.MethodPost, "Sends an object as JSON with POST and returns the parsed JSON response.", true)
	jsonNode("lib.http.JSONPutRequest", "PUT JSON", http.MethodPut, "Sends an object as JSON with PUT and returns the parsed JSON response.", true)
	jsonNode("lib.http.JSONPatchRequest", "PATCH JSON", http.MethodPatch, "Sends an object as JSON with PATCH and returns the parsed JSON response.", true)

	r.Add(&engine.NodeDef{
		Type: "lib.http.FetchPage", Title: "Fetch Page", ExposeAsTool: true, BasicFields: []string{"url", "wait_time"},
		Description: "Fetches a web page's HTML with GET, waiting at most wait_time seconds. Unlike NodeTool, which drives a headless Chrome, scripts do not run, so pages built by JavaScript come back as served. A failed fetch gives success false and the error; a URL the egress policy refuses fails the node.",
		Props: []engine.Prop{
			engine.P("url", "str", `""`, "The URL of the page."),
			engine.P("wait_time", "int", `10`, "The longest the fetch may take, in seconds."),
		},
		Outputs: engine.Out("html", "str", "success", "bool", "error_message", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			html, err := fetchPage(ctx, c, in.Str("url"), in.Int("wait_time"))
			if err != nil {
				if egress.IsPolicy(err) || engine.IsLimit(err) || ctx.Err() != nil {
					return nil, err
				}
				return map[string]any{"html": "", "success": false, "error_message": err.Error()}, nil
			}
			return map[string]any{"html": html, "success": true, "error_message": ""}, nil
		},
	})
	registerDownloads(r, c)
	registerDataframe(r, c)
}

// fetchPage GETs a page as text within wait seconds (and the node's own
// deadline).
func fetchPage(ctx *engine.Ctx, c *egress.Client, u string, wait int64) (string, error) {
	wctx := context.Context(ctx)
	if wait > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, time.Duration(min(wait, 86400))*time.Second)
		defer cancel()
	}
	resp, err := c.Fetch(wctx, egress.Request{URL: u}, ctx.MaxValue())
	if err != nil {
		return "", NodeError(ctx, err)
	}
	if err := resp.Err("GET"); err != nil {
		return "", err
	}
	return Text(ctx, resp)
}

// headerDict is a response's headers as httpx lists them: names in lower
// case, the values of a repeated header joined with ", " (sorted by name:
// the order on the wire is not kept).
func headerDict(h http.Header) *pyval.Dict {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	d := pyval.NewDict(len(names))
	for _, k := range names {
		d.Set(strings.ToLower(k), strings.Join(h[k], ", "))
	}
	return d
}
