package expr

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// Expr is a typed, compiled expression.
type Expr interface {
	// Type is the SQL type of every non-NULL value Eval returns. An untyped NULL literal has
	// Kind types.Unknown.
	Type() types.Type
	// Eval computes the value for one input row. A non-nil error is an *EvalError: a failure
	// of this record only.
	Eval(row types.Row) (types.Value, error)
	// String renders the expression as ksqlDB prints it in messages and EXPLAIN: binary
	// operations parenthesized, string literals quoted, calls as NAME(args).
	String() string
}

// Extra SQLSTATEs used here that types does not name.
const (
	codeCannotCoerce      types.Code = "42846"
	codeAmbiguousFunction types.Code = "42725"
	codeNullNotAllowed    types.Code = "22004"
)

// EvalError is a per-record evaluation failure. The runtime keeps the record (NULL for a failed
// projection, a dropped row for a failed filter) and logs the error.
type EvalError struct {
	Err *types.Error
}

func (e *EvalError) Error() string { return e.Err.Message }

// Unwrap exposes the coded error so that types.CodeOf and errors.As work.
func (e *EvalError) Unwrap() error { return e.Err }

// ErrNullOperand is returned where ksqlDB's generated Java dereferences a NULL (arithmetic, NOT,
// AND/OR, LIKE, a CASE condition, an array index). ksqlDB logs a NullPointerException and
// writes NULL; callers that do not want one log line per NULL can test errors.Is.
var ErrNullOperand = &EvalError{Err: &types.Error{Code: codeNullNotAllowed,
	Message: "NULL operand (ksqlDB raises a NullPointerException here)"}}

// evalErrorf builds an evaluation error. Only failure paths call it, so its allocation does not
// matter.
func evalErrorf(code types.Code, format string, args ...any) error {
	return &EvalError{Err: types.Errorf(code, format, args...)}
}

// IsEvalError reports whether err is a per-record evaluation failure.
func IsEvalError(err error) bool {
	var e *EvalError
	return errors.As(err, &e)
}

// Truthy is a WHERE/HAVING filter's test: only TRUE keeps a row, NULL and FALSE drop it.
func Truthy(v types.Value) bool {
	b, ok := v.(bool)
	return ok && b
}

func mismatch(format string, args ...any) error {
	return types.Errorf(types.CodeDatatypeMismatch, format, args...)
}

func internalTypeError(v types.Value, t types.Type) error {
	return evalErrorf(types.CodeInternal, "internal error: value %T is not of type %s", v, t)
}

// --- typed fast paths ------------------------------------------------------------------------
//
// Boxing an int64 or a float64 into an interface allocates, so nodes whose result is a scalar
// also implement one of these, and parents that know their operand types call them directly.
// valid is false for NULL.

type (
	intEval    func(row types.Row) (v int32, valid bool, err error)
	bigintEval func(row types.Row) (v int64, valid bool, err error)
	doubleEval func(row types.Row) (v float64, valid bool, err error)
	boolEval   func(row types.Row) (v bool, valid bool, err error)
)

type intEvaler interface {
	evalInt(row types.Row) (int32, bool, error)
}
type bigintEvaler interface {
	evalBigint(row types.Row) (int64, bool, error)
}
type doubleEvaler interface {
	evalDouble(row types.Row) (float64, bool, error)
}
type boolEvaler interface {
	evalBool(row types.Row) (bool, bool, error)
}

// intOf returns a typed evaluator for an INT expression.
func intOf(e Expr) intEval {
	if t, ok := e.(intEvaler); ok {
		return t.evalInt
	}
	return func(row types.Row) (int32, bool, error) {
		v, err := e.Eval(row)
		if err != nil || v == nil {
			return 0, false, err
		}
		x, ok := v.(int32)
		if !ok {
			return 0, false, internalTypeError(v, types.IntType)
		}
		return x, true, nil
	}
}

// bigintOf returns a typed evaluator for an INT or BIGINT expression (INT widened).
func bigintOf(e Expr) bigintEval {
	if e.Type().Kind == types.Int {
		f := intOf(e)
		return func(row types.Row) (int64, bool, error) {
			v, ok, err := f(row)
			return int64(v), ok, err
		}
	}
	if t, ok := e.(bigintEvaler); ok {
		return t.evalBigint
	}
	return func(row types.Row) (int64, bool, error) {
		v, err := e.Eval(row)
		if err != nil || v == nil {
			return 0, false, err
		}
		x, ok := v.(int64)
		if !ok {
			return 0, false, internalTypeError(v, types.BigintType)
		}
		return x, true, nil
	}
}

// doubleOf returns a typed evaluator for any numeric expression, converted to DOUBLE the way
// Java widens (int and long exactly where representable, BigDecimal.doubleValue).
func doubleOf(e Expr) doubleEval {
	switch e.Type().Kind {
	case types.Int, types.Bigint:
		f := bigintOf(e)
		return func(row types.Row) (float64, bool, error) {
			v, ok, err := f(row)
			return float64(v), ok, err
		}
	case types.Decimal:
		return func(row types.Row) (float64, bool, error) {
			v, err := e.Eval(row)
			if err != nil || v == nil {
				return 0, false, err
			}
			d, ok := v.(decimal.Decimal)
			if !ok {
				return 0, false, internalTypeError(v, e.Type())
			}
			return d.InexactFloat64(), true, nil
		}
	}
	if t, ok := e.(doubleEvaler); ok {
		return t.evalDouble
	}
	return func(row types.Row) (float64, bool, error) {
		v, err := e.Eval(row)
		if err != nil || v == nil {
			return 0, false, err
		}
		x, ok := v.(float64)
		if !ok {
			return 0, false, internalTypeError(v, types.DoubleType)
		}
		return x, true, nil
	}
}

