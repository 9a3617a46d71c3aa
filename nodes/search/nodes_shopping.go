package search

import (
	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// search.amazon.*, search.ebay.*, search.walmart.* and search.retail.*
// (Home Depot, the Apple App Store).

func (l *lib) registerShopping(add func(*engine.NodeDef)) {
	str := func(name, def, desc string) engine.Prop { return engine.P(name, "str", def, desc) }
	productID := func(desc string) engine.Prop { return str("product_id", `""`, desc) }
	amazonDomain := str("amazon_domain", `"amazon.com"`, "The Amazon site (amazon.com, amazon.co.uk, amazon.de...).")
	ebayDomain := str("ebay_domain", `"ebay.com"`, "The eBay site (ebay.com, ebay.co.uk, ebay.de...).")
	price := func(name, desc string) engine.Prop { return engine.P(name, "float?", "null", desc) }
	add(&engine.NodeDef{
		Type:        "search.amazon.AmazonSearch",
		Description: "Searches Amazon for products, prices and ratings.\n    amazon, search, products, ecommerce, shopping, prices",
		Props:       []engine.Prop{query("The product to search for."), amazonDomain, numResults("10", "The most products to return.")},
		Outputs:     resultsText,
		Process:     l.amazonSearch,
	})
	add(&engine.NodeDef{
		Type:        "search.amazon.AmazonProduct",
		Description: "Gets the details of an Amazon product by its ASIN.\n    amazon, product, details, asin, ecommerce, reviews",
		Props:       []engine.Prop{productID("The product's ASIN."), amazonDomain},
		Outputs:     engine.Out("output", "dict"),
		Process:     l.product("amazon_product", "product_result", "Product ID (ASIN) is required", "amazon_domain"),
	})
	add(&engine.NodeDef{
		Type:        "search.ebay.EbaySearch",
		Description: "Searches eBay for listings, with condition and price filters.\n    ebay, search, products, ecommerce, shopping, prices, auction",
		Props: []engine.Prop{
			query("The item to search for."), ebayDomain, numResults("10", "The most listings to return."),
			str("condition", `""`, "new, used, an eBay condition id, or empty for any."),
			price("min_price", "The lowest price."), price("max_price", "The highest price."),
		},
		Outputs: resultsText,
		Process: l.ebaySearch,
	})
	add(&engine.NodeDef{
		Type:        "search.ebay.EbayProduct",
		Description: "Gets the details of an eBay product by its id.\n    ebay, product, details, ecommerce, reviews, pricing, auction",
		Props:       []engine.Prop{productID("The eBay product id."), ebayDomain},
		Outputs:     engine.Out("output", "dict"),
		Process:     l.product("ebay_product", "product_results", "Product ID is required", "ebay_domain"),
	})
	add(&engine.NodeDef{
		Type:        "search.walmart.WalmartSearch",
		Description: "Searches Walmart for products, with order and price filters.\n    walmart, search, products, ecommerce, shopping, prices",
		Props: []engine.Prop{
			query("The product to search for."), numResults("10", "The most products to return."),
			str("sort_by", `"best_match"`, "best_match, best_seller, price_low, price_high, rating_high or new."),
			price("min_price", "The lowest price."), price("max_price", "The highest price."),
		},
		Outputs: resultsText,
		Process: l.walmartSearch,
	})
	add(&engine.NodeDef{
		Type:        "search.walmart.WalmartProduct",
		Description: "Gets the details of a Walmart product by its id (walmart.com/ip/ID).\n    walmart, product, details, ecommerce, reviews, pricing",
		Props:       []engine.Prop{productID("The Walmart product id.")},
		Outputs:     engine.Out("output", "dict"),
		Process:     l.product("walmart_product", "product_result", "Product ID is required", ""),
	})
	add(&engine.NodeDef{
		Type:        "search.retail.HomeDepotSearch",
		Description: "Searches Home Depot for products and tools.\n    home depot, search, products, hardware, tools, home improvement",
		Props:       []engine.Prop{query("The product to search for."), numResults("10", "The most products to return.")},
		Outputs:     resultsText,
		Process:     l.homeDepotSearch,
	})
	add(&engine.NodeDef{
		Type:        "search.retail.HomeDepotProduct",
		Description: "Gets the details of a Home Depot product by its id.\n    home depot, product, details, home improvement, hardware",
		Props:       []engine.Prop{productID("The Home Depot product id.")},
		Outputs:     engine.Out("output", "dict"),
		Process:     l.product("home_depot_product", "product_result", "Product ID is required", ""),
	})
	add(&engine.NodeDef{
		Type:        "search.retail.AppleAppStore",
		Description: "Searches the Apple App Store for apps and games.\n    apple, app store, search, apps, ios, iphone, ipad, mobile",
		Props: []engine.Prop{
			query("The app to search for."), numResults("10", "The most apps to return."),
			str("country", `"us"`, "A two-letter country code (us, gb, de...)."),
		},
		Outputs: resultsText,
		Process: l.appleAppStore,
	})
}

// product is a product-details node: engine eng with product_id (and the
// domain property, when named), answering the answer's key (or the whole
// answer when it has none).
func (l *lib) product(eng, key, missing, domain string) engine.ProcessFunc {
	return func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
		id := in.Str("product_id")
		if err := required(id, missing); err != nil {
			return nil, err
		}
		params := map[string]string{"product_id": id}
		if domain != "" {
			params[domain] = in.Str(domain)
		}
		var d *pyval.Dict
		var err error
		if eng == "amazon_product" {
			d, err = l.search(ctx, eng, params) // search_amazon_product: no hl, gl
		} else {
			d, err = l.raw(ctx, eng, params)
		}
		if err != nil {
			return nil, err
		}
		if v, ok := d.Get(key); ok {
			return engine.Single(v), nil
		}
		return engine.Single(d), nil
	}
}

