package llm

import (
	"strings"
	"testing"
)

// ListGenerator takes items out of text arriving in pieces of any size,
// looking at each byte a bounded number of times.
func TestListItemScannerPieces(t *testing.T) {
	text := "intro <LIST_ITEM>**One** item</LIST_ITEM>\n<LIST_IT no\n<LIST_ITEM> two\n lines </LIST_ITEM> stray </LIST_ITEM><LIST_ITEM>open"
	_, want := takeListItems(text)
	for size := 1; size <= len(text); size++ {
		var sc listItemScanner
		for i := 0; i < len(text); i += size {
			sc.add(text[i:min(i+size, len(text))])
		}
		if strings.Join(sc.items, "|") != strings.Join(want, "|") {
			t.Errorf("pieces of %d: items %q, want %q", size, sc.items, want)
		}
	}
	// A 200,000-byte item arriving a byte at a time: what the scanner
	// keeps is the open item, searched from where it left off.
	var sc listItemScanner
	sc.add("<LIST_ITEM>")
	for range 200000 {
		sc.add("x")
		if sc.searched != len(sc.buf) {
			t.Fatalf("searched %d of %d bytes", sc.searched, len(sc.buf))
		}
	}
	sc.add("</LIST_ITEM>")
	if len(sc.items) != 1 || len(sc.items[0]) != 200000 || len(sc.buf) != 0 {
		t.Errorf("items %d, buffered %d", len(sc.items), len(sc.buf))
	}
}
