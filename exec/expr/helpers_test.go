package expr

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
	"github.com/stretchr/testify/require"
)

// lit builds a literal whose type follows from the Go value.
func lit(v types.Value) Expr {
	switch x := v.(type) {
	case nil:
		return Null()
	case bool:
		return Literal(x, types.BooleanType)
	case int32:
		return Literal(x, types.IntType)
	case int:
		return Literal(int32(x), types.IntType)
	case int64:
		return Literal(x, types.BigintType)
	case float64:
		return Literal(x, types.DoubleType)
	case string:
		return Literal(x, types.StringType)
	case []byte:
		return Literal(x, types.BytesType)
	case decimal.Decimal:
		return Literal(x, decimalTypeOfValue(x))
	case types.TimestampMillis:
		return Literal(x, types.TimestampType)
	case types.DateDays:
		return Literal(x, types.DateType)
	case types.TimeMillis:
		return Literal(x, types.TimeType)
	}
	panic("lit: unsupported value")
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decT(p, s int) types.Type { return types.DecimalType(p, s) }

// col is column i of type t, named C<i>.
func col(i int, t types.Type) Expr { return Column(i, t, "C"+string(rune('0'+i))) }

func must(t *testing.T, e Expr, err error) Expr {
	t.Helper()
	require.NoError(t, err)
	return e
}

// call builds a function call, failing the test on a construction error.
func call(t *testing.T, name string, args ...Expr) Expr {
	t.Helper()
	e, err := Call(name, args)
	require.NoError(t, err, "%s%s", name, argTypeList(args))
	return e
}

func eval(t *testing.T, e Expr, row types.Row) types.Value {
	t.Helper()
	v, err := e.Eval(row)
	require.NoError(t, err, "%s", e)
	return v
}

// requireValue compares with types.Equal, which compares decimals by value and byte slices
// by content.
func requireValue(t *testing.T, want, got types.Value, msgAndArgs ...any) {
	t.Helper()
	if !types.Equal(want, got) {
		require.Failf(t, "value mismatch", "want %#v (%T), got %#v (%T) %v", want, want, got, got, msgAndArgs)
	}
}

// fnCase is one row of a function table: arguments (literals unless given as Exprs), the
// expected value, or a substring of the expected evaluation error.
type fnCase struct {
	name    string
	args    []any
	want    types.Value
	wantErr string
}

func toExpr(a any) Expr {
	if e, ok := a.(Expr); ok {
		return e
	}
	return lit(a)
}

func runFnCases(t *testing.T, fnName string, cases []fnCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := make([]Expr, len(c.args))
			for i, a := range c.args {
				args[i] = toExpr(a)
			}
			e := call(t, fnName, args...)
			v, err := e.Eval(nil)
			if c.wantErr != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), c.wantErr)
				return
			}
			require.NoError(t, err)
			requireValue(t, c.want, v)
		})
	}
}

// requireCallError checks that a call fails at construction with a message containing want.
func requireCallError(t *testing.T, want string, name string, args ...Expr) {
	t.Helper()
	_, err := Call(name, args)
	require.Error(t, err)
	require.Contains(t, err.Error(), want)
}

func arr(vs ...any) []any { return vs }

func mapOf(kv ...any) *types.MapValue {
	m := &types.MapValue{}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Put(kv[i], kv[i+1])
	}
	return m
}

// mustExpr adapts a constructor's (Expr, error) result for use inside a table literal.
func mustExpr(t *testing.T) func(Expr, error) Expr {
	return func(e Expr, err error) Expr {
		t.Helper()
		require.NoError(t, err)
		return e
	}
}
