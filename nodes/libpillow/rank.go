package libpillow

import (
	"image"
	"sync"

	"nodetool/nodes/media"
)

// RankFilter is ImageFilter.RankFilter: each channel of each pixel
// becomes the rank-th smallest value (from 0) of its size x size
// neighbourhood, the image's edges extended (Pillow expands the image by
// size/2 copying its border pixels). Alpha is kept.
//
// Each row slides a histogram of the window along (Huang's method): a
// pixel costs 2*size updates and a walk of at most 32 bins, whatever the
// size. tick is called once a row and stops the work on error.
func RankFilter(img *image.NRGBA, size, rank int, tick func() error) (*image.NRGBA, error) {
	out := image.NewNRGBA(img.Rect)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	half := size / 2
	var (
		mu  sync.Mutex
		err error
	)
	media.Rows(h, func(y0, y1 int) {
		// Per channel: 256 fine bins and 16 coarse bins of 16 values.
		var fine [3][256]int32
		var coarse [3][16]int32
		col := func(x, y int, d int32) {
			xx := min(w-1, max(0, x))
			for dy := -half; dy <= half; dy++ {
				yy := min(h-1, max(0, y+dy))
				p := img.Pix[yy*img.Stride+4*xx:]
				for c := range 3 {
					fine[c][p[c]] += d
					coarse[c][p[c]>>4] += d
				}
			}
		}
		for y := y0; y < y1; y++ {
			mu.Lock()
			stop := err
			if stop == nil {
				stop = tick()
				err = stop
			}
			mu.Unlock()
			if stop != nil {
				return
			}
			fine, coarse = [3][256]int32{}, [3][16]int32{}
			for dx := -half; dx <= half; dx++ {
				col(dx, y, 1)
			}
			for x := range w {
				if x > 0 {
					col(x-half-1, y, -1)
					col(x+half, y, 1)
				}
				o := y*out.Stride + 4*x
				for c := range 3 {
					n := int32(rank)
					b := 0
					for n >= coarse[c][b] {
						n -= coarse[c][b]
						b++
					}
					v := b << 4
					for n >= fine[c][v] {
						n -= fine[c][v]
						v++
					}
					out.Pix[o+c] = uint8(v)
				}
				out.Pix[o+3] = img.Pix[y*img.Stride+4*x+3]
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
