package engine

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

type harness struct {
	t   *testing.T
	dir string
	log *embedded.Log
	eng *Engine
	s   api.Session
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, dir: t.TempDir()}
	h.open()
	t.Cleanup(h.close)
	return h
}

func (h *harness) open() { h.openWith(func(l *embedded.Log) broker.Broker { return l }) }

// openWith opens the log and an engine over what wrap makes of it (the log with faults).
func (h *harness) openWith(wrap func(*embedded.Log) broker.Broker) {
	var err error
	h.log, err = embedded.Open(h.dir, embedded.Options{NoSync: true})
	require.NoError(h.t, err)
	h.eng, err = Open(context.Background(), Config{Broker: wrap(h.log), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PollWait: 10 * time.Millisecond})
	require.NoError(h.t, err)
	h.s, err = h.eng.NewSession(context.Background(), nil)
	require.NoError(h.t, err)
}

func (h *harness) close() {
	if h.eng != nil {
		h.eng.Close()
		h.log.Close()
		h.eng = nil
	}
}

func (h *harness) restart() {
	h.close()
	h.open()
}

// run executes sql and returns the results.
func (h *harness) run(sql string) ([]*api.Result, error) {
	var out []*api.Result
	err := h.s.Run(context.Background(), sql, func(r *api.Result) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

func (h *harness) mustRun(sql string) []*api.Result {
	h.t.Helper()
	res, err := h.run(sql)
	require.NoError(h.t, err, sql)
	return res
}

// topic reads every record of a topic as "key|value" strings, in partition then offset order.
func (h *harness) topic(name string) []string {
	h.t.Helper()
	ctx := context.Background()
	require.NoError(h.t, h.eng.WaitIdle(ctx))
	offs, err := h.log.Offsets(ctx, name)
	require.NoError(h.t, err)
	var out []string
	for p, o := range offs {
		res, err := h.log.Fetch(ctx, broker.FetchRequest{Topic: name, Partition: int32(p), Offset: o.Earliest, MaxRecords: 10000})
		require.NoError(h.t, err)
		for _, r := range res.Records {
			out = append(out, string(r.Key)+"|"+string(r.Value))
		}
	}
	return out
}

func TestStatementErrorsCarrySQLSTATE(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`CREATE STREAM readings (device_id VARCHAR KEY, humidity DOUBLE) WITH (kafka_topic='r', value_format='JSON', partitions=1);`)
	cases := []struct {
		name string
		sql  string
		code types.Code
		msg  string
	}{
		{"syntax", "SELEC 1;", types.CodeSyntaxError, "SELEC"},
		{"unknown stream", "SELECT * FROM nope EMIT CHANGES;", types.CodeUndefinedTable, "NOPE"},
		{"unknown column", "SELECT nocol FROM readings EMIT CHANGES;", types.CodeUndefinedColumn, "NOCOL"},
		{"unknown function", "SELECT nofunc(humidity) FROM readings EMIT CHANGES;", types.CodeUndefinedFunction, "NOFUNC"},
		{"type mismatch in WHERE", "SELECT * FROM readings WHERE humidity > 'wet' EMIT CHANGES;", types.CodeDatatypeMismatch, ""},
		{"duplicate stream", `CREATE STREAM readings (a INT) WITH (kafka_topic='r', value_format='JSON');`, types.CodeDuplicateTable, "already exists"},
		{"missing topic", `CREATE STREAM other (a INT) WITH (kafka_topic='missing', value_format='JSON');`, types.CodeUndefinedTable, "missing"},
		{"missing value format", `CREATE STREAM other (a INT) WITH (kafka_topic='r');`, types.CodeInvalidParameter, "VALUE_FORMAT"},
		{"key missing from projection", `CREATE STREAM out AS SELECT humidity FROM readings;`, types.CodeInvalidColumnRef, "must include the key column DEVICE_ID"},
		{"drop unknown", `DROP STREAM nope;`, types.CodeUndefinedTable, "NOPE"},
		{"terminate unknown", `TERMINATE CSAS_NOPE_1;`, types.CodeUndefinedObject, "CSAS_NOPE_1"},
		{"pull query on stream", `SELECT * FROM readings;`, types.CodeFeatureNotSupported, "EMIT CHANGES"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := h.run(c.sql)
			require.Error(t, err)
			require.Equal(t, c.code, types.CodeOf(err), "%v", err)
			require.Contains(t, err.Error(), c.msg)
			var te *types.Error
			require.ErrorAs(t, err, &te)
			require.True(t, te.Pos.IsValid() || c.code == types.CodeInvalidParameter || c.code == types.CodeInvalidColumnRef, "error has no position: %v", err)
		})
	}
	// The session survives every error.
	res := h.mustRun("SHOW STREAMS;")
	require.Len(t, res, 1)
}

