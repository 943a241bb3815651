package agg

import (
	"testing"

	"github.com/streamsql/streamsql/types"
)

// numericAdds are the hot numeric aggregates: their Add must not allocate (the state is a
// pointer to a small struct mutated in place; the argument arrives already boxed).
var numericAdds = []struct {
	label string
	fn    string
	args  []Arg
	row   []types.Value
}{
	{"COUNT(*)", "COUNT", nil, []types.Value{}},
	{"COUNT(col)", "COUNT", []Arg{col(types.IntType)}, []types.Value{int32(7)}},
	{"SUM(INT)", "SUM", []Arg{col(types.IntType)}, []types.Value{int32(7)}},
	{"SUM(BIGINT)", "SUM", []Arg{col(types.BigintType)}, []types.Value{int64(7)}},
	{"SUM(DOUBLE)", "SUM", []Arg{col(types.DoubleType)}, []types.Value{7.5}},
	{"AVG(INT)", "AVG", []Arg{col(types.IntType)}, []types.Value{int32(7)}},
	{"AVG(BIGINT)", "AVG", []Arg{col(types.BigintType)}, []types.Value{int64(7)}},
	{"AVG(DOUBLE)", "AVG", []Arg{col(types.DoubleType)}, []types.Value{7.5}},
	{"MIN(BIGINT)", "MIN", []Arg{col(types.BigintType)}, []types.Value{int64(7)}},
	{"MAX(DOUBLE)", "MAX", []Arg{col(types.DoubleType)}, []types.Value{7.5}},
	{"STDDEV_SAMP(DOUBLE)", "STDDEV_SAMP", []Arg{col(types.DoubleType)}, []types.Value{7.5}},
	{"CORRELATION", "CORRELATION", []Arg{col(types.DoubleType), col(types.DoubleType)}, []types.Value{7.5, 1.5}},
	{"LATEST_BY_OFFSET(BIGINT)", "LATEST_BY_OFFSET", []Arg{col(types.BigintType)}, []types.Value{int64(7)}},
}

func TestAddDoesNotAllocate(t *testing.T) {
	for _, c := range numericAdds {
		a := mustResolve(t, c.fn, c.args...)
		s := a.Init()
		allocs := testing.AllocsPerRun(1000, func() { s = a.Add(s, c.row) })
		if allocs != 0 {
			t.Errorf("%s: Add allocates %.1f times per call", c.label, allocs)
		}
		if a.CanUndo() {
			allocs = testing.AllocsPerRun(1000, func() { s = a.Undo(s, c.row) })
			if allocs != 0 {
				t.Errorf("%s: Undo allocates %.1f times per call", c.label, allocs)
			}
		}
	}
}

// BenchmarkAdd measures Add for the numeric aggregates (go test -bench Add -benchmem: expect
// 0 allocs/op).
func BenchmarkAdd(b *testing.B) {
	for _, c := range numericAdds {
		a, err := Resolve(c.fn, c.args)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.label, func(b *testing.B) {
			s := a.Init()
			b.ReportAllocs()
			for b.Loop() {
				s = a.Add(s, c.row)
			}
			_ = a.Result(s)
		})
	}
}

// BenchmarkStateRoundTrip measures encoding and decoding a numeric state, as the store does
// once per updated group.
func BenchmarkStateRoundTrip(b *testing.B) {
	a, err := Resolve("AVG", []Arg{col(types.DoubleType)})
	if err != nil {
		b.Fatal(err)
	}
	s := a.Add(a.Init(), []types.Value{1.5})
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		buf = a.AppendState(buf[:0], s)
		if s, err = a.DecodeState(buf); err != nil {
			b.Fatal(err)
		}
	}
}
