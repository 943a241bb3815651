package conformance

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/streamsql/streamsql/exec/agg"
	"github.com/streamsql/streamsql/exec/expr"
	"github.com/streamsql/streamsql/types"
)

func col(t types.Type) agg.Arg { return agg.Arg{Type: t, Text: "COL"} }

func lit(v types.Value, t types.Type) agg.Arg { return agg.Arg{Type: t, Literal: true, Value: v} }

// runAgg folds rows into a fresh state, round-tripping the state through its encoding after
// every row, and returns the result.
func runAgg(t *testing.T, a agg.Aggregator, rows ...[]types.Value) types.Value {
	t.Helper()
	s := a.Init()
	for _, r := range rows {
		s = a.Add(s, r)
		b := a.AppendState(nil, s)
		var err error
		if s, err = a.DecodeState(b); err != nil {
			t.Fatalf("%s: decode state: %v", a.Name(), err)
		}
	}
	return a.Result(s)
}

func TestRegisterTestFunctionsIdempotent(t *testing.T) {
	RegisterTestFunctions()
	RegisterTestFunctions() // a second registration would panic on the duplicate names
	for _, name := range []string{"test_udf", "BAD_UDF", "WhenCondition", "WHENRESULT", "TOSTRUCT"} {
		if _, ok := expr.Lookup(name); !ok {
			t.Errorf("scalar %s not registered", name)
		}
	}
	for _, name := range []string{"TEST_UDTF", "throwing_udtf"} {
		if !expr.IsTableFunction(name) {
			t.Errorf("table function %s not registered", name)
		}
	}
	for _, name := range []string{"TEST_UDAF", "MULTI_ARG", "FOUR_ARG", "FIVE_ARG", "VAR_ARG", "MID_VAR_ARG", "GENERIC_VAR_ARG", "OBJ_COL_ARG"} {
		if !agg.IsAggregate(name) {
			t.Errorf("aggregate %s not registered", name)
		}
	}
}

func TestTestAggregateResolution(t *testing.T) {
	RegisterTestFunctions()
	bigint, str, i32 := types.BigintType, types.StringType, types.IntType
	for _, tc := range []struct {
		name string
		args []agg.Arg
		want string // error substring; "" when the call resolves
	}{
		{"MULTI_ARG", []agg.Arg{col(bigint), col(str)}, "Function 'MULTI_ARG' does not accept parameters (BIGINT, STRING)."},
		{"MULTI_ARG", []agg.Arg{col(str), lit(int32(5), i32), lit("10", str)}, "does not accept parameters (STRING, INTEGER, STRING)."},
		{"MULTI_ARG", []agg.Arg{col(bigint), col(str), col(i32)}, "Parameter 3 passed to function MULTI_ARG must be a literal constant"},
		{"MULTI_ARG", []agg.Arg{col(i32), col(str), lit(int32(5), i32)}, ""}, // INT widens to BIGINT
		{"MID_VAR_ARG", []agg.Arg{col(bigint), col(str), col(str), lit(int32(3), i32)}, "does not accept parameters (BIGINT, STRING, STRING, INTEGER)."},
		{"MID_VAR_ARG", []agg.Arg{col(bigint), col(i32), lit(int32(3), i32), lit(int32(2), i32)}, "does not accept parameters"},
		{"MID_VAR_ARG", []agg.Arg{col(bigint), lit(int32(3), i32), lit(int32(2), i32)}, ""},
		{"VAR_ARG", []agg.Arg{col(str), col(str)}, "does not accept parameters (STRING, STRING)."},
		{"VAR_ARG", []agg.Arg{col(bigint), col(i32)}, "does not accept parameters (BIGINT, INTEGER)."},
		{"GENERIC_VAR_ARG", []agg.Arg{col(str), col(i32), col(types.DoubleType), col(str)}, "does not accept parameters"},
		{"GENERIC_VAR_ARG", []agg.Arg{col(str)}, "does not accept parameters"},
		{"OBJ_COL_ARG", []agg.Arg{col(bigint)}, "does not accept parameters"},
		{"TEST_UDAF", []agg.Arg{col(str), col(str)}, "Parameter 2 passed to function TEST_UDAF must be a literal constant"},
	} {
		_, err := agg.Resolve(tc.name, tc.args)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s%v: %v", tc.name, tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s%v: got %v, want an error containing %q", tc.name, tc.args, err, tc.want)
		}
	}
}

