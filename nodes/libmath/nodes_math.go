// Package libmath holds the lib.math nodes: arithmetic and the
// correctly rounded math functions of Python's math module.
package libmath

import (
	"fmt"
	"math"
	"math/big"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// The lib.math nodes follow Python's arithmetic: an int combined with an
// int stays an int for +, -, *, % and the unary negate, absolute, square and
// cube; anything involving a float, and every function (division, power,
// roots, trigonometry, log), gives a float. Where Python would raise
// (division by zero, domain errors) the node fails with a clear error.
// Two deliberate differences, because results must fit JSON numbers of the
// engine: an int result outside 64 bits fails ("integer overflow") where
// Python's big ints would grow, and a float result that overflows to
// infinity fails where Python's +, -, * would return inf. Power, roots,
// trigonometry and log are correctly rounded (nodes_math_hp.go), so they
// print the same digits as Python's math module.

// Register adds the lib.math nodes.
func Register(r *engine.Registry) {
	num := "union[int, float]"
	binary := func(class, desc, bDefault, aDesc, bDesc string, op func(a, b any) (any, error)) {
		r.Add(&engine.NodeDef{
			Type:         "lib.math." + class,
			Description:  desc,
			Props:        []engine.Prop{engine.P("a", num, "0.0", aDesc).Titled("A"), engine.P("b", num, bDefault, bDesc).Titled("B")},
			Outputs:      engine.Out("output", num),
			Layout:       "small",
			ExposeAsTool: true,
			Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				v, err := op(in.Get("a"), in.Get("b"))
				if err != nil {
					return nil, err
				}
				return engine.Single(v), nil
			},
		})
	}
	binary("Add", "Adds two numbers.", "0.0", "The first addend.", "The second addend.", mathAdd)
	binary("Subtract", "Subtracts B from A.", "0.0", "The number to subtract from.", "The number to subtract.", mathSub)
	binary("Multiply", "Multiplies two numbers.", "0.0", "The first factor.", "The second factor.", mathMul)
	binary("Divide", "Divides A by B (true division, so the result is a float).", "1.0", "The dividend.", "The divisor; must not be zero.", mathDiv)
	binary("Modulus", "The remainder of A divided by B; like Python, it takes the sign of B.", "1.0", "The dividend.", "The divisor; must not be zero.", mathMod)

	unary := func(class, prop, title, desc, propDesc string, f func(x any) (any, error)) {
		r.Add(&engine.NodeDef{
			Type:         "lib.math." + class,
			Description:  desc,
			Props:        []engine.Prop{engine.P(prop, num, "0.0", propDesc).Titled(title)},
			Outputs:      engine.Out("output", num),
			Layout:       "small",
			ExposeAsTool: true,
			Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				v, err := f(in.Get(prop))
				if err != nil {
					return nil, err
				}
				return engine.Single(v), nil
			},
		})
	}
	unary("Sine", "angle_rad", "Angle (rad)", "The sine of an angle given in radians.", "The angle in radians.",
		floatFunc("angle_rad", func(x float64) float64 { s, _, _ := hpTrig(x); return s }))
	unary("Cosine", "angle_rad", "Angle (rad)", "The cosine of an angle given in radians.", "The angle in radians.",
		floatFunc("angle_rad", func(x float64) float64 { _, c, _ := hpTrig(x); return c }))
	unary("Sqrt", "x", "X", "The square root of x (x must not be negative).", "The number to take the root of.",
		mathSqrt("x"))

	r.Add(&engine.NodeDef{
		Type:        "lib.math.Power",
		Description: "Raises base to exponent, as a float (like Python's math.pow).",
		Props: []engine.Prop{
			engine.P("base", num, "0.0", "The base.").Titled("Base"),
			engine.P("exponent", num, "1.0", "The exponent.").Titled("Exponent"),
		},
		Outputs:      engine.Out("output", num),
		Layout:       "small",
		ExposeAsTool: true,
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			v, err := mathPow(in.Get("base"), in.Get("exponent"))
			if err != nil {
				return nil, err
			}
			return engine.Single(v), nil
		},
	})

	r.Add(&engine.NodeDef{
		Type:        "lib.math.MathFunction",
		Description: "Applies one unary function to the input: negate, absolute value, square, cube, roots, trigonometry or natural log.",
		Props: []engine.Prop{
			engine.P("input", num, "0.0", "The number to transform.").Titled("Input"),
			engine.P("operation", "enum(negate,absolute,square,cube,square_root,cube_root,sine,cosine,tangent,arcsin,arccos,arctan,log)",
				`"negate"`, "The function to apply.").Enum("Operation"),
		},
		Outputs:      engine.Out("output", num),
		Layout:       "small",
		ExposeAsTool: true,
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			v, err := mathFunction(in.Str("operation"), in.Get("input"))
			if err != nil {
				return nil, err
			}
			return engine.Single(v), nil
		},
	})
}

