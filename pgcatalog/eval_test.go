package pgcatalog

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/types"
)

func TestEvaluator(t *testing.T) {
	tests := []struct {
		sql  string
		want [][]string
	}{
		{"SELECT 1 + 2 * 3, 7 / 2, 7.0 / 2, -3 % 2, 2 ^ 3", [][]string{{"7", "3", "3.5", "-1", "8"}}},
		{"SELECT 'a' || 'b', NULL || 'x', 'x' LIKE 'x%', 'a_b' LIKE 'a\\_b', 'AB' ILIKE 'ab', 'abc' ~ '^a', 'abc' !~* '^A'", [][]string{{"ab", "NULL", "t", "t", "t", "t", "f"}}},
		{"SELECT relname FROM pg_class WHERE relname IN ('readings', 'pageviews') ORDER BY relname DESC", [][]string{{"readings"}, {"pageviews"}}},
		{"SELECT c.relname, i.indisprimary FROM pg_class c LEFT JOIN pg_index i ON i.indrelid = c.oid WHERE c.relnamespace = 2200 AND c.relkind = 'r' ORDER BY 1", [][]string{{"pageviews", "NULL"}, {"readings", "t"}}},
		{"SELECT x FROM (VALUES (1), (2), (2)) v(x) UNION SELECT 3 ORDER BY 1", [][]string{{"1"}, {"2"}, {"3"}}},
		{"SELECT x FROM (VALUES (1), (2), (2)) v(x) UNION ALL SELECT 2 ORDER BY 1 LIMIT 2 OFFSET 2", [][]string{{"2"}, {"2"}}},
		{"WITH t AS (SELECT relname FROM pg_class WHERE relnamespace = 2200 AND relkind = 'r') SELECT count(*) FROM t", [][]string{{"2"}}},
		{"SELECT attname, row_number() OVER (PARTITION BY attrelid ORDER BY attnum DESC) FROM pg_attribute WHERE attrelid = 'readings'::regclass ORDER BY 2", [][]string{{"humidity", "1"}, {"temp", "2"}, {"ts", "3"}, {"device_id", "4"}}},
		{"SELECT typtype, count(*) > 10 FROM pg_type WHERE typtype IN ('b', 'p') GROUP BY typtype ORDER BY 1", [][]string{{"b", "t"}, {"p", "f"}}},
		{"SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public'), (SELECT nspname FROM pg_namespace WHERE oid = 11), 11 = ANY('{1,11}'), 3 <> ALL(ARRAY[1,2])", [][]string{{"t", "pg_catalog", "t", "t"}}},
		{"SELECT 'pg_class'::regclass::oid, 'readings'::regclass, 'int4'::regtype, 23::regtype, 'pg_catalog.text'::regtype::oid, 'array_in'::regproc = 750", [][]string{{"1259", "readings", "integer", "integer", "25", "t"}}},
		{"SELECT format_type(1700, (10 << 16 | 2) + 4), format_type(1043, 36), format_type(1009, -1), format_type(NULL, 1)", [][]string{{"numeric(10,2)", "character varying(32)", "text[]", "NULL"}}},
		{"SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = 'pageviews'::regclass AND a.attnum > 3 ORDER BY a.attnum", [][]string{{"tags", "text[]"}, {"loc", "jsonb"}, {"price", "numeric(10,2)"}}},
		{"SELECT (current_schemas(true))[2], array_to_string(ARRAY['a', NULL, 'b'], ',', '*'), array_upper('{1,2,3}'::int[], 1), string_to_array('a,b', ',')", [][]string{{"public", "a,*,b", "3", "{a,b}"}}},
		{"SELECT quote_ident('Readings'), quote_ident('ok'), format('%I.%L=%s', 'A b', 'it''s', 5), parse_ident('public.\"X\"')", [][]string{{`"Readings"`, "ok", `"A b".'it''s'=5`, "{public,X}"}}},
		{"SELECT CASE WHEN false THEN 1 WHEN NULL THEN 2 ELSE 3 END, CASE 'r' WHEN 'v' THEN 'view' WHEN 'r' THEN 'table' END, coalesce(NULL, 'x'), nullif(1, 1)", [][]string{{"3", "table", "x", "NULL"}}},
		{"SELECT n FROM generate_series(1, 10, 4) n ORDER BY n DESC NULLS LAST", [][]string{{"9"}, {"5"}, {"1"}}},
		{"SELECT unnest(ARRAY[1,2,3]) AS u, generate_subscripts(ARRAY['a','b'], 1) AS s", [][]string{{"1", "1"}, {"2", "2"}, {"3", "NULL"}}},
		{"SELECT current_setting('application_name'), current_setting('nope', true), current_user, current_database(), version() ~ '^PostgreSQL 13'", [][]string{{"test", "NULL", "postgres", "postgres", "t"}}},
		{"SELECT table_name, column_name, data_type, udt_name, numeric_precision, numeric_scale, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'pageviews' AND ordinal_position IN (3, 6) ORDER BY ordinal_position", [][]string{{"pageviews", "views", "bigint", "int8", "64", "0", "YES"}, {"pageviews", "price", "numeric", "numeric", "10", "2", "YES"}}},
		{"SELECT tc.constraint_type, kc.column_name FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage kc USING (constraint_name) WHERE tc.table_name = 'readings'", [][]string{{"PRIMARY KEY", "device_id"}}},
		{"SELECT pg_get_constraintdef(oid), pg_get_indexdef(conindid), pg_get_indexdef(conindid, 1, true) FROM pg_constraint", [][]string{{"PRIMARY KEY (device_id)", "CREATE UNIQUE INDEX readings_pkey ON public.readings USING btree (device_id)", "device_id"}}},
		{"SELECT obj_description('readings'::regclass, 'pg_class')", [][]string{{"table on topic readings (key format KAFKA, value format JSON)"}}},
		{"SELECT 1 WHERE NULL", nil},
		{"SELECT NULL::int IS NULL, 1 IS DISTINCT FROM NULL, true IS NOT FALSE", [][]string{{"t", "t", "t"}}},
		{"SELECT x FROM (SELECT 2 AS x UNION SELECT 1) s WHERE x IN (SELECT 1) OR x NOT IN (2)", [][]string{{"1"}}},
		{"SELECT t.x, u.y FROM (VALUES (1), (2)) t(x) RIGHT JOIN (VALUES (2), (3)) u(y) ON t.x = u.y ORDER BY 2", [][]string{{"2", "2"}, {"NULL", "3"}}},
	}
	for _, tc := range tests {
		res, err := Run(context.Background(), tc.sql, testEnv())
		if !assert.NoError(t, err, tc.sql) {
			continue
		}
		got := texts(res)
		if tc.want == nil {
			assert.Empty(t, got, tc.sql)
			continue
		}
		assert.Equal(t, tc.want, got, tc.sql)
	}
}

