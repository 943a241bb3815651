package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPsqlCatalogBrowsing drives psql's catalog commands against a stream and a table: each
// must answer without error (psql runs several catalog queries per command), and show the
// relations and their columns with their Postgres types.
func TestPsqlCatalogBrowsing(t *testing.T) {
	needTool(t, "psql")
	s := startServer(t, "")
	s.mustPSQL(`CREATE STREAM readings (device_id VARCHAR KEY, temp DOUBLE, humidity DOUBLE, tags ARRAY<VARCHAR>, loc STRUCT<lat DOUBLE, lon DOUBLE>) WITH (kafka_topic='readings', value_format='JSON', partitions=1);`)
	s.mustPSQL(`CREATE TABLE devices (id VARCHAR PRIMARY KEY, name VARCHAR, since TIMESTAMP) WITH (kafka_topic='devices', value_format='JSON', partitions=1);`)

	tests := []struct {
		cmd  string
		want []string // lines of psql -At output that must appear
	}{
		{`\dt`, []string{"public|devices|table|e2e", "public|readings|table|e2e"}},
		{`\d`, []string{"public|devices|table|e2e", "public|readings|table|e2e"}},
		{`\d readings`, []string{"device_id|text|||", "temp|double precision|||", "humidity|double precision|||", "tags|text[]|||", "loc|jsonb|||"}},
		{`\d devices`, []string{"id|text||not null|", "since|timestamp without time zone|||"}},
		{`\d+ devices`, []string{"id|text||not null||extended||"}},
		{`\dt+`, []string{"public|readings|table|e2e|permanent|heap|0 bytes|stream on topic readings (key format KAFKA, value format JSON)"}},
		{`\di`, []string{"public|devices_pkey|index|e2e|devices"}},
		{`\dn`, []string{"public|e2e"}},
		{`\l`, []string{"streamsql|e2e|UTF8|C.UTF-8|C.UTF-8||libc|"}},
		{`\du`, []string{"e2e|Superuser, Create role, Create DB, Replication, Bypass RLS|{}"}},
		{`\df`, nil},
		{`\dv`, nil},
		{`\dx`, nil},
		{`\dT`, nil},
		{`\dp`, []string{"public|readings|table|||"}},
		{`\d pg_class`, []string{"relname|name|||"}},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			r := s.psql(tc.cmd)
			require.NoError(t, r.err, "%s\nstdout:\n%s\nstderr:\n%s", tc.cmd, r.stdout, r.stderr)
			assert.NotContains(t, r.stderr, "ERROR")
			got := lines(r.stdout)
			for _, w := range tc.want {
				assert.Contains(t, got, w, "%s output:\n%s", tc.cmd, r.stdout)
			}
		})
	}

	// Tab completion's queries, as psql sends them.
	for _, q := range []string{
		`SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE 'rea%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog') UNION ALL SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'rea%' AND n.nspname NOT LIKE E'pg\\_%' LIMIT 1000`,
		`SELECT a.attname, NULL::pg_catalog.text FROM pg_catalog.pg_attribute a, pg_catalog.pg_class c WHERE c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped AND (a.attname) LIKE 'te%' AND c.relname = 'readings' AND pg_catalog.pg_table_is_visible(c.oid) LIMIT 1000`,
	} {
		out := s.mustPSQL(q)
		assert.NotEmpty(t, strings.TrimSpace(out), q)
	}
}
