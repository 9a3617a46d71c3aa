package libmath

import (
	"math"
	"math/big"
	"sync"
)

// Correctly rounded elementary functions. Python's math module calls the C
// library, whose pow, log, sin, cos, tan, asin, acos and atan return the
// float nearest to the exact result in practically every case; Go's math
// package is often one unit in the last place off (27 ** (1/3) gives
// 2.9999999999999996 instead of 3.0). So that results print the same as
// the original's, these functions evaluate with big.Float at hpPrec bits and
// round once.

const hpPrec = 192

// piPrec covers argument reduction of any float64: reducing x near 2**1024
// modulo pi/2 cancels about 1024 + 64 bits.
const piPrec = 1400

var hpConst struct {
	once   sync.Once
	ln2    *big.Float // hpPrec bits
	halfPi *big.Float // piPrec bits
}

func hpInit() {
	hpConst.once.Do(func() {
		// ln 2 = 2 atanh(1/3); pi = 16 atan(1/5) - 4 atan(1/239) (Machin).
		hpConst.ln2 = new(big.Float).SetPrec(hpPrec).Mul(big.NewFloat(2), arcSeriesInv(3, hpPrec+16, false))
		a := new(big.Float).SetPrec(piPrec+16).Mul(big.NewFloat(16), arcSeriesInv(5, piPrec+16, true))
		b := new(big.Float).SetPrec(piPrec+16).Mul(big.NewFloat(4), arcSeriesInv(239, piPrec+16, true))
		pi := a.Sub(a, b)
		hpConst.halfPi = new(big.Float).SetPrec(piPrec).SetMantExp(pi, -1)
	})
}

func hpNew() *big.Float { return new(big.Float).SetPrec(hpPrec) }

func hpFloat(x float64) *big.Float { return hpNew().SetFloat64(x) }

// small reports whether term no longer changes sum at hpPrec bits.
func small(term, sum *big.Float, prec uint) bool {
	if term.Sign() == 0 {
		return true
	}
	if sum.Sign() == 0 {
		return false
	}
	return term.MantExp(nil) < sum.MantExp(nil)-int(prec)-4
}

// arcSeriesInv returns atan(1/n) (alternating) or atanh(1/n) at prec bits.
func arcSeriesInv(n int64, prec uint, alternating bool) *big.Float {
	nf := new(big.Float).SetPrec(prec).SetInt64(n)
	n2 := new(big.Float).SetPrec(prec).Mul(nf, nf)
	pow := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1), nf) // 1/n^(2k+1)
	sum := new(big.Float).SetPrec(prec).Set(pow)
	t := new(big.Float).SetPrec(prec)
	for k := int64(1); ; k++ {
		pow.Quo(pow, n2)
		t.Quo(pow, new(big.Float).SetPrec(prec).SetInt64(2*k+1))
		if small(t, sum, prec) {
			return sum
		}
		if alternating && k%2 == 1 {
			sum.Sub(sum, t)
		} else {
			sum.Add(sum, t)
		}
	}
}

// hpExp returns e**x; nil reports overflow, zero underflow.
func hpExp(x *big.Float) *big.Float {
	hpInit()
	if x.Cmp(big.NewFloat(710)) > 0 {
		return nil
	}
	if x.Cmp(big.NewFloat(-760)) < 0 {
		return hpNew()
	}
	// x = k ln2 + r with |r| <= ln2/2; exp(r) = exp(r / 2**16) ** (2**16).
	q := hpNew().Quo(x, hpConst.ln2)
	q.Add(q, big.NewFloat(0.5))
	kf := new(big.Float).SetPrec(hpPrec)
	ki, _ := q.Int(nil)
	if q.Sign() < 0 && !q.IsInt() {
		ki.Sub(ki, big.NewInt(1)) // floor
	}
	kf.SetInt(ki)
	r := hpNew().Sub(x, kf.Mul(kf, hpConst.ln2))
	const s = 16
	r.SetMantExp(r, -s)
	sum := hpNew().SetInt64(1)
	term := hpNew().SetInt64(1)
	for i := int64(1); ; i++ {
		term.Mul(term, r)
		term.Quo(term, hpNew().SetInt64(i))
		if small(term, sum, hpPrec) {
			break
		}
		sum.Add(sum, term)
	}
	for range s {
		sum.Mul(sum, sum)
	}
	return sum.SetMantExp(sum, int(ki.Int64()))
}

