package search

import (
	"errors"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// search.google_extra.* (events, flights, hotels, patents, videos,
// autocomplete), search.google_trends_extra.GoogleTrendingNow,
// search.trends.GoogleTrends, search.scholar.GoogleScholar and
// search.google_play.GooglePlaySearch.

func (l *lib) registerGoogleExtra(add func(*engine.NodeDef)) {
	str := func(name, def, desc string) engine.Prop { return engine.P(name, "str", def, desc) }
	num := func(name, def, desc string) engine.Prop { return engine.P(name, "int", def, desc) }
	add(&engine.NodeDef{
		Type:        "search.google_extra.GoogleEvents",
		Description: "Searches Google Events for concerts, festivals and other local events.\n    google, events, concerts, festivals, activities, local",
		Props: []engine.Prop{
			query("What events to look for (e.g. 'concerts in Austin')."),
			str("location", `""`, "Where the events should be."),
			numResults("10", "The most events to return."),
		},
		Outputs: resultsText,
		Process: l.googleEvents,
	})
	add(&engine.NodeDef{
		Type:        "search.google_extra.GoogleFlights",
		Description: "Searches Google Flights for flights, prices and layovers.\n    google, flights, airline, tickets, travel, booking",
		Props: []engine.Prop{
			str("departure_id", `""`, "The departure airport code (JFK) or location kgmid."),
			str("arrival_id", `""`, "The arrival airport code (LHR) or location kgmid."),
			str("outbound_date", `""`, "The departure date, YYYY-MM-DD."),
			str("return_date", `""`, "The return date, YYYY-MM-DD (empty for one way)."),
			num("trip_type", "1", "1 round trip, 2 one way, 3 multi-city."),
			num("adults", "1", "How many adults travel."),
			num("travel_class", "1", "1 economy, 2 premium economy, 3 business, 4 first."),
			str("currency", `"USD"`, "The currency of the prices."),
			num("stops", "0", "0 any, 1 non-stop, 2 at most one stop, 3 at most two."),
			num("sort_by", "1", "1 top, 2 price, 3 departure, 4 arrival, 5 duration, 6 emissions."),
		},
		Outputs: resultsText,
		Process: l.googleFlights,
	})
	add(&engine.NodeDef{
		Type:        "search.google_extra.GoogleHotels",
		Description: "Searches Google Hotels for places to stay, with prices and ratings.\n    google, hotels, accommodation, travel, booking, lodging",
		Props: []engine.Prop{
			query("Where or what to stay at (e.g. 'hotels in Paris')."),
			str("check_in_date", `""`, "The check-in date, YYYY-MM-DD."),
			str("check_out_date", `""`, "The check-out date, YYYY-MM-DD."),
			num("adults", "2", "How many adults."),
			num("children", "0", "How many children."),
			str("currency", `"USD"`, "The currency of the prices."),
			num("sort_by", "0", "0 default, 3 lowest price, 8 highest rating, 13 most reviewed."),
			num("min_price", "0", "The lowest price per night (0: none)."),
			num("max_price", "0", "The highest price per night (0: none)."),
			num("hotel_class", "0", "The fewest stars, 2 to 5 (0: any)."),
		},
		Outputs: resultsText,
		Process: l.googleHotels,
	})
	add(&engine.NodeDef{
		Type:        "search.google_extra.GooglePatents",
		Description: "Searches Google Patents for patents and applications.\n    google, patents, intellectual property, inventions, prior art, filings",
		Props: []engine.Prop{
			query("Keywords, patent numbers or concepts."),
			numResults("10", "Results per page (10 to 100)."),
			str("sort", `""`, "new (newest first), old (oldest first), or empty for relevance."),
			str("inventor", `""`, "Inventors to filter by, comma-separated."),
			str("assignee", `""`, "Assignees to filter by, comma-separated."),
			str("country", `""`, "Country codes to filter by, comma-separated (US,EP,WO)."),
			str("status", `""`, "GRANT or APPLICATION."),
			str("language", `""`, "A language to filter by (ENGLISH, GERMAN...)."),
			str("before_date", `""`, "The latest date, as type:YYYYMMDD (publication:20230101)."),
			str("after_date", `""`, "The earliest date, as type:YYYYMMDD (filing:20200101)."),
		},
		Outputs: resultsText,
		Process: l.googlePatents,
	})
	add(&engine.NodeDef{
		Type:        "search.google_extra.GoogleVideos",
		Description: "Searches Google Videos for videos across the web.\n    google, videos, search, media, clips, streaming",
		Props: []engine.Prop{
			query("What videos to look for."),
			numResults("10", "The most videos to return."),
			str("location", `""`, "Where to search from."),
		},
		Outputs: resultsText,
		Process: l.googleVideos,
	})
	add(&engine.NodeDef{
		Type:        "search.google_extra.GoogleAutocomplete",
		Description: "Lists Google's autocomplete suggestions for the start of a query.\n    google, autocomplete, suggestions, search, typeahead, completion",
		Props: []engine.Prop{
			query("The start of a query."),
			str("language", `""`, "A two-letter language code (en, de...)."),
			str("country", `""`, "A two-letter country code (us, de...)."),
		},
		Outputs: resultsText,
		Process: l.googleAutocomplete,
	})
	add(&engine.NodeDef{
		Type:        "search.google_trends_extra.GoogleTrendingNow",
		Description: "Lists what is trending on Google now, with search volumes and categories.\n    google, trends, trending, viral, popular, realtime, daily, buzz",
		Props: []engine.Prop{
			str("geo", `"US"`, "The country (US, GB, DE...)."),
			str("category", `"all"`, "A category id, or all."),
			engine.P("frequency", "enum(realtime, daily)", `"realtime"`, "realtime or daily trends.").Enum("nodetool.nodes.search.google_trends_extra.TrendingFrequency"),
			num("hours", "24", "The time range in hours: 4, 24, 48 or 168."),
		},
		Outputs: resultsText,
		Process: l.googleTrendingNow,
	})
	add(&engine.NodeDef{
		Type:        "search.trends.GoogleTrends",
		Description: "Gets Google Trends data: interest in a search term over time.\n    google, trends, popularity, interest, analytics, zeitgeist",
		Props: []engine.Prop{
			query("The search term."),
			str("date", `""`, "The time range (today 12-m, today 3-m, 2024-01-01 2024-12-31)."),
			str("geo", `""`, "The region (US, GB, DE...)."),
		},
		Outputs: engine.Out("output", "dict"),
		Process: l.googleTrends,
	})
	add(&engine.NodeDef{
		Type:        "search.scholar.GoogleScholar",
		Description: "Searches Google Scholar for papers, articles and citations.\n    google, scholar, academic, papers, research, citations, science",
		Props:       []engine.Prop{query("What to search the literature for."), numResults("10", "The most papers to return.")},
		Outputs:     resultsText,
		Process:     l.googleScholar,
	})
	add(&engine.NodeDef{
		Type:        "search.google_play.GooglePlaySearch",
		Description: "Searches the Google Play Store for apps and games.\n    google play, search, apps, games, android, mobile, store",
		Props: []engine.Prop{
			query("The app or game to look for."),
			str("store", `"apps"`, "apps or games."),
			numResults("10", "The most apps to return."),
		},
		Outputs: resultsText,
		Process: l.googlePlay,
	})
}

func (l *lib) googleEvents(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	params := map[string]string{"q": q}
	if loc := in.Str("location"); loc != "" {
		params["location"] = loc
	}
	d, err := l.raw(ctx, "google_events", params)
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "events_results"), in.Int("num_results"))
	text, err := formatResults(ctx, results, field("date", "Date"), field("address", "Address"), field("link", ""),
		field("description", ""), field("venue", "Venue"))
	return listText(results, text), err
}