// mathNum splits a union[int, float] value into its int or float form.
func mathNum(name string, v any) (i int64, f float64, isInt bool, err error) {
	switch n := v.(type) {
	case int64:
		return n, float64(n), true, nil
	case float64:
		return 0, n, false, nil
	}
	return 0, 0, false, fmt.Errorf("%s must be a number, got %s", name, pyval.TypeName(v))
}

// intResult returns z as an int64, or an overflow error describing expr.
func intResult(z *big.Int, expr string) (any, error) {
	if !z.IsInt64() {
		return nil, fmt.Errorf("integer overflow: %s = %s does not fit in a 64-bit integer", expr, z.String())
	}
	return z.Int64(), nil
}

// floatResult rejects results that JSON cannot carry.
func floatResult(f float64, expr string) (any, error) {
	if math.IsNaN(f) {
		return nil, fmt.Errorf("math domain error: %s is not a number", expr)
	}
	if math.IsInf(f, 0) {
		return nil, fmt.Errorf("math range error: %s is too large for a float", expr)
	}
	return f, nil
}

// intOrFloat applies an operator to two numbers: on two ints with intOp
// (exact, checked for overflow), otherwise on floats with floatOp.
func intOrFloat(a, b any, sym string, intOp func(x, y *big.Int) *big.Int, floatOp func(x, y float64) float64) (any, error) {
	ai, af, aInt, err := mathNum("a", a)
	if err != nil {
		return nil, err
	}
	bi, bf, bInt, err := mathNum("b", b)
	if err != nil {
		return nil, err
	}
	if aInt && bInt {
		return intResult(intOp(big.NewInt(ai), big.NewInt(bi)), fmt.Sprintf("%d %s %d", ai, sym, bi))
	}
	return floatResult(floatOp(af, bf), "a "+sym+" b")
}

func mathAdd(a, b any) (any, error) {
	return intOrFloat(a, b, "+", func(x, y *big.Int) *big.Int { return new(big.Int).Add(x, y) },
		func(x, y float64) float64 { return x + y })
}

func mathSub(a, b any) (any, error) {
	return intOrFloat(a, b, "-", func(x, y *big.Int) *big.Int { return new(big.Int).Sub(x, y) },
		func(x, y float64) float64 { return x - y })
}

func mathMul(a, b any) (any, error) {
	return intOrFloat(a, b, "*", func(x, y *big.Int) *big.Int { return new(big.Int).Mul(x, y) },
		func(x, y float64) float64 { return x * y })
}

// mathDiv is Python's true division: always a float; int / int is
// correctly rounded even beyond 2**53.
func mathDiv(a, b any) (any, error) {
	ai, af, aInt, err := mathNum("a", a)
	if err != nil {
		return nil, err
	}
	bi, bf, bInt, err := mathNum("b", b)
	if err != nil {
		return nil, err
	}
	if bf == 0 {
		return nil, fmt.Errorf("division by zero: b (the divisor) is 0; set b to a non-zero number")
	}
	if aInt && bInt {
		f, _ := new(big.Rat).SetFrac(big.NewInt(ai), big.NewInt(bi)).Float64()
		return floatResult(f, "a / b")
	}
	return floatResult(af/bf, "a / b")
}

// mathMod is Python's %: the result has the sign of the divisor.
func mathMod(a, b any) (any, error) {
	ai, af, aInt, err := mathNum("a", a)
	if err != nil {
		return nil, err
	}
	bi, bf, bInt, err := mathNum("b", b)
	if err != nil {
		return nil, err
	}
	if bf == 0 {
		return nil, fmt.Errorf("division by zero: b (the divisor) is 0, so a %% b is undefined; set b to a non-zero number")
	}
	if aInt && bInt {
		r := ai % bi // Go never panics here: MinInt64 % -1 is 0
		if r != 0 && (r < 0) != (bi < 0) {
			r += bi
		}
		return r, nil
	}
	r := math.Mod(af, bf)
	switch {
	case r == 0:
		r = math.Copysign(0, bf)
	case (r < 0) != (bf < 0):
		r += bf
	}
	return floatResult(r, "a % b")
}

