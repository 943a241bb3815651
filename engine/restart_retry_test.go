package engine

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
)

// unreachableTopic is the embedded log with one topic that cannot be read while down is set,
// as a Kafka topic is while its leader moves or the group coordinator loads.
type unreachableTopic struct {
	*embedded.Log
	topic string
	down  atomic.Bool
	tries atomic.Int64
}

func (u *unreachableTopic) Offsets(ctx context.Context, topic string) ([]broker.PartitionOffsets, error) {
	if topic == u.topic && u.down.Load() {
		u.tries.Add(1)
		return nil, errors.New("leader not available")
	}
	return u.Log.Offsets(ctx, topic)
}

// reopenUnreachable restarts h's engine over its log with topic unreachable until
// flaky.down is cleared.
func reopenUnreachable(h *harness, topic string) (flaky *unreachableTopic) {
	h.close()
	h.openWith(func(l *embedded.Log) broker.Broker {
		flaky = &unreachableTopic{Log: l, topic: topic}
		flaky.down.Store(true)
		return flaky
	})
	return flaky
}

// A persistent query that cannot restart when the server starts is retried until it runs,
// shows as not started meanwhile, and then processes everything it missed.
func TestQueryThatCannotRestartIsRetried(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`SET 'auto.offset.reset'='earliest';
		CREATE STREAM readings (device_id VARCHAR KEY, humidity DOUBLE) WITH (kafka_topic='iot.humidity', value_format='JSON', partitions=2);
		CREATE STREAM alerts AS SELECT * FROM readings WHERE humidity > 85.0;
		INSERT INTO readings (device_id, humidity) VALUES ('d1', 90.5);`)
	require.Equal(t, []string{`d1|{"HUMIDITY":90.5}`}, h.topic("ALERTS"))
	// One query that cannot start must not keep the server down (openWith requires Open to work).
	flaky := reopenUnreachable(h, "iot.humidity")
	log, eng := h.log, h.eng

	status := func() string {
		res := h.mustRun("SHOW QUERIES;")
		require.Len(t, res[0].Rows, 1)
		return res[0].Rows[0][2].(string)
	}
	require.Contains(t, status(), "not started, retrying: ")
	require.Contains(t, status(), "leader not available")
	// The readings arriving meanwhile wait in the topic (written without reading offsets).
	require.NoError(t, log.Produce(context.Background(), "iot.humidity", []broker.Record{
		{Partition: 1, Key: []byte("d2"), Value: []byte(`{"HUMIDITY":99.0}`)},
		{Partition: 0, Key: []byte("d3"), Value: []byte(`{"HUMIDITY":10.0}`)},
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	require.ErrorIs(t, eng.WaitIdle(ctx), context.DeadlineExceeded, "a query not started yet is not idle")
	cancel()
	require.Eventually(t, func() bool { return flaky.tries.Load() >= 2 }, 10*time.Second, 10*time.Millisecond, "retried")

	flaky.down.Store(false)
	require.ElementsMatch(t, []string{`d1|{"HUMIDITY":90.5}`, `d2|{"HUMIDITY":99.0}`}, h.topic("ALERTS"), "resumed from its offsets")
	require.Equal(t, "RUNNING", status())
}

// Dropping a query that is still retrying its start, or closing the server, ends the retries.
func TestRetryingQueryCanBeTerminated(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`CREATE STREAM readings (device_id VARCHAR KEY, humidity DOUBLE) WITH (kafka_topic='iot.humidity', value_format='JSON', partitions=1);
		CREATE STREAM alerts AS SELECT * FROM readings WHERE humidity > 85.0;
		CREATE STREAM other AS SELECT * FROM readings WHERE humidity < 0.0;`)
	reopenUnreachable(h, "iot.humidity")
	eng := h.eng

	var ids []string
	for _, q := range eng.Catalog().Queries() {
		ids = append(ids, q.ID)
	}
	require.Len(t, ids, 2)
	h.mustRun("TERMINATE " + ids[0] + ";")
	res := h.mustRun("SHOW QUERIES;")
	require.Len(t, res[0].Rows, 1)
	require.True(t, strings.HasPrefix(res[0].Rows[0][2].(string), "ERROR: not started"), res[0].Rows[0][2])

	// Close gives up on the other query's retries instead of waiting them out.
	done := make(chan struct{})
	go func() { h.close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	h.open()
	res = h.mustRun("SHOW QUERIES;")
	require.Len(t, res[0].Rows, 1)
	require.Equal(t, ids[1], res[0].Rows[0][0])
	require.Equal(t, "RUNNING", res[0].Rows[0][2])
}
