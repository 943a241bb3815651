package agg

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
	"github.com/stretchr/testify/require"
)

// skip marks a step whose result is not checked (the undo half of a table update: ksqlDB emits
// once per change, after the add).
type skipT struct{}

var skip = skipT{}

type step struct {
	undo bool
	args []types.Value
	want types.Value
}

func add(want types.Value, args ...types.Value) step { return step{args: args, want: want} }
func undo(want types.Value, args ...types.Value) step {
	return step{undo: true, args: args, want: want}
}

// sameValue compares two results: types.Equal (NULL, NaN and map order aware, Go types exact)
// plus the scale of decimals, which the output format shows.
func sameValue(t *testing.T, want, got types.Value, msgAndArgs ...any) {
	t.Helper()
	require.True(t, types.Equal(want, got), "want %#v, got %#v %v", want, got, msgAndArgs)
	if wd, ok := want.(decimal.Decimal); ok {
		require.Equal(t, wd.Exponent(), got.(decimal.Decimal).Exponent(), "decimal scale %v", msgAndArgs)
	}
}

// runSteps applies steps to a fresh state, checking the result after each; every state also
// goes through AppendState/DecodeState and the copy must behave the same.
func runSteps(t *testing.T, a Aggregator, steps []step) State {
	t.Helper()
	s := a.Init()
	for i, st := range steps {
		if st.undo {
			require.True(t, a.CanUndo(), "%s cannot undo", a.Name())
			s = a.Undo(s, st.args)
		} else {
			s = a.Add(s, st.args)
		}
		if _, ok := st.want.(skipT); !ok {
			sameValue(t, st.want, a.Result(s), "step", i)
		}
		b := a.AppendState(nil, s)
		s2, err := a.DecodeState(b)
		require.NoError(t, err, "step %d", i)
		require.Equal(t, b, a.AppendState(nil, s2), "step %d: re-encoding differs", i)
		sameValue(t, a.Result(s), a.Result(s2), "step", i, "decoded")
		if i%2 == 1 {
			s = s2 // continue from the decoded copy half the time
		}
	}
	return s
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestFunctions(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		id    string // the corpus case it comes from, or what it checks
		fn    string
		args  []Arg
		steps []step
	}{
		// COUNT
		{"count/count", "COUNT", nil, []step{add(int64(1)), add(int64(2))}},
		{"count(col) ignores NULL", "COUNT", []Arg{col(types.StringType)},
			[]step{add(int64(0), nil), add(int64(1), "a"), add(int64(1), nil), add(int64(2), "")}},
		{"count/count table", "COUNT", []Arg{intLit(1)},
			[]step{add(int64(1), int32(1)), undo(int64(0), int32(1)), add(int64(1), int32(1)), add(int64(2), int32(1)), undo(int64(1), int32(1))}},
		{"count(*) undo", "COUNT", nil, []step{add(int64(1)), add(int64(2)), undo(int64(1)), undo(int64(0))}},

		// SUM
		{"sum/sum double map", "SUM", []Arg{col(types.DoubleType)},
			[]step{add(10.0, 10.0), add(20.0, 10.0), add(30.0, 10.0), add(40.0, 10.0), add(50.0, 10.0)}},
		{"sum/sum with constant double arg", "SUM", []Arg{lit(types.DoubleType, 1.0)},
			[]step{add(1.0, 1.0), add(2.0, 1.0), add(3.0, 1.0)}},
		{"group-by/with aggregate arithmetic involving source field (table->table)", "SUM", []Arg{col(types.IntType)},
			[]step{add(int32(10), int32(10)), undo(skip, int32(10)), add(int32(20), int32(20)),
				undo(skip, int32(20)), add(int32(30), int32(30)), undo(int32(0), int32(30))}},
		{"SUM of nothing is 0 (count/count table emits 0 too)", "SUM", []Arg{col(types.IntType)},
			[]step{add(int32(0), nil), add(int32(0), nil)}},
		{"SUM BIGINT of nothing", "SUM", []Arg{col(types.BigintType)}, []step{add(int64(0), nil), add(int64(7), int64(7))}},
		{"SUM DOUBLE of nothing", "SUM", []Arg{col(types.DoubleType)}, []step{add(0.0, nil)}},
		{"SUM INT wraps like Java int", "SUM", []Arg{col(types.IntType)},
			[]step{add(int32(math.MaxInt32), int32(math.MaxInt32)), add(int32(math.MinInt32), int32(1)), undo(int32(math.MaxInt32), int32(1))}},
		{"SUM BIGINT wraps like Java long", "SUM", []Arg{col(types.BigintType)},
			[]step{add(int64(math.MaxInt64), int64(math.MaxInt64)), add(int64(math.MinInt64), int64(1))}},
		{"SUM DECIMAL keeps precision and scale", "SUM", []Arg{col(dec42)},
			[]step{add(d("0.00"), nil), add(d("1.50"), d("1.50")), add(d("3.75"), d("2.25")), undo(d("1.50"), d("2.25")),
				add(d("99.49"), d("97.99")), add(d("99.49"), d("0.51")) /* overflow: skipped */, add(d("99.99"), d("0.50"))}},
		{"SUM DECIMAL beyond 64 bits", "SUM", []Arg{col(types.DecimalType(38, 2))},
			[]step{add(d("99999999999999999999.99"), d("99999999999999999999.99")), add(d("199999999999999999999.98"), d("99999999999999999999.99"))}},
		{"sum/sum list of doubles into a single double", "SUM_LIST", []Arg{col(types.ArrayOf(types.DoubleType))},
			[]step{add(2.0, []any{1.0, 1.0}), add(6.0, []any{2.0, 2.0}), add(922337203692.0, []any{922337203685.0, 1.0}),
				add(922337203694.0, []any{1.0, 1.0, nil}), add(922337203694.0, nil)}},
		{"sum/sum list of longs into a single long", "SUM_LIST", []Arg{col(types.ArrayOf(types.BigintType))},
			[]step{add(int64(2), []any{int64(1), int64(1)}), add(int64(6), []any{int64(2), int64(2)}),
				add(int64(206), []any{int64(100), int64(100)}), add(int64(406), []any{int64(100), int64(100), nil}),
				undo(int64(206), []any{int64(100), int64(100)})}},
		{"SUM_LIST of ints", "SUM_LIST", []Arg{col(arrInt)}, []step{add(int32(0), []any{}), add(int32(3), []any{int32(1), int32(2)})}},

		// AVG
		{"average-udaf/average int (alice)", "AVG", []Arg{col(types.IntType)},
			[]step{add(1.0, int32(1)), add(1.5, int32(2)), add(1.6666666666666667, int32(2)), add(1.6666666666666667, nil)}},
		{"average-udaf/average int (bob)", "AVG", []Arg{col(types.IntType)},
			[]step{add(2.0, int32(2)), add(2.0, int32(2)), add(1.3333333333333333, int32(0))}},
		{"average-udaf/average long (alice)", "AVG", []Arg{col(types.BigintType)},
			[]step{add(-1.0, int64(-1)), add(4.611686018427388e+18, int64(math.MaxInt64)), add(3.0744573456182584e+18, int64(1)),
				add(3.0744573456182584e+18, nil)}},
		{"average-udaf/average long (bob)", "AVG", []Arg{col(types.BigintType)},
			[]step{add(2.0, int64(2)), add(0.0, int64(-2)), add(0.0, int64(0))}},
		{"average-udaf/average double (alice)", "AVG", []Arg{col(types.DoubleType)},
			[]step{add(-1.8, -1.8), add(4611686018426.487, 9223372036854.775), add(3074457345651.058, 100.2), add(3074457345651.058, nil)}},
		{"average-udaf/average double (bob)", "AVG", []Arg{col(types.DoubleType)},
			[]step{add(2.3, 2.3), add(-99999.15000000001, -200000.6), add(-66666.1, 0.0)}},
		{"average-udaf/average udaf with table", "AVG", []Arg{col(types.IntType)},
			[]step{add(1.0, int32(1)), add(1.5, int32(2)), undo(skip, int32(1)), add(2.0, nil), undo(skip, nil), add(3.0, int32(4))}},
		{"AVG of nothing is 0.0", "AVG", []Arg{col(types.IntType)}, []step{add(0.0, nil), add(5.0, int32(5)), undo(0.0, int32(5))}},
		{"AVG of DECIMAL averages as DOUBLE", "AVG", []Arg{col(dec42)}, []step{add(1.5, d("1.50")), add(2.0, d("2.50"))}},
		{"AVG INT sum wraps like ksqlDB's int SUM field", "AVG", []Arg{col(types.IntType)},
			[]step{add(float64(math.MaxInt32), int32(math.MaxInt32)), add(float64(math.MinInt32)/2, int32(1))}},

		// MIN, MAX
		{"case-expression/as param to UDAF (min)", "MIN", []Arg{col(types.IntType)},
			[]step{add(nil, nil), add(int32(100125102), int32(100125102)), add(int32(100125102), nil), add(int32(5), int32(5))}},
		{"tumbling-windows/out of order (max)", "MAX", []Arg{col(types.BigintType)},
			[]step{add(int64(0), int64(0)), add(int64(5), int64(5)), add(int64(6), int64(6)), add(int64(6), int64(1))}},
		{"MAX DOUBLE: NaN is largest, as Double.compare", "MAX", []Arg{col(types.DoubleType)},
			[]step{add(-1.5, -1.5), add(math.Inf(1), math.Inf(1)), add(nan, nan), add(nan, 3.0)}},
		{"MIN DOUBLE: -0.0 below 0.0", "MIN", []Arg{col(types.DoubleType)},
			[]step{add(0.0, 0.0), add(math.Copysign(0, -1), math.Copysign(0, -1))}},
		{"MAX STRING in UTF-16 order", "MAX", []Arg{col(types.StringType)},
			[]step{add("a", "a"), add("b", "b"), add("\uE000", "\uE000"), add("\uE000", "𝄞"), add("\uE000", "B")}},
		{"MIN STRING in UTF-16 order", "MIN", []Arg{col(types.StringType)},
			[]step{add("\uE000", "\uE000"), add("𝄞", "𝄞"), add("", "")}},
		{"MAX BYTES compares signed bytes", "MAX", []Arg{col(types.BytesType)},
			[]step{add([]byte{0x80}, []byte{0x80}), add([]byte{0x7f}, []byte{0x7f}), add([]byte{0x7f, 0}, []byte{0x7f, 0})}},
		{"MAX DECIMAL", "MAX", []Arg{col(dec42)}, []step{add(d("1.50"), d("1.50")), add(d("10.00"), d("10.00")), add(d("10.00"), d("-20.00"))}},
		{"MIN TIMESTAMP", "MIN", []Arg{col(types.TimestampType)},
			[]step{add(types.TimestampMillis(5), types.TimestampMillis(5)), add(types.TimestampMillis(-5), types.TimestampMillis(-5))}},
		{"MAX DATE", "MAX", []Arg{col(types.DateType)}, []step{add(types.DateDays(5), types.DateDays(5)), add(types.DateDays(7), types.DateDays(7))}},
		{"MIN TIME", "MIN", []Arg{col(types.TimeType)}, []step{add(types.TimeMillis(5), types.TimeMillis(5)), add(types.TimeMillis(1), types.TimeMillis(1))}},

		// COUNT_DISTINCT
		{"count-distinct/count distinct (foo)", "COUNT_DISTINCT", []Arg{col(types.StringType)},
			[]step{add(int64(1), "one"), add(int64(2), "two"), add(int64(2), "one"), add(int64(2), "two"), add(int64(2), nil)}},
		{"COUNT_DISTINCT of nothing", "COUNT_DISTINCT", []Arg{col(types.StringType)}, []step{add(int64(0), nil)}},
		{"COUNT_DISTINCT compares decimals by value, maps ignoring order", "COUNT_DISTINCT", []Arg{col(mapStrDbl)},
			[]step{add(int64(1), &types.MapValue{Keys: []types.Value{"a", "b"}, Values: []types.Value{1.0, 2.0}}),
				add(int64(1), &types.MapValue{Keys: []types.Value{"b", "a"}, Values: []types.Value{2.0, 1.0}}),
				add(int64(2), &types.MapValue{Keys: []types.Value{"a"}, Values: []types.Value{1.0}})}},

		// COLLECT_LIST
		{"collect-list/collect_list decimal-JSON", "COLLECT_LIST", []Arg{col(types.DecimalType(4, 1))},
			[]step{add([]any{d("500.9")}, d("500.9")), add([]any{d("500.9"), d("300.8")}, d("300.8")),
				add([]any{d("500.9"), d("300.8"), nil}, nil), add([]any{d("500.9"), d("300.8"), nil, d("300.8")}, d("300.8"))}},
		{"collect-list/collect_list int table-JSON", "COLLECT_LIST", []Arg{col(types.IntType)},
			[]step{add([]any{int32(0)}, int32(0)), undo([]any{}, int32(0)), add([]any{int32(100)}, int32(100))}},
		{"collect-list/collect_list struct-JSON", "COLLECT_LIST", []Arg{col(structAB)},
			[]step{add([]any{types.StructValue{"Record0", int64(100)}}, types.StructValue{"Record0", int64(100)}),
				add([]any{types.StructValue{"Record0", int64(100)}, types.StructValue{"Record0", int64(100)}}, types.StructValue{"Record0", int64(100)})}},
		{"COLLECT_LIST undo removes the last occurrence", "COLLECT_LIST", []Arg{col(types.StringType)},
			[]step{add([]any{"a"}, "a"), add([]any{"a", "b"}, "b"), add([]any{"a", "b", "a"}, "a"),
				undo([]any{"a", "b"}, "a"), undo([]any{"a", "b"}, "zzz"), undo([]any{"a"}, "b")}},
		{"COLLECT_LIST of nothing", "COLLECT_LIST", []Arg{col(types.StringType)}, []step{undo([]any{}, "x")}},

		// COLLECT_SET
		{"collect-set/collect_set string-JSON (100)", "COLLECT_SET", []Arg{col(types.StringType)},
			[]step{add([]any{"baz"}, "baz"), add([]any{"baz"}, "baz"), add([]any{"baz", "foo"}, "foo"),
				add([]any{"baz", "foo", nil}, nil), add([]any{"baz", "foo", nil}, nil)}},
		{"collect-set/collect_set maps-JSON", "COLLECT_SET", []Arg{col(types.MapOf(types.StringType, types.BigintType))},
			[]step{add([]any{&types.MapValue{Keys: []types.Value{"Record0", "Record2"}, Values: []types.Value{int64(100), int64(2)}}},
				&types.MapValue{Keys: []types.Value{"Record0", "Record2"}, Values: []types.Value{int64(100), int64(2)}}),
				add([]any{&types.MapValue{Keys: []types.Value{"Record0", "Record2"}, Values: []types.Value{int64(100), int64(2)}}},
					&types.MapValue{Keys: []types.Value{"Record2", "Record0"}, Values: []types.Value{int64(2), int64(100)}})}},
		{"collect-set/collect_set arrays-JSON", "COLLECT_SET", []Arg{col(arrInt)},
			[]step{add([]any{[]any{int32(0), int32(1)}}, []any{int32(0), int32(1)}), add([]any{[]any{int32(0), int32(1)}}, []any{int32(0), int32(1)}),
				add([]any{[]any{int32(0), int32(1)}, []any{int32(1), int32(0)}}, []any{int32(1), int32(0)})}},

		// HISTOGRAM
		{"histogram/histogram string-JSON (100)", "HISTOGRAM", []Arg{col(types.StringType)},
			[]step{add(hist("baz", 1), "baz"), add(hist("baz", 2), "baz"), add(hist("baz", 2, "foo", 1), "foo"), add(hist("baz", 2, "foo", 1), nil)}},
		{"histogram/histogram on a table-JSON (east)", "HISTOGRAM", []Arg{col(types.StringType)},
			[]step{add(hist("alice", 1), "alice"), add(hist("alice", 1, "bob", 1), "bob"), undo(hist("alice", 1), "bob")}},
		{"histogram/histogram on a table-JSON (west)", "HISTOGRAM", []Arg{col(types.StringType)},
			[]step{add(hist("carol", 1), "carol"), add(hist("carol", 1, "dave", 1), "dave"),
				add(hist("carol", 1, "dave", 1, "bob", 1), "bob"), undo(hist("carol", 1, "dave", 1), "bob"), undo(hist("carol", 1, "dave", 1), "nobody")}},

		// ATTR
		{"attr/valid attr with various non-scalar fields", "ATTR", []Arg{col(arrInt)},
			[]step{add([]any{int32(1), int32(2)}, []any{int32(1), int32(2)}), add([]any{int32(1), int32(2)}, []any{int32(1), int32(2)})}},
		{"attr/valid attr with nulls", "ATTR", []Arg{col(types.StringType)}, []step{add(nil, nil), add(nil, nil)}},
		{"attr/invalid attr", "ATTR", []Arg{col(types.StringType)}, []step{add("1", "1"), add(nil, "2"), add(nil, "3")}},
		{"attr/table attr with tombstones", "ATTR", []Arg{col(types.StringType)},
			[]step{add("1", "1"), add("1", "1"), undo("1", "1"), undo(nil, "1"), add("2", "2"), add(nil, "3"), undo("2", "3")}},
		{"ATTR: a NULL is a second value", "ATTR", []Arg{col(types.StringType)}, []step{add("1", "1"), add(nil, nil), undo("1", nil)}},

		// TOPK, TOPKDISTINCT
		{"topk-group-by/topk integer-JSON", "TOPK", []Arg{col(types.IntType), intLit(3)},
			[]step{add([]any{int32(0)}, int32(0)), add([]any{int32(100), int32(0)}, int32(100)),
				add([]any{int32(100), int32(99), int32(0)}, int32(99)), add([]any{int32(100), int32(99), int32(7)}, int32(7)),
				add([]any{int32(100), int32(100), int32(99)}, int32(100)), add([]any{int32(100), int32(100), int32(99)}, nil)}},
		{"topk-group-by/topk long-JSON", "TOPK", []Arg{col(types.BigintType), intLit(3)},
			[]step{add([]any{int64(2147483648)}, int64(2147483648)), add([]any{int64(2147483648), int64(100)}, int64(100)),
				add([]any{int64(2147483648), int64(100), int64(99)}, int64(99)), add([]any{int64(2147483648), int64(100), int64(99)}, int64(7)),
				add([]any{int64(2147483648), int64(100), int64(100)}, int64(100))}},
		{"topk-group-by/topk string-JSON", "TOPK", []Arg{col(types.StringType), intLit(3)},
			[]step{add([]any{"a"}, "a"), add([]any{"b", "a"}, "b"), add([]any{"c", "b", "a"}, "c"),
				add([]any{"c", "b", "b"}, "b"), add([]any{"d", "c", "b"}, "d")}},
		{"topk-group-by/topk integer struct-JSON", "TOPK", []Arg{col(types.IntType), col(types.StringType), intLit(3)},
			[]step{add([]any{row(int32(0), "zero")}, int32(0), "zero"),
				add([]any{row(int32(100), "one"), row(int32(0), "zero")}, int32(100), "one"),
				add([]any{row(int32(100), "one"), row(int32(99), "two"), row(int32(0), "zero")}, int32(99), "two"),
				add([]any{row(int32(100), "one"), row(int32(99), "two"), row(int32(0), "zero")}, nil, "three"),
				add([]any{row(int32(100), "one"), row(int32(100), nil), row(int32(99), "two")}, int32(100), nil)}},
		{"topk-group-by/topk string struct-JSON", "TOPK", []Arg{col(types.StringType), col(types.StringType), intLit(3)},
			[]step{add([]any{row("a", "zero")}, "a", "zero"), add([]any{row("a", "zero")}, nil, "one"),
				add([]any{row("c", "two"), row("a", "zero")}, "c", "two"),
				add([]any{row("c", "two"), row("b", "three"), row("a", "zero")}, "b", "three"),
				add([]any{row("d", nil), row("c", "two"), row("b", "three")}, "d", nil)}},
		{"topk-group-by/topk double struct-JSON (two other columns)", "TOPK",
			[]Arg{col(types.DoubleType), col(types.StringType), col(types.BigintType), intLit(2)},
			[]step{add([]any{row(1.5, "x", int64(1))}, 1.5, "x", int64(1)), add([]any{row(2.5, "y", nil), row(1.5, "x", int64(1))}, 2.5, "y", nil),
				add([]any{row(2.5, "y", nil), row(1.5, "x", int64(1))}, 1.5, "z", int64(3))}},
		{"topk-distinct/topk distinct integer", "TOPKDISTINCT", []Arg{col(types.IntType), intLit(3)},
			[]step{add([]any{int32(0)}, int32(0)), add([]any{int32(100), int32(0)}, int32(100)),
				add([]any{int32(100), int32(99), int32(0)}, int32(99)), add([]any{int32(100), int32(99), int32(7)}, int32(7)),
				add([]any{int32(100), int32(99), int32(7)}, int32(100)), add([]any{int32(100), int32(99), int32(7)}, nil)}},
		{"TOPKDISTINCT DECIMAL", "TOPKDISTINCT", []Arg{col(dec42), intLit(2)},
			[]step{add([]any{d("1.00")}, d("1.00")), add([]any{d("1.00")}, d("1.00")), add([]any{d("2.00"), d("1.00")}, d("2.00")),
				add([]any{d("3.00"), d("2.00")}, d("3.00"))}},
		{"TOPK of nothing", "TOPK", []Arg{col(types.IntType), intLit(3)}, []step{add([]any{}, nil)}},

		// LATEST_BY_OFFSET, EARLIEST_BY_OFFSET
		{"latest-offset-udaf/latest by offset with decimals", "LATEST_BY_OFFSET", []Arg{col(types.DecimalType(3, 2)), boolLit(true)},
			[]step{add(d("3.40"), d("3.40")), add(d("8.90"), d("8.90"))}},
		{"earliest-offset-udaf/earliest by offset with decimals", "EARLIEST_BY_OFFSET", []Arg{col(types.DecimalType(3, 2)), boolLit(true)},
			[]step{add(d("3.40"), d("3.40")), add(d("3.40"), d("8.90"))}},
		{"latest-offset-udaf/nulls ignored - single", "LATEST_BY_OFFSET", []Arg{col(types.IntType), boolLit(true)},
			[]step{add(int32(12), int32(12)), add(int32(12), nil), add(int32(13), int32(13))}},
		{"latest-offset-udaf/nulls not ignored - single", "LATEST_BY_OFFSET", []Arg{col(types.IntType), boolLit(false)},
			[]step{add(int32(12), int32(12)), add(nil, nil), add(int32(13), int32(13))}},
		{"latest-offset-udaf/nulls ignored - multiple", "LATEST_BY_OFFSET", []Arg{col(types.IntType), intLit(2), boolLit(true)},
			[]step{add([]any{int32(12)}, int32(12)), add([]any{int32(12)}, nil), add([]any{int32(12), int32(13)}, int32(13))}},
		{"latest-offset-udaf/nulls not ignored - multiple", "LATEST_BY_OFFSET", []Arg{col(types.IntType), intLit(2), boolLit(false)},
			[]step{add([]any{int32(12)}, int32(12)), add([]any{int32(12), nil}, nil), add([]any{nil, int32(13)}, int32(13))}},
		{"latest-offset-udaf/latest by offset with all nulls", "LATEST_BY_OFFSET", []Arg{col(types.IntType)},
			[]step{add(nil, nil), add(nil, nil)}},
		{"latest-offset-udaf/latest n by offset with all nulls", "LATEST_BY_OFFSET", []Arg{col(types.IntType), intLit(2)},
			[]step{add([]any{}, nil), add([]any{}, nil)}},
		{"latest-offset-udaf/latest n by offset", "LATEST_BY_OFFSET", []Arg{col(types.StringType), intLit(2)},
			[]step{add([]any{"foo"}, "foo"), add([]any{"foo", "bar"}, "bar"), add([]any{"bar", "baz"}, "baz")}},
		{"latest-offset-udaf/latest by offset with maps", "LATEST_BY_OFFSET", []Arg{col(mapStrDbl)},
			[]step{add(hist2("Early0", 1.234), hist2("Early0", 1.234)), add(hist2("Later0", 3.6789), hist2("Later0", 3.6789))}},
		{"earliest-offset-udaf/nulls later - single - nulls ignored", "EARLIEST_BY_OFFSET", []Arg{col(types.IntType)},
			[]step{add(int32(12), int32(12)), add(int32(12), nil), add(int32(12), int32(13))}},
		{"earliest-offset-udaf/null first - multiple - ignoring nulls", "EARLIEST_BY_OFFSET", []Arg{col(types.IntType), intLit(2)},
			[]step{add([]any{}, nil), add([]any{int32(13)}, int32(13))}},
		{"earliest-offset-udaf/nulls later - multiple - nulls ignored", "EARLIEST_BY_OFFSET", []Arg{col(types.IntType), intLit(2)},
			[]step{add([]any{int32(12)}, int32(12)), add([]any{int32(12)}, nil), add([]any{int32(12), int32(13)}, int32(13)), add([]any{int32(12), int32(13)}, int32(14))}},
		{"earliest-offset-udaf/null later - multiple - nulls not ignored", "EARLIEST_BY_OFFSET", []Arg{col(types.IntType), intLit(2), boolLit(false)},
			[]step{add([]any{int32(12)}, int32(12)), add([]any{int32(12), nil}, nil), add([]any{int32(12), nil}, int32(13))}},
		{"earliest by offset, NULL first, nulls not ignored", "EARLIEST_BY_OFFSET", []Arg{col(types.IntType), boolLit(false)},
			[]step{add(nil, nil), add(nil, int32(13))}},
		{"earliest-offset-udaf/earliest by offset with structs", "EARLIEST_BY_OFFSET", []Arg{col(structAB)},
			[]step{add(types.StructValue{"Early0", int64(1)}, types.StructValue{"Early0", int64(1)}),
				add(types.StructValue{"Early0", int64(1)}, types.StructValue{"Later0", int64(3)})}},

		// STDDEV_SAMP (the variance, ksqlDB's quirk), STDDEV_SAMPLE, STDDEV_POP, VARIANCE
		{"standarddeviation/stddev_samp double map", "STDDEV_SAMP", []Arg{col(types.DoubleType)},
			[]step{add(0.0, 10.0), add(2.0, 12.0), add(2.333333333333333, 13.0), add(2.9166666666666665, 14.0), add(5.0, 16.0)}},
		{"STDDEV_SAMP INT", "STDDEV_SAMP", []Arg{col(types.IntType)},
			[]step{add(0.0, int32(10)), add(2.0, int32(12)), add(2.333333333333333, int32(13)), add(2.9166666666666665, int32(14)), add(5.0, int32(16)), add(5.0, nil)}},
		{"STDDEV_SAMP undo", "STDDEV_SAMP", []Arg{col(types.BigintType)},
			[]step{add(0.0, int64(10)), add(2.0, int64(12)), add(2.333333333333333, int64(13)), undo(4.499999999999999 /* ksqlDB's arithmetic: 2 + 8/3 - 1/6 */, int64(12)), undo(0.0, int64(13)), undo(0.0, int64(10)), add(0.0, int64(3))}},
		{"STDDEV_SAMPLE", "STDDEV_SAMPLE", []Arg{col(types.DoubleType)},
			[]step{add(0.0, 10.0), add(math.Sqrt(2), 12.0), add(math.Sqrt(2.333333333333333), 13.0), add(2.5, 16.0)}},
		{"STDDEV_POP", "STDDEV_POP", []Arg{col(types.IntType)},
			[]step{add(0.0, nil), add(0.0, int32(2)), add(1.0, int32(4)), add(skip, int32(4)), undo(1.0, int32(4)), add(skip, int32(4)),
				add(skip, int32(4)), add(skip, int32(5)), add(skip, int32(5)), add(skip, int32(7)), add(2.0, int32(9))}},
		{"VARIANCE", "VARIANCE", []Arg{col(dec42)}, []step{add(0.0, d("10.00")), add(2.0, d("12.00"))}},

		// CORRELATION
		{"correlation-udaf/correlation int (alice)", "CORRELATION", []Arg{col(types.IntType), col(types.IntType)},
			[]step{add(nan, int32(1), int32(8)), add(1.0, int32(-1), int32(-2)), add(0.7455284088780169, int32(-4), int32(-1)),
				add(0.7455284088780169, nil, int32(-6))}},
		{"correlation-udaf/correlation long (bob)", "CORRELATION", []Arg{col(types.BigintType), col(types.BigintType)},
			[]step{add(nan, int64(-3), int64(-2)), add(nan, int64(13), nil), add(1.0, int64(3), int64(11))}},
		{"correlation-udaf/correlation udaf with table", "CORRELATION", []Arg{col(types.DoubleType), col(types.DoubleType)},
			[]step{add(nan, 1.5, 8.0), add(1.0, -3.5, -2.0), undo(skip, 1.5, 8.0), add(nan, -1.0, -2.0), add(-0.7205766921228921, -4.5, -1.0)}},
		{"CORRELATION of nothing", "CORRELATION", []Arg{col(types.DoubleType), col(types.DoubleType)}, []step{add(nan, nil, nil)}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			runSteps(t, mustResolve(t, c.fn, c.args...), c.steps)
		})
	}
}

