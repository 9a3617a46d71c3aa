package engine

import "testing"

// A font given by its file name, as older NodeTool files write it, fits
// the font type; other strings do not fit other structured types.
func TestFontByName(t *testing.T) {
	if _, err := Coerce("FreeSans.ttf", MustType("font")); err != nil {
		t.Fatal(err)
	}
	if _, err := Coerce("x", MustType("color")); err == nil {
		t.Fatal("a string fits color")
	}
}
