package engine

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/exec"
	"github.com/streamsql/streamsql/types"
)

// pull runs a pull query and renders its rows as strings.
func (h *harness) pull(sql string) []string {
	h.t.Helper()
	require.NoError(h.t, h.eng.WaitIdle(context.Background()))
	res := h.mustRun(sql)
	require.Len(h.t, res, 1)
	out := []string{}
	for _, r := range res[0].Rows {
		out = append(out, fmt.Sprint([]any(r)))
	}
	return out
}

const iotSetup = `
SET 'auto.offset.reset'='earliest';
CREATE STREAM readings (device_id STRING KEY, temperature DOUBLE, humidity DOUBLE)
  WITH (kafka_topic='iot.sensor.temperature', value_format='JSON', partitions=3);
INSERT INTO readings (device_id, temperature, humidity, ROWTIME) VALUES ('a', 20.0, 50.0, 1000);
INSERT INTO readings (device_id, temperature, humidity, ROWTIME) VALUES ('a', 22.0, 90.0, 61000);
INSERT INTO readings (device_id, temperature, humidity, ROWTIME) VALUES ('b', 30.0, 40.0, 2000);
INSERT INTO readings (device_id, temperature, humidity, ROWTIME) VALUES ('a', 24.0, 95.0, 301000);
INSERT INTO readings (device_id, temperature, humidity, ROWTIME) VALUES ('c', 10.0, 86.0, 3000);
`

func TestAggregationAndPullQueries(t *testing.T) {
	h := newHarness(t)
	h.mustRun(iotSetup)
	h.mustRun(`CREATE TABLE stats AS SELECT device_id, COUNT(*) AS n, AVG(temperature) AS avg_temp, MAX(humidity) AS max_hum
		FROM readings GROUP BY device_id;`)
	h.mustRun(`CREATE TABLE temp_5m AS SELECT device_id, AVG(temperature) AS avg_temp, COUNT(*) AS n
		FROM readings WINDOW TUMBLING (SIZE 5 MINUTES) GROUP BY device_id EMIT CHANGES;`)

	tests := []struct {
		name, sql string
		want      []string
	}{
		{"key lookup", `SELECT * FROM stats WHERE device_id = 'a';`, []string{"[a 3 22 95]"}},
		{"key range", `SELECT device_id, n FROM stats WHERE device_id >= 'b' AND device_id < 'z' ORDER BY device_id;`, []string{"[b 1]", "[c 1]"}},
		{"scan order limit", `SELECT device_id, avg_temp FROM stats ORDER BY avg_temp DESC LIMIT 2;`, []string{"[b 30]", "[a 22]"}},
		{"scan filter on value", `SELECT device_id FROM stats WHERE max_hum > 85;`, nil},
		{"windowed lookup", `SELECT device_id, WINDOWSTART, WINDOWEND, n FROM temp_5m WHERE device_id = 'a' ORDER BY WINDOWSTART;`,
			[]string{"[a 0 300000 2]", "[a 300000 600000 1]"}},
		{"window bounds", `SELECT device_id, avg_temp FROM temp_5m WHERE WINDOWSTART >= 300000;`, []string{"[a 24]"}},
		{"no match", `SELECT * FROM stats WHERE device_id = 'nope';`, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := h.pull(tc.sql)
			if tc.want == nil {
				require.ElementsMatch(t, []string{"[a]", "[c]"}, got)
				return
			}
			require.Equal(t, tc.want, got)
		})
	}

	// State and outputs survive a restart; new input continues the same aggregates.
	h.restart()
	h.mustRun(`INSERT INTO readings (device_id, temperature, humidity, ROWTIME) VALUES ('b', 10.0, 40.0, 4000);`)
	require.Eventually(t, func() bool {
		got := h.pull(`SELECT n, avg_temp FROM stats WHERE device_id = 'b';`)
		return len(got) == 1 && got[0] == "[2 20]"
	}, 10*time.Second, 20*time.Millisecond)
}