// boolOf returns a typed evaluator for a BOOLEAN expression.
func boolOf(e Expr) boolEval {
	if t, ok := e.(boolEvaler); ok {
		return t.evalBool
	}
	return func(row types.Row) (bool, bool, error) {
		v, err := e.Eval(row)
		if err != nil || v == nil {
			return false, false, err
		}
		x, ok := v.(bool)
		if !ok {
			return false, false, internalTypeError(v, types.BooleanType)
		}
		return x, true, nil
	}
}

// --- literals --------------------------------------------------------------------------------

type literal struct {
	v types.Value
	t types.Type
}

// Literal returns a constant of type t. v must already have t's Go representation (nil for
// NULL; a NULL literal without a type has t.Kind == types.Unknown). A DECIMAL value is rescaled
// to t's scale.
func Literal(v types.Value, t types.Type) Expr {
	if d, ok := v.(decimal.Decimal); ok && t.Kind == types.Decimal {
		v = rescale(d, t.Scale)
	}
	return &literal{v: v, t: t}
}

// Null returns the untyped NULL literal.
func Null() Expr { return &literal{} }

func (l *literal) Type() types.Type                    { return l.t }
func (l *literal) Eval(types.Row) (types.Value, error) { return l.v, nil }
func (l *literal) String() string                      { return formatLiteral(l.v, l.t) }
func (l *literal) evalInt(types.Row) (int32, bool, error) {
	x, ok := l.v.(int32)
	return x, ok, nil
}
func (l *literal) evalBigint(types.Row) (int64, bool, error) {
	x, ok := l.v.(int64)
	return x, ok, nil
}
func (l *literal) evalDouble(types.Row) (float64, bool, error) {
	x, ok := l.v.(float64)
	return x, ok, nil
}
func (l *literal) evalBool(types.Row) (bool, bool, error) {
	x, ok := l.v.(bool)
	return x, ok, nil
}

// isNullLiteral reports whether e is the untyped NULL literal.
func isNullLiteral(e Expr) bool {
	l, ok := e.(*literal)
	return ok && l.v == nil && l.t.Kind == types.Unknown
}

// --- columns ---------------------------------------------------------------------------------

type column struct {
	idx  int
	t    types.Type
	name string
}

// Column reads position index of the input row. name is what String prints (ksqlDB prints
// the column name as resolved, e.g. ID or I1_BAR for a joined column).
func Column(index int, t types.Type, name string) Expr {
	return &column{idx: index, t: t, name: name}
}

func (c *column) Type() types.Type { return c.t }
func (c *column) String() string   { return c.name }

func (c *column) Eval(row types.Row) (types.Value, error) {
	if c.idx >= len(row) {
		return nil, nil
	}
	return row[c.idx], nil
}

func (c *column) evalInt(row types.Row) (int32, bool, error) {
	if c.idx >= len(row) || row[c.idx] == nil {
		return 0, false, nil
	}
	x, ok := row[c.idx].(int32)
	if !ok {
		return 0, false, internalTypeError(row[c.idx], c.t)
	}
	return x, true, nil
}

func (c *column) evalBigint(row types.Row) (int64, bool, error) {
	if c.idx >= len(row) || row[c.idx] == nil {
		return 0, false, nil
	}
	x, ok := row[c.idx].(int64)
	if !ok {
		return 0, false, internalTypeError(row[c.idx], c.t)
	}
	return x, true, nil
}

func (c *column) evalDouble(row types.Row) (float64, bool, error) {
	if c.idx >= len(row) || row[c.idx] == nil {
		return 0, false, nil
	}
	x, ok := row[c.idx].(float64)
	if !ok {
		return 0, false, internalTypeError(row[c.idx], c.t)
	}
	return x, true, nil
}

func (c *column) evalBool(row types.Row) (bool, bool, error) {
	if c.idx >= len(row) || row[c.idx] == nil {
		return false, false, nil
	}
	x, ok := row[c.idx].(bool)
	if !ok {
		return false, false, internalTypeError(row[c.idx], c.t)
	}
	return x, true, nil
}

// --- helpers shared by the nodes --------------------------------------------------------------

// describe renders "expr (TYPE)" for error messages, as ksqlDB does.
func describe(e Expr) string {
	return fmt.Sprintf("%s (%s)", e.String(), typeName(e.Type()))
}

// rescale sets d's scale to s with HALF_UP rounding (shopspring's Round rounds half away from
// zero, which is Java's HALF_UP).
func rescale(d decimal.Decimal, s int) decimal.Decimal {
	if int(-d.Exponent()) == s {
		return d
	}
	return d.Round(int32(s))
}
