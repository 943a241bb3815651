package parser

import (
	"testing"

	"github.com/streamsql/streamsql/parser/ast"
)

// TestRoundTrip checks Format → Parse → equal tree on constructs whose printing is easy to get
// wrong (precedence, quoting, nesting), and that Format is a fixed point.
func TestRoundTrip(t *testing.T) {
	for _, sql := range []string{
		"SELECT a + b * c - d / e % f FROM s",
		"SELECT (a + b) * c, -(-a), - -1, NOT NOT a, NOT (a AND b) OR c FROM s",
		"SELECT a->b->c, a[1][2], a->b[1], (a[1])->b, s->*, f(x)->y, f(x)[1] FROM s",
		"SELECT CAST(CAST(a AS STRING) AS ARRAY<STRUCT<`x` INT, Y MAP<STRING, DECIMAL(4, 2)>>>) FROM s",
		"SELECT x::int::text, '1'::int4[], c.oid::pg_catalog.regclass FROM t",
		"SELECT `weird``name`, \"quoted \"\" too\", unquoted FROM `My Stream`",
		"SELECT 'it''s', E'tab\\there', '', X'00FF', 1e10, 12345678901234567890, .5 FROM s",
		"SELECT a BETWEEN b AND c AND d, a NOT BETWEEN (b AND c) AND d FROM s",
		"SELECT a LIKE b ESCAPE '#', a NOT ILIKE 'x%', a ~ 'r', a !~* 'r' FROM t",
		"SELECT a IS NULL IS NOT TRUE, a IS DISTINCT FROM b IS NULL FROM s",
		"SELECT CASE WHEN a THEN CASE b WHEN 1 THEN 2 END ELSE NULL END FROM s",
		"SELECT TRANSFORM(m, (k, v) => k, (k, v) => v * 2), FILTER(a, x => x IN (1, 2)) FROM s",
		"SELECT STRUCT(), MAP(), ARRAY[], STRUCT(a := STRUCT(b := ARRAY[MAP('k' := 1)])) FROM s",
		"SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.x = b.x, d CROSS JOIN e",
		"SELECT * FROM a, b, c LEFT JOIN d ON c.x = d.x RIGHT JOIN f ON f.x = d.x",
		"SELECT * FROM (SELECT 1 AS x) AS t (y), generate_series(1, 3) g(n), unnest(a)",
		"SELECT 1 UNION SELECT 2 UNION ALL (SELECT 3 ORDER BY 1 LIMIT 1) ORDER BY 1 DESC LIMIT 5 OFFSET 1",
		"WITH RECURSIVE a (x) AS (SELECT 1), b AS (SELECT * FROM a) SELECT * FROM b",
		"SELECT x FROM t WHERE x = ANY(ARRAY[1, 2]) AND y <> ALL(SELECT 1) AND EXISTS (SELECT 1) AND NOT EXISTS (SELECT 2)",
		"SELECT ARRAY(SELECT 1), (SELECT 2), x IN (SELECT 3) FROM t",
		"SELECT row_number() OVER (PARTITION BY a, b ORDER BY c DESC NULLS LAST), count(*) OVER () FROM t",
		"SELECT EXTRACT(EPOCH FROM ts), INTERVAL '1 day', INTERVAL '5' MINUTE, DATE '2024-01-01' FROM t",
		"SELECT x COLLATE \"C\", $3, ? FROM t LIMIT $1 OFFSET $2",
		"SELECT a FROM s WINDOW SESSION (1 MILLISECOND, RETENTION 7 DAYS, GRACE PERIOD 0 SECONDS) WHERE a > 1 GROUP BY a HAVING COUNT(*) > 1 PARTITION BY a, b EMIT FINAL LIMIT 3",
		"CREATE STREAM `s` (`k` STRING KEY, H ARRAY<STRUCT<KEY STRING, VALUE BYTES>> HEADERS, h1 BYTES HEADER('a''b')) WITH (kafka_topic='t', partitions=3, replicas=-1, x=1.5, y=TRUE, z=NULL)",
		"INSERT INTO s (a, `b`) VALUES (1, STRUCT(x := -2.50))",
		"SET search_path TO \"$user\", public",
		"SET \"My.Setting\" = 'x'",
		"COPY x (a) FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER)",
	} {
		st, err := ParseOne(sql)
		if err != nil {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		if msg := checkRoundTrip(st); msg != "" {
			t.Errorf("%s: %s", sql, msg)
			continue
		}
		once := ast.Format(st)
		again, _ := ParseOne(once)
		if twice := ast.Format(again); twice != once {
			t.Errorf("Format is not a fixed point:\n %s\n %s", once, twice)
		}
	}
}

// TestParseExpr checks the expression entry point plans use to read back Format's output.
func TestParseExpr(t *testing.T) {
	for _, src := range []string{"a->b + 1", "CAST(x AS DECIMAL(4, 2))", "TRANSFORM(a, x => x * 2)", "$1 || 'x'"} {
		e, err := ParseExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		again, err := ParseExpr(ast.Format(e))
		if err != nil || ast.Dump(again, false) != ast.Dump(e, false) {
			t.Errorf("%s: round trip through %q: %v", src, ast.Format(e), err)
		}
	}
	for _, bad := range []string{"", "a, b", "a AS b", "*", "1 +"} {
		if _, err := ParseExpr(bad); err == nil {
			t.Errorf("%q: parsed, want an error", bad)
		}
	}
}
