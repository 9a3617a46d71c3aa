package librss

// Parse is the feed reader, for the fuzz target.
func Parse(data []byte) (*Feed, error) { return parse(data, func() error { return nil }) }
