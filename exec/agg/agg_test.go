package agg

import (
	"sort"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/types"
	"github.com/stretchr/testify/require"
)

// col is a column argument, lit a literal one.
func col(t types.Type) Arg { return Arg{Type: t} }

func lit(t types.Type, v types.Value) Arg { return Arg{Type: t, Literal: true, Value: v} }

func intLit(v int32) Arg { return lit(types.IntType, v) }

func boolLit(v bool) Arg { return lit(types.BooleanType, v) }

func mustResolve(t *testing.T, name string, args ...Arg) Aggregator {
	t.Helper()
	a, err := Resolve(name, args)
	require.NoError(t, err, "%s%v", name, args)
	return a
}

var (
	dec42     = types.DecimalType(4, 2)
	arrInt    = types.ArrayOf(types.IntType)
	mapStrDbl = types.MapOf(types.StringType, types.DoubleType)
	structAB  = types.StructOf(types.Field{Name: "A", Type: types.StringType}, types.Field{Name: "B", Type: types.BigintType})
)

func TestRegistry(t *testing.T) {
	want := []string{
		"ATTR", "AVG", "COLLECT_LIST", "COLLECT_SET", "CORRELATION", "COUNT", "COUNT_DISTINCT",
		"EARLIEST_BY_OFFSET", "HISTOGRAM", "LATEST_BY_OFFSET", "MAX", "MIN", "STDDEV_POP",
		"STDDEV_SAMP", "STDDEV_SAMPLE", "SUM", "SUM_LIST", "TOPK", "TOPKDISTINCT", "VARIANCE",
	}
	var got []string
	for _, f := range All() {
		got = append(got, f.Name)
		require.NotEmpty(t, f.Description, f.Name)
		require.NotEmpty(t, f.Example, f.Name)
		require.Contains(t, f.Example, f.Name, "the example calls the function")
		require.NotEmpty(t, f.Signatures, f.Name)
		for _, s := range f.Signatures {
			require.True(t, strings.HasPrefix(s, f.Name+"("), s)
			require.Contains(t, s, " → ", s)
		}
	}
	require.Equal(t, want, got)
	require.True(t, sort.StringsAreSorted(got))

	require.Equal(t, "SUM", Lookup("sum").Name)
	require.Equal(t, "LATEST_BY_OFFSET", Lookup("Latest_By_Offset").Name)
	require.Nil(t, Lookup("ABS"))
	require.True(t, IsAggregate("count"))
	require.True(t, IsAggregate("TopKDistinct"))
	require.False(t, IsAggregate("substring"))
	require.False(t, IsAggregate(""))
}

