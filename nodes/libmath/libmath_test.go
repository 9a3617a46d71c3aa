package libmath_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/libmath"
	"nodetool/nodes/nodetest"
)

func TestMathNodes(t *testing.T) {
	tests := []struct{ typ, data, want string }{
		// Defaults are floats, so an unset input makes the result a float.
		{"Add", `{}`, `0.0`},
		{"Add", `{"a": 2, "b": 3}`, `5`},
		{"Add", `{"a": 2, "b": 0.5}`, `2.5`},
		{"Add", `{"a": 2}`, `2.0`},
		{"Add", `{"a": 0.1, "b": 0.2}`, `0.30000000000000004`},
		{"Add", `{"a": 9223372036854775806, "b": 1}`, `9223372036854775807`},
		{"Subtract", `{"a": 2, "b": 5}`, `-3`},
		{"Subtract", `{"a": 2.5, "b": 5}`, `-2.5`},
		{"Subtract", `{}`, `0.0`},
		{"Multiply", `{"a": 4, "b": -3}`, `-12`},
		{"Multiply", `{"a": 4, "b": 0.5}`, `2.0`},
		{"Multiply", `{}`, `0.0`},
		{"Divide", `{"a": 7, "b": 2}`, `3.5`},
		{"Divide", `{"a": 6, "b": 3}`, `2.0`}, // true division: always a float
		{"Divide", `{"a": -1, "b": 3}`, `-0.3333333333333333`},
		{"Divide", `{"a": 1.5}`, `1.5`},
		{"Divide", `{}`, `0.0`},
		// int / int is correctly rounded beyond 2**53, like Python.
		{"Divide", `{"a": 9007199254740993, "b": 1}`, `9007199254740992.0`},
		{"Modulus", `{"a": 7, "b": 3}`, `1`},
		{"Modulus", `{"a": -7, "b": 3}`, `2`},  // sign of the divisor
		{"Modulus", `{"a": 7, "b": -3}`, `-2`}, // sign of the divisor
		{"Modulus", `{"a": -9223372036854775808, "b": -1}`, `0`},
		{"Modulus", `{"a": 7.5, "b": 2}`, `1.5`},
		{"Modulus", `{"a": -7.5, "b": 2}`, `0.5`},
		{"Modulus", `{"a": 7.5, "b": -2}`, `-0.5`},
		{"Modulus", `{"a": 0.0, "b": -2}`, `-0.0`},
		{"Modulus", `{"a": 4, "b": 2.0}`, `0.0`},
		{"Modulus", `{}`, `0.0`},
		{"Power", `{"base": 2, "exponent": 10}`, `1024.0`}, // math.pow: always a float
		{"Power", `{"base": 2, "exponent": -1}`, `0.5`},
		{"Power", `{"base": -8, "exponent": 3}`, `-512.0`},
		{"Power", `{"base": 2, "exponent": 0.5}`, `1.4142135623730951`},
		{"Power", `{"base": 0, "exponent": 0}`, `1.0`},
		{"Power", `{}`, `0.0`},
		{"Sqrt", `{"x": 16}`, `4.0`},
		{"Sqrt", `{"x": 2}`, `1.4142135623730951`},
		{"Sqrt", `{}`, `0.0`},
		{"Sine", `{}`, `0.0`},
		{"Sine", `{"angle_rad": 1}`, `0.8414709848078965`},
		{"Cosine", `{}`, `1.0`},
		{"Cosine", `{"angle_rad": 1}`, `0.5403023058681398`},
	}
	for _, tt := range tests {
		got := nodetest.Repr(nodetest.Output(t, "lib.math."+tt.typ, tt.data, "output"))
		if got != tt.want {
			t.Errorf("%s(%s) = %s, want %s", tt.typ, tt.data, got, tt.want)
		}
	}
}

