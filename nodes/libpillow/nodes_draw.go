package libpillow

import (
	"fmt"
	"image"
	"image/draw"
	"strings"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"nodetool/engine"
	"nodetool/nodes/media"
)

// face is the one font every text is drawn with: the embedded 7x13
// bitmap font of golang.org/x/image (ASCII and Latin-1), scaled to the
// requested size. The server reads no system fonts and downloads none.
var face = basicfont.Face7x13

// MaxTextSize bounds RenderText's font size in pixels.
const MaxTextSize = 1024

func registerDraw(r *engine.Registry, src media.Sources) {
	props := []engine.Prop{
		engine.P("text", "str", `""`, "The text to draw; lines break at newlines."),
		engine.P("font", "font", `{"type": "font", "name": "DejaVuSans", "source": "system", "url": "", "weight": "regular"}`, "The font (the one embedded font is used whatever is named)."),
		engine.P("x", "int", "0", "The left edge of the text."),
		engine.P("y", "int", "0", "The top of the text."),
		engine.P("size", "int", "12", "The font size in pixels.").Range(1, 512),
		engine.P("color", "color", `{"type": "color", "value": "#000000"}`, "The text color."),
		engine.P("align", "enum(left, center, right)", `"left"`, "How lines of different widths line up.").Enum("TextAlignment"),
		imgProp("image", "The image to draw on."),
	}
	for _, t := range []string{"lib.pillow.draw.RenderText", "nodetool.lib.pillow.draw.RenderText"} {
		r.Add(&engine.NodeDef{
			Type: t, Title: "Render Text", BasicFields: []string{"text", "font", "x", "y", "size", "color", "align", "image"},
			Description: "Draws text on an image at (x, y), the top left of the text, in the given size, color and alignment (ImageDraw.text). The text is drawn with the one embedded font (a 7x13 bitmap font scaled to the size).",
			Props:       props, Outputs: engine.Out("output", "image"),
			Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				img, err := src.Image(ctx, in.Get("image"))
				if err != nil {
					return nil, err
				}
				size := in.Int("size")
				if size < 1 || size > MaxTextSize {
					return nil, fmt.Errorf("size must be from 1 to %d, got %d", MaxTextSize, size)
				}
				if err := ctx.CheckSize(int64(len(in.Str("text"))) * size * size); err != nil {
					return nil, err
				}
				c, err := parseColor(in.Get("color"))
				if err != nil {
					return nil, err
				}
				if err := DrawText(img, in.Str("text"), int(in.Int("x")), int(in.Int("y")), float64(size), c, in.Str("align")); err != nil {
					return nil, err
				}
				ref, err := media.ImageOut(ctx, img)
				if err != nil {
					return nil, err
				}
				return engine.Single(ref), nil
			},
		})
	}
}

// DrawText draws text on img with its top left at (x, y), as Pillow's
// ImageDraw.text does: each line is size pixels high and lines are size+4
// apart (Pillow adds 4 pixels of spacing to the font's line height),
// aligned within the widest line. Each line is drawn at the bitmap font's
// own size into a coverage mask that is scaled (bilinear) to size.
func DrawText(img *image.NRGBA, text string, x, y int, size float64, c interface{ RGBA() (r, g, b, a uint32) }, align string) error {
	if size < 1 {
		return fmt.Errorf("size must be at least 1, got %v", size)
	}
	scale := size / float64(face.Height)
	src := image.NewUniform(c)
	lines := strings.Split(text, "\n")
	widths := make([]int, len(lines))
	widest := 0
	d := &font.Drawer{Face: face}
	for i, l := range lines {
		widths[i] = int(float64(d.MeasureString(l).Ceil())*scale + 0.5)
		widest = max(widest, widths[i])
	}
	step := int(size+0.5) + 4
	for i, l := range lines {
		if widths[i] == 0 {
			continue
		}
		w := d.MeasureString(l).Ceil()
		mask := image.NewAlpha(image.Rect(0, 0, w, face.Height))
		md := &font.Drawer{Dst: mask, Src: image.Opaque, Face: face, Dot: fixed.P(0, face.Ascent)}
		md.DrawString(l)
		dx := x
		switch align {
		case "center":
			dx += (widest - widths[i]) / 2
		case "right":
			dx += widest - widths[i]
		}
		r := image.Rect(dx, y+step*i, dx+widths[i], y+step*i+int(size+0.5))
		vis := r.Intersect(img.Bounds())
		if vis.Empty() {
			continue
		}
		scaled := image.NewAlpha(r)
		xdraw.ApproxBiLinear.Scale(scaled, r, mask, mask.Bounds(), xdraw.Src, nil)
		draw.DrawMask(img, vis, src, image.Point{}, scaled, vis.Min, draw.Over)
	}
	return nil
}
