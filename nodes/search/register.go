package search

import (
	"errors"
	"strconv"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// lib is the search node library: its nodes search through c.
type lib struct {
	c *Client // nil: no SERP service is configured
}

// Register adds every search.* node type, searching through c (nil: no
// SerpAPI key is configured, and every search node fails validation
// saying how to configure one).
func Register(r *engine.Registry, c *Client) {
	l := &lib{c: c}
	add := func(d *engine.NodeDef) {
		d.ExposeAsTool = true
		if d.BasicFields == nil {
			d.BasicFields = []string{}
			for _, p := range d.Props {
				d.BasicFields = append(d.BasicFields, p.Name)
			}
		}
		if d.Check == nil && d.Type != "search._base.Serp" {
			d.Check = l.check
		}
		r.Add(d)
	}
	r.Add(&engine.NodeDef{
		Type:         "search._base.Serp",
		Description:  "The base of the SerpAPI search nodes; it does nothing by itself.\n    serp, search, base",
		Outputs:      []engine.Output{},
		ExposeAsTool: true,
		Process:      func(*engine.Ctx, *engine.Inputs) (map[string]any, error) { return nil, nil },
	})
	l.registerGoogle(add)
	l.registerGoogleExtra(add)
	l.registerShopping(add)
	l.registerWeb(add)
}

// errNotConfigured is the validation problem of a search node when no
// SerpAPI key is configured.
var errNotConfigured = errors.New("this search node needs a SerpAPI key: set SERPAPI_API_KEY or --serpapi-api-key-file (and SERPAPI_BASE_URL for another SERP service than serpapi.com)")

func (l *lib) check(map[string]any, func(string) bool) error {
	if l.c == nil {
		return errNotConfigured
	}
	return nil
}

// search runs a search with exactly params, as NodeTool's provider methods
// (search, search_news, search_amazon, ...) build them.
func (l *lib) search(ctx *engine.Ctx, eng string, params map[string]string) (*pyval.Dict, error) {
	if l.c == nil {
		return nil, errNotConfigured
	}
	return l.c.Search(ctx, eng, params)
}

// raw is NodeTool's search_raw: params plus hl=en and gl=us unless given.
func (l *lib) raw(ctx *engine.Ctx, eng string, params map[string]string) (*pyval.Dict, error) {
	if _, ok := params["hl"]; !ok {
		params["hl"] = "en"
	}
	if _, ok := params["gl"]; !ok {
		params["gl"] = "us"
	}
	return l.search(ctx, eng, params)
}

// itoa and ftoa print numbers as Python's str() does, as httpx sends
// them in a query.
func itoa(n int64) string   { return strconv.FormatInt(n, 10) }
func ftoa(f float64) string { return pyval.FormatFloat(f) }

// listText is the two outputs of most search nodes.
func listText(results []any, text string) map[string]any {
	return map[string]any{"results": results, "text": text}
}

// required fails with msg when s is empty, as the original nodes check
// their main input.
func required(s, msg string) error {
	if s == "" {
		return errors.New(msg)
	}
	return nil
}

// props are the names of the common properties.
func query(desc string) engine.Prop { return engine.P("query", "str", `""`, desc) }
func numResults(def, desc string) engine.Prop {
	return engine.P("num_results", "int", def, desc)
}

// resultsText are the outputs results and text.
var resultsText = engine.Out("results", "list[dict]", "text", "str")
