package libpillow

import (
	"fmt"
	"image"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"nodetool/engine"
	"nodetool/nodes/media"
)

// regular is the embedded font every text is drawn with (Go Regular, a
// humanist sans-serif close to DejaVu Sans in metrics): the server reads
// no system fonts and downloads none.
var regular = sync.OnceValues(func() (*opentype.Font, error) { return opentype.Parse(goregular.TTF) })

// MaxTextSize bounds RenderText's font size in pixels.
const MaxTextSize = 1024

func registerDraw(r *engine.Registry, src media.Sources) {
	props := []engine.Prop{
		engine.P("text", "str", `""`, "The text to draw; lines break at newlines."),
		engine.P("font", "font", `{"type": "font", "name": "DejaVuSans", "source": "system", "url": "", "weight": "regular"}`, "The font (the embedded Go Regular font is used whatever is named)."),
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
			Description: "Draws text on an image at (x, y), the top left of the text, in the given size, color and alignment (ImageDraw.text). The text is drawn with the embedded Go Regular font.",
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
// ImageDraw.text does: lines are size*1.2 apart (Pillow adds 4 pixels of
// spacing to the font's line height), aligned within the widest line.
func DrawText(img *image.NRGBA, text string, x, y int, size float64, c interface{ RGBA() (r, g, b, a uint32) }, align string) error {
	f, err := regular()
	if err != nil {
		return err
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return err
	}
	defer face.Close()
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face}
	lines := strings.Split(text, "\n")
	widths := make([]fixed.Int26_6, len(lines))
	var widest fixed.Int26_6
	for i, l := range lines {
		widths[i] = d.MeasureString(l)
		widest = max(widest, widths[i])
	}
	m := face.Metrics()
	step := m.Ascent + m.Descent + fixed.I(4)
	for i, l := range lines {
		dx := fixed.I(x)
		switch align {
		case "center":
			dx += (widest - widths[i]) / 2
		case "right":
			dx += widest - widths[i]
		}
		d.Dot = fixed.Point26_6{X: dx, Y: fixed.I(y) + m.Ascent + step*fixed.Int26_6(i)}
		d.DrawString(l)
	}
	return nil
}
