package search

import (
	"strings"

	"nodetool/engine"
	"nodetool/lang/pystr"
)

// search.google.*: Google web, news, images, finance, jobs, lens, maps and
// shopping, each with the parameters and result keys of NodeTool's
// SerpApiProvider methods.

func (l *lib) registerGoogle(add func(*engine.NodeDef)) {
	keyword := func(desc string) engine.Prop { return engine.P("keyword", "str", `""`, desc) }
	add(&engine.NodeDef{
		Type:        "search.google.GoogleSearch",
		Description: "Searches Google and returns the organic web results.\n    google, search, serp, web, query",
		Props:       []engine.Prop{keyword("What to search for."), numResults("10", "The most results to return.")},
		Outputs:     resultsText,
		Process:     l.googleSearch,
	})
	add(&engine.NodeDef{
		Type:        "search.google.GoogleNews",
		Description: "Searches Google News for current articles and headlines.\n    google, news, serp, articles, journalism",
		Props:       []engine.Prop{keyword("What to search the news for."), numResults("10", "The most articles to return.")},
		Outputs:     resultsText,
		Process:     l.googleNews,
	})
	add(&engine.NodeDef{
		Type:        "search.google.GoogleImages",
		Description: "Searches Google Images by keyword, or for images like the one at image_url.\n    google, images, serp, visual, reverse, search",
		Props: []engine.Prop{
			keyword("What to search images for."),
			engine.P("image_url", "str", `""`, "An image to find similar ones of (reverse image search)."),
			numResults("20", "The most images to return."),
		},
		Outputs: engine.Out("output", "list[image]"),
		Process: l.googleImages,
	})
	add(&engine.NodeDef{
		Type:        "search.google.GoogleFinance",
		Description: "Looks up market data of a stock or company on Google Finance.\n    google, finance, stocks, market, serp, trading",
		Props: []engine.Prop{
			query("A ticker (GOOGL:NASDAQ) or company name."),
			engine.P("window", "str", `""`, "The time window of the chart: 1D, 5D, 1M, 6M, YTD, 1Y, 5Y or MAX."),
		},
		Outputs: engine.Out("output", "dict[str, any]"),
		Process: l.googleFinance,
	})
	add(&engine.NodeDef{
		Type:        "search.google.GoogleJobs",
		Description: "Searches Google Jobs for job listings.\n    google, jobs, employment, careers, serp, hiring",
		Props: []engine.Prop{
			query("A job title, skill or company."),
			engine.P("location", "str", `""`, "Where the jobs should be."),
			numResults("10", "The most listings to return."),
		},
		Outputs: resultsText,
		Process: l.googleJobs,
	})
	add(&engine.NodeDef{
		Type:        "search.google.GoogleLens",
		Description: "Finds what Google Lens sees in an image: visual matches and related pages.\n    google, lens, visual, image, search, serp, identify",
		Props: []engine.Prop{
			engine.P("image_url", "str", `""`, "The image to look at."),
			numResults("10", "The most matches to return."),
		},
		Outputs: engine.Out("results", "list[dict]", "images", "list[image]"),
		Process: l.googleLens,
	})
	add(&engine.NodeDef{
		Type:        "search.google.GoogleMaps",
		Description: "Searches Google Maps for places and businesses.\n    google, maps, places, locations, serp, geography",
		Props:       []engine.Prop{query("A place, address or kind of business."), numResults("10", "The most places to return.")},
		Outputs:     resultsText,
		Process:     l.googleMaps,
	})
	add(&engine.NodeDef{
		Type:        "search.google.GoogleShopping",
		Description: "Searches Google Shopping for products, with price, condition and order filters.\n    google, shopping, products, ecommerce, serp, prices",
		Props: []engine.Prop{
			query("The product to search for."),
			engine.P("country", "str", `"us"`, "The country to shop in (us, uk, ca...)."),
			engine.P("min_price", "int", "0", "The lowest price (0: none)."),
			engine.P("max_price", "int", "0", "The highest price (0: none)."),
			engine.P("condition", "str", `""`, "new, used or refurbished (empty: any)."),
			engine.P("sort_by", "str", `""`, "Google's sort code: r (relevance), p (price, low first), pd (price, high first)."),
			numResults("10", "The most products to return."),
		},
		Outputs: resultsText,
		Process: l.googleShopping,
	})
}

func (l *lib) googleSearch(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	kw := in.Str("keyword")
	if err := required(kw, "Keyword is required"); err != nil {
		return nil, err
	}
	d, err := l.search(ctx, "google_light", map[string]string{"q": kw, "num": itoa(in.Int("num_results")), "gl": "us", "hl": "en"})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "organic_results"), in.Int("num_results"))
	text, err := formatResults(ctx, results, field("link", ""), field("date", "Date"), field("snippet", ""))
	return listText(results, text), err
}

func (l *lib) googleNews(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	kw := in.Str("keyword")
	if err := required(kw, "Keyword is required"); err != nil {
		return nil, err
	}
	d, err := l.search(ctx, "google_news", map[string]string{"q": kw, "num": itoa(in.Int("num_results")), "gl": "us", "hl": "en"})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "news_results"), in.Int("num_results"))
	text, err := formatResults(ctx, results, field("link", ""), field("date", "Date"))
	return listText(results, text), err
}

