package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/kafka"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/api"
)

// openKafkaEngine opens an engine on the Kafka broker at addr with its own command topic (its
// catalog) and state directory, and a session; closeAll closes the engine and its client.
func openKafkaEngine(t *testing.T, ctx context.Context, addr, cmdTopic, stateDir string) (broker.Broker, *engine.Engine, api.Session, func()) {
	t.Helper()
	b, err := kafka.Open(ctx, []string{addr}, kafka.Options{})
	require.NoError(t, err)
	eng, err := engine.Open(ctx, engine.Config{Broker: b, CommandTopic: cmdTopic, StateDir: stateDir,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PollWait: 50 * time.Millisecond})
	require.NoError(t, err)
	s, err := eng.NewSession(ctx, nil)
	require.NoError(t, err)
	return b, eng, s, func() { eng.Close(); b.Close() }
}

// On Kafka, operator state lives in a local directory and in changelog topics: a server that
// lost its state directory rebuilds the aggregation from the changelog and carries on with the
// same counts.
func TestKafkaAggregationRestoresStateFromChangelog(t *testing.T) {
	addr := kafkaBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())
	topic := "restore.readings." + suffix
	cmdTopic := "_streamsql_commands_" + suffix
	open := func(stateDir string) (*engine.Engine, api.Session, func()) {
		_, eng, s, closeAll := openKafkaEngine(t, ctx, addr, cmdTopic, stateDir)
		return eng, s, closeAll
	}
	run := func(s api.Session, sql string) []*api.Result {
		t.Helper()
		var out []*api.Result
		require.NoError(t, s.Run(ctx, sql, func(r *api.Result) error { out = append(out, r); return nil }), sql)
		return out
	}
	counts := func(eng *engine.Engine, s api.Session) map[string]string {
		require.NoError(t, eng.WaitIdle(ctx))
		got := map[string]string{}
		for _, r := range run(s, "SELECT device_id, n, total FROM counts_"+suffix+";")[0].Rows {
			got[fmt.Sprint(r[0])] = fmt.Sprint(r[1], " ", r[2])
		}
		return got
	}

	eng, s, closeAll := open(filepath.Join(t.TempDir(), "state-a"))
	// auto.offset.reset stays 'latest': a restarted query that had lost its state (and with it
	// its offsets) would start after the existing readings, and the counts would show it.
	run(s, fmt.Sprintf(`CREATE STREAM readings_%[1]s (device_id STRING KEY, v INT) WITH (kafka_topic='%[2]s', value_format='JSON', partitions=2);
		CREATE TABLE counts_%[1]s AS SELECT device_id, COUNT(*) AS n, SUM(v) AS total FROM readings_%[1]s GROUP BY device_id;`, suffix, topic))
	for i := 0; i < 20; i++ {
		run(s, fmt.Sprintf("INSERT INTO readings_%s (device_id, v) VALUES ('d%d', %d);", suffix, i%4, i))
	}
	want := map[string]string{"d0": "5 40", "d1": "5 45", "d2": "5 50", "d3": "5 55"}
	require.Eventually(t, func() bool { return fmt.Sprint(counts(eng, s)) == fmt.Sprint(want) }, 30*time.Second, 100*time.Millisecond)
	closeAll()

	// A new, empty state directory: the state comes back from the changelog topics, and the
	// query resumes after what it had processed (its offsets are part of that state).
	eng, s, closeAll = open(filepath.Join(t.TempDir(), "state-b"))
	defer closeAll()
	require.Equal(t, want, counts(eng, s))
	run(s, fmt.Sprintf("INSERT INTO readings_%s (device_id, v) VALUES ('d0', 100);", suffix))
	want["d0"] = "6 140"
	require.Eventually(t, func() bool { return fmt.Sprint(counts(eng, s)) == fmt.Sprint(want) }, 30*time.Second, 100*time.Millisecond)
}

// Query ids restart in every catalog, so two server groups (their own command topics) on one
// cluster that each run `CREATE STREAM hot AS SELECT ... FROM readings` both have the query
// CSAS_HOT_1. Each must keep its own input offsets: the second one reads every reading, not
// what is left after the first one's commits.
func TestKafkaServerGroupsKeepTheirOwnOffsets(t *testing.T) {
	addr := kafkaBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())
	source := "groups.readings." + suffix
	const n = 40
	hot := func(group string) int64 {
		b, eng, s, closeAll := openKafkaEngine(t, ctx, addr, "_streamsql_commands_"+group+suffix, filepath.Join(t.TempDir(), "state"))
		defer closeAll()
		sink := "groups.hot." + group + suffix
		var ids []string
		require.NoError(t, s.Run(ctx, fmt.Sprintf(`SET 'auto.offset.reset'='earliest';
			CREATE STREAM readings (device_id STRING KEY, v INT) WITH (kafka_topic='%s', value_format='JSON', partitions=2);
			CREATE STREAM hot WITH (kafka_topic='%s') AS SELECT device_id, v FROM readings WHERE v >= 0;`, source, sink),
			func(r *api.Result) error {
				for _, n := range r.Notices {
					ids = append(ids, n)
				}
				return nil
			}))
		if group == "a" {
			for i := 0; i < n; i++ {
				require.NoError(t, s.Run(ctx, fmt.Sprintf("INSERT INTO readings (device_id, v) VALUES ('d%d', %d);", i%4, i), func(*api.Result) error { return nil }))
			}
		}
		require.NoError(t, eng.WaitIdle(ctx))
		t.Logf("server group %s: %v", group, ids)
		offs, err := b.Offsets(ctx, sink)
		require.NoError(t, err)
		var total int64
		for _, o := range offs {
			total += o.Latest - o.Earliest
		}
		return total
	}
	require.Equal(t, int64(n), hot("a"), "first server group's output")
	require.Equal(t, int64(n), hot("b"), "second server group, same query id, same input: its own offsets")
}