// hpLog returns the natural log of x > 0.
func hpLog(x *big.Float) *big.Float {
	hpInit()
	m := hpNew()
	e := x.MantExp(m) // x = m * 2**e, m in [0.5, 1)
	if m.Cmp(big.NewFloat(math.Sqrt2/2)) < 0 {
		m.SetMantExp(m, 1)
		e--
	}
	// log m = 2 atanh(z), z = (m-1)/(m+1), |z| < 0.18.
	one := big.NewFloat(1)
	z := hpNew().Quo(hpNew().Sub(m, one), hpNew().Add(m, one))
	z2 := hpNew().Mul(z, z)
	pow := hpNew().Set(z)
	sum := hpNew().Set(z)
	for k := int64(1); ; k++ {
		pow.Mul(pow, z2)
		t := hpNew().Quo(pow, hpNew().SetInt64(2*k+1))
		if small(t, sum, hpPrec) {
			break
		}
		sum.Add(sum, t)
	}
	sum.SetMantExp(sum, 1)
	return sum.Add(sum, hpNew().Mul(hpNew().SetInt64(int64(e)), hpConst.ln2))
}

// hpRound rounds to the nearest float64 (ties to even).
func hpRound(x *big.Float) float64 {
	f, _ := x.Float64()
	return f
}

// hpPowInt returns |x| ** n exactly rounded, for a small integer n != 0.
func hpPowInt(x float64, n int64) float64 {
	neg := n < 0
	if neg {
		n = -n
	}
	prec := uint(53*n + 64)
	b := new(big.Float).SetPrec(prec).SetFloat64(math.Abs(x))
	r := new(big.Float).SetPrec(prec).SetInt64(1)
	for ; n > 0; n >>= 1 { // exact: every product fits prec bits
		if n&1 == 1 {
			r.Mul(r, b)
		}
		b.Mul(b, b)
	}
	if neg {
		r = hpNew().Quo(big.NewFloat(1), r)
	}
	return hpRound(r)
}

// hpPow is C's pow for the cases Python's math.pow lets through (no
// zero to a negative power, no negative base to a non-integer power). ok is
// false when the result overflows.
func hpPow(x, y float64) (float64, bool) {
	switch {
	case y == 0 || x == 1:
		return 1, true
	case x == 0:
		if y > 0 && math.Mod(y, 2) == 1 {
			return x, true // +-0 to an odd integer keeps the sign
		}
		return 0, true
	}
	sign := 1.0
	if x < 0 && math.Mod(y, 2) != 0 {
		sign = -1 // y is an odd integer
	}
	var r float64
	if y == math.Trunc(y) && math.Abs(y) <= 64 {
		r = hpPowInt(x, int64(y))
	} else {
		e := hpExp(hpNew().Mul(hpFloat(y), hpLog(hpFloat(math.Abs(x)))))
		if e == nil {
			return math.Inf(1), false
		}
		r = hpRound(e)
	}
	if math.IsInf(r, 0) {
		return r, false
	}
	return sign * r, true
}

// hpLogF is log(x) for x > 0.
func hpLogF(x float64) float64 { return hpRound(hpLog(hpFloat(x))) }

// sinCosSeries returns sin r and cos r for |r| <= pi/4.
func sinCosSeries(r *big.Float) (s, c *big.Float) {
	r2 := hpNew().Mul(r, r)
	s, c = hpNew().Set(r), hpNew().SetInt64(1)
	ts, tc := hpNew().Set(r), hpNew().SetInt64(1)
	for k := int64(1); ; k++ {
		// ts = (-1)^k r^(2k+1)/(2k+1)!, tc = (-1)^k r^(2k)/(2k)!
		tc.Mul(tc, r2)
		tc.Quo(tc, hpNew().SetInt64((2*k-1)*(2*k)))
		tc.Neg(tc)
		ts.Mul(ts, r2)
		ts.Quo(ts, hpNew().SetInt64((2*k)*(2*k+1)))
		ts.Neg(ts)
		doneS, doneC := small(ts, s, hpPrec), small(tc, c, hpPrec)
		s.Add(s, ts)
		c.Add(c, tc)
		if doneS && doneC {
			return s, c
		}
	}
}