func (l *lib) googleFlights(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	if in.Str("departure_id") == "" || in.Str("arrival_id") == "" {
		return nil, errors.New("Both departure_id and arrival_id are required")
	}
	if in.Str("outbound_date") == "" {
		return nil, errors.New("Outbound date is required")
	}
	if in.Int("trip_type") == 1 && in.Str("return_date") == "" {
		return nil, errors.New("Return date is required for round trip flights")
	}
	params := map[string]string{
		"departure_id": in.Str("departure_id"), "arrival_id": in.Str("arrival_id"), "outbound_date": in.Str("outbound_date"),
		"type": itoa(in.Int("trip_type")), "adults": itoa(in.Int("adults")), "travel_class": itoa(in.Int("travel_class")),
		"currency": in.Str("currency"),
	}
	if rd := in.Str("return_date"); rd != "" {
		params["return_date"] = rd
	}
	if s := in.Int("stops"); s != 0 {
		params["stops"] = itoa(s)
	}
	if s := in.Int("sort_by"); s != 1 {
		params["sort_by"] = itoa(s)
	}
	d, err := l.raw(ctx, "google_flights", params)
	if err != nil {
		return nil, err
	}
	best, other := listOf(d, "best_flights"), listOf(d, "other_flights")
	all := make([]any, 0, len(best)+len(other))
	all = append(append(all, best...), other...)
	t := newText(ctx)
	if len(best) > 0 {
		t.line("=== Best Flights ===")
		formatFlights(t, best)
	}
	if len(other) > 0 {
		t.line("=== Other Flights ===")
		formatFlights(t, other)
	}
	if pi := mapGet(d, "price_insights"); pyval.Truthy(pi) {
		if truthy(pi, "lowest_price") {
			t.line("Lowest Price: ", getOr(pi, "lowest_price", nil))
		}
		if truthy(pi, "typical_price_range") {
			t.line("Typical Range: ", getOr(pi, "typical_price_range", nil))
		}
	}
	if t.lines == 0 {
		t.line("No flights found.")
	}
	text, err := t.done()
	return listText(all, text), err
}