func TestHumidityAlertsSurviveRestart(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`CREATE STREAM humidity_readings (device_id VARCHAR KEY, humidity DOUBLE) WITH (kafka_topic='iot.sensor.humidity', value_format='JSON', partitions=3);
		CREATE STREAM high_humidity_alerts AS SELECT * FROM humidity_readings WHERE humidity > 85.0;`)
	h.mustRun(`INSERT INTO humidity_readings (device_id, humidity) VALUES ('d1', 90.5);
		INSERT INTO humidity_readings (device_id, humidity) VALUES ('d2', 20.0);
		INSERT INTO humidity_readings (device_id, humidity) VALUES ('d3', 85.5);`)
	require.ElementsMatch(t, []string{`d1|{"HUMIDITY":90.5}`, `d3|{"HUMIDITY":85.5}`}, h.topic("HIGH_HUMIDITY_ALERTS"))

	h.restart()
	_, ok := h.eng.Catalog().Source("HIGH_HUMIDITY_ALERTS")
	require.True(t, ok)
	require.Len(t, h.eng.Catalog().Queries(), 1)
	h.mustRun(`INSERT INTO humidity_readings (device_id, humidity) VALUES ('d4', 99.0);`)
	// Nothing repeated, nothing lost.
	require.ElementsMatch(t, []string{`d1|{"HUMIDITY":90.5}`, `d3|{"HUMIDITY":85.5}`, `d4|{"HUMIDITY":99.0}`}, h.topic("HIGH_HUMIDITY_ALERTS"))

	h.mustRun("TERMINATE ALL;")
	require.Empty(t, h.eng.Catalog().Queries())
	h.restart()
	require.Empty(t, h.eng.Catalog().Queries())
}

