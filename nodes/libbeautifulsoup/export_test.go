package libbeautifulsoup

// TextOf parses s and returns its text as HTMLToText and
// WebsiteContentExtractor make it, for the fuzz target.
func TextOf(s string) (string, string, error) {
	doc, err := parseHTML(s, func() error { return nil }, func(int64) error { return nil })
	if err != nil {
		return "", "", err
	}
	text := htmlToText(doc, true)
	doc, _ = parseHTML(s, func() error { return nil }, func(int64) error { return nil })
	return text, mainContent(doc), nil
}
