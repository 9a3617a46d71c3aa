package engine

import (
	"fmt"
	"testing"
)

func TestTitles(t *testing.T) {
	for in, want := range map[string]string{"FormatText": "Format Text", "ForEach": "For Each", "HTMLToText": "HTML To Text", "GenerateUUID4": "Generate UUID4"} {
		if got := splitCamel(in); got != want {
			t.Errorf("splitCamel(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fmt.Sprint(MustType("list[dict[str, any]]")); got != "list[dict[str, any]]" {
		t.Errorf("type round trip = %q", got)
	}
}
