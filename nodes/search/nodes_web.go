package search

import (
	"errors"
	"strings"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// search.bing.*, search.duckduckgo.*, search.international.* (Baidu,
// Yahoo, Naver), search.more_engines.* (Google Maps reviews, Bing shopping
// and videos, YouTube transcripts), search.extended.* (YouTube video
// details, DuckDuckGo news, Yelp reviews, Google Scholar authors),
// search.yelp.* and search.youtube.*.

func (l *lib) registerWeb(add func(*engine.NodeDef)) {
	str := func(name, def, desc string) engine.Prop { return engine.P(name, "str", def, desc) }
	queryNum := func(q, def, n string) []engine.Prop { return []engine.Prop{query(q), numResults(def, n)} }
	add(&engine.NodeDef{
		Type:        "search.bing.BingSearch",
		Description: "Searches Bing and returns the organic web results.\n    bing, search, serp, web, query",
		Props:       queryNum("What to search for.", "10", "The most results to return."),
		Outputs:     resultsText,
		Process: l.formatted("bing", "count", []string{"organic_results"},
			field("link", ""), field("displayed_link", "URL"), field("date", "Date"), field("snippet", "")),
	})
	add(&engine.NodeDef{
		Type:        "search.bing.BingNews",
		Description: "Searches Bing News for current articles and headlines.\n    bing, news, serp, articles, journalism",
		Props:       queryNum("What to search the news for.", "10", "The most articles to return."),
		Outputs:     resultsText,
		Process: l.formatted("bing_news", "count", []string{"organic_results", "news_results"},
			field("link", ""), field("source", "Source"), field("date", "Date"), field("snippet", "")),
	})
	add(&engine.NodeDef{
		Type:        "search.bing.BingImages",
		Description: "Searches Bing Images.\n    bing, images, serp, visual, search",
		Props:       queryNum("What to search images for.", "20", "The most images to return."),
		Outputs:     engine.Out("results", "list[dict]", "text", "str", "images", "list[image]"),
		Process:     l.bingImages,
	})
	add(&engine.NodeDef{
		Type:        "search.duckduckgo.DuckDuckGoSearch",
		Description: "Searches DuckDuckGo and returns the organic web results.\n    duckduckgo, search, web, privacy, query",
		Props:       queryNum("What to search for.", "10", "The most results to return."),
		Outputs:     resultsText,
		Process:     l.duckDuckGo,
	})
	add(&engine.NodeDef{
		Type:        "search.international.BaiduSearch",
		Description: "Searches Baidu, China's largest search engine.\n    baidu, search, serp, web, chinese, china, query",
		Props:       queryNum("What to search for.", "10", "The most results to return (at most 50)."),
		Outputs:     resultsText,
		Process:     l.formatted("baidu", "rn", []string{"organic_results"}, field("link", ""), field("snippet", "")),
	})
	add(&engine.NodeDef{
		Type:        "search.international.YahooSearch",
		Description: "Searches Yahoo and returns the organic web results.\n    yahoo, search, serp, web, query",
		Props:       queryNum("What to search for.", "10", "The most results to return."),
		Outputs:     resultsText,
		Process: l.formatted("yahoo", "", []string{"organic_results"},
			field("link", ""), field("displayed_link", "URL"), field("snippet", "")),
	})
	add(&engine.NodeDef{
		Type:        "search.international.NaverSearch",
		Description: "Searches Naver, South Korea's largest search engine.\n    naver, search, serp, web, korean, korea, query",
		Props:       queryNum("What to search for.", "10", "The most results to return (at most 100)."),
		Outputs:     resultsText,
		Process:     l.formatted("naver", "num", []string{"organic_results"}, field("link", ""), field("snippet", "")),
	})
	add(&engine.NodeDef{
		Type:        "search.more_engines.GoogleMapsReviews",
		Description: "Gets the reviews of a Google Maps place by its data_id (from a Google Maps search).\n    google, maps, reviews, places, ratings, local, business, restaurant",
		Props: []engine.Prop{
			str("data_id", `""`, "The place's data_id, from a Google Maps search result."),
			engine.P("sort_by", "enum(qualityScore, newestFirst, ratingHigh, ratingLow)", `"qualityScore"`, "The order of the reviews.").
				Enum("nodetool.nodes.search.more_engines.ReviewSortOrder"),
			numResults("10", "How many reviews (1 to 20).").Range(1, 20),
		},
		Outputs: resultsText,
		Process: l.googleMapsReviews,
	})
	add(&engine.NodeDef{
		Type:        "search.more_engines.BingShopping",
		Description: "Searches Bing Shopping for products, prices and sellers.\n    bing, shopping, products, prices, ecommerce, deals, buy",
		Props:       queryNum("The product to search for.", "10", "The most products to return."),
		Outputs:     resultsText,
		Process: l.formatted("bing_shopping", "count", []string{"shopping_results"}, field("price", "Price"), field("seller", "Seller"),
			field("source", "Source"), field("rating", "Rating"), field("reviews", "Reviews"), field("link", "")),
	})
	add(&engine.NodeDef{
		Type:        "search.more_engines.BingVideos",
		Description: "Searches Bing Videos.\n    bing, videos, search, media, streaming, content",
		Props:       queryNum("What videos to look for.", "10", "The most videos to return."),
		Outputs:     resultsText,
		Process: l.formatted("bing_videos", "count", []string{"video_results"}, field("source", "Source"), field("channel", "Channel"),
			field("length", "Duration"), field("views", "Views"), field("date", "Date"), field("link", "")),
	})
	add(&engine.NodeDef{
		Type:        "search.more_engines.YouTubeTranscript",
		Description: "Gets the transcript of a YouTube video, as one text and as timed segments.\n    youtube, transcript, subtitles, captions, text, video, speech",
		Props: []engine.Prop{
			str("video_id", `""`, "The video's id (after v= in its URL)."),
			str("lang", `"en"`, "The transcript's language (en, es, de...)."),
		},
		Outputs: engine.Out("text", "str", "segments", "list[dict]"),
		Process: l.youTubeTranscript,
	})
	add(&engine.NodeDef{
		Type:        "search.extended.YouTubeVideo",
		Description: "Gets the details of a YouTube video: title, views, likes, channel, chapters.\n    youtube, video, details, metadata, views, likes, channel",
		Props:       []engine.Prop{str("video_id", `""`, "The video's id (the v parameter of its URL).")},
		Outputs:     engine.Out("output", "dict"),
		Process:     l.youTubeVideo,
	})
	add(&engine.NodeDef{
		Type:        "search.extended.DuckDuckGoNews",
		Description: "Searches DuckDuckGo News for recent articles.\n    duckduckgo, news, search, articles, current events, media",
		Props:       queryNum("What to search the news for.", "10", "The most articles to return."),
		Outputs:     resultsText,
		Process:     l.duckDuckGoNews,
	})
	add(&engine.NodeDef{
		Type:        "search.extended.YelpReviews",
		Description: "Gets the reviews of a Yelp business by its place id.\n    yelp, reviews, business, ratings, feedback, local",
		Props: []engine.Prop{
			str("place_id", `""`, "The Yelp place id."),
			numResults("10", "The most reviews to return."),
		},
		Outputs: resultsText,
		Process: l.yelpReviews,
	})
	add(&engine.NodeDef{
		Type:        "search.extended.GoogleScholarAuthor",
		Description: "Gets a Google Scholar author's profile: articles, citations, h-index, co-authors.\n    google, scholar, author, academic, researcher, citations, h-index, publications",
		Props:       []engine.Prop{str("author_id", `""`, "The author's id (in their profile's URL).")},
		Outputs:     engine.Out("output", "dict"),
		Process:     l.scholarAuthor,
	})
	add(&engine.NodeDef{
		Type:        "search.yelp.YelpSearch",
		Description: "Searches Yelp for businesses, restaurants and services.\n    yelp, search, businesses, restaurants, reviews, local",
		Props: []engine.Prop{
			query("The kind of business or its name."),
			str("location", `""`, "Where to search (e.g. 'San Francisco, CA')."),
			numResults("10", "The most businesses to return."),
		},
		Outputs: resultsText,
		Process: l.yelpSearch,
	})
	add(&engine.NodeDef{
		Type:        "search.youtube.YouTubeSearch",
		Description: "Searches YouTube for videos and channels.\n    youtube, search, video, content, streaming, media",
		Props:       queryNum("What videos to look for.", "10", "The most videos to return."),
		Outputs:     resultsText,
		Process:     l.youTubeSearch,
	})
}

// formatted is a search_raw node with query and num_results whose text is
// format_results over fields: engine eng with q (p for Yahoo) and
// num_results as numParam (none when ""), results under the first of keys
// that has any.
func (l *lib) formatted(eng, numParam string, keys []string, fields ...[2]string) engine.ProcessFunc {
	return func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
		q := in.Str("query")
		if err := required(q, "Query is required"); err != nil {
			return nil, err
		}
		params := map[string]string{"q": q}
		switch eng {
		case "yahoo":
			params = map[string]string{"p": q}
		case "naver":
			params = map[string]string{"query": q}
		}
		if numParam != "" {
			params[numParam] = itoa(in.Int("num_results"))
		}
		d, err := l.raw(ctx, eng, params)
		if err != nil {
			return nil, err
		}
		var results []any
		for _, k := range keys {
			if results = listOf(d, k); len(results) > 0 {
				break
			}
		}
		results = take(results, in.Int("num_results"))
		text, err := formatResults(ctx, results, fields...)
		return listText(results, text), err
	}
}