func TestPullQueryErrors(t *testing.T) {
	h := newHarness(t)
	h.mustRun(iotSetup)
	h.mustRun(`CREATE TABLE devices (id STRING PRIMARY KEY, room STRING) WITH (kafka_topic='devices', value_format='JSON', partitions=1);`)
	for _, tc := range []struct{ sql, msg string }{
		{`SELECT * FROM readings;`, "Pull queries don't support streams"},
		{`SELECT * FROM devices;`, "isn't queryable"},
	} {
		_, err := h.run(tc.sql)
		require.Error(t, err, tc.sql)
		require.Contains(t, err.Error(), tc.msg)
		require.NotEqual(t, types.Code(""), types.CodeOf(err))
	}
}

func TestEmitFinalAndHaving(t *testing.T) {
	h := newHarness(t)
	// One partition: stream time (which closes windows) is per partition, as in Kafka Streams.
	h.mustRun(strings.Replace(iotSetup, "partitions=3", "partitions=1", 1))
	h.mustRun(`CREATE TABLE final_5m AS SELECT device_id, COUNT(*) AS n FROM readings
		WINDOW TUMBLING (SIZE 5 MINUTES, GRACE PERIOD 0 SECONDS) GROUP BY device_id EMIT FINAL;`)
	h.mustRun(`CREATE TABLE humid AS SELECT device_id, COUNT(*) AS n FROM readings GROUP BY device_id HAVING MAX(humidity) > 85;`)
	// Only the windows [0, 5 min) have closed (stream time reached 301000): one row each for
	// a and b; c's reading (at 3000) came after that close and was dropped as late.
	require.Equal(t, []string{"a\x00\x00\x00\x00\x00\x00\x00\x00|{\"N\":2}", "b\x00\x00\x00\x00\x00\x00\x00\x00|{\"N\":1}"}, h.topic("FINAL_5M"))
	require.Len(t, h.topic("HUMID"), 2, "a passes HAVING at its second reading, c at its first, b never")
	// Stream time moves on: the next window closes too, once.
	h.mustRun(`INSERT INTO readings (device_id, temperature, humidity, ROWTIME) VALUES ('z', 1.0, 1.0, 700000);`)
	require.Len(t, h.topic("FINAL_5M"), 3)
}

func TestPushQueryOverTableShowsUpdatesAndDeletes(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`SET 'auto.offset.reset'='earliest';
		CREATE TABLE devices (id STRING PRIMARY KEY, room STRING) WITH (kafka_topic='devices', value_format='JSON', partitions=1);`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var res []*api.Result
	err := h.s.Run(ctx, `SELECT id, room FROM devices EMIT CHANGES LIMIT 3;`, func(r *api.Result) error { res = append(res, r); return nil })
	require.NoError(t, err)
	stream := res[0].Stream
	defer stream.Close()
	recs := []broker.Record{
		{Partition: broker.AnyPartition, Key: []byte("d1"), Value: []byte(`{"ROOM":"lab"}`)},
		{Partition: broker.AnyPartition, Key: []byte("d1"), Value: []byte(`{"ROOM":"hall"}`)},
		{Partition: broker.AnyPartition, Key: []byte("d1")}, // a delete
	}
	time.Sleep(200 * time.Millisecond) // let the push query reach the end of the empty topic
	require.NoError(t, h.log.Produce(ctx, "devices", recs))
	var rows []string
	for {
		r, err := stream.Next(ctx)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		rows = append(rows, fmt.Sprint([]any(r)))
	}
	require.Equal(t, []string{"[d1 lab]", "[d1 hall]", "[d1 <nil>]"}, rows)
}