func hist(kv ...any) *types.MapValue {
	m := &types.MapValue{}
	for i := 0; i < len(kv); i += 2 {
		m.Keys = append(m.Keys, kv[i])
		m.Values = append(m.Values, int64(kv[i+1].(int)))
	}
	return m
}

func hist2(k string, v float64) *types.MapValue {
	return &types.MapValue{Keys: []types.Value{k}, Values: []types.Value{v}}
}

func row(vs ...types.Value) types.StructValue { return types.StructValue(vs) }

// TestHistogramLimit: at most 1000 distinct values; known ones keep counting.
func TestHistogramLimit(t *testing.T) {
	a := mustResolve(t, "HISTOGRAM", col(types.StringType))
	s := a.Init()
	for i := 0; i < HistogramLimit+10; i++ {
		s = a.Add(s, []types.Value{string(rune('a'+i%26)) + string(rune(0x100+i))})
	}
	m := a.Result(s).(*types.MapValue)
	require.Equal(t, HistogramLimit, m.Len())
	first := m.Keys[0]
	s = a.Add(s, []types.Value{first})
	v, _ := a.Result(s).(*types.MapValue).Get(first)
	require.Equal(t, int64(2), v)
	// A freed slot takes a new value.
	s = a.Undo(s, []types.Value{m.Keys[1]})
	s = a.Add(s, []types.Value{"new"})
	v, ok := a.Result(s).(*types.MapValue).Get("new")
	require.True(t, ok)
	require.Equal(t, int64(1), v)
}

