package libpillow

import (
	"math/rand/v2"
	"testing"
)

// resampleRowScalar is the horizontal pass channel by channel, as
// Pillow's C writes it.
func resampleRowScalar(src, dst []uint8, c *coeffs) {
	for xx := range len(dst) / 4 {
		for ch := range 4 {
			s := int32(1 << (precision - 1))
			for i := range c.count[xx] {
				s += int32(src[4*(c.start[xx]+i)+ch]) * c.k[xx*c.ksize+i]
			}
			dst[4*xx+ch] = clipFixed(s)
		}
	}
}

// TestResampleRowPairs: the two-channels-a-multiply horizontal pass gives
// the scalar pass's bytes for extreme rows (alternating black and white,
// which drives the lanes' sums furthest) at many scales, down and up.
func TestResampleRowPairs(t *testing.T) {
	const w = 1024
	rows := [][]uint8{make([]uint8, 4*w), make([]uint8, 4*w), make([]uint8, 4*w)}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range rows[0] {
		rows[0][i] = uint8(255 * ((i / 4) % 2))
		rows[1][i] = uint8(r.IntN(256))
		rows[2][i] = 255
	}
	pairs := make([]int64, 2*w)
	for _, f := range []Filter{Lanczos, Bicubic, Bilinear} {
		for _, out := range []int{1, 3, 17, 64, 100, 333, 512, 1000, 1024, 1500, 4096} {
			c := precompute(w, 0, w, out, f)
			for ri, row := range rows {
				a, b := make([]uint8, 4*out), make([]uint8, 4*out)
				resampleRow(row, a, &c, pairs)
				resampleRowScalar(row, b, &c)
				for i := range a {
					if a[i] != b[i] {
						t.Fatalf("filter support %v, %d -> %d, row %d: byte %d is %d, want %d", f.support, w, out, ri, i, a[i], b[i])
					}
				}
			}
		}
	}
}
