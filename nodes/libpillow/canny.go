package libpillow

import (
	"image"

	"nodetool/nodes/media"
)

// Canny is OpenCV's cv2.Canny(image, low, high) on the RGB image, as the
// original calls it (aperture 3, L1 gradient), its 0/255 edge map repeated
// in the three channels of an opaque image:
//
//   - 3x3 Sobel derivatives of each channel, edges replicated; at each pixel
//     the channel of the largest |dx|+|dy| (the first of equals) gives the
//     gradient;
//   - non-maximum suppression along the gradient's direction in four
//     sectors (tan 22.5 degrees in 15-bit fixed point, as OpenCV), the
//     magnitude outside the image 0;
//   - hysteresis: pixels above high are edges, and pixels above low
//     8-connected to an edge.
func Canny(img *image.NRGBA, low, high int) *image.NRGBA {
	if low > high {
		low, high = high, low
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	mag := make([]int32, (w+2)*(h+2)) // a border of zeros
	dxs := make([]int16, w*h)
	dys := make([]int16, w*h)
	px := func(x, y, c int) int32 {
		x = min(w-1, max(0, x))
		y = min(h-1, max(0, y))
		return int32(img.Pix[y*img.Stride+4*x+c])
	}
	media.Rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			for x := range w {
				var bm, bx, by int32 = -1, 0, 0
				for c := range 3 {
					dx := px(x+1, y-1, c) + 2*px(x+1, y, c) + px(x+1, y+1, c) - px(x-1, y-1, c) - 2*px(x-1, y, c) - px(x-1, y+1, c)
					dy := px(x-1, y+1, c) + 2*px(x, y+1, c) + px(x+1, y+1, c) - px(x-1, y-1, c) - 2*px(x, y-1, c) - px(x+1, y-1, c)
					m := abs32(dx) + abs32(dy)
					if m > bm {
						bm, bx, by = m, dx, dy
					}
				}
				mag[(y+1)*(w+2)+x+1] = bm
				dxs[y*w+x], dys[y*w+x] = int16(bx), int16(by)
			}
		}
	})
	// state: 0 a candidate (above low, a local maximum), 1 not an edge,
	// 2 an edge.
	state := make([]uint8, w*h)
	var stack []int
	const shift = 15
	const tg22 = 13573 // tan(22.5 degrees) << 15, rounded
	for y := range h {
		for x := range w {
			i := y*w + x
			mi := (y+1)*(w+2) + x + 1
			m := mag[mi]
			state[i] = 1
			if m <= int32(low) {
				continue
			}
			xs, ys := int32(dxs[i]), int32(dys[i])
			ax := abs32(xs)
			ay := abs32(ys) << shift
			tg22x := ax * tg22
			keep := false
			if ay < tg22x {
				keep = m > mag[mi-1] && m >= mag[mi+1]
			} else {
				tg67x := tg22x + ax<<(shift+1)
				if ay > tg67x {
					keep = m > mag[mi-(w+2)] && m >= mag[mi+(w+2)]
				} else {
					s := 1
					if xs^ys < 0 {
						s = -1
					}
					keep = m > mag[mi-(w+2)-s] && m > mag[mi+(w+2)+s]
				}
			}
			if !keep {
				continue
			}
			if m > int32(high) {
				state[i] = 2
				stack = append(stack, i)
			} else {
				state[i] = 0
			}
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%w, i/w
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				nx, ny := x+dx, y+dy
				if nx < 0 || ny < 0 || nx >= w || ny >= h {
					continue
				}
				if j := ny*w + nx; state[j] == 0 {
					state[j] = 2
					stack = append(stack, j)
				}
			}
		}
	}
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i, s := range state {
		v := uint8(0)
		if s == 2 {
			v = 255
		}
		out.Pix[4*i], out.Pix[4*i+1], out.Pix[4*i+2], out.Pix[4*i+3] = v, v, v, 255
	}
	return out
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}