// TestCountDistinctLarge: exact below 2048 values, then HyperLogLog within a few percent.
func TestCountDistinctLarge(t *testing.T) {
	a := mustResolve(t, "COUNT_DISTINCT", col(types.BigintType))
	s := a.Init()
	for i := int64(0); i < distinctExactMax; i++ {
		s = a.Add(s, []types.Value{i})
		s = a.Add(s, []types.Value{i}) // duplicates do not count
	}
	require.Equal(t, int64(distinctExactMax), a.Result(s))
	const n = 200000
	for i := int64(0); i < n; i++ {
		s = a.Add(s, []types.Value{i})
	}
	got := a.Result(s).(int64)
	require.InDelta(t, n, got, n*0.03)
	b := a.AppendState(nil, s)
	require.Len(t, b, 1+hllM)
	s2, err := a.DecodeState(b)
	require.NoError(t, err)
	require.Equal(t, got, a.Result(s2))
	for i := int64(0); i < n; i++ { // again: no change
		s2 = a.Add(s2, []types.Value{i})
	}
	require.Equal(t, got, a.Result(s2))

	// Merging exact with sketch, and sketch with exact.
	small := a.Init()
	for i := int64(n); i < n+1000; i++ {
		small = a.Add(small, []types.Value{i})
	}
	m1 := a.Merge(mustDecode(t, a, a.AppendState(nil, small)), mustDecode(t, a, b)).(*distinctState)
	m2 := a.Merge(mustDecode(t, a, b), mustDecode(t, a, a.AppendState(nil, small))).(*distinctState)
	require.Equal(t, a.Result(m1), a.Result(m2))
	require.InDelta(t, n+1000, a.Result(m1).(int64), (n+1000)*0.03)
}

