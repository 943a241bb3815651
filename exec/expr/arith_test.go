package expr

import (
	"errors"
	"math"
	"testing"

	"github.com/streamsql/streamsql/types"
	"github.com/stretchr/testify/require"
)

func TestArithmeticTypesAndValues(t *testing.T) {
	cases := []struct {
		name     string
		op       string
		l, r     Expr
		wantType types.Type
		want     types.Value
	}{
		{"int+int", "+", lit(2), lit(3), types.IntType, int32(5)},
		{"int overflow wraps like Java", "+", lit(int32(math.MaxInt32)), lit(1), types.IntType, int32(math.MinInt32)},
		{"int+bigint", "+", lit(6), lit(int64(25)), types.BigintType, int64(31)},
		{"bigint*int", "*", lit(int64(25)), lit(25), types.BigintType, int64(625)},
		{"double+int", "+", lit(3.21), lit(10), types.DoubleType, 13.21},
		{"int division truncates", "/", lit(7), lit(2), types.IntType, int32(3)},
		{"negative division truncates toward zero", "/", lit(-7), lit(2), types.IntType, int32(-3)},
		{"modulus has the dividend's sign", "%", lit(-7), lit(3), types.IntType, int32(-1)},
		{"MIN_VALUE / -1 wraps", "/", lit(int32(math.MinInt32)), lit(-1), types.IntType, int32(math.MinInt32)},
		{"double division by zero is infinity", "/", lit(1.0), lit(0.0), types.DoubleType, math.Inf(1)},
		{"double modulus", "%", lit(5.5), lit(2.0), types.DoubleType, 1.5},
		{"decimal+decimal", "+", lit(dec("10.01")), lit(dec("5.10")), decT(5, 2), dec("15.11")},
		{"decimal+int", "+", lit(dec("10.01")), lit(5), decT(13, 2), dec("15.01")},
		// ksqlDB's decimal.json multiplies two DECIMAL(4, 2) columns; the literal 02.00 alone
		// would be DECIMAL(3, 2) (BigDecimal drops the leading zero) and give DECIMAL(8, 4).
		{"decimal*decimal", "*", Literal(dec("10.10"), decT(4, 2)), Literal(dec("02.00"), decT(4, 2)), decT(9, 4), dec("20.2000")},
		{"decimal literal*decimal literal", "*", lit(dec("10.10")), lit(dec("02.00")), decT(8, 4), dec("20.2000")},
		{"decimal/decimal", "/", Literal(dec("10.10"), decT(4, 2)), Literal(dec("2.00"), decT(4, 2)), decT(11, 7), dec("5.05")},
		{"decimal%decimal", "%", Literal(dec("10.10"), decT(4, 2)), Literal(dec("2.00"), decT(4, 2)), decT(4, 2), dec("0.10")},
		{"decimal+double is double", "+", lit(dec("10.01")), lit(5.1), types.DoubleType, 15.11},
		{"string+string concatenates", "+", lit("a"), lit("b"), types.StringType, "ab"},
		{"string+NULL string is Java's 'null'", "+", lit("a"), Literal(nil, types.StringType), types.StringType, "anull"},
		{"precedence example", "+", mustExpr(t)(Binary("*", lit(12), lit(4))), lit(2), types.IntType, int32(50)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := Binary(c.op, c.l, c.r)
			require.NoError(t, err)
			require.True(t, c.wantType.Equal(e.Type()), "type %s, want %s", e.Type(), c.wantType)
			requireValue(t, c.want, eval(t, e, nil))
		})
	}
}

func TestArithmeticResultKeepsDecimalScale(t *testing.T) {
	e := mustExpr(t)(Binary("/", Literal(dec("10.10"), decT(4, 2)), Literal(dec("-2.00"), decT(4, 2))))
	v := eval(t, e, nil)
	require.Equal(t, "-5.0500000", types.ToJSON(v, e.Type()).(interface{ String() string }).String())
}

func TestArithmeticFailures(t *testing.T) {
	cases := []struct {
		name string
		op   string
		l, r Expr
		code types.Code
	}{
		{"int division by zero", "/", lit(1), lit(0), types.CodeDivisionByZero},
		{"bigint modulus by zero", "%", lit(int64(1)), lit(int64(0)), types.CodeDivisionByZero},
		{"decimal division by zero", "/", lit(dec("1.0")), lit(dec("0.0")), types.CodeDivisionByZero},
		{"non-terminating decimal quotient", "/", lit(dec("1.0")), lit(dec("3.0")), types.CodeNumericOutOfRange},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := mustExpr(t)(Binary(c.op, c.l, c.r))
			_, err := e.Eval(nil)
			require.Error(t, err)
			require.True(t, IsEvalError(err))
			require.Equal(t, c.code, types.CodeOf(err))
		})
	}
}

