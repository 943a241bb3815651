package planner

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/exec"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

func TestTableFunctionCalls(t *testing.T) {
	cases := []struct {
		sql   string
		calls []string
		err   string
	}{
		{sql: "SELECT a, b FROM s;"},
		{sql: "SELECT EXPLODE(a) FROM s;", calls: []string{"EXPLODE(A)"}},
		{sql: "SELECT explode(a) AS x, ABS(EXPLODE(a)), EXPLODE(b)->f FROM s;", calls: []string{"EXPLODE(A)", "EXPLODE(B)"}},
		{sql: "SELECT CUBE_EXPLODE(ARRAY[a, b]), EXPLODE(ARRAY[ABS(a + b)]) FROM s;", calls: []string{"CUBE_EXPLODE(ARRAY[A, B])", "EXPLODE(ARRAY[ABS(A + B)])"}},
		{sql: "SELECT CASE n WHEN 1 THEN EXPLODE(a) END FROM s;", calls: []string{"EXPLODE(A)"}},
		{sql: "SELECT EXPLODE(TRANSFORM(a, x => x + 1)) FROM s;", calls: []string{"EXPLODE(TRANSFORM(A, X => (X + 1)))"}},
		{sql: "SELECT EXPLODE(EXPLODE(a)) FROM s;", err: "Table functions cannot be nested: EXPLODE(EXPLODE())"},
		{sql: "SELECT ABS(CUBE_EXPLODE(ARRAY[EXPLODE(a)])[1]) FROM s;", err: "Table functions cannot be nested: CUBE_EXPLODE(EXPLODE())"},
		{sql: "SELECT CASE WHEN n > 0 THEN 1 ELSE EXPLODE(a) END FROM s;", err: "Table functions cannot be used in CASE: CASE WHEN"},
		{sql: "SELECT n, EXPLODE(a), COUNT(*) FROM s GROUP BY n;", err: "Table functions cannot be used with aggregations."},
	}
	for _, c := range cases {
		t.Run(c.sql, func(t *testing.T) {
			st, err := parser.ParseOne(c.sql)
			require.NoError(t, err)
			calls, err := tableFunctionCalls(st.(*ast.Select))
			if c.err != "" {
				require.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			if len(c.calls) == 0 {
				require.Empty(t, calls)
				return
			}
			require.Len(t, calls, len(c.calls))
			// The stored text must parse back to the same call (Compile relies on it).
			for i, text := range calls {
				e, err := parser.ParseExpr(text)
				require.NoError(t, err)
				require.Equal(t, text, ast.Format(e))
				require.Equal(t, c.calls[i], text)
			}
		})
	}
}

func TestTableFunctionPlanRoundTrip(t *testing.T) {
	src := catalog.Source{Name: "S", Kind: catalog.Stream, Topic: "s",
		KeyFormat: catalog.Format{Name: "KAFKA"}, ValueFormat: catalog.Format{Name: "JSON"},
		Columns: []catalog.Column{
			{Name: "K", Type: types.StringType, Role: catalog.RoleKey},
			{Name: "A", Type: types.ArrayOf(types.IntType), Role: catalog.RoleValue},
			{Name: "B", Type: types.ArrayOf(types.ArrayOf(types.IntType)), Role: catalog.RoleValue},
		}}
	cat := catalog.New()
	require.NoError(t, cat.Apply(&catalog.Command{Seq: 1, Op: catalog.OpCreateSource, Source: &src}))
	st, err := parser.ParseOne("SELECT K, EXPLODE(A) AS X, TRANSFORM(EXPLODE(B), v => v * 2) AS Y FROM S EMIT CHANGES;")
	require.NoError(t, err)
	p, err := PlanSelect(&Context{Catalog: cat}, st.(*ast.Select), nil)
	require.NoError(t, err)
	require.Equal(t, []string{"EXPLODE(A)", "EXPLODE(B)"}, p.TableFunctions)
	require.Equal(t, types.IntType, p.Columns[1].Type)
	require.Equal(t, types.ArrayOf(types.IntType), p.Columns[2].Type)

	b, err := p.Encode()
	require.NoError(t, err)
	p2, err := DecodePlan(b)
	require.NoError(t, err)
	spec, err := Compile(p2)
	require.NoError(t, err)
	require.Len(t, spec.TableFuncs, 2)

	// The lambda's parameter must not collide with the synthetic columns.
	width := len(src.Columns) + exec.NumPseudo // + ROWTIME, ROWPARTITION, ROWOFFSET, window bounds
	row := make(types.Row, width+2)
	row[0] = "k"
	row[width] = int32(5)
	row[width+1] = []any{int32(1), int32(2)}
	got := make([]any, len(spec.Project))
	for i, e := range spec.Project {
		got[i], err = e.Eval(row)
		require.NoError(t, err)
	}
	require.Equal(t, []any{"k", int32(5), []any{int32(2), int32(4)}}, got)
}