func (l *lib) googleImages(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	kw, img := in.Str("keyword"), in.Str("image_url")
	if kw == "" && img == "" {
		return nil, required("", "One of 'keyword' or 'image_url' is required.")
	}
	eng := "google_images"
	params := map[string]string{"num": itoa(in.Int("num_results")), "gl": "us", "hl": "en"}
	if kw != "" {
		params["q"] = kw
	}
	if img != "" {
		eng = "google_reverse_image"
		params["image_url"] = img
		delete(params, "q")
	}
	d, err := l.search(ctx, eng, params)
	if err != nil {
		return nil, err
	}
	images := []any{}
	for _, r := range listOf(d, "images_results") {
		if n := in.Int("num_results"); n >= 0 && int64(len(images)) >= n {
			break
		}
		if truthy(r, "original") {
			images = append(images, imageRef(getOr(r, "original", "")))
		}
	}
	return engine.Single(images), nil
}

func (l *lib) googleFinance(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required for Google Finance search."); err != nil {
		return nil, err
	}
	params := map[string]string{"q": q, "gl": "us", "hl": "en"}
	if w := in.Str("window"); w != "" {
		params["window"] = w
	}
	d, err := l.search(ctx, "google_finance", params)
	if err != nil {
		return nil, err
	}
	return engine.Single(d), nil
}

func (l *lib) googleJobs(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required for Google Jobs search."); err != nil {
		return nil, err
	}
	params := map[string]string{"q": q, "hl": "en", "gl": "us"}
	if loc := in.Str("location"); loc != "" {
		params["location"] = loc
	}
	d, err := l.search(ctx, "google_jobs", params)
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "jobs_results"), in.Int("num_results"))
	text, err := formatResults(ctx, results, field("company_name", "Company"), field("location", "Location"),
		field("via", "Via"), field("extensions", "Details"))
	return listText(results, text), err
}

func (l *lib) googleLens(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	img := in.Str("image_url")
	if err := required(img, "Image URL is required for Google Lens search."); err != nil {
		return nil, err
	}
	d, err := l.search(ctx, "google_lens", map[string]string{"url": img, "hl": "en"})
	if err != nil {
		return nil, err
	}
	matches := take(listOf(d, "visual_matches"), in.Int("num_results"))
	images := []any{}
	for _, m := range matches {
		if truthy(m, "image") || truthy(m, "thumbnail") {
			images = append(images, imageRef(getOr(m, "image", getOr(m, "thumbnail", ""))))
		}
	}
	return map[string]any{"results": matches, "images": images}, nil
}

func (l *lib) googleMaps(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required for map search."); err != nil {
		return nil, err
	}
	d, err := l.search(ctx, "google_maps", map[string]string{"hl": "en", "gl": "us", "type": "search", "q": q})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "local_results"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		if truthy(r, "address") {
			t.line("    ", getOr(r, "address", nil))
		}
		ratingLine(t, r)
		if truthy(r, "price") {
			t.line("    Price: ", getOr(r, "price", nil))
		}
		if truthy(r, "open_state") {
			t.line("    ", getOr(r, "open_state", nil))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

// ratingLine is the "    Rating: 4.5 (120 reviews)" line several nodes
// write when the result has a rating.
func ratingLine(t *text, r any) {
	if !notNone(r, "rating") {
		return
	}
	if notNone(r, "reviews") {
		t.line("    Rating: ", getOr(r, "rating", nil), " (", getOr(r, "reviews", nil), " reviews)")
		return
	}
	t.line("    Rating: ", getOr(r, "rating", nil))
}

func (l *lib) googleShopping(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required for Google Shopping search."); err != nil {
		return nil, err
	}
	country := in.Str("country")
	if country == "" {
		country = "us"
	}
	params := map[string]string{"q": q, "hl": "en", "gl": country}
	if tbs := shoppingTBS(in.Int("min_price"), in.Int("max_price"), in.Str("condition"), in.Str("sort_by")); tbs != "" {
		params["tbs"] = tbs
	}
	d, err := l.search(ctx, "google_shopping", params)
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "shopping_results"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		if truthy(r, "price") {
			if truthy(r, "old_price") {
				t.line("    Price: ", getOr(r, "price", nil), " (was ", getOr(r, "old_price", nil), ")")
			} else {
				t.line("    Price: ", getOr(r, "price", nil))
			}
		}
		if truthy(r, "source") {
			t.line("    Source: ", getOr(r, "source", nil))
		}
		if truthy(r, "link") {
			t.line("    ", getOr(r, "link", nil))
		}
		if notNone(r, "rating") {
			t.line("    Rating: ", getOr(r, "rating", nil))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

// shoppingTBS builds Google Shopping's tbs filter as NodeTool does:
// mr:1,price:1 before price bounds, p_cond for the condition (refurbished
// counts as used), sort:CODE for the order. Prices of 0 mean none.
func shoppingTBS(minPrice, maxPrice int64, condition, sortBy string) string {
	var parts []string
	if minPrice > 0 || maxPrice > 0 {
		parts = append(parts, "mr:1", "price:1")
	}
	if minPrice > 0 {
		parts = append(parts, "ppr_min:"+itoa(minPrice))
	}
	if maxPrice > 0 {
		parts = append(parts, "ppr_max:"+itoa(maxPrice))
	}
	switch pystr.Lower(condition) {
	case "new":
		parts = append(parts, "p_cond:new")
	case "used", "refurbished":
		parts = append(parts, "p_cond:used")
	}
	if sortBy != "" {
		parts = append(parts, "sort:"+sortBy)
	}
	return strings.Join(parts, ",")
}
