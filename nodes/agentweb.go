package nodes

import (
	"context"

	"nodetool/agent"
	"nodetool/egress"
	"nodetool/engine"
	"nodetool/nodes/data"
	"nodetool/nodes/libhttp"
	"nodetool/nodes/search"
)

// AgentWeb returns the web tools' services of the agents (the agent nodes
// and the editor's agent-mode chat) built from d: web search through the
// SerpAPI client and page fetching through the egress-policy client. Each
// is nil when d has no such client, and the tools using it are then not
// offered.
func AgentWeb(d Deps) (agent.Searcher, agent.Fetcher) {
	var s agent.Searcher
	var f agent.Fetcher
	if d.Search != nil {
		s = webSearch{d.Search}
	}
	if d.HTTP != nil {
		f = webFetch{d.HTTP}
	}
	return s, f
}

// webSearch is the SerpAPI client as an agent.Searcher.
type webSearch struct{ c *search.Client }

func (w webSearch) WebSearch(b agent.Budget, query string, n int) ([]agent.SearchResult, error) {
	rs, err := w.c.WebSearch(b, query, n)
	if err != nil {
		return nil, err
	}
	out := make([]agent.SearchResult, len(rs))
	for i, r := range rs {
		out[i] = agent.SearchResult{Title: r.Title, URL: r.URL, Snippet: r.Snippet}
	}
	return out, nil
}

// webFetch is the egress-policy client as an agent.Fetcher: a page is at
// most the budget's max-value bytes.
type webFetch struct{ c *egress.Client }

func (w webFetch) Fetch(b agent.Budget, url string) (*agent.Page, error) {
	resp, err := w.c.Fetch(b, egress.Request{URL: url}, b.MaxValue())
	if err != nil {
		return nil, err
	}
	return &agent.Page{URL: resp.URL, Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: resp.Body}, nil
}

// dataFetch is the egress-policy client as nodetool.data's URL reader (nil
// when there is none: Load CSV URL refuses). A body over max is the
// max-value limit error of the node.
func dataFetch(c *egress.Client) data.Fetch {
	if c == nil {
		return nil
	}
	return func(ctx context.Context, url string, max int64) ([]byte, error) {
		resp, err := c.Fetch(ctx, egress.Request{URL: url}, max)
		if err == nil {
			err = resp.Err("GET")
		}
		if err != nil {
			if ec, ok := ctx.(*engine.Ctx); ok {
				return nil, libhttp.NodeError(ec, err)
			}
			return nil, err
		}
		return resp.Body, nil
	}
}