func TestResolveTypes(t *testing.T) {
	topkStruct := types.ArrayOf(types.StructOf(
		types.Field{Name: "sort_col", Type: types.IntType},
		types.Field{Name: "col0", Type: types.StringType},
		types.Field{Name: "col1", Type: dec42}))
	cases := []struct {
		name    string
		args    []Arg
		ret     types.Type
		cols    int
		canUndo bool
	}{
		{"COUNT", nil, types.BigintType, 0, true},
		{"count", []Arg{col(types.StringType)}, types.BigintType, 1, true},
		{"COUNT", []Arg{intLit(1)}, types.BigintType, 1, true},
		{"COUNT", []Arg{lit(types.Type{}, nil)}, types.BigintType, 1, true},
		{"COUNT_DISTINCT", []Arg{col(structAB)}, types.BigintType, 1, false},
		{"SUM", []Arg{col(types.IntType)}, types.IntType, 1, true},
		{"SUM", []Arg{col(types.BigintType)}, types.BigintType, 1, true},
		{"SUM", []Arg{col(types.DoubleType)}, types.DoubleType, 1, true},
		{"SUM", []Arg{lit(types.DoubleType, 1.0)}, types.DoubleType, 1, true},
		{"SUM", []Arg{col(dec42)}, dec42, 1, true},
		{"SUM_LIST", []Arg{col(arrInt)}, types.IntType, 1, true},
		{"SUM_LIST", []Arg{col(types.ArrayOf(types.BigintType))}, types.BigintType, 1, true},
		{"SUM_LIST", []Arg{col(types.ArrayOf(types.DoubleType))}, types.DoubleType, 1, true},
		{"AVG", []Arg{col(types.IntType)}, types.DoubleType, 1, true},
		{"AVG", []Arg{col(types.BigintType)}, types.DoubleType, 1, true},
		{"AVG", []Arg{col(types.DoubleType)}, types.DoubleType, 1, true},
		{"AVG", []Arg{col(dec42)}, types.DoubleType, 1, true},
		{"MIN", []Arg{col(types.IntType)}, types.IntType, 1, false},
		{"MAX", []Arg{col(types.BigintType)}, types.BigintType, 1, false},
		{"MAX", []Arg{col(types.DoubleType)}, types.DoubleType, 1, false},
		{"MAX", []Arg{col(dec42)}, dec42, 1, false},
		{"MIN", []Arg{col(types.StringType)}, types.StringType, 1, false},
		{"MIN", []Arg{col(types.BytesType)}, types.BytesType, 1, false},
		{"MIN", []Arg{col(types.TimestampType)}, types.TimestampType, 1, false},
		{"MAX", []Arg{col(types.DateType)}, types.DateType, 1, false},
		{"MAX", []Arg{col(types.TimeType)}, types.TimeType, 1, false},
		{"LATEST_BY_OFFSET", []Arg{col(types.IntType)}, types.IntType, 1, false},
		{"LATEST_BY_OFFSET", []Arg{col(mapStrDbl), boolLit(false)}, mapStrDbl, 1, false},
		{"LATEST_BY_OFFSET", []Arg{col(types.StringType), intLit(2)}, types.ArrayOf(types.StringType), 1, false},
		{"EARLIEST_BY_OFFSET", []Arg{col(structAB), intLit(2), boolLit(true)}, types.ArrayOf(structAB), 1, false},
		{"EARLIEST_BY_OFFSET", []Arg{col(dec42), boolLit(true)}, dec42, 1, false},
		{"COLLECT_LIST", []Arg{col(types.ArrayOf(structAB))}, types.ArrayOf(types.ArrayOf(structAB)), 1, true},
		{"COLLECT_SET", []Arg{col(mapStrDbl)}, types.ArrayOf(mapStrDbl), 1, false},
		{"HISTOGRAM", []Arg{col(types.StringType)}, types.MapOf(types.StringType, types.BigintType), 1, true},
		{"TOPK", []Arg{col(types.IntType), intLit(3)}, arrInt, 1, false},
		{"TOPK", []Arg{col(types.StringType), intLit(3)}, types.ArrayOf(types.StringType), 1, false},
		{"TOPK", []Arg{col(types.IntType), col(types.StringType), col(dec42), intLit(3)}, topkStruct, 3, false},
		{"TOPKDISTINCT", []Arg{col(dec42), intLit(3)}, types.ArrayOf(dec42), 1, false},
		{"TOPKDISTINCT", []Arg{col(types.DoubleType), intLit(1)}, types.ArrayOf(types.DoubleType), 1, false},
		{"STDDEV_SAMP", []Arg{col(types.IntType)}, types.DoubleType, 1, true},
		{"STDDEV_SAMPLE", []Arg{col(types.BigintType)}, types.DoubleType, 1, true},
		{"STDDEV_POP", []Arg{col(types.DoubleType)}, types.DoubleType, 1, true},
		{"VARIANCE", []Arg{col(dec42)}, types.DoubleType, 1, true},
		{"CORRELATION", []Arg{col(types.IntType), col(types.DoubleType)}, types.DoubleType, 2, true},
		{"ATTR", []Arg{col(arrInt)}, arrInt, 1, true},
	}
	for _, c := range cases {
		a := mustResolve(t, c.name, c.args...)
		require.Equal(t, strings.ToUpper(c.name), a.Name())
		require.True(t, c.ret.Equal(a.ResultType()), "%s: got %s, want %s", c.name, a.ResultType(), c.ret)
		require.Equal(t, c.cols, a.ColumnArgs(), c.name)
		require.Equal(t, c.canUndo, a.CanUndo(), c.name)
		require.NotNil(t, a.Init(), c.name)
	}
}

