package expr

import (
	"math"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

type arithOp uint8

const (
	opAdd arithOp = iota
	opSub
	opMul
	opDiv
	opMod
)

var arithSymbols = [...]string{opAdd: "+", opSub: "-", opMul: "*", opDiv: "/", opMod: "%"}

// Binary builds `l op r` for the arithmetic operators + - * / %, the comparisons = <> != < <=
// > >=, the logical AND and OR, and || (string or bytes concatenation, as CONCAT).
//
// Arithmetic follows ksqlDB's Operator.resultType: the narrower numeric side is widened along
// INT → BIGINT → DECIMAL → DOUBLE; DECIMAL results get precision and scale from SqlDecimal's
// rules (add: max scale, max integer digits + 1; multiply: p1+p2+1, s1+s2; divide: scale
// max(6, s1+p2+1); modulus: min integer digits + max scale). STRING + STRING concatenates.
// Integer division and modulus by zero fail per record, as does a DECIMAL quotient that needs
// rounding; DOUBLE follows IEEE-754.
func Binary(op string, l, r Expr) (Expr, error) {
	switch strings.ToUpper(op) {
	case "+":
		return arith(opAdd, l, r)
	case "-":
		return arith(opSub, l, r)
	case "*":
		return arith(opMul, l, r)
	case "/":
		return arith(opDiv, l, r)
	case "%":
		return arith(opMod, l, r)
	case "||":
		return Call("CONCAT", []Expr{l, r})
	case "=":
		return compare(cmpEQ, l, r)
	case "<>", "!=":
		return compare(cmpNE, l, r)
	case "<":
		return compare(cmpLT, l, r)
	case "<=":
		return compare(cmpLE, l, r)
	case ">":
		return compare(cmpGT, l, r)
	case ">=":
		return compare(cmpGE, l, r)
	case "AND":
		return logical(true, l, r)
	case "OR":
		return logical(false, l, r)
	}
	return nil, types.Errorf(types.CodeFeatureNotSupported, "operator %s is not supported", op)
}

// numericRank orders the implicit widening INT → BIGINT → DECIMAL → DOUBLE.
func numericRank(k types.Kind) int {
	switch k {
	case types.Int:
		return 1
	case types.Bigint:
		return 2
	case types.Decimal:
		return 3
	case types.Double:
		return 4
	}
	return 0
}

// arithResultType is ksqlDB's Operator.resultType.
func arithResultType(op arithOp, lt, rt types.Type) (types.Type, bool) {
	if op == opAdd && lt.Kind == types.String && rt.Kind == types.String {
		return types.StringType, true
	}
	lr, rr := numericRank(lt.Kind), numericRank(rt.Kind)
	if lr == 0 || rr == 0 {
		return types.Type{}, false
	}
	if lr <= rr && rt.Kind != types.Decimal {
		return rt, true
	}
	if rr <= lr && lt.Kind != types.Decimal {
		return lt, true
	}
	ld, _ := decimalTypeOf(lt)
	rd, _ := decimalTypeOf(rt)
	return decimalResultType(op, ld, rd), true
}

func decimalResultType(op arithOp, l, r types.Type) types.Type {
	p1, s1, p2, s2 := l.Precision, l.Scale, r.Precision, r.Scale
	switch op {
	case opMul:
		return types.DecimalType(p1+p2+1, s1+s2)
	case opDiv:
		s := max(6, s1+p2+1)
		return types.DecimalType(p1-s1+s2+s, s)
	case opMod:
		s := max(s1, s2)
		return types.DecimalType(min(p1-s1, p2-s2)+s, s)
	}
	s := max(s1, s2)
	return types.DecimalType(s+max(p1-s1, p2-s2)+1, s)
}

func arith(op arithOp, l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	t, ok := arithResultType(op, lt, rt)
	if !ok {
		text := "(" + l.String() + " " + arithSymbols[op] + " " + r.String() + ")"
		return nil, mismatch("Error processing expression: %s. Unsupported arithmetic types. %s %s",
			text, baseName(lt), baseName(rt))
	}
	b := arithBase{op: op, l: l, r: r, t: t}
	switch t.Kind {
	case types.String:
		return &stringPlus{b}, nil
	case types.Int:
		return &intArith{arithBase: b, lf: intOf(l), rf: intOf(r)}, nil
	case types.Bigint:
		return &bigintArith{arithBase: b, lf: bigintOf(l), rf: bigintOf(r)}, nil
	case types.Double:
		return &doubleArith{arithBase: b, lf: doubleOf(l), rf: doubleOf(r)}, nil
	default:
		return &decimalArith{b}, nil
	}
}

// baseName is SqlBaseType's name, as ksqlDB's arithmetic errors print it.
func baseName(t types.Type) string {
	if t.Kind == types.Unknown {
		return "null"
	}
	return t.Kind.String()
}

type arithBase struct {
	op   arithOp
	l, r Expr
	t    types.Type
}

func (b *arithBase) Type() types.Type { return b.t }
func (b *arithBase) String() string {
	return "(" + b.l.String() + " " + arithSymbols[b.op] + " " + b.r.String() + ")"
}

var errDivByZero = &EvalError{Err: types.Errorf(types.CodeDivisionByZero, "/ by zero")}

type intArith struct {
	arithBase
	lf, rf intEval
}

func (n *intArith) evalInt(row types.Row) (int32, bool, error) {
	a, ok, err := n.lf(row)
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return 0, false, ErrNullOperand
	}
	b, ok, err := n.rf(row)
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return 0, false, ErrNullOperand
	}
	switch n.op {
	case opAdd:
		return a + b, true, nil
	case opSub:
		return a - b, true, nil
	case opMul:
		return a * b, true, nil
	case opDiv:
		if b == 0 {
			return 0, false, errDivByZero
		}
		if b == -1 {
			return -a, true, nil // Java wraps MIN_VALUE / -1
		}
		return a / b, true, nil
	default:
		if b == 0 {
			return 0, false, errDivByZero
		}
		if b == -1 {
			return 0, true, nil
		}
		return a % b, true, nil
	}
}