func TestDescribeExtendedShowsStateAndTerminateDropsIt(t *testing.T) {
	h := newHarness(t)
	h.mustRun(iotSetup)
	h.mustRun(`CREATE TABLE stats AS SELECT device_id, COUNT(*) AS n FROM readings GROUP BY device_id;`)
	require.NoError(t, h.eng.WaitIdle(context.Background()))
	res := h.mustRun(`DESCRIBE stats EXTENDED;`)
	require.Contains(t, strings.Join(res[0].Notices, "\n"), "Queries that write into this table: CTAS_STATS_")
	id := h.eng.cat.Queries()[0].ID
	keys := func() int {
		n := 0
		for _, ns := range exec.AllStoreNamespaces(id, 3) {
			require.NoError(t, h.eng.state.Store(ns).Scan(nil, nil, func(_, _ []byte) bool { n++; return true }))
		}
		return n
	}
	require.NotZero(t, keys())
	h.mustRun(`TERMINATE ` + id + `;`)
	require.Zero(t, keys(), "a terminated query's state is dropped")
}

func TestDescribeAggregateFunction(t *testing.T) {
	h := newHarness(t)
	res := h.mustRun(`DESCRIBE FUNCTION avg;`)
	require.Contains(t, res[0].Notices[0], "AGGREGATE")
	require.Contains(t, fmt.Sprint(res[0].Rows), "AVG(col1 DOUBLE)")
	res = h.mustRun(`SHOW FUNCTIONS;`)
	names := map[string]string{}
	for _, r := range res[0].Rows {
		names[r[0].(string)] = r[1].(string)
	}
	for _, f := range []string{"COUNT", "LATEST_BY_OFFSET", "TOPK", "HISTOGRAM", "CORRELATION"} {
		require.Equal(t, "AGGREGATE", names[f], f)
	}
}

// Grouping by a value column of a multi-partition source moves rows through the repartition
// topic; over a table, a row that changes group is retracted from its old group.
func TestRepartitionedAggregations(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`SET 'auto.offset.reset'='earliest';
		CREATE STREAM readings (device_id STRING KEY, site STRING, temperature DOUBLE)
		  WITH (kafka_topic='r', value_format='JSON', partitions=3);
		CREATE TABLE devices (id STRING PRIMARY KEY, room STRING)
		  WITH (kafka_topic='devices', value_format='JSON', partitions=3);
		CREATE TABLE per_site AS SELECT site, COUNT(*) AS n, SUM(temperature) AS total FROM readings GROUP BY site;
		CREATE TABLE per_room AS SELECT room, COUNT(*) AS n FROM devices GROUP BY room;`)
	for i := 0; i < 30; i++ {
		h.mustRun(fmt.Sprintf(`INSERT INTO readings (device_id, site, temperature) VALUES ('d%d', 's%d', 1.0);`, i, i%2))
	}
	for i := 0; i < 6; i++ {
		h.mustRun(fmt.Sprintf(`INSERT INTO devices (id, room) VALUES ('d%d', 'r%d');`, i, i%2))
	}
	require.ElementsMatch(t, []string{"[s0 15 15]", "[s1 15 15]"}, h.pull(`SELECT site, n, total FROM per_site;`))
	require.ElementsMatch(t, []string{"[r0 3]", "[r1 3]"}, h.pull(`SELECT room, n FROM per_room;`))

	h.restart()
	// d0 moves from r0 to r1; d1 is deleted (a tombstone) from r1.
	h.mustRun(`INSERT INTO devices (id, room) VALUES ('d0', 'r1');`)
	require.NoError(t, h.log.Produce(context.Background(), "devices", []broker.Record{{Partition: broker.AnyPartition, Key: []byte("d1")}}))
	h.mustRun(`INSERT INTO readings (device_id, site, temperature) VALUES ('d99', 's0', 2.5);`)
	require.Eventually(t, func() bool {
		return fmt.Sprint(h.pull(`SELECT room, n FROM per_room ORDER BY room;`)) == "[[r0 2] [r1 3]]"
	}, 10*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool {
		return fmt.Sprint(h.pull(`SELECT site, n, total FROM per_site WHERE site = 's0';`)) == "[[s0 16 17.5]]"
	}, 10*time.Second, 20*time.Millisecond)
}