func TestEvaluatorErrors(t *testing.T) {
	tests := []struct {
		sql  string
		code types.Code
	}{
		{"SELECT * FROM pg_nothing", types.CodeUndefinedTable},
		{"SELECT nope FROM pg_class", types.CodeUndefinedColumn},
		{"SELECT oid FROM pg_class, pg_type", types.CodeAmbiguousColumn},
		{"SELECT no_such_function(1)", types.CodeUndefinedFunction},
		{"SELECT 'x'::regclass", types.CodeUndefinedTable},
		{"SELECT 1/0", types.CodeDivisionByZero},
		{"SELECT (SELECT oid FROM pg_namespace)", "21000"},
		{"SELECT FROM WHERE", types.CodeSyntaxError},
		{"SELECT 'unterminated", types.CodeSyntaxError},
		{"SELECT count(*) FROM pg_class WHERE count(*) > 1", types.CodeGroupingError},
		{"SELECT current_setting('nope')", types.CodeUndefinedObject},
		{"SELECT * FROM pg_class c, readings r", types.CodeFeatureNotSupported},
		{"SELECT 1 FROM pg_attribute a, pg_attribute b, pg_attribute c, pg_attribute d", types.CodeProgramLimitExceeded},
	}
	for _, tc := range tests {
		_, err := Run(context.Background(), tc.sql, testEnv())
		require.Error(t, err, tc.sql)
		assert.Equal(t, tc.code, types.CodeOf(err), "%s: %v", tc.sql, err)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		sql  string
		want Route
	}{
		{"SELECT * FROM pg_catalog.pg_class", RouteCatalog},
		{"select nspname from pg_namespace", RouteCatalog},
		{"SELECT table_name FROM information_schema.tables", RouteCatalog},
		{"SELECT a.x FROM readings a, pg_type t", RouteCatalog},
		{"select version()", RouteCatalog},
		{"SELECT current_schema(), session_user", RouteCatalog},
		{"select 1", RouteCatalog},
		{"SELECT ALLTYPES", RouteEngine},
		{"SELECT UCASE('x')", RouteEngine},
		{"SELECT * FROM readings EMIT CHANGES", RouteEngine},
		{"SELECT pg_type FROM readings", RouteEngine},
		{"CREATE STREAM s (x INT) WITH (kafka_topic='s', value_format='JSON')", RouteEngine},
		{"SET 'auto.offset.reset' = 'earliest'", RouteEngine},
		{"SHOW STREAMS", RouteEngine},
		{"SHOW ALL TOPICS", RouteEngine},
		{"LIST TABLES", RouteEngine},
		{"SHOW ALL", RouteSession},
		{"show transaction isolation level", RouteSession},
		{"SET extra_float_digits = 3", RouteSession},
		{"BEGIN READ ONLY", RouteSession},
		{"START TRANSACTION", RouteSession},
		{"DISCARD ALL", RouteSession},
		{"-- ping", RouteEmpty},
		{"SELECT `x` FROM `Readings`", RouteEngine},
		{"DECLARE _psql_cursor NO SCROLL CURSOR FOR SELECT * FROM s EMIT CHANGES", RouteCursor},
		{"fetch forward 10 from _psql_cursor", RouteCursor},
		{"MOVE 1 c", RouteCursor},
		{"CLOSE c", RouteCursor},
		{"COPY readings FROM STDIN WITH (FORMAT csv, HEADER)", RouteCopyIn},
		{"copy public.readings (a, b) from stdin", RouteCopyIn},
		{"COPY (SELECT * FROM s EMIT CHANGES) TO STDOUT", RouteEngine},
		{"INSERT INTO readings (id, t) VALUES ('d1', 1.5)", RouteEngine},
		{"insert into readings values ('unterminated", RouteEngine},
		{"/* a comment */ -- and another\n select 1", RouteCatalog},
		{"(SELECT 1)", RouteCatalog},
		{"  \n\tSHOW ALL", RouteSession},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Classify(tc.sql), tc.sql)
		if !isBlank(tc.sql) {
			assert.Equal(t, classifyLexed(tc.sql), Classify(tc.sql), "first-word shortcut: %s", tc.sql)
		}
	}
}