func (n *intArith) Eval(row types.Row) (types.Value, error) {
	v, ok, err := n.evalInt(row)
	if !ok {
		return nil, err
	}
	return v, nil
}

type bigintArith struct {
	arithBase
	lf, rf bigintEval
}

func (n *bigintArith) evalBigint(row types.Row) (int64, bool, error) {
	a, ok, err := n.lf(row)
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return 0, false, ErrNullOperand
	}
	b, ok, err := n.rf(row)
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return 0, false, ErrNullOperand
	}
	switch n.op {
	case opAdd:
		return a + b, true, nil
	case opSub:
		return a - b, true, nil
	case opMul:
		return a * b, true, nil
	case opDiv:
		if b == 0 {
			return 0, false, errDivByZero
		}
		if b == -1 {
			return -a, true, nil
		}
		return a / b, true, nil
	default:
		if b == 0 {
			return 0, false, errDivByZero
		}
		if b == -1 {
			return 0, true, nil
		}
		return a % b, true, nil
	}
}

func (n *bigintArith) Eval(row types.Row) (types.Value, error) {
	v, ok, err := n.evalBigint(row)
	if !ok {
		return nil, err
	}
	return v, nil
}

type doubleArith struct {
	arithBase
	lf, rf doubleEval
}

func (n *doubleArith) evalDouble(row types.Row) (float64, bool, error) {
	a, ok, err := n.lf(row)
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return 0, false, ErrNullOperand
	}
	b, ok, err := n.rf(row)
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return 0, false, ErrNullOperand
	}
	switch n.op {
	case opAdd:
		return a + b, true, nil
	case opSub:
		return a - b, true, nil
	case opMul:
		return a * b, true, nil
	case opDiv:
		return a / b, true, nil
	default:
		return math.Mod(a, b), true, nil // Java's % on doubles is fmod
	}
}

func (n *doubleArith) Eval(row types.Row) (types.Value, error) {
	v, ok, err := n.evalDouble(row)
	if !ok {
		return nil, err
	}
	return v, nil
}

type decimalArith struct{ arithBase }

func (n *decimalArith) Eval(row types.Row) (types.Value, error) {
	lv, err := n.l.Eval(row)
	if err != nil {
		return nil, err
	}
	if lv == nil {
		return nil, ErrNullOperand
	}
	rv, err := n.r.Eval(row)
	if err != nil {
		return nil, err
	}
	if rv == nil {
		return nil, ErrNullOperand
	}
	return decimalOp(n.op, decimalOf(lv), decimalOf(rv), n.t)
}

// decimalOp computes with exact decimals, as BigDecimal with MathContext(p, UNNECESSARY) and
// setScale(s) does: a result that would need rounding is an error.
func decimalOp(op arithOp, a, b decimal.Decimal, t types.Type) (types.Value, error) {
	var res decimal.Decimal
	switch op {
	case opAdd:
		res = a.Add(b)
	case opSub:
		res = a.Sub(b)
	case opMul:
		res = a.Mul(b)
	case opDiv:
		if b.IsZero() {
			if a.IsZero() {
				return nil, evalErrorf(types.CodeDivisionByZero, "Division undefined")
			}
			return nil, evalErrorf(types.CodeDivisionByZero, "Division by zero")
		}
		q := a.DivRound(b, int32(t.Scale))
		if !q.Mul(b).Equal(a) {
			return nil, evalErrorf(types.CodeNumericOutOfRange, "Rounding necessary")
		}
		res = q
	default:
		if b.IsZero() {
			return nil, evalErrorf(types.CodeDivisionByZero, "Division by zero")
		}
		_, res = a.QuoRem(b, 0)
	}
	if int(-res.Exponent()) > t.Scale && !res.Equal(res.Truncate(int32(t.Scale))) {
		return nil, evalErrorf(types.CodeNumericOutOfRange, "Rounding necessary")
	}
	return rescale(res, t.Scale), nil
}