func mustDecode(t *testing.T, a Aggregator, b []byte) State {
	t.Helper()
	s, err := a.DecodeState(b)
	require.NoError(t, err)
	return s
}

// TestMerge covers session-window merging: Kafka Streams merges the overlapping sessions into
// a fresh state in time order, then adds the new record. The offset cases come from the
// corpus (x-offset-udaf/merging session windows...).
func TestMerge(t *testing.T) {
	type mergeCase struct {
		id       string
		fn       string
		args     []Arg
		sessions [][][]types.Value // each session's rows
		last     []types.Value     // the record that joins them
		want     types.Value
	}
	v := func(x ...types.Value) []types.Value { return x }
	i := func(x int32) types.Value { return x }
	cases := []mergeCase{
		{"latest-offset-udaf/merging session windows", "LATEST_BY_OFFSET", []Arg{col(types.IntType)},
			[][][]types.Value{{v(i(1))}, {v(i(3))}}, v(i(2)), i(2)},
		{"latest-offset-udaf/merging session windows - with nulls not ignored when merging", "LATEST_BY_OFFSET",
			[]Arg{col(types.IntType), boolLit(false)}, [][][]types.Value{{v(i(1))}}, v(nil), nil},
		{"latest-offset-udaf/merging session windows - all nulls", "LATEST_BY_OFFSET", []Arg{col(types.IntType), boolLit(false)},
			[][][]types.Value{{v(nil)}, {v(nil)}}, v(nil), nil},
		{"latest-offset-udaf/merging session windows - with nulls ignored - N", "LATEST_BY_OFFSET",
			[]Arg{col(types.IntType), intLit(2), boolLit(true)}, [][][]types.Value{{v(i(1))}, {v(nil)}}, v(i(2)), []any{i(1), i(2)}},
		{"latest-offset-udaf/merging session windows - with nulls not ignored - N", "LATEST_BY_OFFSET",
			[]Arg{col(types.IntType), intLit(2), boolLit(false)}, [][][]types.Value{{v(i(1))}, {v(nil)}}, v(i(2)), []any{nil, i(2)}},
		{"latest-offset-udaf/merging session windows - all nulls - N", "LATEST_BY_OFFSET",
			[]Arg{col(types.IntType), intLit(2), boolLit(false)}, [][][]types.Value{{v(nil)}, {v(nil)}}, v(nil), []any{nil, nil}},
		{"LATEST N merge keeps the latest N", "LATEST_BY_OFFSET", []Arg{col(types.IntType), intLit(2)},
			[][][]types.Value{{v(i(1)), v(i(2))}, {v(i(3))}}, v(nil), []any{i(2), i(3)}},
		{"LATEST merge: an empty later session keeps the earlier value", "LATEST_BY_OFFSET", []Arg{col(types.IntType)},
			[][][]types.Value{{v(i(1))}, {v(nil)}}, v(nil), i(1)},
		{"earliest-offset-udaf/merging session windows", "EARLIEST_BY_OFFSET", []Arg{col(types.IntType)},
			[][][]types.Value{{v(i(1))}, {v(i(3))}}, v(i(2)), i(1)},
		{"earliest-offset-udaf/merging session windows - with nulls ignored", "EARLIEST_BY_OFFSET", []Arg{col(types.IntType), boolLit(true)},
			[][][]types.Value{{v(nil)}, {v(i(1))}}, v(nil), i(1)},
		{"earliest-offset-udaf/merging session windows - with nulls not ignored", "EARLIEST_BY_OFFSET", []Arg{col(types.IntType), boolLit(false)},
			[][][]types.Value{{v(nil)}, {v(i(1))}}, v(nil), nil},
		{"earliest-offset-udaf/merging session windows - with nulls not ignored - N", "EARLIEST_BY_OFFSET",
			[]Arg{col(types.IntType), intLit(2), boolLit(false)}, [][][]types.Value{{v(nil)}, {v(i(1))}}, v(nil), []any{nil, i(1)}},
		{"earliest-offset-udaf/merging session windows - all nulls - N", "EARLIEST_BY_OFFSET",
			[]Arg{col(types.IntType), intLit(2), boolLit(false)}, [][][]types.Value{{v(nil)}, {v(nil)}}, v(nil), []any{nil, nil}},
		{"session-windows/out of order (max)", "MAX", []Arg{col(types.BigintType)},
			[][][]types.Value{{v(int64(0))}, {v(int64(1))}}, v(int64(5)), int64(5)},
		{"MIN merge", "MIN", []Arg{col(types.StringType)}, [][][]types.Value{{v("b")}, {v("a")}, {v(nil)}}, v(nil), "a"},
		{"COUNT merge", "COUNT", nil, [][][]types.Value{{v(), v()}, {v()}}, v(), int64(4)},
		{"SUM merge", "SUM", []Arg{col(types.IntType)}, [][][]types.Value{{v(i(1)), v(i(2))}, {v(i(3))}}, v(i(4)), i(10)},
		{"SUM DECIMAL merge", "SUM", []Arg{col(dec42)}, [][][]types.Value{{v(d("1.25"))}, {v(d("2.50"))}}, v(nil), d("3.75")},
		{"SUM_LIST merge", "SUM_LIST", []Arg{col(types.ArrayOf(types.DoubleType))},
			[][][]types.Value{{v([]any{1.0, 2.0})}, {v([]any{3.0})}}, v(nil), 6.0},
		{"AVG merge", "AVG", []Arg{col(types.BigintType)}, [][][]types.Value{{v(int64(1)), v(int64(2))}, {v(int64(6))}}, v(nil), 3.0},
		{"STDDEV_SAMPLE merge", "STDDEV_SAMPLE", []Arg{col(types.DoubleType)},
			[][][]types.Value{{v(10.0), v(12.0)}, {v(13.0), v(14.0)}}, v(16.0), math.Sqrt(5.0)},
		{"STDDEV_SAMP merge (integer division, as ksqlDB)", "STDDEV_SAMP", []Arg{col(types.IntType)},
			[][][]types.Value{{v(i(1)), v(i(2))}, {v(i(4))}}, v(nil), 3.25 /* {1, 2, 4} has 2.333 */},
		{"CORRELATION merge", "CORRELATION", []Arg{col(types.DoubleType), col(types.DoubleType)},
			[][][]types.Value{{v(1.0, 2.0)}, {v(2.0, 4.0)}}, v(3.0, 6.0), 1.0},
		{"COLLECT_LIST merge appends the later session", "COLLECT_LIST", []Arg{col(types.StringType)},
			[][][]types.Value{{v("a"), v("b")}, {v("c")}}, v("d"), []any{"a", "b", "c", "d"}},
		{"COLLECT_SET merge", "COLLECT_SET", []Arg{col(types.StringType)},
			[][][]types.Value{{v("a"), v("b")}, {v("b"), v("c")}}, v("a"), []any{"a", "b", "c"}},
		{"HISTOGRAM merge", "HISTOGRAM", []Arg{col(types.StringType)},
			[][][]types.Value{{v("a"), v("b")}, {v("b")}}, v("c"), hist("a", 1, "b", 2, "c", 1)},
		{"ATTR merge", "ATTR", []Arg{col(types.StringType)}, [][][]types.Value{{v("a")}, {v("a")}}, v("a"), "a"},
		{"ATTR merge of different values", "ATTR", []Arg{col(types.StringType)}, [][][]types.Value{{v("a")}, {v("b")}}, v(nil), nil},
		{"COUNT_DISTINCT merge", "COUNT_DISTINCT", []Arg{col(types.StringType)},
			[][][]types.Value{{v("a"), v("b")}, {v("b"), v("c")}}, v("a"), int64(3)},
		{"TOPK merge: ties keep the earlier session first", "TOPK", []Arg{col(types.IntType), col(types.StringType), intLit(3)},
			[][][]types.Value{{v(i(5), "a"), v(i(1), "b")}, {v(i(5), "c"), v(i(3), "d")}}, v(nil, "x"),
			[]any{row(i(5), "a"), row(i(5), "c"), row(i(3), "d")}},
		{"TOPKDISTINCT merge drops duplicates", "TOPKDISTINCT", []Arg{col(types.IntType), intLit(3)},
			[][][]types.Value{{v(i(5)), v(i(1))}, {v(i(5)), v(i(3))}}, v(nil), []any{i(5), i(3), i(1)}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			a := mustResolve(t, c.fn, c.args...)
			merged := a.Init()
			for _, rows := range c.sessions {
				s := a.Init()
				for _, r := range rows {
					s = a.Add(s, r)
				}
				// Sessions come back from the store.
				merged = a.Merge(merged, mustDecode(t, a, a.AppendState(nil, s)))
			}
			merged = a.Add(merged, c.last)
			sameValue(t, c.want, a.Result(merged))
		})
	}
}

