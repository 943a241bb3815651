package engine

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/types"
)

func TestTableFunctionsInPersistentQuery(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`SET 'auto.offset.reset'='earliest';
		CREATE STREAM s (k STRING KEY, n INT, a ARRAY<INT>, b ARRAY<STRING>, st ARRAY<STRUCT<F INT>>) WITH (kafka_topic='s', value_format='JSON', partitions=1);
		CREATE STREAM o AS SELECT k, n, EXPLODE(a) AS x, ABS(EXPLODE(a)) AS ax, EXPLODE(b), EXPLODE(st)->F AS f FROM s WHERE n <> 0;
		CREATE STREAM c AS SELECT k, CUBE_EXPLODE(ARRAY[n, 2]) AS cube FROM s;`)
	h.mustRun(`INSERT INTO s (k, n, a, b, st) VALUES ('k1', 1, ARRAY[-1, 2], ARRAY['x'], ARRAY[STRUCT(F := 5)]);
		INSERT INTO s (k, n, a, b, st) VALUES ('k2', 0, ARRAY[3], ARRAY['y'], NULL);
		INSERT INTO s (k, n, a, b, st) VALUES ('k3', 3, ARRAY_REMOVE(ARRAY[1], 1), NULL, NULL);
		INSERT INTO s (k, n, a, b, st) VALUES ('k4', 4, NULL, ARRAY['p', 'q', 'r'], NULL);`)
	require.Equal(t, []string{
		`k1|{"N":1,"X":-1,"AX":1,"KSQL_COL_0":"x","F":5}`,
		`k1|{"N":1,"X":2,"AX":2,"KSQL_COL_0":null,"F":null}`,
		`k4|{"N":4,"X":null,"AX":null,"KSQL_COL_0":"p","F":null}`,
		`k4|{"N":4,"X":null,"AX":null,"KSQL_COL_0":"q","F":null}`,
		`k4|{"N":4,"X":null,"AX":null,"KSQL_COL_0":"r","F":null}`,
	}, h.topic("O"))
	require.Equal(t, []string{
		`k1|{"CUBE":[null,null]}`, `k1|{"CUBE":[null,2]}`, `k1|{"CUBE":[1,null]}`, `k1|{"CUBE":[1,2]}`,
		`k2|{"CUBE":[null,null]}`, `k2|{"CUBE":[null,2]}`, `k2|{"CUBE":[0,null]}`, `k2|{"CUBE":[0,2]}`,
		`k3|{"CUBE":[null,null]}`, `k3|{"CUBE":[null,2]}`, `k3|{"CUBE":[3,null]}`, `k3|{"CUBE":[3,2]}`,
		`k4|{"CUBE":[null,null]}`, `k4|{"CUBE":[null,2]}`, `k4|{"CUBE":[4,null]}`, `k4|{"CUBE":[4,2]}`,
	}, h.topic("C"))
	res := h.mustRun(`DESCRIBE o;`)
	require.Equal(t, []types.Row{{"K", "STRING (key)"}, {"N", "INTEGER"}, {"X", "INTEGER"}, {"AX", "INTEGER"}, {"KSQL_COL_0", "STRING"}, {"F", "INTEGER"}}, res[0].Rows)

	// The query survives a restart: its plan (with the flat-map stage) is recompiled.
	h.restart()
	h.mustRun(`INSERT INTO s (k, n, a, b, st) VALUES ('k5', 5, ARRAY[7, 8], NULL, NULL);`)
	got := h.topic("O")
	require.Equal(t, []string{`k5|{"N":5,"X":7,"AX":7,"KSQL_COL_0":null,"F":null}`, `k5|{"N":5,"X":8,"AX":8,"KSQL_COL_0":null,"F":null}`}, got[len(got)-2:])
}

