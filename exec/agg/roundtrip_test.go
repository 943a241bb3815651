package agg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/streamsql/streamsql/types"
	"github.com/stretchr/testify/require"
)

// sample is a type with values covering its edges (NULL included).
type sample struct {
	t    types.Type
	vals []types.Value
}

func samples() []sample {
	nested := types.ArrayOf(types.StructOf(
		types.Field{Name: "A", Type: types.StringType},
		types.Field{Name: "M", Type: mapStrDbl},
		types.Field{Name: "D", Type: types.DecimalType(4, 1)}))
	mv := func(kv ...types.Value) *types.MapValue {
		m := &types.MapValue{}
		for i := 0; i < len(kv); i += 2 {
			m.Keys = append(m.Keys, kv[i])
			m.Values = append(m.Values, kv[i+1])
		}
		return m
	}
	return []sample{
		{types.BooleanType, []types.Value{true, false, nil, true}},
		{types.IntType, []types.Value{int32(0), int32(1), int32(-1), int32(math.MaxInt32), int32(math.MinInt32), nil, int32(7)}},
		{types.BigintType, []types.Value{int64(0), int64(math.MaxInt64), int64(math.MinInt64), int64(-5), nil, int64(300)}},
		{types.DoubleType, []types.Value{0.0, math.Copysign(0, -1), 1.5, -2.25, math.NaN(), math.Inf(1), math.Inf(-1), nil, 1e300, 5e-324}},
		{types.DecimalType(10, 2), []types.Value{d("0.00"), d("1.50"), d("-3.25"), d("99999999.99"), d("-99999999.99"), nil}},
		{types.DecimalType(38, 4), []types.Value{d("1234567890123456789012345678.1234"), d("-9999999999999999999999999999.9999"), d("0.0001"), nil}},
		{types.StringType, []types.Value{"", "a", "héllo", "𝄞", "\uE000", nil, "a"}},
		{types.BytesType, []types.Value{[]byte{}, []byte{0}, []byte{0xff, 0x80}, nil, []byte("abc")}},
		{types.TimestampType, []types.Value{types.TimestampMillis(0), types.TimestampMillis(-1), types.TimestampMillis(1700000000000), nil}},
		{types.DateType, []types.Value{types.DateDays(0), types.DateDays(-719528), types.DateDays(20000), nil}},
		{types.TimeType, []types.Value{types.TimeMillis(0), types.TimeMillis(86399999), nil}},
		{arrInt, []types.Value{[]any{}, []any{int32(1), nil, int32(3)}, nil, []any{int32(1), nil, int32(3)}}},
		{types.ArrayOf(types.BigintType), []types.Value{[]any{int64(1), int64(math.MaxInt64)}, nil, []any{nil}}},
		{types.ArrayOf(types.DoubleType), []types.Value{[]any{1.5, nil}, []any{}, nil, []any{math.Inf(1)}}},
		{mapStrDbl, []types.Value{mv(), mv("a", 1.0, "b", nil), nil, mv("b", nil, "a", 1.0)}},
		{structAB, []types.Value{types.StructValue{"x", int64(1)}, types.StructValue{nil, nil}, nil}},
		{nested, []types.Value{
			[]any{types.StructValue{"Early0", mv("Early0", 1.234), d("123.4")}, types.StructValue{"Early2", mv("Early2", 1.23456), nil}},
			[]any{nil}, nil, []any{},
		}},
	}
}

// shape is an argument list built around a sample's type.
type shape struct {
	label string
	args  func(t types.Type) []Arg
	other bool // the second column argument takes the nested sample's values
	same  bool // the second column argument has the first's type
}

var shapes = []shape{
	{label: "(col)", args: func(t types.Type) []Arg { return []Arg{col(t)} }},
	{label: "(col, false)", args: func(t types.Type) []Arg { return []Arg{col(t), boolLit(false)} }},
	{label: "(col, 2)", args: func(t types.Type) []Arg { return []Arg{col(t), intLit(2)} }},
	{label: "(col, 2, false)", args: func(t types.Type) []Arg { return []Arg{col(t), intLit(2), boolLit(false)} }},
	{label: "(col, col)", same: true, args: func(t types.Type) []Arg { return []Arg{col(t), col(t)} }},
	{label: "(col, other, 2)", other: true, args: func(t types.Type) []Arg {
		return []Arg{col(t), col(samples()[len(samples())-1].t), intLit(2)}
	}},
}

type config struct {
	label string
	agg   Aggregator
	rows  [][]types.Value
}

// configs resolves every function against every sample type and shape, keeping what binds.
func configs(t *testing.T) []config {
	var out []config
	all := samples()
	nested := all[len(all)-1]
	for _, f := range All() {
		if f.Name == "COUNT" {
			a := mustResolve(t, "COUNT")
			out = append(out, config{"COUNT(*)", a, [][]types.Value{{}, {}, {}}})
		}
		for _, smp := range all {
			for _, sh := range shapes {
				args := sh.args(smp.t)
				a, err := Resolve(f.Name, args)
				if err != nil {
					continue
				}
				var rows [][]types.Value
				n := 3*len(smp.vals) + 2
				for i := 0; i < n; i++ {
					r := []types.Value{smp.vals[i%len(smp.vals)]}
					for j := 1; j < a.ColumnArgs(); j++ {
						switch {
						case args[j].Literal: // a constant column, CORRELATION(x, 2)
							r = append(r, args[j].Value)
						case sh.same:
							r = append(r, smp.vals[(i*7+3)%len(smp.vals)])
						case sh.other:
							r = append(r, nested.vals[(i*5+1)%len(nested.vals)])
						}
					}
					require.Len(t, r, a.ColumnArgs(), f.Name+sh.label)
					rows = append(rows, r)
				}
				out = append(out, config{f.Name + sh.label + " " + smp.t.String(), a, rows})
			}
		}
	}
	return out
}