// mathPow is Python's math.pow: floats only, with its domain and range
// errors.
func mathPow(base, exp any) (any, error) {
	_, x, _, err := mathNum("base", base)
	if err != nil {
		return nil, err
	}
	_, y, _, err := mathNum("exponent", exp)
	if err != nil {
		return nil, err
	}
	if x == 0 && y < 0 {
		return nil, fmt.Errorf("math domain error: 0 cannot be raised to a negative exponent (%s)", pyval.FormatFloat(y))
	}
	if x < 0 && y != math.Trunc(y) {
		return nil, fmt.Errorf("math domain error: a negative base (%s) cannot be raised to a non-integer exponent (%s)",
			pyval.FormatFloat(x), pyval.FormatFloat(y))
	}
	r, ok := hpPow(x, y)
	if !ok {
		return nil, fmt.Errorf("math range error: %s ** %s is too large for a float", pyval.FormatFloat(x), pyval.FormatFloat(y))
	}
	return r, nil
}

// floatFunc wraps a float function that is defined everywhere.
func floatFunc(name string, f func(float64) float64) func(any) (any, error) {
	return func(v any) (any, error) {
		_, x, _, err := mathNum(name, v)
		if err != nil {
			return nil, err
		}
		return floatResult(f(x), "the result")
	}
}

func mathSqrt(name string) func(any) (any, error) {
	return func(v any) (any, error) {
		_, x, _, err := mathNum(name, v)
		if err != nil {
			return nil, err
		}
		if x < 0 {
			return nil, fmt.Errorf("math domain error: cannot take the square root of a negative number (%s = %s)", name, pyval.Repr(v))
		}
		return math.Sqrt(x), nil
	}
}

// mathFunction applies one MathFunction operation.
func mathFunction(op string, v any) (any, error) {
	i, x, isInt, err := mathNum("input", v)
	if err != nil {
		return nil, err
	}
	bi := big.NewInt(i)
	switch op {
	case "negate":
		if isInt {
			return intResult(new(big.Int).Neg(bi), fmt.Sprintf("-(%d)", i))
		}
		return -x, nil
	case "absolute":
		if isInt {
			return intResult(new(big.Int).Abs(bi), fmt.Sprintf("abs(%d)", i))
		}
		return math.Abs(x), nil
	case "square":
		if isInt {
			return intResult(new(big.Int).Mul(bi, bi), fmt.Sprintf("%d ** 2", i))
		}
		return floatResult(x*x, "input ** 2")
	case "cube":
		if isInt {
			return intResult(new(big.Int).Mul(new(big.Int).Mul(bi, bi), bi), fmt.Sprintf("%d ** 3", i))
		}
		return floatResult(x*x*x, "input ** 3")
	case "square_root":
		return mathSqrt("input")(v)
	case "cube_root":
		// The real cube root, negative for negative input, computed as
		// the original does: copysign(abs(x) ** (1/3), x).
		r, _ := hpPow(math.Abs(x), 1.0/3) // never overflows
		return math.Copysign(r, x), nil
	case "sine", "cosine", "tangent":
		s, c, t := hpTrig(x)
		switch op {
		case "sine":
			return s, nil
		case "cosine":
			return c, nil
		}
		return t, nil
	case "arcsin", "arccos":
		if x < -1 || x > 1 {
			return nil, fmt.Errorf("math domain error: %s is only defined for inputs between -1 and 1, got %s", op, pyval.Repr(v))
		}
		if op == "arcsin" {
			return hpAsin(x), nil
		}
		return hpAcos(x), nil
	case "arctan":
		return hpAtanF(x), nil
	case "log":
		if x <= 0 {
			return nil, fmt.Errorf("math domain error: log is only defined for positive inputs, got %s", pyval.Repr(v))
		}
		return hpLogF(x), nil
	}
	return nil, fmt.Errorf("unsupported operation %q", op)
}