// TestResultDoesNotAlias: a result the caller keeps must not change with later calls.
func TestResultDoesNotAlias(t *testing.T) {
	for _, c := range []struct {
		fn   string
		args []Arg
		vals []types.Value
	}{
		{"COLLECT_LIST", []Arg{col(types.IntType)}, []types.Value{int32(1), int32(2), int32(3)}},
		{"COLLECT_SET", []Arg{col(types.IntType)}, []types.Value{int32(1), int32(2), int32(3)}},
		{"LATEST_BY_OFFSET", []Arg{col(types.IntType), intLit(2)}, []types.Value{int32(1), int32(2), int32(3)}},
		{"EARLIEST_BY_OFFSET", []Arg{col(types.IntType), intLit(3)}, []types.Value{int32(1), int32(2), int32(3)}},
		{"TOPK", []Arg{col(types.IntType), intLit(2)}, []types.Value{int32(1), int32(2), int32(3)}},
		{"TOPKDISTINCT", []Arg{col(types.IntType), intLit(2)}, []types.Value{int32(1), int32(2), int32(3)}},
		{"HISTOGRAM", []Arg{col(types.StringType)}, []types.Value{"a", "b", "a"}},
	} {
		a := mustResolve(t, c.fn, c.args...)
		s := a.Add(a.Init(), c.vals[:1])
		kept := a.Result(s)
		snapshot := a.Result(s)
		for _, v := range c.vals[1:] {
			s = a.Add(s, []types.Value{v})
		}
		if a.CanUndo() {
			s = a.Undo(s, c.vals[:1])
		}
		a.Merge(s, s)
		sameValue(t, snapshot, kept, c.fn)
	}
}