// reduceHalfPi returns r and k mod 4 with x = k pi/2 + r, |r| <= pi/4.
func reduceHalfPi(x float64) (*big.Float, int64) {
	hpInit()
	const p = piPrec + 64
	X := new(big.Float).SetPrec(p).SetFloat64(x)
	q := new(big.Float).SetPrec(p).Quo(X, hpConst.halfPi)
	// k = round(q)
	half := big.NewFloat(0.5)
	if q.Sign() < 0 {
		q.Sub(q, half)
	} else {
		q.Add(q, half)
	}
	k, _ := q.Int(nil) // truncates toward zero
	kf := new(big.Float).SetPrec(p).SetInt(k)
	r := new(big.Float).SetPrec(p).Sub(X, kf.Mul(kf, hpConst.halfPi))
	m := new(big.Int).And(k, big.NewInt(3)).Int64() // two's complement: k mod 4
	return hpNew().Set(r), m
}

// hpTrig returns sin x, cos x and tan x, each correctly rounded.
func hpTrig(x float64) (sin, cos, tan float64) {
	if x == 0 {
		return x, 1, x
	}
	r, k := reduceHalfPi(x)
	s, c := sinCosSeries(r)
	var S, C *big.Float
	switch k {
	case 0:
		S, C = s, c
	case 1:
		S, C = c, hpNew().Neg(s)
	case 2:
		S, C = hpNew().Neg(s), hpNew().Neg(c)
	default:
		S, C = hpNew().Neg(c), s
	}
	return hpRound(S), hpRound(C), hpRound(hpNew().Quo(S, C))
}

// hpAtan returns atan(z).
func hpAtan(z *big.Float) *big.Float {
	hpInit()
	if z.Sign() == 0 {
		return hpNew().Set(z)
	}
	neg := z.Sign() < 0
	a := hpNew().Abs(z)
	one := big.NewFloat(1)
	inv := a.Cmp(one) > 0
	if inv {
		a.Quo(one, a)
	}
	// atan a = 2 atan(a / (1 + sqrt(1 + a*a))), four times.
	const halvings = 4
	for range halvings {
		d := hpNew().Mul(a, a)
		d.Add(d, one)
		d.Sqrt(d)
		d.Add(d, one)
		a.Quo(a, d)
	}
	a2 := hpNew().Mul(a, a)
	pow := hpNew().Set(a)
	sum := hpNew().Set(a)
	for k := int64(1); ; k++ {
		pow.Mul(pow, a2)
		t := hpNew().Quo(pow, hpNew().SetInt64(2*k+1))
		if small(t, sum, hpPrec) {
			break
		}
		if k%2 == 1 {
			sum.Sub(sum, t)
		} else {
			sum.Add(sum, t)
		}
	}
	sum.SetMantExp(sum, halvings)
	if inv {
		sum.Sub(hpNew().Set(hpConst.halfPi), sum)
	}
	if neg {
		sum.Neg(sum)
	}
	return sum
}

func hpAtanF(x float64) float64 { return hpRound(hpAtan(hpFloat(x))) }

// hpAsin is asin(x) for |x| <= 1.
func hpAsin(x float64) float64 {
	hpInit()
	if math.Abs(x) == 1 {
		return math.Copysign(hpRound(hpConst.halfPi), x)
	}
	X := hpFloat(x)
	d := hpNew().Mul(X, X) // exact: 106 bits
	d.Sub(big.NewFloat(1), d)
	d.Sqrt(d)
	return hpRound(hpAtan(d.Quo(X, d)))
}

// hpAcos is acos(x) = 2 atan(sqrt((1-x)/(1+x))) for |x| <= 1.
func hpAcos(x float64) float64 {
	hpInit()
	if x == -1 {
		return hpRound(hpNew().SetMantExp(hpConst.halfPi, 1))
	}
	X := hpFloat(x)
	one := big.NewFloat(1)
	q := hpNew().Quo(hpNew().Sub(one, X), hpNew().Add(one, X))
	q.Sqrt(q)
	a := hpAtan(q)
	return hpRound(a.SetMantExp(a, 1))
}
