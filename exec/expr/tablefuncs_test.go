package expr

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/types"
)

func TestTableFunctionRows(t *testing.T) {
	d := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	cases := []struct {
		name     string
		fn       string
		arg      Expr
		wantType types.Type // the type of one row
		want     []any      // nil: no rows
	}{
		{"explode ints", "EXPLODE", arrE(types.BigintType, int64(1), int64(2)), types.BigintType, arr(int64(1), int64(2))},
		{"explode keeps null elements", "EXPLODE", arrE(types.StringType, "a", nil, "c"), types.StringType, arr("a", nil, "c")},
		{"explode empty", "EXPLODE", arrE(types.IntType), types.IntType, arr()},
		{"explode null array", "EXPLODE", nArr(types.IntType), types.IntType, nil},
		{"explode decimals keep their type", "EXPLODE", arrE(decT(20, 10), d("1.5")), decT(20, 10), arr(d("1.5"))},
		{"explode structs", "EXPLODE", Literal([]any{types.StructValue{int64(1)}}, types.ArrayOf(types.StructOf(types.Field{Name: "F1", Type: types.BigintType}))),
			types.StructOf(types.Field{Name: "F1", Type: types.BigintType}), arr(types.StructValue{int64(1)})},
		{"cube two", "CUBE_EXPLODE", arrE(types.IntType, int32(1), int32(2)), types.ArrayOf(types.IntType),
			arr(arr(nil, nil), arr(nil, int32(2)), arr(int32(1), nil), arr(int32(1), int32(2)))},
		{"cube skips combinations of a null element", "CUBE_EXPLODE", arrE(types.IntType, int32(1), nil), types.ArrayOf(types.IntType),
			arr(arr(nil, nil), arr(int32(1), nil))},
		{"cube all null", "CUBE_EXPLODE", arrE(types.StringType, nil, nil), types.ArrayOf(types.StringType), arr(arr(nil, nil))},
		{"cube empty", "CUBE_EXPLODE", arrE(types.StringType), types.ArrayOf(types.StringType), arr(arr())},
		{"cube null array", "CUBE_EXPLODE", nArr(types.StringType), types.ArrayOf(types.StringType), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := TableCall(c.fn, []Expr{c.arg})
			require.NoError(t, err)
			require.Equal(t, types.Array, e.Type().Kind)
			require.True(t, e.Type().Elem.Equal(c.wantType), "row type %s", e.Type().Elem)
			v, err := e.Eval(nil)
			require.NoError(t, err)
			if c.want == nil {
				require.Nil(t, v)
				return
			}
			requireValue(t, c.want, v)
		})
	}
}

func TestTableFunctionCubeSize(t *testing.T) {
	in := make([]any, 10)
	for i := range in {
		in[i] = int32(i)
	}
	e, err := TableCall("cube_explode", []Expr{arrE(types.IntType, in...)})
	require.NoError(t, err)
	v, err := e.Eval(nil)
	require.NoError(t, err)
	require.Len(t, v, 1<<10)

	big := make([]any, maxCubeColumns+1)
	e, err = TableCall("CUBE_EXPLODE", []Expr{arrE(types.IntType, big...)})
	require.NoError(t, err)
	_, err = e.Eval(nil)
	require.ErrorContains(t, err, "at most")
}

func TestTableFunctionErrors(t *testing.T) {
	cases := []struct {
		name string
		fn   string
		args []Expr
		code types.Code
		msg  string
	}{
		{"explode map", "EXPLODE", []Expr{mapE(types.StringType, types.IntType, "a", int32(1))}, types.CodeUndefinedFunction,
			"Function 'explode' does not accept parameters (MAP<STRING, INTEGER>).\nValid alternatives are:\nexplode(ARRAY<DECIMAL> input)\nexplode(ARRAY<T> list)"},
		{"explode scalar", "EXPLODE", []Expr{lit(int32(1))}, types.CodeUndefinedFunction, "does not accept parameters (INTEGER)"},
		{"explode two args", "EXPLODE", []Expr{arrE(types.IntType), arrE(types.IntType)}, types.CodeUndefinedFunction, "does not accept parameters"},
		{"explode untyped null", "EXPLODE", []Expr{Null()}, types.CodeDatatypeMismatch, "Can't infer the type of the rows of EXPLODE"},
		{"cube map", "CUBE_EXPLODE", []Expr{mapE(types.StringType, types.IntType)}, types.CodeUndefinedFunction, "cube_explode(ARRAY<T> list)"},
		{"unknown", "NOPE", nil, types.CodeUndefinedFunction, "Can't find any table functions with the name 'NOPE'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := TableCall(c.fn, c.args)
			require.Error(t, err)
			require.Equal(t, c.code, types.CodeOf(err), "%v", err)
			require.Contains(t, err.Error(), c.msg)
		})
	}
}

func TestTableFunctionsAreNotScalar(t *testing.T) {
	for _, f := range TableFunctions() {
		require.Equal(t, CategoryTable, f.Category)
		require.True(t, IsTableFunction(f.Name))
		_, scalar := Lookup(f.Name)
		require.False(t, scalar, "%s is both a scalar and a table function", f.Name)
		_, err := Call(f.Name, []Expr{arrE(types.IntType, int32(1))})
		require.Equal(t, types.CodeUndefinedFunction, types.CodeOf(err))
	}
	names := []string{}
	for _, f := range TableFunctions() {
		names = append(names, f.Name)
	}
	require.Equal(t, []string{"CUBE_EXPLODE", "EXPLODE"}, names)
	require.False(t, IsTableFunction("ABS"))
	require.True(t, IsTableFunction("explode"))
}
