package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGrafana sends what Grafana's PostgreSQL datasource (pkg/tsdb/grafana-postgresql-datasource,
// pgx v5) sends: the health check (Ping), the editor's meta queries, schema.go's extended-protocol
// queries with $1/$2, and panel queries with the $__timeFilter / $__timeGroupAlias /
// $__timeEpoch macros expanded as macros.go expands them, through PgConn().Exec (the simple
// protocol, several statements per string). Every result column must have an OID pgx's type map
// knows (Grafana fails with "unknown data type oid" otherwise) and a time series needs a column
// named "time".
func TestGrafana(t *testing.T) {
	s := startServer(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := connectPGX(t, ctx, s)
	require.NoError(t, conn.Ping(ctx))

	for _, sql := range []string{
		`SET 'auto.offset.reset'='earliest';`,
		`CREATE STREAM readings (device_id STRING KEY, temperature DOUBLE) WITH (kafka_topic='readings', value_format='JSON', partitions=1);`,
		`INSERT INTO readings (device_id, temperature, ROWTIME) VALUES ('a', 20.0, 1000);`,
		`INSERT INTO readings (device_id, temperature, ROWTIME) VALUES ('a', 22.0, 61000);`,
		`INSERT INTO readings (device_id, temperature, ROWTIME) VALUES ('b', 30.0, 2000);`,
		`INSERT INTO readings (device_id, temperature, ROWTIME) VALUES ('a', 24.0, 301000);`,
		`CREATE TABLE temp_5m AS SELECT device_id, AVG(temperature) AS avg_temp FROM readings WINDOW TUMBLING (SIZE 5 MINUTES) GROUP BY device_id EMIT CHANGES;`,
	} {
		_, err := conn.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}

	typeMap := pgtype.NewMap()
	// grafanaExec runs sql as Grafana's backend does and returns the last result's column names
	// and rows as text.
	grafanaExec := func(t *testing.T, sql string) ([]string, [][]string) {
		t.Helper()
		results, err := conn.PgConn().Exec(ctx, sql).ReadAll()
		require.NoError(t, err, sql)
		require.NotEmpty(t, results)
		last := results[len(results)-1]
		require.NoError(t, last.Err, sql)
		var names []string
		for _, f := range last.FieldDescriptions {
			_, known := typeMap.TypeForOID(f.DataTypeOID)
			assert.True(t, known, "column %s: unknown data type oid: %d", f.Name, f.DataTypeOID)
			names = append(names, f.Name)
		}
		var rows [][]string
		for _, r := range last.Rows {
			row := make([]string, len(r))
			for i, v := range r {
				row[i] = string(v)
			}
			rows = append(rows, row)
		}
		return names, rows
	}

	t.Run("editor meta queries", func(t *testing.T) {
		_, rows := grafanaExec(t, `SELECT current_setting('server_version_num')::int/100 as version`)
		assert.Equal(t, [][]string{{"1300"}}, rows)
		grafanaExec(t, `SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'`)
		_, rows = grafanaExec(t, `SELECT quote_ident(table_name) as "table" FROM information_schema.tables WHERE quote_ident(table_schema) NOT IN ('information_schema', 'pg_catalog', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_internal', '_timescaledb_config', 'timescaledb_information', 'timescaledb_experimental') AND table_type = 'BASE TABLE' AND quote_ident(table_schema) IN (SELECT CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END FROM generate_series(array_lower(string_to_array(current_setting('search_path'),','),1), array_upper(string_to_array(current_setting('search_path'),','),1)) as i, string_to_array(current_setting('search_path'),',') s)`)
		assert.Contains(t, rows, []string{"temp_5m"})
	})

	t.Run("schema.go", func(t *testing.T) {
		rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type IN ('BASE TABLE','VIEW')`, "public")
		require.NoError(t, err)
		var tables []string
		for rows.Next() {
			var name string
			require.NoError(t, rows.Scan(&name))
			tables = append(tables, name)
		}
		require.NoError(t, rows.Err())
		assert.Contains(t, tables, "temp_5m")

		rows, err = conn.Query(ctx, `SELECT column_name, data_type, udt_name, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema=$1 AND table_name=$2 ORDER BY ordinal_position`, "public", "temp_5m")
		require.NoError(t, err)
		var cols []string
		for rows.Next() {
			var name, dataType, udt string
			var prec, scale *int32
			require.NoError(t, rows.Scan(&name, &dataType, &udt, &prec, &scale))
			cols = append(cols, name+":"+udt)
		}
		require.NoError(t, rows.Err())
		assert.Contains(t, cols, "avg_temp:float8")
	})

	t.Run("multi-statement string", func(t *testing.T) {
		_, rows := grafanaExec(t, `SET TIMEZONE TO 'UTC'; select 42`)
		assert.Equal(t, [][]string{{"42"}}, rows)
	})

	// Panel queries over the windowed table, macros expanded for the range
	// 1970-01-01T00:00:00Z .. 1970-01-01T01:00:00Z .
	panels := []struct {
		name, sql string
		want      [][]string
	}{
		{"$__timeFilter on WINDOWSTART",
			`SELECT FROM_UNIXTIME(WINDOWSTART) AS "time", avg_temp FROM temp_5m WHERE WINDOWSTART BETWEEN '1970-01-01T00:00:00Z' AND '1970-01-01T00:04:59.999Z' AND device_id = 'a' ORDER BY 1`,
			[][]string{{"1970-01-01 00:00:00", "21"}}},
		{"$__timeFilter on a timestamp",
			`SELECT FROM_UNIXTIME(WINDOWSTART) AS "time", avg_temp FROM temp_5m WHERE FROM_UNIXTIME(WINDOWSTART) BETWEEN '1970-01-01T00:05:00Z' AND '1970-01-01T01:00:00Z' ORDER BY 1`,
			[][]string{{"1970-01-01 00:05:00", "24"}}},
		{"$__timeGroupAlias",
			`SELECT floor(extract(epoch from FROM_UNIXTIME(WINDOWSTART))/300)*300 AS "time", avg_temp FROM temp_5m WHERE device_id = 'b' ORDER BY 1`,
			[][]string{{"0", "30"}}},
		{"$__timeEpoch",
			`SELECT extract(epoch from FROM_UNIXTIME(WINDOWSTART)) as "time", device_id AS metric, avg_temp FROM temp_5m WHERE device_id = 'b'`,
			[][]string{{"0", "b", "30"}}},
	}
	for _, p := range panels {
		t.Run(p.name, func(t *testing.T) {
			deadline := time.Now().Add(waitTimeout)
			for {
				results, err := conn.PgConn().Exec(ctx, `SET TIMEZONE TO 'UTC'; `+p.sql).ReadAll()
				require.NoError(t, err)
				last := results[len(results)-1]
				require.NoError(t, last.Err, p.sql)
				names, rows := grafanaExec(t, p.sql)
				assert.Equal(t, "time", names[0])
				if len(rows) == len(p.want) || time.Now().After(deadline) {
					assert.Equal(t, p.want, rows, p.sql)
					return
				}
				time.Sleep(pollEvery)
			}
		})
	}
}