func TestTestAggregates(t *testing.T) {
	RegisterTestFunctions()
	bigint, str, i32 := types.BigintType, types.StringType, types.IntType

	a, err := agg.Resolve("MULTI_ARG", []agg.Arg{col(bigint), col(str), lit(int32(5), i32), lit("10", str), lit("20", str), lit("3", str)})
	if err != nil {
		t.Fatal(err)
	}
	if a.ColumnArgs() != 2 || !a.ResultType().Equal(bigint) {
		t.Fatalf("MULTI_ARG: %d columns, %s", a.ColumnArgs(), a.ResultType())
	}
	if got := runAgg(t, a, []types.Value{int64(6), "hi"}, []types.Value{nil, "hello"}); got != int64(23) {
		t.Errorf("MULTI_ARG = %v, want 23", got)
	}

	a, err = agg.Resolve("MID_VAR_ARG", []agg.Arg{col(bigint), col(str), col(str), lit(int32(7), i32), lit(int32(3), i32)})
	if err != nil {
		t.Fatal(err)
	}
	if a.ColumnArgs() != 3 {
		t.Fatalf("MID_VAR_ARG: %d columns, want 3", a.ColumnArgs())
	}
	if got := runAgg(t, a, []types.Value{int64(6), "hi", nil}); got != int64(18) {
		t.Errorf("MID_VAR_ARG = %v, want 18", got)
	}

	dec := types.DecimalType(5, 1)
	a, err = agg.Resolve("GENERIC_VAR_ARG", []agg.Arg{col(dec), col(i32), col(types.DoubleType), col(types.DoubleType)})
	if err != nil {
		t.Fatal(err)
	}
	if want := types.ArrayOf(dec); !a.ResultType().Equal(want) {
		t.Fatalf("GENERIC_VAR_ARG returns %s, want %s", a.ResultType(), want)
	}
	d1, d2 := decimal.RequireFromString("6.1"), decimal.RequireFromString("2.3")
	got := runAgg(t, a,
		[]types.Value{d1, int32(1), 1.0, 2.0},
		[]types.Value{d2, int32(1), nil, 2.0},
		[]types.Value{d2, int32(1), 1.0, 2.0})
	if l, ok := got.([]any); !ok || len(l) != 2 || !l[0].(decimal.Decimal).Equal(d1) || !l[1].(decimal.Decimal).Equal(d2) {
		t.Errorf("GENERIC_VAR_ARG = %v, want [6.1 2.3]", got)
	}

	a, err = agg.Resolve("TEST_UDAF", []agg.Arg{col(i32)})
	if err != nil {
		t.Fatal(err)
	}
	if !a.CanUndo() || !a.ResultType().Equal(bigint) {
		t.Fatalf("TEST_UDAF(INT): undo %v, returns %s", a.CanUndo(), a.ResultType())
	}
	s := a.Add(a.Add(a.Init(), []types.Value{int32(-2147483647)}), []types.Value{int32(5)})
	if got := a.Result(a.Undo(s, []types.Value{int32(5)})); got != int64(-2147483647) {
		t.Errorf("TEST_UDAF undo = %v", got)
	}

	st := types.StructOf(types.Field{Name: "A", Type: i32}, types.Field{Name: "B", Type: i32})
	a, err = agg.Resolve("TEST_UDAF", []agg.Arg{col(st)})
	if err != nil {
		t.Fatal(err)
	}
	got = runAgg(t, a, []types.Value{types.StructValue{int32(1), int32(2)}}, []types.Value{types.StructValue{int32(2), int32(3)}})
	if !types.Equal(got, types.StructValue{int32(3), int32(5)}) {
		t.Errorf("TEST_UDAF(STRUCT) = %v, want {3, 5}", got)
	}
}

func eval(t *testing.T, x expr.Expr, row types.Row) (types.Value, error) {
	t.Helper()
	return x.Eval(row)
}