func TestPushQueryStreamsAndLimit(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='s', value_format='JSON', partitions=2);`)
	h.mustRun(`INSERT INTO s (id, v) VALUES (1, 'old');`)
	res := h.mustRun(`SELECT id, UCASE(v) AS up FROM s WHERE id > 0 EMIT CHANGES LIMIT 2;`)
	require.Len(t, res, 1)
	st := res[0].Stream
	require.NotNil(t, st)
	require.Equal(t, []api.Column{{Name: "ID", Type: types.IntType}, {Name: "UP", Type: types.StringType}}, res[0].Columns)
	// auto.offset.reset is latest: the old row is not seen; new ones arrive live.
	h.mustRun(`INSERT INTO s (id, v) VALUES (2, 'a'); INSERT INTO s (id, v) VALUES (-1, 'skip'); INSERT INTO s (id, v) VALUES (3, 'b');`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []string
	for {
		row, err := st.Next(ctx)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, row[1].(string))
	}
	require.ElementsMatch(t, []string{"A", "B"}, got)
	require.NoError(t, st.Close())
}

func TestProcessingLogKeepsBadRecords(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`CREATE STREAM r (id STRING KEY, humidity DOUBLE) WITH (kafka_topic='raw', value_format='JSON', partitions=1);
		CREATE STREAM raw_text (v STRING) WITH (kafka_topic='raw', value_format='KAFKA');
		CREATE STREAM alerts AS SELECT * FROM r WHERE humidity > 85.0;`)
	h.mustRun(`INSERT INTO raw_text (v) VALUES ('{not json');
		INSERT INTO raw_text (v) VALUES ('{"HUMIDITY":"wet"}');
		INSERT INTO r (id, humidity) VALUES ('d1', 95.0);`)
	require.Equal(t, []string{`d1|{"HUMIDITY":95.0}`}, h.topic("ALERTS"))
	require.EqualValues(t, 2, h.eng.ProcessingErrors())
	entries := h.topic(ProcessingLogTopic)
	require.Len(t, entries, 2)
	require.Contains(t, entries[0], `"TOPIC":"raw"`)
	require.Contains(t, entries[0], `"OFFSET":0`)
	require.Contains(t, entries[1], `"OFFSET":1`)
	require.Contains(t, entries[1], "HUMIDITY")
}

func TestQueriesFileIsIdempotent(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "pipeline.sql")
	require.NoError(t, os.WriteFile(file, []byte(`
		SET 'auto.offset.reset'='earliest';
		CREATE STREAM a (id INT KEY, v DOUBLE) WITH (kafka_topic='a', value_format='JSON', partitions=1);
		CREATE STREAM b AS SELECT * FROM a WHERE v > 1;
	`), 0o644))
	require.NoError(t, h.eng.ApplyFiles(context.Background(), file))
	h.mustRun(`INSERT INTO a (id, v) VALUES (1, 2.0);`)
	h.restart()
	require.NoError(t, h.eng.ApplyFiles(context.Background(), dir))
	require.Len(t, h.eng.Catalog().Queries(), 1)
	require.Equal(t, []string{"\x00\x00\x00\x01" + `|{"V":2.0}`}, h.topic("B")) // a KAFKA INT key is 4 big-endian bytes

	// A bad statement names the file and the position.
	bad := filepath.Join(dir, "z-bad.sql")
	require.NoError(t, os.WriteFile(bad, []byte("CREATE STREAM c AS SELECT nope FROM a;"), 0o644))
	err := h.eng.ApplyFiles(context.Background(), dir)
	require.Error(t, err)
	require.Contains(t, err.Error(), "z-bad.sql:line 1:")
	require.Equal(t, types.CodeUndefinedColumn, types.CodeOf(err))
}

func TestShowDescribeExplain(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`CREATE STREAM s (id INT KEY, v STRING, h BYTES HEADER('trace')) WITH (kafka_topic='s', value_format='JSON', partitions=1);
		CREATE STREAM o AS SELECT id, v FROM s;`)
	res := h.mustRun(`DESCRIBE s;`)
	require.Equal(t, []types.Row{{"ID", "INTEGER (key)"}, {"V", "STRING"}, {"H", "BYTES (header('trace'))"}}, res[0].Rows)
	res = h.mustRun(`SHOW QUERIES;`)
	require.Len(t, res[0].Rows, 1)
	require.True(t, strings.HasPrefix(res[0].Rows[0][0].(string), "CSAS_O_"))
	res = h.mustRun(`EXPLAIN SELECT v FROM s WHERE id = 1 EMIT CHANGES;`)
	var text []string
	for _, r := range res[0].Rows {
		text = append(text, r[0].(string))
	}
	require.Contains(t, strings.Join(text, "\n"), "Filter: ID = 1")
	res = h.mustRun(`SHOW TOPICS;`)
	var topics []string
	for _, r := range res[0].Rows {
		topics = append(topics, r[0].(string))
	}
	require.Contains(t, topics, "s")
	require.Contains(t, topics, "O")
	h.mustRun(`DROP STREAM o DELETE TOPIC;`)
	_, err := h.log.DescribeTopic(context.Background(), "O")
	require.ErrorIs(t, err, broker.ErrUnknownTopic)
	_, err = h.run(`DROP STREAM s;`)
	require.NoError(t, err)
}

func TestDescribeFunctionAndShowFunctions(t *testing.T) {
	h := newHarness(t)
	res := h.mustRun(`DESCRIBE FUNCTION substring;`)
	require.NotEmpty(t, res[0].Rows)
	require.Contains(t, res[0].Rows[0][0], "SUBSTRING(")
	require.Contains(t, strings.Join(res[0].Notices, "\n"), "Category: STRING")
	res = h.mustRun(`DESCRIBE FUNCTION explode;`)
	require.Contains(t, strings.Join(res[0].Notices, "\n"), "Type: TABLE")
	_, err := h.run(`DESCRIBE FUNCTION no_such_function;`)
	require.Equal(t, types.CodeUndefinedFunction, types.CodeOf(err))

	res = h.mustRun(`SHOW FUNCTIONS;`)
	names := map[string]bool{}
	for _, r := range res[0].Rows {
		names[r[0].(string)] = true
		require.NotEmpty(t, r[2], "function %s has no signature", r[0])
	}
	for _, want := range []string{"ABS", "CONCAT", "EXTRACTJSONFIELD", "FORMAT_TIMESTAMP", "EXPLODE", "TRANSFORM"} {
		require.True(t, names[want], want)
	}
}

func TestPushQueryPseudoColumnsAndKeyOnlyStreams(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`SET 'auto.offset.reset'='earliest';
		CREATE STREAM k (id INT KEY) WITH (kafka_topic='k', value_format='NONE', partitions=1);
		INSERT INTO k (id) VALUES (7);`)
	// A push query may show ROWTIME without an alias; a persistent query may not.
	res := h.mustRun(`SELECT id, ROWTIME, ROWPARTITION FROM k EMIT CHANGES LIMIT 1;`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	row, err := res[0].Stream.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, int32(7), row[0])
	require.IsType(t, int64(0), row[1])
	require.Equal(t, int32(0), row[2])
	_, err = h.run(`CREATE STREAM o AS SELECT id, ROWTIME FROM k;`)
	require.ErrorContains(t, err, "Reserved column name in select: `ROWTIME`")
}