func (l *lib) amazonSearch(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	domain := in.Str("amazon_domain")
	d, err := l.search(ctx, "amazon", map[string]string{"amazon_url": "https://www." + domain, "amazon_domain": domain, "q": q})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "organic_results"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		if truthy(r, "asin") {
			t.line("    ASIN: ", getOr(r, "asin", nil))
		}
		if truthy(r, "price") {
			t.line("    Price: ", getOr(r, "price", nil))
		}
		ratingLine(t, r)
		if truthy(r, "link") {
			t.line("    ", getOr(r, "link", nil))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

func (l *lib) ebaySearch(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	params := map[string]string{"_nkw": q, "ebay_domain": in.Str("ebay_domain")}
	if c := in.Str("condition"); c != "" {
		switch pystr.Lower(c) {
		case "new":
			c = "1000"
		case "used":
			c = "3000"
		}
		params["LH_ItemCondition"] = c
	}
	if v := in.Get("min_price"); v != nil {
		params["_udlo"] = ftoa(in.Float("min_price"))
	}
	if v := in.Get("max_price"); v != nil {
		params["_udhi"] = ftoa(in.Float("max_price"))
	}
	d, err := l.raw(ctx, "ebay", params)
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "organic_results"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		if truthy(r, "product_id") {
			t.line("    ID: ", getOr(r, "product_id", nil))
		}
		switch p := getOr(r, "price", nil).(type) {
		case *pyval.Dict:
			if truthy(p, "raw") {
				t.line("    Price: ", getOr(p, "raw", nil))
			}
		default:
			if pyval.Truthy(p) {
				t.line("    Price: ", p)
			}
		}
		if truthy(r, "condition") {
			t.line("    Condition: ", getOr(r, "condition", nil))
		}
		ratingLine(t, r)
		if truthy(r, "shipping") {
			t.line("    Shipping: ", getOr(r, "shipping", nil))
		}
		if truthy(r, "link") {
			t.line("    ", getOr(r, "link", nil))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

func (l *lib) walmartSearch(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	params := map[string]string{"query": q}
	if s := in.Str("sort_by"); s != "" && s != "best_match" {
		params["sort"] = s
	}
	if v := in.Get("min_price"); v != nil {
		params["min_price"] = ftoa(in.Float("min_price"))
	}
	if v := in.Get("max_price"); v != nil {
		params["max_price"] = ftoa(in.Float("max_price"))
	}
	d, err := l.raw(ctx, "walmart", params)
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "organic_results"), in.Int("num_results"))
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		if truthy(r, "us_item_id") {
			t.line("    ID: ", getOr(r, "us_item_id", nil))
		}
		if offer, ok := getOr(r, "primary_offer", nil).(*pyval.Dict); ok && truthy(offer, "offer_price") {
			t.line("    Price: $", getOr(offer, "offer_price", nil))
		}
		ratingLine(t, r)
		if truthy(r, "seller_name") {
			t.line("    Seller: ", getOr(r, "seller_name", nil))
		}
		if truthy(r, "product_page_url") {
			t.line("    ", getOr(r, "product_page_url", nil))
		}
		t.line("")
	}
	text, err := t.done()
	return listText(results, text), err
}

func (l *lib) homeDepotSearch(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	n := in.Int("num_results")
	d, err := l.raw(ctx, "home_depot", map[string]string{"q": q, "ps": itoa(min(n, 48))})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "products"), n)
	text, err := formatResults(ctx, results, field("brand", "Brand"), field("price", "Price"), field("rating", "Rating"),
		field("model_number", "Model"), field("link", ""))
	return listText(results, text), err
}

func (l *lib) appleAppStore(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	q := in.Str("query")
	if err := required(q, "Query is required"); err != nil {
		return nil, err
	}
	n := in.Int("num_results")
	d, err := l.raw(ctx, "apple_app_store", map[string]string{"term": q, "country": in.Str("country"), "num": itoa(min(n, 200))})
	if err != nil {
		return nil, err
	}
	results := take(listOf(d, "organic_results"), n)
	text, err := formatResults(ctx, results, field("developer", "Developer"), field("price", "Price"), field("rating", "Rating"),
		field("description", "Description"), field("link", ""))
	return listText(results, text), err
}
