package jinja

// Statement nodes.
type node interface{}

type textNode struct {
	pos  int
	text string
}

type outputNode struct{ x expr }

type ifNode struct {
	conds  []expr
	bodies [][]node
	els    []node
}

type forNode struct {
	pos     int
	targets []string // one name, or several to unpack
	tuple   bool     // the target was written as a tuple
	iter    expr
	cond    expr // inline filter, may be nil
	body    []node
	els     []node
}

// setNode assigns an expression (or, for a block set, the rendered body
// passed through filters) to names or a namespace attribute.
type setNode struct {
	pos     int
	targets []string
	tuple   bool
	nsAttr  string // set ns.attr = ...: targets[0] is ns
	x       expr   // nil for a block set
	body    []node
	filters []*filterExpr
}

// Expressions. Each records the byte offset of its token for errors.
type expr interface{ position() int }

type exprBase struct{ pos int }

func (e exprBase) position() int { return e.pos }

type constExpr struct {
	exprBase
	v any
}

type nameExpr struct {
	exprBase
	name string
}

type listExpr struct {
	exprBase
	items []expr
}

type tupleExpr struct {
	exprBase
	items []expr
}

type dictExpr struct {
	exprBase
	keys, vals []expr
}

type attrExpr struct {
	exprBase
	x    expr
	name string
}

type itemExpr struct {
	exprBase
	x, key expr
}

type sliceExpr struct {
	exprBase
	x                     expr
	lo, hi, step          expr // each may be nil
	hasLo, hasHi, hasStep bool
}

type kwarg struct {
	name string
	x    expr
}

type callExpr struct {
	exprBase
	fn     expr
	args   []expr
	kwargs []kwarg
}

type filterExpr struct {
	exprBase
	x      expr // nil in a block set, where the body is the input
	name   string
	def    *filterDef
	args   []expr
	kwargs []kwarg
}

type testExpr struct {
	exprBase
	x    expr
	name string
	def  *testDef
	args []expr
	neg  bool
}

type unaryExpr struct {
	exprBase
	op string // "-", "+", "not"
	x  expr
}

type binExpr struct {
	exprBase
	op   string // + - * / // % **
	l, r expr
}

type concatExpr struct {
	exprBase
	items []expr
}

type compareExpr struct {
	exprBase
	first  expr
	ops    []string // == != < > <= >= in notin
	rights []expr
	opPos  []int
}

type logicExpr struct {
	exprBase
	and  bool
	l, r expr
}

type condExpr struct {
	exprBase
	cond, then, els expr // els may be nil
}
