// Package libgrid holds the lib.grid nodes: cutting an image into a grid
// of tiles and putting tiles back together into one image.
package libgrid

import (
	"fmt"
	"image"
	"image/draw"
	"math"

	"nodetool/engine"
	"nodetool/nodes/base"
	"nodetool/nodes/media"
)

// MaxCells bounds the tiles of a grid.
const MaxCells = 10000

// Register adds lib.grid.SliceImageGrid and CombineImageGrid; images are
// read through src.
func Register(r *engine.Registry, src media.Sources) {
	r.Add(&engine.NodeDef{
		Type:  "lib.grid.SliceImageGrid",
		Title: "Slice Image Grid",
		Description: "Slice an image into a grid of tiles.\n    image, grid, slice, tiles\n\n    Use cases:\n    - Prepare large images for processing in smaller chunks\n    - Create image puzzles or mosaic effects\n    - Distribute image processing tasks across multiple workers" +
			"\n\n    Tiles are listed row by row; the last row and column take what is left. A count of 0 follows from the other and the image's aspect ratio (both 0: 3x3). Unlike the original, pixels left over by the division go to the last row and column instead of making extra thin tiles.",
		Props: []engine.Prop{
			engine.P("image", "image", base.DefImage, "The image to slice into a grid."),
			withMin(engine.P("columns", "int", "0", "Number of columns in the grid."), 0),
			withMin(engine.P("rows", "int", "0", "Number of rows in the grid."), 0),
		},
		Outputs:     engine.Out("output", "list[image]"),
		BasicFields: []string{"image", "columns", "rows"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			img, err := src.Image(ctx, in.Get("image"))
			if err != nil {
				return nil, err
			}
			cols, rows := in.Int("columns"), in.Int("rows")
			w, h := int64(img.Rect.Dx()), int64(img.Rect.Dy())
			switch {
			case cols <= 0 && rows <= 0:
				cols, rows = 3, 3
			case cols <= 0: // keep the tiles' aspect ratio, as the original
				cols = int64(math.Ceil(float64(w) / float64(h) * float64(rows)))
			case rows <= 0:
				rows = int64(math.Ceil(float64(h) / float64(w) * float64(cols)))
			}
			if cols < 0 || rows < 0 || cols > w || rows > h || cols*rows > MaxCells {
				return nil, fmt.Errorf("a %dx%d grid does not fit a %dx%d image (at most %d tiles of at least one pixel)", cols, rows, w, h, MaxCells)
			}
			// The tiles together are the image once more.
			if err := ctx.CheckSize(int64(len(img.Pix)) * 2); err != nil {
				return nil, err
			}
			tw, th := w/cols, h/rows
			tiles := make([]any, 0, cols*rows)
			for r := range rows {
				for c := range cols {
					if err := ctx.Tick(); err != nil {
						return nil, err
					}
					x1, y1 := (c+1)*tw, (r+1)*th
					if c == cols-1 {
						x1 = w
					}
					if r == rows-1 {
						y1 = h
					}
					ref, err := media.ImageOut(ctx, img.SubImage(image.Rect(int(c*tw), int(r*th), int(x1), int(y1))))
					if err != nil {
						return nil, err
					}
					tiles = append(tiles, ref)
				}
			}
			return engine.Single(tiles), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:  "lib.grid.CombineImageGrid",
		Title: "Combine Image Grid",
		Description: "Combine a grid of image tiles into a single image.\n    image, grid, combine, tiles\n\n    Use cases:\n    - Reassemble processed image chunks\n    - Create composite images from smaller parts\n    - Merge tiled image data from distributed processing" +
			"\n\n    Each cell is as large as the largest tile; tiles go row by row from the top left of their cell. Columns 0: the integer square root of the count.",
		Props: []engine.Prop{
			engine.P("tiles", "list[image]", "[]", "List of image tiles to combine."),
			withMin(engine.P("columns", "int", "0", "Number of columns in the grid."), 0),
		},
		Outputs:     engine.Out("output", "image"),
		BasicFields: []string{"tiles", "columns"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			list := in.List("tiles")
			if len(list) == 0 {
				return nil, fmt.Errorf("no tiles to combine")
			}
			if len(list) > MaxCells {
				return nil, fmt.Errorf("%d tiles: at most %d", len(list), MaxCells)
			}
			cols := int(in.Int("columns"))
			if cols <= 0 {
				cols = max(1, int(math.Sqrt(float64(len(list)))))
				for (cols+1)*(cols+1) <= len(list) {
					cols++
				}
			}
			cols = min(cols, len(list))
			rows := (len(list) + cols - 1) / cols
			tiles := make([]*image.NRGBA, len(list))
			cw, ch := 0, 0
			var total int64
			for i, v := range list {
				t, err := src.Image(ctx, v)
				if err != nil {
					return nil, fmt.Errorf("tile %d: %w", i, err)
				}
				tiles[i] = t
				if total += int64(len(t.Pix)); ctx.CheckSize(total) != nil {
					return nil, ctx.CheckSize(total)
				}
				cw, ch = max(cw, t.Rect.Dx()), max(ch, t.Rect.Dy())
			}
			if int64(cw)*int64(cols) > 1<<16 || int64(ch)*int64(rows) > 1<<16 {
				return nil, fmt.Errorf("the combined image would be over 65536 pixels on a side")
			}
			if err := media.CheckPixels(ctx, cw*cols, ch*rows, 4); err != nil {
				return nil, err
			}
			out := image.NewNRGBA(image.Rect(0, 0, cw*cols, ch*rows))
			for i, t := range tiles {
				at := image.Pt(i%cols*cw, i/cols*ch)
				draw.Draw(out, t.Rect.Sub(t.Rect.Min).Add(at), t, t.Rect.Min, draw.Src)
			}
			ref, err := media.ImageOut(ctx, out)
			if err != nil {
				return nil, err
			}
			return engine.Single(ref), nil
		},
	})
}

func withMin(p engine.Prop, min float64) engine.Prop {
	p.Min = &min
	return p
}