func TestMathFunction(t *testing.T) {
	tests := []struct {
		op, input, want string
	}{
		{"negate", `3`, `-3`},
		{"negate", `-2.5`, `2.5`},
		{"negate", `0.0`, `-0.0`},
		{"absolute", `-3`, `3`},
		{"absolute", `-2.5`, `2.5`},
		{"square", `-3`, `9`},
		{"square", `1.5`, `2.25`},
		{"cube", `-3`, `-27`},
		{"cube", `0.5`, `0.125`},
		{"square_root", `9`, `3.0`},
		{"square_root", `0.25`, `0.5`},
		{"cube_root", `27`, `3.0`},
		{"cube_root", `-8`, `-2.0`},
		{"cube_root", `0`, `0.0`},
		{"sine", `0`, `0.0`},
		{"cosine", `0`, `1.0`},
		{"tangent", `1`, `1.5574077246549023`},
		{"arcsin", `1`, `1.5707963267948966`},
		{"arcsin", `-1.0`, `-1.5707963267948966`},
		{"arccos", `1`, `0.0`},
		{"arctan", `1`, `0.7853981633974483`},
		{"log", `1`, `0.0`},
		{"log", `2.718281828459045`, `1.0`},
	}
	for _, tt := range tests {
		data := `{"input": ` + tt.input + `, "operation": "` + tt.op + `"}`
		got := nodetest.Repr(nodetest.Output(t, "lib.math.MathFunction", data, "output"))
		if got != tt.want {
			t.Errorf("MathFunction(%s) = %s, want %s", data, got, tt.want)
		}
	}
	if got := nodetest.Repr(nodetest.Output(t, "lib.math.MathFunction", `{}`, "output")); got != "-0.0" {
		t.Errorf("MathFunction({}) = %s, want -0.0 (negate of the default 0.0)", got)
	}
}

func TestMathErrors(t *testing.T) {
	tests := []struct{ typ, data, want string }{
		{"Divide", `{"a": 1, "b": 0}`, "division by zero: b"},
		{"Divide", `{"a": 1.5, "b": 0.0}`, "division by zero: b"},
		{"Divide", `{"a": 0, "b": -0.0}`, "division by zero: b"},
		{"Modulus", `{"a": 1, "b": 0}`, "division by zero: b"},
		{"Modulus", `{"a": 1.5, "b": 0.0}`, "division by zero: b"},
		{"Sqrt", `{"x": -1}`, "square root of a negative number (x = -1)"},
		{"Sqrt", `{"x": -0.5}`, "math domain error"},
		{"Power", `{"base": 0, "exponent": -1}`, "0 cannot be raised to a negative exponent"},
		{"Power", `{"base": -8, "exponent": 0.5}`, "negative base"},
		{"Power", `{"base": 10, "exponent": 400}`, "math range error"},
		{"Power", `{"base": 1e300, "exponent": 2}`, "too large"},
		{"Add", `{"a": 9223372036854775807, "b": 1}`, "integer overflow"},
		{"Subtract", `{"a": -9223372036854775808, "b": 1}`, "integer overflow"},
		{"Multiply", `{"a": 4611686018427387904, "b": 2}`, "integer overflow"},
		{"Add", `{"a": 1.7e308, "b": 1.7e308}`, "too large for a float"},
		{"Multiply", `{"a": 1e200, "b": 1e200}`, "too large for a float"},
		{"Divide", `{"a": 1e308, "b": 1e-10}`, "too large for a float"},
	}
	for _, tt := range tests {
		if got := nodetest.Error(t, "lib.math."+tt.typ, tt.data); !strings.Contains(got, tt.want) {
			t.Errorf("%s(%s) error = %q, want it to contain %q", tt.typ, tt.data, got, tt.want)
		}
	}
	fn := []struct{ op, input, want string }{
		{"square_root", `-4`, "square root of a negative number"},
		{"arcsin", `2`, "arcsin is only defined for inputs between -1 and 1, got 2"},
		{"arccos", `-1.5`, "arccos is only defined for inputs between -1 and 1"},
		{"log", `0`, "log is only defined for positive inputs, got 0"},
		{"log", `-1.5`, "log is only defined for positive inputs"},
		{"negate", `-9223372036854775808`, "integer overflow"},
		{"absolute", `-9223372036854775808`, "integer overflow"},
		{"square", `4294967296`, "integer overflow"},
		{"cube", `3037000500`, "integer overflow"},
		{"square", `1e200`, "too large for a float"},
		{"cube", `1e150`, "too large for a float"},
	}
	for _, tt := range fn {
		data := `{"input": ` + tt.input + `, "operation": "` + tt.op + `"}`
		if got := nodetest.Error(t, "lib.math.MathFunction", data); !strings.Contains(got, tt.want) {
			t.Errorf("MathFunction(%s) error = %q, want it to contain %q", data, got, tt.want)
		}
	}
}