func (l *lib) bingImages(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	d, err := l.raw(ctx, "bing_images", map[string]string{"q": q, "count": itoa(in.Int("num_results"))})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "images_results"), in.Int("num_results"))
	text, err := formatResults(ctx, results, field("source", "Source"), field("original", ""), field("size", "Size"))
	if err != nil {
		return nil, err
	}
	images := []any{}
	for _, r := range results {
		if truthy(r, "original") {
			images = append(images, imageRef(getOr(r, "original", "")))
		}
	}
	return map[string]any{"results": results, "text": text, "images": images}, nil
}

func (l *lib) duckDuckGo(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	d, err := l.search(ctx, "duckduckgo", map[string]string{"q": q})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "organic_results"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		for _, k := range []string{"snippet", "displayed_link", "link"} {
			if truthy(r, k) {
				t.line("    ", getOr(r, k, nil))
			}
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

func (l *lib) googleMapsReviews(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	id := in.Str("data_id")
	if err := required(id, "data_id is required. Use a Google Maps search to find the place data_id."); err != nil {
		return nil, err
	}
	d, err := l.raw(ctx, "google_maps_reviews", map[string]string{"data_id": id, "sort_by": in.Str("sort_by"), "num": itoa(in.Int("num_results"))})
	if err != nil {
		return nil, err
	}
	reviews := take(listOf(d, "reviews"), in.Int("num_results"))
	t := newText(ctx)
	if place := mapGet(d, "place_info"); pyval.Truthy(place) {
		place = dictOr(place)
		if title := getOr(place, "title", ""); pyval.Truthy(title) {
			header := "Place: " + pyval.Str(title)
			if r := getOr(place, "rating", ""); pyval.Truthy(r) {
				header += " | Rating: " + pyval.Str(r)
			}
			if n := getOr(place, "reviews", ""); pyval.Truthy(n) {
				header += " | Total reviews: " + pyval.Str(n)
			}
			t.add(header + "\n\n")
		}
	}
	for i, r := range reviews {
		name := any("Anonymous")
		if u, ok := getOr(r, "user", nil).(*pyval.Dict); ok {
			name = getOr(u, "name", "Anonymous")
		}
		t.line("[", int64(i+1), "] ", name, " - ", getOr(r, "rating", "N/A"), "/5")
		date := getOr(r, "date", nil)
		if !pyval.Truthy(date) {
			date = getOr(r, "iso_date", "")
		}
		if pyval.Truthy(date) {
			t.line("    Date: ", date)
		}
		if truthy(r, "snippet") {
			t.line("    ", getOr(r, "snippet", nil))
		}
		if truthy(r, "source") {
			t.line("    Source: ", getOr(r, "source", nil))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(reviews, text), err
}

func (l *lib) youTubeTranscript(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	id := in.Str("video_id")
	if err := required(id, "video_id is required"); err != nil {
		return nil, err
	}
	d, err := l.raw(ctx, "youtube_video_transcript", map[string]string{"v": id, "language_code": in.Str("lang")})
	if err != nil {
		return nil, err
	}
	segments := take(listOf(d, "transcript"), -1)
	var parts []string
	size := 0
	for _, s := range segments {
		if !truthy(s, "snippet") {
			continue
		}
		p := pystr.Strip(pyval.Str(getOr(s, "snippet", "")))
		if size += len(p) + 1; int64(size) > ctx.MaxValue() {
			return nil, ctx.CheckSize(int64(size))
		}
		parts = append(parts, p)
	}
	return map[string]any{"text": strings.Join(parts, " "), "segments": segments}, nil
}

// youTubeVideoKeys are the details YouTubeVideo keeps of the answer.
var youTubeVideoKeys = []string{"title", "thumbnail", "views", "extracted_views", "likes", "extracted_likes", "published_date",
	"live", "description", "comment_count", "extracted_comment_count"}

func (l *lib) youTubeVideo(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	id := in.Str("video_id")
	if err := required(id, "Video ID is required"); err != nil {
		return nil, err
	}
	d, err := l.raw(ctx, "youtube_video", map[string]string{"v": id})
	if err != nil {
		return nil, err
	}
	info := pyval.NewDict(len(youTubeVideoKeys) + 3)
	for _, k := range youTubeVideoKeys {
		if v, ok := d.Get(k); ok {
			info.Set(k, v)
		}
	}
	for _, k := range []string{"channel", "chapters"} {
		if v := mapGet(d, k); pyval.Truthy(v) {
			info.Set(k, v)
		}
	}
	if v := mapGet(d, "related_videos"); pyval.Truthy(v) {
		info.Set("related_video_count", int64(pyLen(v)))
	}
	return engine.Single(info), nil
}

func (l *lib) duckDuckGoNews(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	d, err := l.raw(ctx, "duckduckgo_news", map[string]string{"q": q})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "news_results"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		if truthy(r, "source") {
			t.line("    Source: ", getOr(r, "source", nil))
		}
		if truthy(r, "date") {
			t.line("    Date: ", getOr(r, "date", nil))
		}
		if truthy(r, "snippet") {
			t.line("    ", getOr(r, "snippet", nil))
		}
		if truthy(r, "link") {
			t.line("    ", getOr(r, "link", nil))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

func (l *lib) yelpReviews(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	id := in.Str("place_id")
	if err := required(id, "Place ID is required"); err != nil {
		return nil, err
	}
	d, err := l.raw(ctx, "yelp_reviews", map[string]string{"place_id": id})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "reviews"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		name := any("Anonymous")
		if u, ok := getOr(r, "user", pyval.NewDict(0)).(*pyval.Dict); ok {
			name = getOr(u, "name", "Anonymous")
		}
		t.line("[", getOr(r, "position", int64(i+1)), "] Review by ", name)
		if notNone(r, "rating") {
			t.line("    Rating: ", getOr(r, "rating", nil), "/5")
		}
		if truthy(r, "date") {
			t.line("    Date: ", getOr(r, "date", nil))
		}
		var body any = ""
		switch c := getOr(r, "comment", pyval.NewDict(0)).(type) {
		case *pyval.Dict:
			body = getOr(c, "text", "")
		default:
			if pyval.Truthy(c) {
				body = pyval.Str(c)
			}
		}
		if pyval.Truthy(body) {
			t.line("    ", ellipsis(body, 200))
		}
		if tags := getOr(r, "tags", nil); pyval.Truthy(tags) {
			l, _ := tags.([]any)
			t.line("    Tags: ", joinStr(l))
		}
		if truthy(r, "owner_replies") {
			t.line("    Owner replied: Yes")
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

// scholarAuthorKeys are the parts of an author's profile kept, when true.
var scholarAuthorKeys = []string{"author", "articles", "cited_by", "public_access", "co_authors"}

func (l *lib) scholarAuthor(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	id := in.Str("author_id")
	if err := required(id, "Author ID is required"); err != nil {
		return nil, err
	}
	d, err := l.raw(ctx, "google_scholar_author", map[string]string{"author_id": id})
	if err != nil {
		return nil, err
	}
	profile := pyval.NewDict(len(scholarAuthorKeys))
	for _, k := range scholarAuthorKeys {
		if v := mapGet(d, k); pyval.Truthy(v) {
			profile.Set(k, v)
		}
	}
	return engine.Single(profile), nil
}

func (l *lib) yelpSearch(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q, loc := in.Str("query"), in.Str("location")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	if loc == "" {
		return nil, errors.New("Location is required for Yelp search")
	}
	d, err := l.search(ctx, "yelp", map[string]string{"find_desc": q, "find_loc": loc})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "organic_results"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		ratingLine(t, r)
		if truthy(r, "price") {
			t.line("    Price: ", getOr(r, "price", nil))
		}
		if truthy(r, "address") {
			t.line("    Address: ", getOr(r, "address", nil))
		}
		if cats, ok := getOr(r, "categories", nil).([]any); ok && len(cats) > 0 {
			t.line("    Categories: ", joinStr(cats))
		}
		if truthy(r, "link") {
			t.line("    ", getOr(r, "link", nil))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

func (l *lib) youTubeSearch(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	d, err := l.search(ctx, "youtube", map[string]string{"search_query": q, "gl": "us", "hl": "en"})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "video_results"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", getOr(r, "position_on_page", int64(i+1))), "] ", getOr(r, "title", "Untitled"))
		channel := getOr(r, "channel", "")
		if c, ok := channel.(*pyval.Dict); ok {
			channel = getOr(c, "name", "")
		}
		if pyval.Truthy(channel) {
			t.line("    Channel: ", channel)
		}
		if notNone(r, "views") {
			t.line("    Views: ", commas(getOr(r, "views", nil)))
		}
		for _, f := range [][2]string{{"published_date", "Published"}, {"length", "Duration"}} {
			if truthy(r, f[0]) {
				t.line("    ", f[1], ": ", getOr(r, f[0], nil))
			}
		}
		if truthy(r, "link") {
			t.line("    ", getOr(r, "link", nil))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}
