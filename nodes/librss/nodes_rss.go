// Package librss holds the lib.rss nodes: fetching an RSS or Atom feed
// (through the egress client) and reading its entries or its own details.
package librss

import (
	"fmt"
	"net/http"
	"time"

	"nodetool/egress"
	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/libhttp"
)

// feedAccept is the Accept header feed readers send.
const feedAccept = "application/atom+xml,application/rdf+xml,application/rss+xml,application/xml;q=0.9,text/xml;q=0.2,*/*;q=0.1"

// Register adds the lib.rss nodes, which fetch through c.
func Register(r *engine.Registry, c *egress.Client) {
	r.Add(&engine.NodeDef{
		Type: "lib.rss.FetchRSSFeed", Title: "Fetch RSS Feed", ExposeAsTool: true, StreamingOutput: true,
		BasicFields: []string{"url"},
		Description: "Fetches an RSS or Atom feed and emits its entries one by one: title, link, publication date (UTC; the time of the run when the entry has none), summary and author.",
		Props:       []engine.Prop{engine.P("url", "str", `""`, "The URL of the feed.")},
		Outputs:     engine.Out("title", "str", "link", "str", "published", "datetime", "summary", "str", "author", "str"),
		Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			feed, err := fetchFeed(ctx, c, in.Str("url"))
			if err != nil {
				return err
			}
			for _, e := range feed.Entries {
				pub := e.Published
				if pub.IsZero() {
					pub = time.Now().UTC()
				}
				for _, out := range []struct {
					slot string
					v    any
				}{{"title", e.Title}, {"link", e.Link}, {"published", datetime(pub)}, {"summary", e.Summary}, {"author", e.Author}} {
					if err := emit(out.slot, out.v); err != nil {
						return err
					}
				}
			}
			return nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.rss.ExtractFeedMetadata", Title: "Extract Feed Metadata", BasicFields: []string{"url"},
		Description: "Fetches an RSS or Atom feed and returns what it says about itself: title, description, link, language, updated (as written), generator and entry_count.",
		Props:       []engine.Prop{engine.P("url", "str", `""`, "The URL of the feed.")},
		Outputs:     engine.Out("output", "dict"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := fetchFeed(ctx, c, in.Str("url"))
			if err != nil {
				return nil, err
			}
			return engine.Single(pyval.DictOf("title", f.Title, "description", f.Description, "link", f.Link,
				"language", f.Language, "updated", f.Updated, "generator", f.Generator, "entry_count", int64(len(f.Entries)))), nil
		},
	})
}

// fetchFeed fetches and parses a feed within the node's budgets. An XML
// error after some entries keeps them, with a warning in the run's log.
func fetchFeed(ctx *engine.Ctx, c *egress.Client, url string) (*Feed, error) {
	resp, err := libhttp.Fetch(ctx, c, egress.Request{URL: url, Header: http.Header{"Accept": {feedAccept}}})
	if err != nil {
		return nil, err
	}
	feed, err := parse(resp.Body, ctx.Tick)
	if err != nil {
		if engine.IsLimit(err) || ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", resp.URL, err)
	}
	if feed.Err != nil {
		ctx.Log("warning", fmt.Sprintf("%s: the feed is not well-formed (%v); kept the %d entries before the error", resp.URL, feed.Err, len(feed.Entries)))
	}
	return feed, nil
}

// datetime is NodeTool's Datetime value of a UTC time (whole seconds, as
// feed dates are).
func datetime(t time.Time) *pyval.Dict {
	return pyval.DictOf("type", "datetime", "year", int64(t.Year()), "month", int64(t.Month()), "day", int64(t.Day()),
		"hour", int64(t.Hour()), "minute", int64(t.Minute()), "second", int64(t.Second()), "microsecond", int64(0),
		"tzinfo", "UTC", "utc_offset", int64(0))
}