// roundTrip encodes s, decodes it and checks the copy encodes to the same bytes and gives the
// same result.
func roundTrip(t *testing.T, a Aggregator, s State, what string) State {
	t.Helper()
	b := a.AppendState(nil, s)
	s2, err := a.DecodeState(b)
	require.NoError(t, err, what)
	require.Equal(t, b, a.AppendState(nil, s2), "%s: re-encoding differs", what)
	r1, r2 := a.Result(s), a.Result(s2)
	require.True(t, types.Equal(r1, r2), "%s: %#v vs %#v", what, r1, r2)
	// AppendState appends: a prefix is kept.
	require.Equal(t, append([]byte("prefix"), b...), a.AppendState([]byte("prefix"), s2), what)
	return s2
}

func TestStateRoundTrip(t *testing.T) {
	cfgs := configs(t)
	seen := map[string]int{}
	for _, c := range cfgs {
		seen[c.agg.Name()]++
	}
	for _, f := range All() {
		require.NotZero(t, seen[f.Name], "no round-trip configuration for %s", f.Name)
	}
	require.Greater(t, len(cfgs), 150)

	for _, c := range cfgs {
		t.Run(c.label, func(t *testing.T) {
			a := c.agg
			s := a.Init()                          // never encoded
			r := roundTrip(t, a, a.Init(), "init") // decoded after every step
			for i, row := range c.rows {
				s = a.Add(s, row)
				r = a.Add(r, row)
				what := fmt.Sprintf("add %d", i)
				require.True(t, types.Equal(a.Result(s), a.Result(r)), "%s: decoded state diverged", what)
				r = roundTrip(t, a, r, what)
				if a.CanUndo() && i%3 == 2 {
					s = a.Undo(s, c.rows[i-1])
					r = a.Undo(r, c.rows[i-1])
					r = roundTrip(t, a, r, "undo "+what)
					require.True(t, types.Equal(a.Result(s), a.Result(r)), "undo %s: decoded state diverged", what)
				}
			}
			require.Equal(t, a.AppendState(nil, s), a.AppendState(nil, r))

			// Merge two halves, from decoded copies; merging is deterministic.
			half := len(c.rows) / 2
			build := func(rows [][]types.Value) []byte {
				st := a.Init()
				for _, row := range rows {
					st = a.Add(st, row)
				}
				return a.AppendState(nil, st)
			}
			ea, eb := build(c.rows[:half]), build(c.rows[half:])
			sb := mustDecode(t, a, eb)
			m1 := a.Merge(mustDecode(t, a, ea), sb)
			m2 := a.Merge(mustDecode(t, a, ea), mustDecode(t, a, eb))
			require.Equal(t, a.AppendState(nil, m1), a.AppendState(nil, m2))
			roundTrip(t, a, m1, "merge")
			// b is left alone, and shares nothing mutable with the merged state.
			for _, row := range c.rows {
				m1 = a.Add(m1, row)
				if a.CanUndo() {
					m1 = a.Undo(m1, c.rows[0])
				}
			}
			require.Equal(t, eb, a.AppendState(nil, sb), "Merge modified b")
			m0 := a.Merge(a.Init(), mustDecode(t, a, ea))
			require.Equal(t, ea, a.AppendState(nil, m0), "merging into an empty state changes nothing")
		})
	}
}

// TestCorruptState: truncated, extended or random bytes give an error (or a valid state), never
// a panic.
func TestCorruptState(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range configs(t) {
		a := c.agg
		s := a.Init()
		for _, row := range c.rows {
			s = a.Add(s, row)
		}
		b := a.AppendState(nil, s)
		for i := 0; i < len(b); i++ {
			_, err := a.DecodeState(b[:i])
			require.Error(t, err, "%s: prefix of %d bytes of %d", c.label, i, len(b))
			require.Equal(t, types.CodeInternal, types.CodeOf(err))
		}
		_, err := a.DecodeState(append(b[:len(b):len(b)], 0))
		require.Error(t, err, "%s: trailing byte", c.label)
		for i := 0; i < 50; i++ {
			junk := make([]byte, rng.IntN(40))
			for j := range junk {
				junk[j] = byte(rng.UintN(256))
			}
			if len(b) > 0 && i%2 == 0 { // flip one byte of a valid state
				junk = append([]byte(nil), b...)
				junk[rng.IntN(len(junk))] ^= byte(1 + rng.UintN(255))
			}
			require.NotPanics(t, func() {
				if st, err := a.DecodeState(junk); err == nil {
					a.Result(st)
					a.AppendState(nil, st)
				}
			}, c.label)
		}
	}
}