func TestArithmeticOnNullFailsLikeKsqlDB(t *testing.T) {
	// ksqlDB's generated Java throws a NullPointerException; the row gets NULL and a log line.
	row := types.Row{nil, int32(1)}
	for _, op := range []string{"+", "-", "*", "/", "%"} {
		e := mustExpr(t)(Binary(op, col(0, types.IntType), col(1, types.IntType)))
		_, err := e.Eval(row)
		require.True(t, errors.Is(err, ErrNullOperand), op)
	}
	e := mustExpr(t)(Unary("-", col(0, types.BigintType)))
	_, err := e.Eval(row)
	require.True(t, errors.Is(err, ErrNullOperand))
}

func TestArithmeticTypeErrors(t *testing.T) {
	_, err := Binary("+", lit(true), lit(dec("1.5")))
	require.Error(t, err)
	require.Equal(t, types.CodeDatatypeMismatch, types.CodeOf(err))
	require.Contains(t, err.Error(), "Error processing expression: (true + 1.5). Unsupported arithmetic types. BOOLEAN DECIMAL")

	_, err = Binary("-", lit("a"), lit("b"))
	require.ErrorContains(t, err, "Unsupported arithmetic types. STRING STRING")

	_, err = Binary("+", Null(), lit(1))
	require.ErrorContains(t, err, "Unsupported arithmetic types. null INTEGER")

	_, err = Binary("^^", lit(1), lit(1))
	require.Equal(t, types.CodeFeatureNotSupported, types.CodeOf(err))

	_, err = Unary("-", lit("x"))
	require.Equal(t, types.CodeDatatypeMismatch, types.CodeOf(err))
	_, err = Unary("NOT", lit(1))
	require.Equal(t, types.CodeDatatypeMismatch, types.CodeOf(err))
}

func TestUnary(t *testing.T) {
	requireValue(t, int32(-5), eval(t, mustExpr(t)(Unary("-", lit(5))), nil))
	requireValue(t, dec("-10.12345"), eval(t, mustExpr(t)(Unary("-", lit(dec("10.12345")))), nil))
	requireValue(t, -1.5, eval(t, mustExpr(t)(Unary("-", lit(1.5))), nil))
	requireValue(t, int64(7), eval(t, mustExpr(t)(Unary("+", lit(int64(7)))), nil))
	requireValue(t, true, eval(t, mustExpr(t)(Unary("not", lit(false))), nil))
	_, err := mustExpr(t)(Unary("NOT", Literal(nil, types.BooleanType))).Eval(nil)
	require.ErrorIs(t, err, ErrNullOperand)
	require.Equal(t, "-C0", mustExpr(t)(Unary("-", col(0, types.IntType))).String())
}

func TestLogicalShortCircuitAndNulls(t *testing.T) {
	nullB := Literal(nil, types.BooleanType)
	cases := []struct {
		op   string
		l, r Expr
		want types.Value
		err  bool
	}{
		{"AND", lit(true), lit(true), true, false},
		{"AND", lit(true), lit(false), false, false},
		{"AND", lit(false), nullB, false, false}, // FALSE && .. never looks right
		{"OR", lit(true), nullB, true, false},
		{"AND", lit(true), nullB, nil, true},
		{"OR", nullB, lit(true), nil, true},
		{"or", lit(false), lit(false), false, false},
	}
	for _, c := range cases {
		e := mustExpr(t)(Binary(c.op, c.l, c.r))
		v, err := e.Eval(nil)
		if c.err {
			require.ErrorIs(t, err, ErrNullOperand, e.String())
			continue
		}
		require.NoError(t, err)
		require.Equal(t, c.want, v, e.String())
	}
	_, err := Binary("AND", lit(true), lit(1))
	require.Equal(t, types.CodeDatatypeMismatch, types.CodeOf(err))
}

func TestTruthy(t *testing.T) {
	require.True(t, Truthy(true))
	require.False(t, Truthy(false))
	require.False(t, Truthy(nil))
	require.False(t, Truthy("true"))
}

func TestStringRendering(t *testing.T) {
	e := mustExpr(t)(Binary("+", Call2(t, "RANDOM"), lit(dec("1.5"))))
	require.Equal(t, "(RANDOM() + 1.5)", e.String())
	cmp := mustExpr(t)(Binary(">=", Column(0, types.StringType, "ID"), lit("x'y")))
	require.Equal(t, "(ID >= 'x''y')", cmp.String())
	_, err := Binary(">=", Column(0, types.IntType, "ID"), lit("x'y"))
	require.ErrorContains(t, err, "Cannot compare ID (INTEGER) to 'x''y' (STRING) with GREATER_THAN_OR_EQUAL.")
	s := mustExpr(t)(Binary("AND", lit(true), mustExpr(t)(Binary("=", lit(1), lit(2)))))
	require.Equal(t, "(true AND (1 = 2))", s.String())
}

// Call2 builds a call that must succeed (a shorter form for the rendering tests).
func Call2(t *testing.T, name string, args ...Expr) Expr { return call(t, name, args...) }
