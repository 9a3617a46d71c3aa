package jinja

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// arith applies a binary arithmetic operator with Python semantics. Ints
// are 64-bit: a result that does not fit is an error (Python would switch
// to a big integer).
func (r *state) arith(op string, a, b any) any {
	a, b = norm(a), norm(b)
	for _, v := range []any{a, b} {
		if u, ok := v.(*undefined); ok {
			r.fail("%s", u.message())
		}
	}
	ia, aInt := asInt(a)
	ib, bInt := asInt(b)
	fa, aNum := toFloat(a)
	fb, bNum := toFloat(b)
	if aNum && bNum {
		if aInt && bInt {
			return r.intArith(op, ia, ib)
		}
		return r.floatArith(op, fa, fb)
	}
	switch op {
	case "+":
		switch x := a.(type) {
		case string:
			if y, ok := b.(string); ok {
				r.newString(len(x) + len(y))
				r.step(len(x)/64 + len(y)/64)
				return x + y
			}
			r.fail("can only concatenate str (not \"%s\") to str", typeName(b))
		case []any:
			if y, ok := b.([]any); ok {
				r.newList(len(x) + len(y))
				r.step(len(x) + len(y))
				return append(append(make([]any, 0, len(x)+len(y)), x...), y...)
			}
			r.fail("can only concatenate list (not \"%s\") to list", typeName(b))
		case tuple:
			if y, ok := b.(tuple); ok {
				r.newList(len(x) + len(y))
				r.step(len(x) + len(y))
				return append(append(make(tuple, 0, len(x)+len(y)), x...), y...)
			}
			r.fail("can only concatenate tuple (not \"%s\") to tuple", typeName(b))
		}
	case "*":
		if bInt {
			if v, ok := r.repeat(a, ib); ok {
				return v
			}
		}
		if aInt {
			if v, ok := r.repeat(b, ia); ok {
				return v
			}
		}
	case "%":
		if _, ok := a.(string); ok {
			r.fail("string formatting with %% is not supported")
		}
	}
	r.fail("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
	return nil
}

func toFloat(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	case bool:
		if t {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// repeat is seq * n for strings, lists and tuples.
func (r *state) repeat(seq any, n int64) (any, bool) {
	if n < 0 {
		n = 0
	}
	switch s := seq.(type) {
	case string:
		if len(s) > 0 && n > int64(r.t.limits.MaxOutput/len(s)) {
			r.checkSize(-1)
		}
		r.newString(len(s) * int(n))
		r.step(len(s) * int(n) / 64)
		return strings.Repeat(s, int(n)), true
	case []any:
		if len(s) == 0 {
			return []any{}, true
		}
		if n > int64(r.t.limits.MaxItems/len(s)) {
			r.checkItems(-1)
		}
		r.newList(len(s) * int(n))
		out := make([]any, 0, len(s)*int(n))
		r.step(len(s) * int(n))
		for range n {
			out = append(out, s...)
		}
		return out, true
	case tuple:
		l, ok := r.repeat([]any(s), n)
		return tuple(l.([]any)), ok
	}
	return nil, false
}

func (r *state) overflow(op string) {
	r.fail("integer result of %s does not fit in 64 bits", op)
}

func (r *state) intArith(op string, a, b int64) any {
	switch op {
	case "+":
		c := a + b
		if (c > a) != (b > 0) {
			r.overflow(op)
		}
		return c
	case "-":
		c := a - b
		if (c < a) != (b > 0) {
			r.overflow(op)
		}
		return c
	case "*":
		c, ok := mulInt(a, b)
		if !ok {
			r.overflow(op)
		}
		return c
	case "/":
		if b == 0 {
			r.fail("division by zero")
		}
		return float64(a) / float64(b)
	case "//":
		if b == 0 {
			r.fail("integer division or modulo by zero")
		}
		if a == math.MinInt64 && b == -1 {
			r.overflow(op)
		}
		q := a / b
		if a%b != 0 && (a < 0) != (b < 0) {
			q--
		}
		return q
	case "%":
		if b == 0 {
			r.fail("integer modulo by zero")
		}
		if b == -1 {
			return int64(0)
		}
		m := a % b
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return m
	case "**":
		if b < 0 {
			if a == 0 {
				r.fail("0.0 cannot be raised to a negative power")
			}
			return math.Pow(float64(a), float64(b))
		}
		c, ok := powInt(a, b)
		if !ok {
			r.overflow(op)
		}
		return c
	}
	return nil
}

func mulInt(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return c, true
}

func powInt(b, e int64) (int64, bool) {
	switch b {
	case 0:
		if e == 0 {
			return 1, true
		}
		return 0, true
	case 1:
		return 1, true
	case -1:
		if e%2 == 0 {
			return 1, true
		}
		return -1, true
	}
	if e > 64 {
		return 0, false
	}
	result := int64(1)
	var ok bool
	for e > 0 {
		if e&1 == 1 {
			if result, ok = mulInt(result, b); !ok {
				return 0, false
			}
		}
		e >>= 1
		if e > 0 {
			if b, ok = mulInt(b, b); !ok {
				return 0, false
			}
		}
	}
	return result, true
}

func (r *state) floatArith(op string, a, b float64) any {
	switch op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/":
		if b == 0 {
			r.fail("float division by zero")
		}
		return a / b
	case "//":
		if b == 0 {
			r.fail("float floor division by zero")
		}
		_, div := floatDivmod(a, b)
		return div
	case "%":
		if b == 0 {
			r.fail("float modulo by zero")
		}
		mod, _ := floatDivmod(a, b)
		return mod
	case "**":
		return r.floatPow(a, b)
	}
	return nil
}

// floatDivmod is CPython's float divmod.
func floatDivmod(vx, wx float64) (mod, floordiv float64) {
	mod = math.Mod(vx, wx)
	div := (vx - mod) / wx
	if mod != 0 {
		if (wx < 0) != (mod < 0) {
			mod += wx
			div -= 1
		}
	} else {
		mod = math.Copysign(0, wx)
	}
	if div != 0 {
		floordiv = math.Floor(div)
		if div-floordiv > 0.5 {
			floordiv++
		}
	} else {
		floordiv = math.Copysign(0, vx/wx)
	}
	return mod, floordiv
}

func (r *state) floatPow(a, b float64) float64 {
	if a == 0 && b < 0 {
		r.fail("0.0 cannot be raised to a negative power")
	}
	if a < 0 && b != math.Trunc(b) && !math.IsInf(b, 0) && !math.IsNaN(b) {
		r.fail("a negative number raised to a fractional power gives a complex number, which is not supported")
	}
	c := math.Pow(a, b)
	if math.IsInf(c, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
		r.fail("numerical result out of range")
	}
	return c
}

func (r *state) unary(op string, v any) any {
	v = norm(v)
	if u, ok := v.(*undefined); ok {
		r.fail("%s", u.message())
	}
	if i, ok := asInt(v); ok {
		if op == "-" {
			if i == math.MinInt64 {
				r.overflow("-")
			}
			return -i
		}
		return i
	}
	if f, ok := v.(float64); ok {
		if op == "-" {
			return -f
		}
		return f
	}
	r.fail("bad operand type for unary %s: '%s'", op, typeName(v))
	return nil
}

// pyRound is Jinja2's round filter. The common method is Python's
// round(v, precision): halves go to even, on the exact binary value, and
// ints stay ints. ceil and floor compute
// math.ceil(v * 10**precision) / 10**precision with Python's int and float
// arithmetic, so they always return a float.
func (r *state) pyRound(v any, precision int64, method string) any {
	precision = max(min(precision, 400), -400)
	if u, ok := v.(*undefined); ok {
		r.fail("%s", u.message())
	}
	if b, ok := v.(bool); ok {
		v, _ = asInt(b)
	}
	switch t := v.(type) {
	case int64:
		if method == "common" {
			if precision >= 0 {
				return t
			}
			res := roundRat(new(big.Rat).SetInt64(t), precision)
			if !res.IsInt() || !res.Num().IsInt64() {
				r.fail("rounded integer does not fit in 64 bits")
			}
			return res.Num().Int64()
		}
		if precision >= 0 {
			return float64(t)
		}
		scale := pow10f(precision)
		if scale == 0 {
			r.fail("float division by zero")
		}
		return ceilFloor(float64(t)*scale, method) / scale
	case float64:
		if method == "common" {
			if math.IsInf(t, 0) || math.IsNaN(t) || t == 0 {
				return t
			}
			f, _ := roundRat(new(big.Rat).SetFloat64(t), precision).Float64()
			if math.IsInf(f, 0) {
				r.fail("rounded value is too large for a float")
			}
			if f == 0 && math.Signbit(t) {
				f = math.Copysign(0, -1)
			}
			return f
		}
		if precision > 308 {
			r.fail("int too large to convert to float")
		}
		scale := pow10f(precision)
		prod := t * scale
		if math.IsInf(prod, 0) {
			r.fail("cannot convert float infinity to integer")
		}
		if math.IsNaN(prod) {
			r.fail("cannot convert float NaN to integer")
		}
		c := ceilFloor(prod, method)
		if precision < 0 {
			if scale == 0 {
				r.fail("float division by zero")
			}
			return c / scale
		}
		f, _ := new(big.Rat).Quo(new(big.Rat).SetFloat64(c), new(big.Rat).SetInt(pow10i(precision))).Float64()
		return f
	}
	r.fail("type %s doesn't define __round__ method", typeName(v))
	return nil
}

func ceilFloor(f float64, method string) float64 {
	if method == "ceil" {
		return math.Ceil(f)
	}
	return math.Floor(f)
}

// pow10f is 10**p as Python computes it for floats: correctly rounded.
func pow10f(p int64) float64 {
	f, _ := strconv.ParseFloat("1e"+strconv.FormatInt(p, 10), 64)
	return f
}

func pow10i(p int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(p), nil)
}

// roundRat rounds x to precision decimal digits, halves to even.
func roundRat(x *big.Rat, precision int64) *big.Rat {
	scale := new(big.Rat).SetInt(pow10i(abs64(precision)))
	scaled := new(big.Rat)
	if precision >= 0 {
		scaled.Mul(x, scale)
	} else {
		scaled.Quo(x, scale)
	}
	res := new(big.Rat).SetInt(roundHalfEven(scaled))
	if precision >= 0 {
		return res.Quo(res, scale)
	}
	return res.Mul(res, scale)
}

func abs64(i int64) int64 {
	if i < 0 {
		return -i
	}
	return i
}

// floorRat is floor(x): DivMod is Euclidean and the denominator is
// positive, so the quotient is the floor.
func floorRat(x *big.Rat) *big.Int {
	q, _ := new(big.Int).DivMod(x.Num(), x.Denom(), new(big.Int))
	return q
}

func roundHalfEven(x *big.Rat) *big.Int {
	fl := floorRat(x)
	frac := new(big.Rat).Sub(x, new(big.Rat).SetInt(fl))
	switch frac.Cmp(big.NewRat(1, 2)) {
	case 1:
		fl.Add(fl, big.NewInt(1))
	case 0:
		if fl.Bit(0) == 1 {
			fl.Add(fl, big.NewInt(1))
		}
	}
	return fl
}

// parsePyInt parses a string as Python's int(s, base) does: surrounding
// whitespace, a sign, an optional base prefix and _ between digits.
func parsePyInt(s string, base int64) (int64, bool, bool) {
	s = strings.TrimFunc(s, isSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) >= 2 && s[0] == '0' {
		p := s[1] | 0x20
		if (p == 'x' && (base == 16 || base == 0)) || (p == 'o' && (base == 8 || base == 0)) || (p == 'b' && (base == 2 || base == 0)) {
			base = map[byte]int64{'x': 16, 'o': 8, 'b': 2}[p]
			s = s[2:]
			s = strings.TrimPrefix(s, "_")
		}
	}
	if base == 0 {
		base = 10
		if len(strings.TrimLeft(s, "0_")) > 0 && strings.HasPrefix(s, "0") {
			return 0, false, false
		}
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false, false
	}
	digits := strings.ReplaceAll(s, "_", "")
	for _, c := range digits {
		if d := digitVal(c); d < 0 || int64(d) >= base {
			return 0, false, false
		}
	}
	if neg {
		digits = "-" + digits
	}
	n, err := strconv.ParseInt(digits, int(base), 64)
	if err != nil {
		return 0, true, true // valid but too large
	}
	return n, true, false
}

func digitVal(c rune) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// parsePyFloat parses a string as Python's float(s) does.
func parsePyFloat(s string) (float64, bool) {
	s = strings.TrimFunc(s, isSpace)
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 {
		return 0, false
	}
	switch strings.ToLower(body) {
	case "inf", "infinity", "nan":
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	// digits [. digits] [e [sign] digits], with _ only between digits
	i := 0
	digits := func() int {
		n := 0
		for i < len(body) {
			c := body[i]
			if c >= '0' && c <= '9' {
				i++
				n++
			} else if c == '_' && n > 0 && i+1 < len(body) && body[i+1] >= '0' && body[i+1] <= '9' {
				i++
			} else {
				break
			}
		}
		return n
	}
	n := digits()
	if i < len(body) && body[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return 0, false
	}
	if i < len(body) && (body[i] == 'e' || body[i] == 'E') {
		i++
		if i < len(body) && (body[i] == '+' || body[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, false
		}
	}
	if i != len(body) || !utf8.ValidString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return f, true
}
