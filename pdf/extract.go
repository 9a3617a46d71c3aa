package pdf

import "strings"

// PageText is a page's text as PyMuPDF's get_text() gives it: each line
// ended by a newline, blocks in content order.
func PageText(blocks []Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		b.WriteString(bl.Text())
	}
	return b.String()
}