func TestResolveErrors(t *testing.T) {
	cases := []struct {
		name string
		args []Arg
		code types.Code
		msg  string
	}{
		{"WONT_FIND_ME", []Arg{col(types.IntType)}, types.CodeUndefinedFunction,
			"Can't find any functions with the name 'WONT_FIND_ME'"},
		{"sum", []Arg{col(types.StringType)}, types.CodeUndefinedFunction,
			"Function 'SUM' does not accept parameters (STRING).\nValid alternatives are:\nSUM(col1 INT) → INT"},
		{"SUM", nil, types.CodeUndefinedFunction, "Function 'SUM' does not accept parameters ()."},
		{"SUM", []Arg{col(types.IntType), col(types.IntType)}, types.CodeUndefinedFunction,
			"Function 'SUM' does not accept parameters (INTEGER, INTEGER)."},
		{"SUM", []Arg{lit(types.Type{}, nil)}, types.CodeUndefinedFunction, "does not accept parameters (null)."},
		{"SUM", []Arg{col(types.StructOf(types.Field{Name: "A", Type: types.IntType}))}, types.CodeUndefinedFunction,
			"does not accept parameters (STRUCT<`A` INTEGER>)."},
		{"SUM_LIST", []Arg{col(types.ArrayOf(types.StringType))}, types.CodeUndefinedFunction, "(ARRAY<STRING>)"},
		{"SUM_LIST", []Arg{col(types.IntType)}, types.CodeUndefinedFunction, "(INTEGER)"},
		{"COUNT", []Arg{col(types.IntType), col(types.IntType)}, types.CodeUndefinedFunction,
			"Function 'COUNT' does not accept parameters (INTEGER, INTEGER)."},
		{"AVG", []Arg{col(types.StringType)}, types.CodeUndefinedFunction, "Function 'AVG' does not accept parameters (STRING)."},
		{"MAX", []Arg{col(types.BooleanType)}, types.CodeUndefinedFunction, "Function 'MAX' does not accept parameters (BOOLEAN)."},
		{"MIN", []Arg{col(arrInt)}, types.CodeUndefinedFunction, "Function 'MIN' does not accept parameters (ARRAY<INTEGER>)."},
		{"HISTOGRAM", []Arg{col(types.IntType)}, types.CodeUndefinedFunction, "Function 'HISTOGRAM' does not accept parameters (INTEGER)."},
		{"CORRELATION", []Arg{col(types.DoubleType)}, types.CodeUndefinedFunction, "(DOUBLE)"},
		{"CORRELATION", []Arg{col(types.DoubleType), col(types.StringType)}, types.CodeUndefinedFunction, "(DOUBLE, STRING)"},
		{"STDDEV_SAMP", []Arg{col(types.StringType)}, types.CodeUndefinedFunction, "Function 'STDDEV_SAMP' does not accept"},
		{"ATTR", nil, types.CodeUndefinedFunction, "Function 'ATTR' does not accept parameters ()."},
		{"COLLECT_LIST", []Arg{col(types.IntType), intLit(1)}, types.CodeUndefinedFunction, "(INTEGER, INTEGER)"},
		// Literal parameters (udaf/throw on no literal expressions pass for literal params).
		{"EARLIEST_BY_OFFSET", []Arg{col(types.IntType), {Type: types.IntType, Text: "F0"}}, types.CodeInvalidParameter,
			"Parameter 2 passed to function EARLIEST_BY_OFFSET must be a literal constant, but was expression: 'F0'"},
		{"LATEST_BY_OFFSET", []Arg{col(types.IntType), col(types.BooleanType)}, types.CodeInvalidParameter,
			"Parameter 2 passed to function LATEST_BY_OFFSET must be a literal constant"},
		{"LATEST_BY_OFFSET", []Arg{col(types.IntType), intLit(2), col(types.BooleanType)}, types.CodeInvalidParameter,
			"Parameter 3 passed to function LATEST_BY_OFFSET must be a literal constant"},
		{"LATEST_BY_OFFSET", []Arg{col(types.IntType), lit(types.IntType, nil)}, types.CodeInvalidParameter, "must not be NULL"},
		{"LATEST_BY_OFFSET", []Arg{col(types.IntType), intLit(0)}, types.CodeInvalidParameter, "latestN must be 1 or greater"},
		{"EARLIEST_BY_OFFSET", []Arg{col(types.IntType), intLit(-1), boolLit(true)}, types.CodeInvalidParameter, "earliestN must be 1 or greater"},
		{"LATEST_BY_OFFSET", []Arg{col(types.IntType), col(types.StringType)}, types.CodeUndefinedFunction,
			"Function 'LATEST_BY_OFFSET' does not accept parameters (INTEGER, STRING)."},
		{"LATEST_BY_OFFSET", []Arg{col(types.IntType), boolLit(true), intLit(2)}, types.CodeUndefinedFunction, "(INTEGER, BOOLEAN, INTEGER)"},
		{"LATEST_BY_OFFSET", nil, types.CodeUndefinedFunction, "()"},
		{"TOPK", []Arg{col(types.IntType)}, types.CodeUndefinedFunction, "Function 'TOPK' does not accept parameters (INTEGER)."},
		{"TOPK", []Arg{col(types.BooleanType), intLit(3)}, types.CodeUndefinedFunction, "(BOOLEAN, INTEGER)"},
		{"TOPK", []Arg{col(dec42), intLit(3)}, types.CodeUndefinedFunction, "(DECIMAL(4, 2), INTEGER)"},
		{"TOPK", []Arg{col(types.IntType), lit(types.BigintType, int64(3))}, types.CodeUndefinedFunction, "(INTEGER, BIGINT)"},
		{"TOPK", []Arg{col(types.IntType), col(types.IntType)}, types.CodeInvalidParameter,
			"Parameter 2 passed to function TOPK must be a literal constant"},
		{"TOPK", []Arg{col(types.IntType), intLit(0)}, types.CodeInvalidParameter, "TOPK: k must be 1 or greater"},
		{"TOPKDISTINCT", []Arg{col(types.IntType), col(types.StringType), intLit(3)}, types.CodeUndefinedFunction,
			"Function 'TOPKDISTINCT' does not accept parameters (INTEGER, STRING, INTEGER)."},
		{"TOPKDISTINCT", []Arg{col(types.DateType), intLit(3)}, types.CodeUndefinedFunction, "(DATE, INTEGER)"},
	}
	for _, c := range cases {
		a, err := Resolve(c.name, c.args)
		require.Nil(t, a, c.name)
		require.Error(t, err, c.name)
		var te *types.Error
		require.ErrorAs(t, err, &te)
		require.Equal(t, c.code, te.Code, "%s: %v", c.name, err)
		require.Contains(t, err.Error(), c.msg)
	}
}

