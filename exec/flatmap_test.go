package exec

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/types"
)

type evalFunc func(types.Row) (types.Value, error)

func (f evalFunc) Eval(row types.Row) (types.Value, error) { return f(row) }

func col(i int) Evaluator {
	return evalFunc(func(r types.Row) (types.Value, error) { return r[i], nil })
}

func constant(v types.Value) Evaluator {
	return evalFunc(func(types.Row) (types.Value, error) { return v, nil })
}

func failing(msg string) Evaluator {
	return evalFunc(func(types.Row) (types.Value, error) { return nil, errors.New(msg) })
}

type stageLog struct{ stages []string }

func (l *stageLog) Record(_ string, _ *broker.Record, stage string, _ error) {
	l.stages = append(l.stages, stage)
}

func TestFlatMapExpansion(t *testing.T) {
	// Input rows are [ID, A, B]; table functions read A and B; the projection is
	// ID, KSQL_SYNTH_0, KSQL_SYNTH_1 (positions 3 and 4 of the extended row).
	project := []Evaluator{col(0), col(3), col(4)}
	tfs := []Evaluator{col(1), col(2)}
	keepPositive := evalFunc(func(r types.Row) (types.Value, error) { return r[0].(int64) > 0, nil })
	cases := []struct {
		name   string
		row    types.Row
		filter Evaluator
		tfs    []Evaluator
		proj   []Evaluator
		want   []types.Row
		logged []string
	}{
		{name: "one list", row: types.Row{int64(1), []any{"a", "b"}, nil}, tfs: tfs[:1], proj: project[:2],
			want: []types.Row{{int64(1), "a"}, {int64(1), "b"}}},
		{name: "shorter list padded with NULL", row: types.Row{int64(1), []any{"a", "b", "c"}, []any{int32(7)}},
			want: []types.Row{{int64(1), "a", int32(7)}, {int64(1), "b", nil}, {int64(1), "c", nil}}},
		{name: "null list with a non-empty one", row: types.Row{int64(1), nil, []any{int32(7), int32(8)}},
			want: []types.Row{{int64(1), nil, int32(7)}, {int64(1), nil, int32(8)}}},
		{name: "all empty or null: no rows", row: types.Row{int64(1), []any{}, nil}},
		{name: "filtered out before expansion", row: types.Row{int64(-1), []any{"a"}, nil}, filter: keepPositive},
		{name: "filter passes", row: types.Row{int64(2), []any{"a"}, nil}, filter: keepPositive,
			want: []types.Row{{int64(2), "a", nil}}},
		{name: "failing table function drops the row", row: types.Row{int64(1), []any{"a"}, nil},
			tfs: []Evaluator{col(1), failing("boom")}, logged: []string{"table function"}},
		{name: "failing projection is NULL per row", row: types.Row{int64(1), []any{"a", "b"}, nil},
			proj: []Evaluator{failing("bad"), col(3)}, want: []types.Row{{nil, "a"}, {nil, "b"}}, logged: []string{"project", "project"}},
		{name: "elements may be NULL", row: types.Row{int64(1), []any{nil, "b"}, []any{}}, tfs: tfs,
			want: []types.Row{{int64(1), nil, nil}, {int64(1), "b", nil}}},
		{name: "constant list", row: types.Row{int64(1), nil, nil}, tfs: []Evaluator{constant([]any{true})}, proj: project[:2],
			want: []types.Row{{int64(1), true}}},
	}
	for _, c := range cases {
		for _, fresh := range []bool{true, false} {
			t.Run(c.name, func(t *testing.T) {
				spec := &Spec{Filter: c.filter, TableFuncs: c.tfs, Project: c.proj}
				if spec.TableFuncs == nil {
					spec.TableFuncs = tfs
				}
				if spec.Project == nil {
					spec.Project = project
				}
				log := &stageLog{}
				q := &Query{spec: spec, plog: log}
				var got []types.Row
				var buf types.Row
				buf, ok := q.flatMap(&broker.Record{}, c.row, buf, fresh, func(r types.Row) bool {
					got = append(got, append(types.Row(nil), r...))
					return true
				})
				require.True(t, ok)
				require.Equal(t, c.want, got)
				require.Equal(t, c.logged, log.stages)
				_ = buf
			})
		}
	}
}

func TestFlatMapFreshRowsAndStop(t *testing.T) {
	spec := &Spec{TableFuncs: []Evaluator{col(0)}, Project: []Evaluator{col(1)}}
	q := &Query{spec: spec, plog: &stageLog{}}
	row := types.Row{[]any{int32(1), int32(2), int32(3)}}

	// Push queries keep the rows: each must be a distinct slice.
	var kept []types.Row
	_, ok := q.flatMap(nil, row, nil, true, func(r types.Row) bool { kept = append(kept, r); return true })
	require.True(t, ok)
	require.Equal(t, []types.Row{{int32(1)}, {int32(2)}, {int32(3)}}, kept)

	// The sink path reuses one buffer.
	var first types.Row
	buf, ok := q.flatMap(nil, row, make(types.Row, 0, 4), false, func(r types.Row) bool {
		if first == nil {
			first = r
		}
		require.Same(t, &first[0], &r[0])
		return true
	})
	require.True(t, ok)
	require.Equal(t, types.Row{int32(3)}, buf)

	// emit returning false (LIMIT reached) stops the expansion.
	n := 0
	_, ok = q.flatMap(nil, row, nil, true, func(types.Row) bool { n++; return n < 2 })
	require.False(t, ok)
	require.Equal(t, 2, n)
}