// Postgres clients quote, schema-qualified, the lower-case names the catalog shows them.
func TestSchemaQualifiedLowerCaseNames(t *testing.T) {
	h := newHarness(t)
	h.mustRun(iotSetup)
	h.mustRun(`CREATE TABLE stats AS SELECT device_id, COUNT(*) AS n FROM readings GROUP BY device_id;`)
	require.Equal(t, []string{"[a 3]"}, h.pull(`SELECT "device_id", "n" FROM "public"."stats" WHERE "device_id" = 'a';`))
	_, err := h.run(`SELECT * FROM "stats";`)
	require.Error(t, err, "unqualified quoted names keep ksqlDB's exact match")
}

// A table query without GROUP BY (CREATE TABLE ... AS SELECT ... FROM table) keeps its latest
// row per key for pull queries, as ksqlDB's "queryable" copy of a table.
func TestPullQueryOnTableQuery(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`SET 'auto.offset.reset'='earliest';
		CREATE TABLE devices (id STRING PRIMARY KEY, room STRING, floor INT)
		  WITH (kafka_topic='devices', value_format='JSON', partitions=2);
		CREATE TABLE queryable_devices AS SELECT id, room, floor FROM devices WHERE floor >= 0;`)
	for i := 0; i < 6; i++ {
		h.mustRun(fmt.Sprintf(`INSERT INTO devices (id, room, floor) VALUES ('d%d', 'r%d', %d);`, i, i%2, i))
	}
	h.mustRun(`INSERT INTO devices (id, room, floor) VALUES ('d0', 'lab', 7);`)
	require.NoError(t, h.log.Produce(context.Background(), "devices", []broker.Record{{Partition: broker.AnyPartition, Key: []byte("d1")}}))
	h.mustRun(`INSERT INTO devices (id, room, floor) VALUES ('d2', 'r0', -1);`) // filtered out: deleted
	require.Eventually(t, func() bool {
		return fmt.Sprint(h.pull(`SELECT id, room, floor FROM queryable_devices ORDER BY id;`)) == "[[d0 lab 7] [d3 r1 3] [d4 r0 4] [d5 r1 5]]"
	}, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, []string{"[d4 r0 4]"}, h.pull(`SELECT * FROM queryable_devices WHERE id = 'd4';`))
	h.restart()
	require.Equal(t, []string{"[d0 lab 7]"}, h.pull(`SELECT * FROM queryable_devices WHERE room = 'lab';`))
}

// CREATE SOURCE TABLE is queryable, as in ksqlDB: an internal materializer keeps its rows.
func TestPullQueryOnSourceTable(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`CREATE SOURCE TABLE devices (id STRING PRIMARY KEY, room STRING)
		WITH (kafka_topic='devices', value_format='JSON', partitions=2);`)
	recs := []broker.Record{
		{Partition: broker.AnyPartition, Key: []byte("d1"), Value: []byte(`{"ROOM":"lab"}`)},
		{Partition: broker.AnyPartition, Key: []byte("d2"), Value: []byte(`{"ROOM":"hall"}`)},
		{Partition: broker.AnyPartition, Key: []byte("d1"), Value: []byte(`{"ROOM":"attic"}`)},
		{Partition: broker.AnyPartition, Key: []byte("d2")}, // deleted
	}
	require.NoError(t, h.log.Produce(context.Background(), "devices", recs))
	require.Equal(t, []string{"[d1 attic]"}, h.pull(`SELECT * FROM devices;`))
	require.Equal(t, []string{"[attic]"}, h.pull(`SELECT room FROM devices WHERE id = 'd1';`))
	h.restart()
	require.NoError(t, h.log.Produce(context.Background(), "devices", []broker.Record{{Partition: broker.AnyPartition, Key: []byte("d3"), Value: []byte(`{"ROOM":"cellar"}`)}}))
	require.Equal(t, []string{"[d1 attic]", "[d3 cellar]"}, h.pull(`SELECT * FROM devices ORDER BY id;`))
	h.mustRun(`DROP TABLE devices;`)
	_, err := h.run(`SELECT * FROM devices;`)
	require.Error(t, err)
}