// formatFlights writes flight options as NodeTool's _format_flights does.
func formatFlights(t *text, flights []any) {
	for i, opt := range flights {
		t.line("--- Option ", int64(i+1), " ---")
		if truthy(opt, "price") {
			t.line("  Price: ", getOr(opt, "price", nil))
		}
		if truthy(opt, "total_duration") {
			if h, m, ok := divmod60(getOr(opt, "total_duration", nil)); ok {
				t.line("  Total Duration: ", h, "h ", m, "m")
			}
		}
		if truthy(opt, "type") {
			t.line("  Type: ", getOr(opt, "type", nil))
		}
		if carbon := dictOr(getOr(opt, "carbon_emissions", nil)); truthy(carbon, "this_flight") {
			t.line("  CO2 Emissions: ", getOr(carbon, "this_flight", nil), "g")
		}
		for j, seg := range listOf(opt, "flights") {
			dep, arr := dictOr(getOr(seg, "departure_airport", nil)), dictOr(getOr(seg, "arrival_airport", nil))
			t.line("  Leg ", int64(j+1), ": ", getOr(dep, "name", "?"), " (", getOr(dep, "id", "?"), ") ", getOr(dep, "time", "?"),
				" -> ", getOr(arr, "name", "?"), " (", getOr(arr, "id", "?"), ") ", getOr(arr, "time", "?"))
			if truthy(seg, "airline") {
				t.line("    Airline: ", getOr(seg, "airline", nil), " ", getOr(seg, "flight_number", ""))
			}
			if truthy(seg, "duration") {
				t.line("    Duration: ", getOr(seg, "duration", nil), " min")
			}
			if truthy(seg, "travel_class") {
				t.line("    Class: ", getOr(seg, "travel_class", nil))
			}
		}
		for _, lay := range listOf(opt, "layovers") {
			lay = dictOr(lay)
			t.line("  Layover: ", getOr(lay, "name", "?"), " (", getOr(lay, "id", "?"), ") - ", getOr(lay, "duration", "?"), " min")
		}
		t.line("")
	}
}

func (l *lib) googleHotels(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	if in.Str("check_in_date") == "" || in.Str("check_out_date") == "" {
		return nil, errors.New("Both check_in_date and check_out_date are required")
	}
	params := map[string]string{"q": q, "check_in_date": in.Str("check_in_date"), "check_out_date": in.Str("check_out_date"),
		"adults": itoa(in.Int("adults")), "currency": in.Str("currency")}
	if n := in.Int("children"); n > 0 {
		params["children"] = itoa(n)
	}
	if n := in.Int("sort_by"); n != 0 {
		params["sort_by"] = itoa(n)
	}
	if n := in.Int("min_price"); n > 0 {
		params["min_price"] = itoa(n)
	}
	if n := in.Int("max_price"); n > 0 {
		params["max_price"] = itoa(n)
	}
	if n := in.Int("hotel_class"); n >= 2 {
		params["hotel_class"] = itoa(n)
	}
	d, err := l.raw(ctx, "google_hotels", params)
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "properties"), -1)
	t := newText(ctx)
	for i, p := range results {
		t.line("[", int64(i+1), "] ", getOr(p, "name", "Untitled"))
		if truthy(p, "type") {
			t.line("    Type: ", getOr(p, "type", nil))
		}
		cls := getOr(p, "hotel_class", nil)
		if !pyval.Truthy(cls) {
			cls = getOr(p, "extracted_hotel_class", nil)
		}
		if pyval.Truthy(cls) {
			t.line("    Class: ", cls, "-star")
		}
		if notNone(p, "overall_rating") {
			if notNone(p, "reviews") {
				t.line("    Rating: ", getOr(p, "overall_rating", nil), " (", getOr(p, "reviews", nil), " reviews)")
			} else {
				t.line("    Rating: ", getOr(p, "overall_rating", nil))
			}
		}
		if rate := dictOr(getOr(p, "rate_per_night", nil)); truthy(rate, "lowest") {
			t.line("    Price: ", getOr(rate, "lowest", nil), "/night")
		}
		if total := dictOr(getOr(p, "total_rate", nil)); truthy(total, "lowest") {
			t.line("    Total: ", getOr(total, "lowest", nil))
		}
		if truthy(p, "description") {
			t.line("    ", prefix(getOr(p, "description", nil), 200))
		}
		ci, co := getOr(p, "check_in_time", nil), getOr(p, "check_out_time", nil)
		if pyval.Truthy(ci) || pyval.Truthy(co) {
			t.line("    Check-in: ", orNA(ci), " / Check-out: ", orNA(co))
		}
		t.line("")
	}
	if t.lines == 0 {
		t.line("No hotels found.")
	}
	text, err := t.done()
	return listText(results, text), err
}