// Classify decides most statements by their first word; every statement the captured clients
// sent must get the route that lexing the whole statement gives.
func TestClassifyShortcutAgreesOnTheCaptures(t *testing.T) {
	all := append(psqlQueries(t, "psql_E.txt"), tabQueries(t)...)
	for _, f := range []string{"jdbc_flow.txt", "jdbc2_flow.txt", "sqlalchemy_psycopg2_flow.txt", "psycopg3_flow.txt", "pgx_flow.txt"} {
		all = append(all, flowQueries(t, f)...)
	}
	all = append(all, corpusStatements(t)...)
	n := 0
	for _, c := range all {
		for _, st := range SplitStatements(c.sql) {
			if isBlank(st.Text) {
				continue
			}
			assert.Equal(t, classifyLexed(st.Text), Classify(st.Text), "%s: %s", c.source, st.Text)
			n++
		}
	}
	require.Greater(t, n, 100)
}

func TestSplitStatements(t *testing.T) {
	sql := "SET TIMEZONE TO 'UTC'; select 42 -- c;\n; SELECT ';' AS \"a;b\", `x;y`, $$;$$, E'\\';'; /* ; */"
	got := SplitStatements(sql)
	require.Len(t, got, 3)
	assert.Equal(t, "SET TIMEZONE TO 'UTC'", got[0].Text)
	assert.Equal(t, "select 42 -- c;", got[1].Text[:15])
	assert.Equal(t, "SELECT ';' AS \"a;b\", `x;y`, $$;$$, E'\\';'", got[2].Text)
	for _, st := range got {
		assert.Equal(t, st.Text, sql[st.Offset:st.Offset+len(st.Text)])
	}
}

