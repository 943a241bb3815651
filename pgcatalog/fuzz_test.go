package pgcatalog

import (
	"context"
	"strings"
	"testing"
	"time"
)

// FuzzCatalog runs arbitrary SQL through the parser and evaluator: it may fail, but never
// with a recovered panic, and never runs away (the work bound and the context stop it).
func FuzzCatalog(f *testing.F) {
	for _, c := range []string{
		"SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relname ~ '^r' ORDER BY 1, 2 LIMIT 5",
		"SELECT (information_schema._pg_expandarray(i.indkey)).n, unnest(i.indkey) FROM pg_index i",
		"WITH x AS (SELECT 1 AS a UNION ALL SELECT 2) SELECT a, row_number() OVER (ORDER BY a DESC) FROM x",
		"SELECT count(*), string_agg(typname, ',' ORDER BY oid) FROM pg_type GROUP BY typtype HAVING count(*) > 1",
		"SELECT '{1,2}'::int4[], 'pg_class'::regclass, 'int4'::regtype::oid, E'a\\nb', $$x$$ || 'y', ARRAY(SELECT 1)",
		"SELECT * FROM generate_series(1, 3) g(n) LEFT JOIN pg_namespace n ON n.oid = g.n WHERE EXISTS (SELECT 1) AND n.oid IS NULL",
		"SELECT CASE WHEN 1 IN (1, 2) THEN x END FROM (VALUES (1), (2)) v(x) WHERE x BETWEEN 1 AND 2",
	} {
		f.Add(c)
	}
	env := testEnv()
	f.Fuzz(func(t *testing.T, sql string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := Run(ctx, sql, env)
		if err != nil && strings.Contains(err.Error(), "internal error in catalog query") {
			t.Fatalf("%q: %v", sql, err)
		}
	})
}