func TestTableFunctionsInPushQuery(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`CREATE STREAM s (k STRING KEY, a ARRAY<BIGINT>) WITH (kafka_topic='s', value_format='JSON', partitions=1);`)
	res := h.mustRun(`SELECT k, EXPLODE(a) AS v FROM s EMIT CHANGES LIMIT 3;`)
	st := res[0].Stream
	require.NotNil(t, st)
	require.Equal(t, "V", res[0].Columns[1].Name)
	require.Equal(t, types.BigintType, res[0].Columns[1].Type)
	h.mustRun(`INSERT INTO s (k, a) VALUES ('x', ARRAY[1, 2]); INSERT INTO s (k, a) VALUES ('y', ARRAY[3, 4]);`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []types.Row
	for {
		row, err := st.Next(ctx)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, row)
	}
	require.Equal(t, []types.Row{{"x", int64(1)}, {"x", int64(2)}, {"y", int64(3)}}, got)
	require.NoError(t, st.Close())
}

func TestTableFunctionPlanningErrors(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`CREATE STREAM s (k STRING KEY, n INT, a ARRAY<INT>, m MAP<STRING, INT>) WITH (kafka_topic='s', value_format='JSON', partitions=1);
		CREATE TABLE t (k STRING PRIMARY KEY, a ARRAY<INT>) WITH (kafka_topic='t', value_format='JSON', partitions=1);`)
	cases := []struct {
		name string
		sql  string
		msg  string
	}{
		{"table source", `CREATE TABLE o AS SELECT k, EXPLODE(a) FROM t;`, "Table source is not supported with table functions"},
		{"aggregation", `CREATE TABLE o AS SELECT n, EXPLODE(m), COUNT(*) FROM s GROUP BY n;`, "Table functions cannot be used with aggregations."},
		{"nested", `CREATE STREAM o AS SELECT k, EXPLODE(CUBE_EXPLODE(a)) FROM s;`, "Table functions cannot be nested: EXPLODE(CUBE_EXPLODE())"},
		{"in searched case", `CREATE STREAM o AS SELECT k, CASE WHEN n > 0 THEN EXPLODE(a) ELSE 0 END FROM s;`, "Table functions cannot be used in CASE: CASE WHEN"},
		{"map argument", `CREATE STREAM o AS SELECT k, EXPLODE(m) FROM s;`, "Function 'explode' does not accept parameters (MAP<STRING, INTEGER>)"},
		{"in where", `CREATE STREAM o AS SELECT k FROM s WHERE EXPLODE(a) > 1;`, "EXPLODE can only be used in the select list"},
		{"in partition by", `CREATE STREAM o AS SELECT k, n FROM s PARTITION BY EXPLODE(a);`, "EXPLODE can only be used in the select list"},
		{"untyped null", `CREATE STREAM o AS SELECT k, EXPLODE(NULL) FROM s;`, "Can't infer the type of the rows of EXPLODE"},
		{"in from", `CREATE STREAM o AS SELECT * FROM EXPLODE(a);`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := h.run(c.sql)
			require.Error(t, err)
			require.Contains(t, err.Error(), c.msg)
		})
	}
	require.Empty(t, h.eng.Catalog().Queries())
}

func TestTableFunctionsListedAndExplained(t *testing.T) {
	h := newHarness(t)
	res := h.mustRun(`SHOW FUNCTIONS;`)
	cats := map[string]string{}
	var names []string
	for _, r := range res[0].Rows {
		cats[r[0].(string)] = r[1].(string)
		names = append(names, r[0].(string))
	}
	require.Equal(t, "TABLE", cats["EXPLODE"])
	require.Equal(t, "TABLE", cats["CUBE_EXPLODE"])
	require.IsNonDecreasing(t, names)

	h.mustRun(`CREATE STREAM s (k STRING KEY, a ARRAY<INT>) WITH (kafka_topic='s', value_format='JSON', partitions=1);`)
	res = h.mustRun(`EXPLAIN SELECT k, EXPLODE(a) AS v FROM s EMIT CHANGES;`)
	var text []string
	for _, r := range res[0].Rows {
		text = append(text, r[0].(string))
	}
	require.Contains(t, strings.Join(text, "\n"), "FlatMap: EXPLODE(A)")
}