// prefix is v[:n] of a text (by characters); other values print whole.
func prefix(v any, n int) any {
	if s, ok := v.(string); ok {
		return runePrefix(s, n)
	}
	return v
}

// orNA is Python's (v or 'N/A').
func orNA(v any) any {
	if pyval.Truthy(v) {
		return v
	}
	return "N/A"
}

func (l *lib) googlePatents(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	params := map[string]string{"q": q, "num": itoa(in.Int("num_results"))}
	for _, p := range [][2]string{{"sort", "sort"}, {"inventor", "inventor"}, {"assignee", "assignee"}, {"country", "country"},
		{"status", "status"}, {"language", "language"}, {"before_date", "before"}, {"after_date", "after"}} {
		if v := in.Str(p[0]); v != "" {
			params[p[1]] = v
		}
	}
	d, err := l.raw(ctx, "google_patents", params)
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "organic_results"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		for _, f := range [][2]string{{"patent_id", "Patent ID"}, {"assignee", "Assignee"}, {"inventor", "Inventor"},
			{"filing_date", "Filing Date"}, {"grant_date", "Grant Date"}, {"priority_date", "Priority Date"}} {
			if truthy(r, f[0]) {
				t.line("    ", f[1], ": ", getOr(r, f[0], nil))
			}
		}
		if truthy(r, "snippet") {
			t.line("    ", prefix(getOr(r, "snippet", nil), 200))
		}
		if truthy(r, "patent_link") {
			t.line("    ", getOr(r, "patent_link", nil))
		}
		t.line("")
	}
	if t.lines == 0 {
		t.line("No patents found.")
	}
	text, err := t.done()
	return listText(results, text), err
}

func (l *lib) googleVideos(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	params := map[string]string{"q": q}
	if loc := in.Str("location"); loc != "" {
		params["location"] = loc
	}
	d, err := l.raw(ctx, "google_videos", params)
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "video_results"), in.Int("num_results"))
	text, err := formatResults(ctx, results, field("link", ""), field("displayed_link", "Source"), field("duration", "Duration"),
		field("date", "Date"), field("snippet", ""))
	return listText(results, text), err
}

func (l *lib) googleAutocomplete(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	params := map[string]string{"q": q}
	if v := in.Str("language"); v != "" {
		params["hl"] = v
	}
	if v := in.Str("country"); v != "" {
		params["gl"] = v
	}
	d, err := l.raw(ctx, "google_autocomplete", params)
	if err != nil {
		return nil, err
	}
	suggestions := take(listOf(d, "suggestions"), -1)
	t := newText(ctx)
	for i, s := range suggestions {
		if notNone(s, "relevance") {
			t.line("[", int64(i+1), "] ", getOr(s, "value", ""), " (relevance: ", getOr(s, "relevance", nil), ")")
		} else {
			t.line("[", int64(i+1), "] ", getOr(s, "value", ""))
		}
	}
	if t.lines == 0 {
		t.line("No suggestions found.")
	}
	text, err := t.done()
	return listText(suggestions, text), err
}

