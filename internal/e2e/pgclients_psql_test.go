package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// TestPsqlFetchCount runs a push query in psql with FETCH_COUNT set: psql then reads it through
// a cursor (BEGIN; DECLARE _psql_cursor NO SCROLL CURSOR FOR ...; FETCH FORWARD 2 ...) and
// prints each batch of rows as it arrives, while the query itself never ends.
func TestPsqlFetchCount(t *testing.T) {
	needTool(t, "psql")
	stdbuf := needTool(t, "stdbuf")
	s := startServer(t, "")
	s.mustPSQL(`CREATE STREAM s (k VARCHAR KEY, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=1);`)
	s.mustPSQL(`INSERT INTO s (k, v) VALUES ('p1', 1); INSERT INTO s (k, v) VALUES ('p2', 2);`)

	// CSV output: unaligned output would hold each batch's last row back until the next batch
	// (psql writes the record separator before a record, not after it).
	args := append([]string{"-oL", "psql"}, s.psqlArgs("--csv", "-v", "FETCH_COUNT=2", "-c", `SET 'auto.offset.reset'='earliest'`, "-c", `SELECT k, v FROM s EMIT CHANGES`)...)
	cmd := exec.Command(stdbuf, args...)
	cmd.Env = psqlEnv()
	pq := &pushQuery{t: t, cmd: cmd, lines: make(chan string, 1024), stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = pq.stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			pq.lines <- sc.Text()
		}
		close(pq.lines)
		_ = cmd.Wait()
		close(pq.done)
	}()
	t.Cleanup(func() {
		select {
		case <-pq.done:
		default:
			_ = cmd.Process.Kill()
			<-pq.done
		}
	})

	pq.waitFor([]string{"p1,1", "p2,2"})
	s.mustPSQL(`INSERT INTO s (k, v) VALUES ('p3', 3); INSERT INTO s (k, v) VALUES ('p4', 4);`)
	pq.waitFor([]string{"p3,3", "p4,4"})
	select {
	case <-pq.done:
		t.Fatalf("psql ended, but a push query never ends: %s", pq.stderr.String())
	default:
	}
	// Ctrl-C: psql cancels the FETCH with a CancelRequest and exits.
	_, stderr := pq.interrupt()
	assert.Contains(t, stderr, "canceling statement due to user request")
}

// TestPsqlCopy ingests a CSV file with psql's \copy (COPY ... FROM STDIN WITH (FORMAT csv,
// HEADER)) and text rows from psql's stdin, then reads them back with a push query.
func TestPsqlCopy(t *testing.T) {
	needTool(t, "psql")
	s := startServer(t, "")
	s.mustPSQL(`CREATE STREAM readings (device_id VARCHAR KEY, temp DOUBLE, n INT, note VARCHAR) WITH (kafka_topic='readings', value_format='JSON', partitions=1);`)
	csv := filepath.Join(t.TempDir(), "readings.csv")
	var b strings.Builder
	b.WriteString("device_id,temp,n,note\n")
	b.WriteString("d1,20.5,1,\"quoted, with \"\"quotes\"\"\"\n")
	b.WriteString("d2,,2,\n")
	for i := 3; i <= 1000; i++ {
		fmt.Fprintf(&b, "d%d,%d.5,%d,x\n", i%7, i, i)
	}
	require.NoError(t, os.WriteFile(csv, []byte(b.String()), 0o644))
	out := s.mustPSQL(`\copy readings FROM '` + csv + `' WITH (FORMAT csv, HEADER)`)
	assert.Equal(t, "COPY 1000", strings.TrimSpace(out))

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "psql", s.psqlArgs("-v", "ON_ERROR_STOP=1", "-c", `\copy readings (device_id, n) FROM STDIN`)...)
	cmd.Env = psqlEnv()
	cmd.Stdin = strings.NewReader("t1\t1001\nt\\t2\t\\N\n")
	got, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", got)
	assert.Equal(t, "COPY 2", strings.TrimSpace(string(got)))

	// A bad row is refused with its line; the connection's session goes on.
	cmd = exec.CommandContext(ctx, "psql", s.psqlArgs("-v", "VERBOSITY=verbose", "-c", `\copy readings FROM STDIN WITH (FORMAT csv)`)...)
	cmd.Env = psqlEnv()
	cmd.Stdin = strings.NewReader("z,1.5,1,a\nz,1.5,one,b\n")
	got, _ = cmd.CombinedOutput()
	assert.Contains(t, string(got), `ERROR:  22P02: invalid input syntax for type integer: "one"`)
	assert.Contains(t, string(got), "COPY readings, line 2")

	rows := lines(s.mustPSQL(`SET 'auto.offset.reset'='earliest'; SELECT device_id, temp, n, note FROM readings EMIT CHANGES LIMIT 1002;`))
	require.Len(t, rows, 1003) // SET's tag, then the rows
	assert.Equal(t, `d1|20.5|1|quoted, with "quotes"`, rows[1])
	assert.Equal(t, "d2||2|", rows[2])
	assert.Equal(t, "d6|1000.5|1000|x", rows[1000])
	assert.Equal(t, "t1||1001|", rows[1001])
	assert.Equal(t, "t\t2|||", rows[1002])
}