func TestCollectLimitProperties(t *testing.T) {
	props := map[string]string{PropCollectListLimit: "2", PropCollectSetLimit: " 1 "}
	l, err := ResolveWith("COLLECT_LIST", []Arg{col(types.IntType)}, props)
	require.NoError(t, err)
	s := l.Init()
	for _, v := range []int32{1, 2, 3} {
		s = l.Add(s, []types.Value{v})
	}
	require.Equal(t, []any{int32(1), int32(2)}, l.Result(s))

	// collect-set/collect_set with limit of 1
	set, err := ResolveWith("COLLECT_SET", []Arg{col(types.IntType)}, props)
	require.NoError(t, err)
	s = set.Init()
	s = set.Add(s, []types.Value{int32(0)})
	require.Equal(t, []any{int32(0)}, set.Result(s))
	s = set.Add(s, []types.Value{int32(100)})
	require.Equal(t, []any{int32(0)}, set.Result(s))

	// Negative is no limit, as in ksqlDB; a limit of 0 collects nothing.
	for v, want := range map[string]int{"-1": 3, "0": 0} {
		l, err = ResolveWith("COLLECT_LIST", []Arg{col(types.IntType)}, map[string]string{PropCollectListLimit: v})
		require.NoError(t, err)
		s = l.Init()
		for _, x := range []int32{1, 2, 3} {
			s = l.Add(s, []types.Value{x})
		}
		require.Len(t, l.Result(s), want)
	}

	_, err = ResolveWith("COLLECT_LIST", []Arg{col(types.IntType)}, map[string]string{PropCollectListLimit: "lots"})
	require.Error(t, err)
	require.Equal(t, types.CodeInvalidParameter, types.CodeOf(err))
	require.Contains(t, err.Error(), PropCollectListLimit)
	// Another function ignores the property.
	_, err = ResolveWith("SUM", []Arg{col(types.IntType)}, map[string]string{PropCollectListLimit: "lots"})
	require.NoError(t, err)
}

func TestIntermediateType(t *testing.T) {
	complexKinds := map[string]bool{}
	for _, c := range []struct {
		name string
		args []Arg
	}{
		{"COUNT", nil}, {"SUM", []Arg{col(types.IntType)}}, {"SUM_LIST", []Arg{col(arrInt)}},
		{"MIN", []Arg{col(types.IntType)}}, {"MAX", []Arg{col(types.StringType)}},
		{"AVG", []Arg{col(types.IntType)}}, {"CORRELATION", []Arg{col(types.DoubleType), col(types.DoubleType)}},
		{"STDDEV_SAMP", []Arg{col(types.IntType)}}, {"STDDEV_SAMPLE", []Arg{col(types.IntType)}},
		{"TOPK", []Arg{col(types.IntType), intLit(2)}}, {"TOPKDISTINCT", []Arg{col(types.IntType), intLit(2)}},
		{"LATEST_BY_OFFSET", []Arg{col(types.IntType)}}, {"COLLECT_LIST", []Arg{col(types.IntType)}},
		{"HISTOGRAM", []Arg{col(types.StringType)}}, {"COUNT_DISTINCT", []Arg{col(types.IntType)}},
		{"ATTR", []Arg{col(types.IntType)}},
	} {
		k := IntermediateType(mustResolve(t, c.name, c.args...)).Kind
		complexKinds[c.name] = k == types.Struct || k == types.Array || k == types.Map
	}
	// The functions the corpus shows refused over DELIMITED have complex intermediates.
	for _, n := range []string{"AVG", "CORRELATION", "STDDEV_SAMP", "STDDEV_SAMPLE", "TOPK"} {
		require.True(t, complexKinds[n], n)
	}
	for _, n := range []string{"COUNT", "SUM", "SUM_LIST", "MIN", "MAX"} {
		require.False(t, complexKinds[n], n)
	}
}