func TestTestScalarFunctions(t *testing.T) {
	RegisterTestFunctions()
	intCol := expr.Column(0, types.IntType, "ID")
	longCol := expr.Column(1, types.BigintType, "L")
	row := types.Row{int32(1), int64(2)}
	for _, tc := range []struct {
		args []expr.Expr
		want string
	}{
		{[]expr.Expr{intCol, expr.Literal("foo", types.StringType)}, "doStuffIntString"},
		{[]expr.Expr{longCol, expr.Null()}, "doStuffLongString"},
		{[]expr.Expr{longCol, longCol, expr.Null()}, "doStuffLongLongString"},
		{[]expr.Expr{longCol, longCol, longCol, longCol}, "doStuffLongVarargs"},
	} {
		x, err := expr.Call("TEST_UDF", tc.args)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := eval(t, x, row); err != nil || v != tc.want {
			t.Errorf("%s = %v, %v; want %s", x, v, err, tc.want)
		}
	}

	// BAD_UDF(STRING) is NULL every other call, counted per call site.
	s := expr.Literal("d1", types.StringType)
	x1, _ := expr.Call("BAD_UDF", []expr.Expr{s})
	x2, _ := expr.Call("BAD_UDF", []expr.Expr{s})
	var got []types.Value
	for _, x := range []expr.Expr{x1, x1, x2, x1} {
		v, _ := eval(t, x, nil)
		got = append(got, v)
	}
	if got[0] != nil || got[1] != "d1" || got[2] != nil || got[3] != nil {
		t.Errorf("BAD_UDF calls = %v, want [nil d1 nil nil]", got)
	}
	x, _ := expr.Call("BAD_UDF", []expr.Expr{expr.Literal(true, types.BooleanType)})
	if _, err := eval(t, x, nil); err == nil || !expr.IsEvalError(err) || !strings.Contains(err.Error(), "You asked me to throw...") {
		t.Errorf("BAD_UDF(true): %v, want a per-record failure", err)
	}

	x, _ = expr.Call("WHENCONDITION", []expr.Expr{expr.Literal(true, types.BooleanType), expr.Literal(false, types.BooleanType)})
	if _, err := eval(t, x, nil); err == nil || !strings.Contains(err.Error(), "not running lazily") {
		t.Errorf("WHENCONDITION(true, false): %v", err)
	}
}

func TestTestTableFunctions(t *testing.T) {
	RegisterTestFunctions()
	structA := types.StructOf(types.Field{Name: "A", Type: types.StringType})
	cols := []types.Type{types.IntType, types.BigintType, types.DoubleType, types.BooleanType, types.StringType,
		types.DecimalType(20, 10), structA}
	row := types.Row{int32(1), int64(2), 3.1, true, "foo", decimal.RequireFromString("123.4560000000"), types.StructValue{"bar"}}
	args := make([]expr.Expr, len(cols))
	for i, c := range cols {
		args[i] = expr.Column(i, c, "F"+string(rune('0'+i)))
	}
	x, err := expr.TableCall("TEST_UDTF", args)
	if err != nil {
		t.Fatal(err)
	}
	v, err := x.Eval(row)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"1", "2", "3.1", "true", "foo", "123.4560000000", "Struct{A=bar}"}
	if !types.Equal(v, want) {
		t.Errorf("TEST_UDTF(F0..F6) = %v, want %v", v, want)
	}

	x, err = expr.TableCall("TEST_UDTF", args[5:6])
	if err != nil {
		t.Fatal(err)
	}
	if want := types.ArrayOf(types.DecimalType(30, 10)); !x.Type().Equal(want) {
		t.Errorf("TEST_UDTF(DECIMAL) rows are %s, want %s", x.Type(), want)
	}

	x, err = expr.TableCall("THROWING_UDTF", []expr.Expr{expr.Column(3, types.BooleanType, "B")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Eval(row); err == nil || !expr.IsEvalError(err) {
		t.Errorf("THROWING_UDTF(true): %v, want a per-record failure", err)
	}
}

func TestJavaStrings(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{{3.1, "3.1"}, {100, "100.0"}, {1e7, "1.0E7"}, {1.5e-4, "1.5E-4"}, {0.001, "0.001"}, {0, "0.0"}} {
		if got := javaDouble(tc.f); got != tc.want {
			t.Errorf("javaDouble(%v) = %s, want %s", tc.f, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"123.4560000000", "123.4560000000"}, {"-0.05", "-0.05"}, {"0.0000001", "1E-7"}, {"42", "42"},
	} {
		if got := javaBigDecimal(decimal.RequireFromString(tc.in)); got != tc.want {
			t.Errorf("javaBigDecimal(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
