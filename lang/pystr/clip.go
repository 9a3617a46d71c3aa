package pystr

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// ClipQuote quotes s for an error message, cut to a readable length.
func ClipQuote(s string) string {
	return strconv.Quote(Clip(s, 80))
}

// Clip cuts s to at most n bytes (at a character boundary), marking the
// cut with "...".
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// ClipCount cuts s to at most n bytes (at a character boundary), saying
// how many bytes were cut.
func ClipCount(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + fmt.Sprintf("… (%d more bytes)", len(s)-n)
}