// stringPlus is STRING + STRING, which ksqlDB compiles to Java's string concatenation: a NULL
// operand becomes the text "null".
type stringPlus struct{ arithBase }

func (n *stringPlus) Eval(row types.Row) (types.Value, error) {
	lv, err := n.l.Eval(row)
	if err != nil {
		return nil, err
	}
	rv, err := n.r.Eval(row)
	if err != nil {
		return nil, err
	}
	ls, ok := lv.(string)
	if !ok {
		ls = "null"
	}
	rs, ok := rv.(string)
	if !ok {
		rs = "null"
	}
	return ls + rs, nil
}

// --- unary -----------------------------------------------------------------------------------

// Unary builds -e, +e (numeric) and NOT e (BOOLEAN).
func Unary(op string, e Expr) (Expr, error) {
	switch strings.ToUpper(op) {
	case "NOT":
		if k := e.Type().Kind; k != types.Boolean && k != types.Unknown {
			return nil, mismatch("NOT requires a BOOLEAN operand, got %s", describe(e))
		}
		return &notNode{e: e, f: boolOf(e)}, nil
	case "-", "+":
		if !e.Type().IsNumeric() {
			return nil, mismatch("unary %s requires a numeric operand, got %s", op, describe(e))
		}
		return &negNode{e: e, neg: op == "-"}, nil
	}
	return nil, types.Errorf(types.CodeFeatureNotSupported, "unary operator %s is not supported", op)
}

type negNode struct {
	e   Expr
	neg bool
}

func (n *negNode) Type() types.Type { return n.e.Type() }
func (n *negNode) String() string {
	if n.neg {
		return "-" + n.e.String()
	}
	return "+" + n.e.String()
}

func (n *negNode) Eval(row types.Row) (types.Value, error) {
	v, err := n.e.Eval(row)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, ErrNullOperand
	}
	if !n.neg {
		return v, nil
	}
	switch x := v.(type) {
	case int32:
		return -x, nil
	case int64:
		return -x, nil
	case float64:
		return -x, nil
	case decimal.Decimal:
		return x.Neg(), nil
	}
	return nil, internalTypeError(v, n.e.Type())
}

// notNode is NOT: ksqlDB compiles it to Java's !, which fails on NULL.
type notNode struct {
	e    Expr
	f    boolEval
	text string // set when NOT stands for a negated form such as IS NOT DISTINCT FROM
}

func (n *notNode) Type() types.Type { return types.BooleanType }
func (n *notNode) String() string {
	if n.text != "" {
		return n.text
	}
	return "(NOT " + n.e.String() + ")"
}

func (n *notNode) evalBool(row types.Row) (bool, bool, error) {
	b, ok, err := n.f(row)
	if err != nil {
		return false, false, err
	}
	if !ok {
		return false, false, ErrNullOperand
	}
	return !b, true, nil
}

func (n *notNode) Eval(row types.Row) (types.Value, error) {
	b, ok, err := n.evalBool(row)
	if !ok {
		return nil, err
	}
	return b, nil
}

// --- AND / OR --------------------------------------------------------------------------------

// logical is AND/OR with Java's short-circuit && and ||: FALSE AND x is FALSE and TRUE OR x is
// TRUE without evaluating x; any other NULL operand fails (ksqlDB unboxes a null Boolean).
func logical(and bool, l, r Expr) (Expr, error) {
	name := "OR"
	if and {
		name = "AND"
	}
	for _, e := range []Expr{l, r} {
		if k := e.Type().Kind; k != types.Boolean && k != types.Unknown {
			return nil, mismatch("%s requires BOOLEAN operands, got %s", name, describe(e))
		}
	}
	return &logicalNode{and: and, l: l, r: r, lf: boolOf(l), rf: boolOf(r)}, nil
}

type logicalNode struct {
	and    bool
	l, r   Expr
	lf, rf boolEval
}

func (n *logicalNode) Type() types.Type { return types.BooleanType }
func (n *logicalNode) String() string {
	op := " OR "
	if n.and {
		op = " AND "
	}
	return "(" + n.l.String() + op + n.r.String() + ")"
}

func (n *logicalNode) evalBool(row types.Row) (bool, bool, error) {
	a, ok, err := n.lf(row)
	if err != nil {
		return false, false, err
	}
	if !ok {
		return false, false, ErrNullOperand
	}
	if a != n.and { // FALSE AND .., TRUE OR ..
		return a, true, nil
	}
	b, ok, err := n.rf(row)
	if err != nil {
		return false, false, err
	}
	if !ok {
		return false, false, ErrNullOperand
	}
	return b, true, nil
}

func (n *logicalNode) Eval(row types.Row) (types.Value, error) {
	b, ok, err := n.evalBool(row)
	if !ok {
		return nil, err
	}
	return b, nil
}
