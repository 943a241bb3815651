package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
	"github.com/streamsql/streamsql/engine/api"
)

// countingLog counts Produce calls (each is one durable write on the embedded log).
type countingLog struct {
	*embedded.Log
	produces []int
}

func (c *countingLog) Produce(ctx context.Context, topic string, recs []broker.Record) error {
	c.produces = append(c.produces, len(recs))
	return c.Log.Produce(ctx, topic, recs)
}

// TestInsertRunsProduceOnce checks that consecutive INSERT ... VALUES statements of one message
// into the same topic are one Produce, that every statement still gets its result, and that
// a refused statement stops the message after the ones before it were applied.
func TestInsertRunsProduceOnce(t *testing.T) {
	log, err := embedded.Open(t.TempDir(), embedded.Options{NoSync: true})
	require.NoError(t, err)
	defer log.Close()
	cl := &countingLog{Log: log}
	eng, err := Open(context.Background(), Config{Broker: cl, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PollWait: 10 * time.Millisecond})
	require.NoError(t, err)
	defer eng.Close()
	s, err := eng.NewSession(context.Background(), nil)
	require.NoError(t, err)
	run := func(sql string) ([]string, error) {
		var tags []string
		err := s.Run(context.Background(), sql, func(r *api.Result) error {
			tags = append(tags, r.Tag)
			return nil
		})
		return tags, err
	}
	_, err = run(`CREATE STREAM a (k VARCHAR KEY, v INT) WITH (kafka_topic='ta', value_format='JSON', partitions=1);
CREATE STREAM b (k VARCHAR KEY, v INT) WITH (kafka_topic='tb', value_format='JSON', partitions=1);`)
	require.NoError(t, err)
	cl.produces = nil

	tags, err := run(`INSERT INTO a (k, v) VALUES ('x', 1); INSERT INTO a (k, v) VALUES ('y', 2);
INSERT INTO a (k, v) VALUES ('z', 3);
INSERT INTO b (k, v) VALUES ('x', 4); INSERT INTO a (k, v) VALUES ('x', 5); SHOW STREAMS;
INSERT INTO a (k, v) VALUES ('w', 6); INSERT INTO a (k, nope) VALUES ('x', 7); INSERT INTO a (k, v) VALUES ('x', 8);`)
	require.Error(t, err)
	require.Contains(t, err.Error(), "NOPE")
	require.Len(t, tags, 7)
	require.Regexp(t, `^SHOW \d+$`, tags[5])
	tags[5] = "SHOW"
	require.Equal(t, []string{"INSERT 0 1", "INSERT 0 1", "INSERT 0 1", "INSERT 0 1", "INSERT 0 1", "SHOW", "INSERT 0 1"}, tags)
	require.Equal(t, []int{3, 1, 1, 1}, cl.produces, "one Produce per run of INSERTs into one topic")

	ctx := context.Background()
	var values []string
	for _, topic := range []string{"ta", "tb"} {
		res, err := log.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: 0, MaxRecords: 100})
		require.NoError(t, err)
		for _, r := range res.Records {
			values = append(values, topic+":"+string(r.Key)+"="+string(r.Value))
		}
	}
	require.Equal(t, []string{`ta:x={"V":1}`, `ta:y={"V":2}`, `ta:z={"V":3}`, `ta:x={"V":5}`, `ta:w={"V":6}`, `tb:x={"V":4}`}, values)
}

// fetchRecordingLog records the batch size each fetch of one topic asked for.
type fetchRecordingLog struct {
	*embedded.Log
	topic string
	mu    sync.Mutex
	sizes []int
}

func (f *fetchRecordingLog) Fetch(ctx context.Context, req broker.FetchRequest) (broker.FetchResult, error) {
	if req.Topic == f.topic {
		f.mu.Lock()
		f.sizes = append(f.sizes, req.MaxRecords)
		f.mu.Unlock()
	}
	return f.Log.Fetch(ctx, req)
}

// TestCatchingUpGrowsTheBatch checks that a task with a backlog fetches larger batches (up to
// ten times the batch size) and goes back to the batch size once it has caught up.
func TestCatchingUpGrowsTheBatch(t *testing.T) {
	log, err := embedded.Open(t.TempDir(), embedded.Options{NoSync: true})
	require.NoError(t, err)
	defer log.Close()
	fl := &fetchRecordingLog{Log: log, topic: "src"}
	ctx := context.Background()
	eng, err := Open(ctx, Config{Broker: fl, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PollWait: 10 * time.Millisecond, BatchSize: 100})
	require.NoError(t, err)
	defer eng.Close()
	s, err := eng.NewSession(ctx, nil)
	require.NoError(t, err)
	run := func(sql string) {
		t.Helper()
		require.NoError(t, s.Run(ctx, sql, func(*api.Result) error { return nil }), sql)
	}
	run(`CREATE STREAM src (k VARCHAR KEY, v INT) WITH (kafka_topic='src', value_format='JSON', partitions=1);`)
	recs := make([]broker.Record, 5000)
	for i := range recs {
		recs[i] = broker.Record{Partition: 0, Key: []byte("k"), Value: []byte(fmt.Sprintf(`{"V":%d}`, i))}
	}
	require.NoError(t, log.Produce(ctx, "src", recs))
	run(`SET 'auto.offset.reset'='earliest'; CREATE STREAM out AS SELECT k, v FROM src WHERE v >= 0;`)
	waitFor := func(n int64) {
		t.Helper()
		require.Eventually(t, func() bool {
			offs, err := log.Offsets(ctx, "OUT")
			return err == nil && len(offs) == 1 && offs[0].Latest >= n
		}, 20*time.Second, 10*time.Millisecond)
	}
	waitFor(5000)
	require.NoError(t, log.Produce(ctx, "src", recs[:10]))
	waitFor(5010)
	require.NoError(t, eng.WaitIdle(ctx))

	fl.mu.Lock()
	sizes := append([]int(nil), fl.sizes...)
	fl.mu.Unlock()
	require.Contains(t, sizes, 1000, "a backlog doubles the batch up to ten times its size: %v", sizes)
	require.NotContains(t, sizes, 2000, "never beyond ten times: %v", sizes)
	require.Equal(t, 100, sizes[len(sizes)-1], "back to the batch size once caught up: %v", sizes)
}

// An INSERT into an unknown stream ends a run: the INSERTs before it are applied, and the
// error is the unknown target's.
func TestInsertRunStopsAtAnUnknownTarget(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`CREATE STREAM a (k VARCHAR KEY, v INT) WITH (kafka_topic='ta', value_format='JSON', partitions=1);`)
	res, err := h.run(`INSERT INTO a (k, v) VALUES ('x', 1); INSERT INTO nosuch (k, v) VALUES ('y', 2); INSERT INTO a (k, v) VALUES ('z', 3);`)
	require.Error(t, err)
	require.Contains(t, err.Error(), "Cannot insert values into an unknown stream/table: `NOSUCH`")
	require.Len(t, res, 1)
	require.Equal(t, []string{`x|{"V":1}`}, h.topic("ta"))
}