func (l *lib) googleTrendingNow(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	params := map[string]string{"geo": in.Str("geo"), "hours": itoa(in.Int("hours"))}
	if c := in.Str("category"); c != "" && c != "all" {
		params["category_id"] = c
	}
	d, err := l.raw(ctx, "google_trends_trending_now", params)
	if err != nil {
		return nil, err
	}
	var results []any
	for _, k := range []string{"trending_searches", "realtime_searches", "daily_searches"} {
		if results = listOf(d, k); len(results) > 0 {
			break
		}
	}
	results = take(results, -1)
	t := newText(ctx)
	for i, item := range results {
		t.line("[", int64(i+1), "] ", getOr(item, "query", getOr(item, "title", "Unknown")))
		if notNone(item, "search_volume") {
			t.line("    Traffic: ", commas(getOr(item, "search_volume", nil)), "+ searches")
		}
		if notNone(item, "increase_percentage") {
			t.line("    Increase: ", getOr(item, "increase_percentage", nil), "%")
		}
		if notNone(item, "active") {
			yes := "No"
			if truthy(item, "active") {
				yes = "Yes"
			}
			t.line("    Active: ", yes)
		}
		var names []any
		for _, c := range listOf(item, "categories") {
			if truthy(c, "name") {
				names = append(names, getOr(c, "name", ""))
			}
		}
		if len(names) > 0 {
			t.line("    Categories: ", joinStr(names))
		}
		if related := listOf(item, "trend_breakdown"); len(related) > 0 {
			t.line("    Related: ", joinStr(related[:min(len(related), 5)]))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

// joinStr is ", ".join(str(v) for v in vs).
func joinStr(vs []any) string {
	var b []byte
	for i, v := range vs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, pyval.Str(v)...)
	}
	return string(b)
}

func (l *lib) googleTrends(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	params := map[string]string{"q": q}
	if v := in.Str("date"); v != "" {
		params["date"] = v
	}
	if v := in.Str("geo"); v != "" {
		params["geo"] = v
	}
	d, err := l.search(ctx, "google_trends", params)
	if err != nil {
		return nil, err
	}
	return engine.Single(d), nil
}

func (l *lib) googleScholar(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	d, err := l.search(ctx, "google_scholar", map[string]string{"q": q, "num": itoa(in.Int("num_results")), "hl": "en"})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "organic_results"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		if truthy(r, "publication_info") {
			pub := getOr(r, "publication_info", nil)
			if pd, ok := pub.(*pyval.Dict); ok {
				t.line("    ", getOr(pd, "summary", ""))
			} else {
				t.line("    ", pub)
			}
		}
		if truthy(r, "snippet") {
			t.line("    ", getOr(r, "snippet", nil))
		}
		if cited := dictOr(getOr(dictOr(getOr(r, "inline_links", nil)), "cited_by", nil)); truthy(cited, "total") {
			t.line("    Cited by: ", getOr(cited, "total", nil))
		}
		if truthy(r, "link") {
			t.line("    ", getOr(r, "link", nil))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

func (l *lib) googlePlay(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	d, err := l.raw(ctx, "google_play", map[string]string{"q": q, "store": in.Str("store")})
	if err != nil {
		return nil, err
	}
	var items []any
	for _, section := range listOf(d, "organic_results") {
		items = append(items, listOf(section, "items")...)
	}
	results := take(items, in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		if truthy(r, "product_id") {
			t.line("    ID: ", getOr(r, "product_id", nil))
		}
		if notNone(r, "rating") {
			t.line("    Rating: ", getOr(r, "rating", nil))
		}
		for _, f := range [][2]string{{"author", "Developer"}, {"category", "Category"}, {"downloads", "Downloads"}} {
			if truthy(r, f[0]) {
				t.line("    ", f[1], ": ", getOr(r, f[0], nil))
			}
		}
		if truthy(r, "price") {
			t.line("    Price: ", getOr(r, "price", nil))
		} else if notNone(r, "extracted_price") {
			t.line("    Price: ", getOr(r, "extracted_price", nil))
		}
		if truthy(r, "description") {
			t.line("    ", ellipsis(getOr(r, "description", nil), 150))
		}
		if truthy(r, "link") {
			t.line("    ", getOr(r, "link", nil))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

// ellipsis is NodeTool's "if len(s) > n: s = s[:n-3] + '...'" for a text
// (by characters); other values print whole.
func ellipsis(v any, n int) any {
	if s, ok := v.(string); ok && pyLen(s) > n {
		return runePrefix(s, n-3) + "..."
	}
	return v
}