func TestMathThroughGraph(t *testing.T) {
	// (2 + 3) * 4 with int constants stays an int.
	g := `{"nodes": [
		{"id": "a", "type": "nodetool.constant.Integer", "data": {"value": 2}},
		{"id": "b", "type": "nodetool.constant.Integer", "data": {"value": 3}},
		{"id": "add", "type": "lib.math.Add", "data": {}},
		{"id": "mul", "type": "lib.math.Multiply", "data": {"b": 4}},
		{"id": "o", "type": "nodetool.output.Output", "data": {"name": "result"}}],
	"edges": [
		{"source": "a", "sourceHandle": "output", "target": "add", "targetHandle": "a"},
		{"source": "b", "sourceHandle": "output", "target": "add", "targetHandle": "b"},
		{"source": "add", "sourceHandle": "output", "target": "mul", "targetHandle": "a"},
		{"source": "mul", "sourceHandle": "output", "target": "o", "targetHandle": "value"}]}`
	res, _ := nodetest.RunGraph(t, g, "")
	if res.Status != engine.StatusCompleted {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if got := nodetest.Repr(res.Outputs["result"]); got != "[20]" {
		t.Errorf("(2 + 3) * 4 = %s, want [20]", got)
	}
}

// Values computed with CPython's math module. The hp* functions round
// correctly, as the C library does in these (and nearly all) cases.
func TestMathMatchesPython(t *testing.T) {
	fn := []struct{ op, input, want string }{
		{"sine", `1e+22`, `-0.8522008497671888`},
		{"sine", `1e+308`, `0.4533964905016491`},
		{"cosine", `1e+308`, `-0.8913089376870335`},
		{"tangent", `1e+308`, `-0.5086861259107568`},
		{"sine", `-1e-300`, `-1e-300`},
		{"cosine", `1e-300`, `1.0`},
		{"tangent", `1.5707963267948966`, `1.633123935319537e+16`},
		{"cosine", `1.5707963267948966`, `6.123233995736766e-17`},
		{"sine", `3.141592653589793`, `1.2246467991473532e-16`},
		{"sine", `1152921504606846976`, `-0.8306492176372546`},
		{"tangent", `-2.5`, `0.7470222972386603`},
		{"arcsin", `0.5`, `0.5235987755982989`},
		{"arcsin", `-0.9999999999999999`, `-1.5707963118937354`},
		{"arccos", `-1.0`, `3.141592653589793`},
		{"arccos", `0.9999999999999999`, `1.4901161193847656e-08`},
		{"arccos", `-0.5`, `2.0943951023931957`},
		{"arctan", `1e+300`, `1.5707963267948966`},
		{"arctan", `-1e-300`, `-1e-300`},
		{"arctan", `0.5`, `0.4636476090008061`},
		{"log", `5e-324`, `-744.4400719213812`},
		{"log", `1.7976931348623157e+308`, `709.782712893384`},
		{"log", `0.5`, `-0.6931471805599453`},
		{"log", `1.0000000000000002`, `2.2204460492503128e-16`},
		{"log", `10`, `2.302585092994046`},
		{"cube_root", `27`, `3.0`},
		{"cube_root", `-8`, `-2.0`},
		{"cube_root", `1000`, `9.999999999999998`},
		{"cube_root", `64`, `3.9999999999999996`},
		{"cube_root", `0.001`, `0.10000000000000002`},
		{"cube_root", `-0.125`, `-0.5`},
		{"cube_root", `2`, `1.2599210498948732`},
		{"cube_root", `1e+300`, `9.999999999999872e+99`},
		{"cube_root", `5e-324`, `1.7031839360032837e-108`},
		{"cube_root", `-0.0`, `-0.0`},
	}
	for _, tt := range fn {
		data := `{"input": ` + tt.input + `, "operation": "` + tt.op + `"}`
		if got := nodetest.Repr(nodetest.Output(t, "lib.math.MathFunction", data, "output")); got != tt.want {
			t.Errorf("MathFunction(%s) = %s, want %s", data, got, tt.want)
		}
	}
	pow := []struct{ base, exp, want string }{
		{`2`, `0.5`, `1.4142135623730951`},
		{`27`, `0.3333333333333333`, `3.0`},
		{`1000`, `0.3333333333333333`, `9.999999999999998`},
		{`10`, `-400`, `0.0`},
		{`2`, `-1074`, `5e-324`},
		{`-2`, `3`, `-8.0`},
		{`-0.0`, `3`, `-0.0`},
		{`0.0`, `2`, `0.0`},
		{`1.1`, `3`, `1.3310000000000004`},
		{`134217727`, `2`, `1.8014398241046528e+16`},
		{`3`, `40`, `1.2157665459056929e+19`},
		{`0.5`, `64`, `5.421010862427522e-20`},
		{`1.0000001`, `1000000000.0`, `2.6881038582144647e+43`},
		{`2`, `1023.5`, `1.2711610061536464e+308`},
		{`10`, `308`, `1e+308`},
		{`10`, `-5`, `1e-05`},
		{`-1.5`, `-3`, `-0.2962962962962963`},
		{`9`, `0.5`, `3.0`},
		{`1e-300`, `-1.01`, `1.0000000000000061e+303`},
	}
	for _, tt := range pow {
		data := `{"base": ` + tt.base + `, "exponent": ` + tt.exp + `}`
		if got := nodetest.Repr(nodetest.Output(t, "lib.math.Power", data, "output")); got != tt.want {
			t.Errorf("Power(%s) = %s, want %s", data, got, tt.want)
		}
	}
	for _, tt := range []struct{ typ, x, want string }{
		{"Sine", `1e+22`, `-0.8522008497671888`},
		{"Sine", `-2`, `-0.9092974268256817`},
		{"Cosine", `1e+22`, `0.523214785395139`},
		{"Cosine", `3`, `-0.9899924966004454`},
	} {
		data := `{"angle_rad": ` + tt.x + `}`
		if got := nodetest.Repr(nodetest.Output(t, "lib.math."+tt.typ, data, "output")); got != tt.want {
			t.Errorf("%s(%s) = %s, want %s", tt.typ, data, got, tt.want)
		}
	}
}

// nearlyEqual reports whether a and b agree to about 13 significant digits.
func nearlyEqual(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-13*math.Max(math.Abs(a), math.Abs(b))
}

// The correctly rounded functions agree with Go's own, which are only a few
// units in the last place off; this catches gross mistakes (argument
// reduction, signs, series cut short). Exact agreement with Python is
// checked in TestMathMatchesPython.
func TestHPMathNearGoMath(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(name string, x, got, want float64) {
		t.Helper()
		if !nearlyEqual(got, want) {
			t.Errorf("%s(%v) = %v, Go math gives %v", name, x, got, want)
		}
	}
	for range 2000 {
		x := (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(12)-4))
		s, c, tn := libmath.HpTrig(x)
		check("sin", x, s, math.Sin(x))
		check("cos", x, c, math.Cos(x))
		if math.Abs(math.Tan(x)) < 1e6 { // near a pole both lose digits
			check("tan", x, tn, math.Tan(x))
		}
		check("atan", x, libmath.HpAtanF(x), math.Atan(x))
		if a := math.Abs(x); a > 0 {
			check("log", a, libmath.HpLogF(a), math.Log(a))
			y := (rng.Float64() - 0.5) * 20
			p, ok := libmath.HpPow(a, y)
			if want := math.Pow(a, y); !ok || !nearlyEqual(p, want) {
				t.Errorf("pow(%v, %v) = %v, %v; Go math gives %v", a, y, p, ok, want)
			}
		}
		u := rng.Float64()*2 - 1
		check("asin", u, libmath.HpAsin(u), math.Asin(u))
		check("acos", u, libmath.HpAcos(u), math.Acos(u))
	}
}