func TestParseSession(t *testing.T) {
	tests := []struct {
		sql  string
		want SessionStmt
	}{
		{"SET x TO 1", SessionStmt{Kind: SessSet, Name: "x", Value: "1", Tag: "SET"}},
		{"SET SESSION search_path = \"$user\", public", SessionStmt{Kind: SessSet, Name: "search_path", Value: `"$user", public`, Tag: "SET"}},
		{"set local application_name to default", SessionStmt{Kind: SessSet, Name: "application_name", Local: true, Default: true, Tag: "SET"}},
		{"SET TIME ZONE 'UTC'", SessionStmt{Kind: SessSet, Name: "timezone", Value: "UTC", Tag: "SET"}},
		{"SET NAMES 'UTF8'", SessionStmt{Kind: SessSet, Name: "client_encoding", Value: "UTF8", Tag: "SET"}},
		{"SET my.opt = -5", SessionStmt{Kind: SessSet, Name: "my.opt", Value: "-5", Tag: "SET"}},
		{"SET TRANSACTION READ ONLY", SessionStmt{Kind: SessSet, Settings: [][2]string{{"transaction_read_only", "on"}}, Tag: "SET"}},
		{"RESET ALL", SessionStmt{Kind: SessReset, All: true, Tag: "RESET"}},
		{"SHOW TIME ZONE", SessionStmt{Kind: SessShow, Name: "timezone", Tag: "SHOW"}},
		{"BEGIN ISOLATION LEVEL SERIALIZABLE", SessionStmt{Kind: SessBegin, Settings: [][2]string{{"transaction_isolation", "serializable"}}, Tag: "BEGIN"}},
		{"COMMIT AND NO CHAIN", SessionStmt{Kind: SessCommit, Tag: "COMMIT"}},
		{"ROLLBACK TO SAVEPOINT s1", SessionStmt{Kind: SessRollbackTo, Name: "s1", Tag: "ROLLBACK"}},
		{"RELEASE s1", SessionStmt{Kind: SessRelease, Name: "s1", Tag: "RELEASE"}},
		{"DEALLOCATE PREPARE S_1", SessionStmt{Kind: SessDeallocate, Name: "s_1", Tag: "DEALLOCATE"}},
		{"DISCARD TEMPORARY", SessionStmt{Kind: SessDiscard, Name: "temp", Tag: "DISCARD TEMP"}},
	}
	for _, tc := range tests {
		got, err := ParseSession(tc.sql)
		require.NoError(t, err, tc.sql)
		assert.Equal(t, tc.want, *got, tc.sql)
	}
	for _, bad := range []string{"SET", "SET x", "SHOW", "BEGIN nonsense", "DISCARD everything", "RESET"} {
		_, err := ParseSession(bad)
		assert.Equal(t, types.CodeSyntaxError, types.CodeOf(err), bad)
	}
}
