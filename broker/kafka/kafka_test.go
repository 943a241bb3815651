package kafka

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	kgo "github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
)

// fetchAll reads partition p from offset from until (excluding) until.
func fetchAll(t *testing.T, b broker.Broker, topic string, p int32, from, until int64) []broker.Record {
	t.Helper()
	ctx := testCtx(t)
	var out []broker.Record
	for off := from; off < until; {
		res, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: p, Offset: off, MaxWait: 5 * time.Second})
		require.NoError(t, err)
		require.NotEmpty(t, res.Records, "fetch %s/%d at %d", topic, p, off)
		out = append(out, res.Records...)
		off = res.NextOffset
	}
	return out
}

// A topic created by another client is usable at once, although kafka-go's cached layout
// does not have it yet: the failed request reloads the layout.
func TestTopicCreatedElsewhere(t *testing.T) {
	ctx := testCtx(t)
	a := openCluster(t, Options{})
	b := openCluster(t, Options{})
	// Give b's Transport a layout from before the topic exists.
	warm := createTopic(t, b, broker.TopicConfig{Partitions: 1})
	require.NoError(t, b.Produce(ctx, warm, []broker.Record{{Partition: 0, Value: []byte("warm")}}))
	before := b.route.Load()

	topic := createTopic(t, a, broker.TopicConfig{Partitions: 3})
	recs := []broker.Record{{Partition: 2, Value: []byte("x")}}
	require.NoError(t, b.Produce(ctx, topic, recs))
	assert.NotSame(t, before, b.route.Load(), "routing was reloaded")
	got := fetchAll(t, a, topic, 2, 0, 1)
	assert.Equal(t, "x", string(got[0].Value))
	res, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 2})
	require.NoError(t, err)
	require.Len(t, res.Records, 1)
}

// Partitions added by another client are found when a request names one beyond the cached
// count, and keyed records then hash over the new count.
func TestPartitionsAddedElsewhere(t *testing.T) {
	ctx := testCtx(t)
	a := openCluster(t, Options{})
	b := openCluster(t, Options{})
	topic := createTopic(t, a, broker.TopicConfig{Partitions: 2})
	require.NoError(t, b.Produce(ctx, topic, []broker.Record{{Partition: 1, Value: []byte("v")}}))

	admin := &kgo.Client{Addr: kgo.TCP(kafkaAddrs(t)...), Timeout: 30 * time.Second}
	res, err := admin.CreatePartitions(ctx, &kgo.CreatePartitionsRequest{
		Topics: []kgo.TopicPartitionsConfig{{Name: topic, Count: 4}},
	})
	require.NoError(t, err)
	require.NoError(t, res.Errors[topic])

	// The metadata of a single-node cluster catches up within moments; poll briefly.
	require.Eventually(t, func() bool {
		return b.Produce(ctx, topic, []broker.Record{{Partition: 3, Value: []byte("new")}}) == nil
	}, 10*time.Second, 50*time.Millisecond)
	key := []byte("some-key")
	recs := []broker.Record{{Partition: broker.AnyPartition, Key: key, Value: []byte("k")}}
	require.NoError(t, b.Produce(ctx, topic, recs))
	assert.Equal(t, broker.PartitionForKey(key, 4), recs[0].Partition)
	info, err := b.DescribeTopic(ctx, topic)
	require.NoError(t, err)
	assert.Equal(t, int32(4), info.Config.Partitions)
}

// A topic deleted by another client is reported unknown, not retried until the timeout.
func TestTopicDeletedElsewhere(t *testing.T) {
	ctx := testCtx(t)
	a := openCluster(t, Options{})
	b := openCluster(t, Options{RetryTimeout: time.Minute})
	topic := uniqueTopic(t)
	require.NoError(t, a.CreateTopic(ctx, topic, broker.TopicConfig{Partitions: 2}))
	require.NoError(t, b.Produce(ctx, topic, []broker.Record{{Partition: 0, Value: []byte("v")}}))
	require.NoError(t, a.DeleteTopic(ctx, topic))

	start := time.Now()
	err := b.Produce(ctx, topic, []broker.Record{{Partition: 0, Value: []byte("v")}})
	require.ErrorIs(t, err, broker.ErrUnknownTopic)
	_, err = b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0})
	require.ErrorIs(t, err, broker.ErrUnknownTopic)
	_, err = b.Offsets(ctx, topic)
	require.ErrorIs(t, err, broker.ErrUnknownTopic)
	assert.Less(t, time.Since(start), 30*time.Second, "answered from fresh metadata, not after the retry budget")
}

// A Produce larger than message.max.bytes is split into batches that each fit, keeps order,
// and gets contiguous offsets.
func TestLargeProduceIsSplit(t *testing.T) {
	ctx := testCtx(t)
	c := openCluster(t, Options{})
	topic := createTopic(t, c, broker.TopicConfig{Partitions: 1})
	recs := make([]broker.Record, 3000)
	for i := range recs {
		recs[i] = broker.Record{Partition: 0, Key: []byte(fmt.Sprint(i)), Value: bytes.Repeat([]byte{byte('a' + i%26)}, 1000)}
	}
	require.NoError(t, c.Produce(ctx, topic, recs))
	for i, r := range recs {
		require.Equal(t, int64(i), r.Offset)
	}
	got := fetchAll(t, c, topic, 0, 0, int64(len(recs)))
	require.Len(t, got, len(recs))
	for i := range got {
		require.Equal(t, recs[i].Key, got[i].Key)
		require.Equal(t, recs[i].Value, got[i].Value)
	}
}

// MaxWait 0 means "return at once", not kafka-go's 500 ms default.
func TestFetchZeroWaitReturnsAtOnce(t *testing.T) {
	ctx := testCtx(t)
	c := openCluster(t, Options{})
	topic := createTopic(t, c, broker.TopicConfig{Partitions: 1})
	_, err := c.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0}) // warm connections
	require.NoError(t, err)
	start := time.Now()
	res, err := c.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0})
	require.NoError(t, err)
	assert.Empty(t, res.Records)
	assert.Less(t, time.Since(start), 400*time.Millisecond)
}

// Close ends a long-polling Fetch with ErrClosed, and later calls fail with it too.
func TestCloseEndsCalls(t *testing.T) {
	c := openCluster(t, Options{})
	topic := createTopic(t, openCluster(t, Options{}), broker.TopicConfig{Partitions: 1})
	errc := make(chan error, 1)
	go func() {
		_, err := c.Fetch(context.Background(), broker.FetchRequest{Topic: topic, Partition: 0, MaxWait: 30 * time.Second})
		errc <- err
	}()
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, c.Close())
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, broker.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the fetch")
	}
	ctx := testCtx(t)
	assert.ErrorIs(t, c.Produce(ctx, topic, []broker.Record{{Partition: 0}}), broker.ErrClosed)
	_, err := c.ListTopics(ctx)
	assert.ErrorIs(t, err, broker.ErrClosed)
	assert.NoError(t, c.Close(), "closing twice is harmless")
}

// Kafka's error for a topic created twice, and for nonsense configuration, map to the
// broker sentinels; ListTopics hides internal topics.
func TestAdminErrorsAndListing(t *testing.T) {
	ctx := testCtx(t)
	c := openCluster(t, Options{})
	topic := createTopic(t, c, broker.TopicConfig{Partitions: 1})
	assert.ErrorIs(t, c.CreateTopic(ctx, "bad name!", broker.TopicConfig{Partitions: 1}), broker.ErrInvalidConfig)
	assert.ErrorIs(t, c.CreateTopic(ctx, uniqueTopic(t), broker.TopicConfig{Partitions: 0}), broker.ErrInvalidConfig)
	assert.ErrorIs(t, c.CreateTopic(ctx, uniqueTopic(t), broker.TopicConfig{Partitions: 1, Cleanup: "shred"}), broker.ErrInvalidConfig)

	// Committing makes sure __consumer_offsets exists, so that hiding it is tested.
	require.NoError(t, c.CommitOffsets(ctx, "g-"+topic, map[broker.TopicPartition]int64{{Topic: topic, Partition: 0}: 0}))
	list, err := c.ListTopics(ctx)
	require.NoError(t, err)
	names := make([]string, len(list))
	for i, ti := range list {
		names[i] = ti.Name
		assert.NotEqual(t, "__consumer_offsets", ti.Name)
	}
	assert.True(t, sort.StringsAreSorted(names))
	assert.Contains(t, names, topic)
}

// A compacted topic refuses null keys; the error says why.
func TestCompactedTopicRefusesNullKey(t *testing.T) {
	ctx := testCtx(t)
	c := openCluster(t, Options{})
	topic := createTopic(t, c, broker.TopicConfig{Partitions: 1, Cleanup: broker.CleanupCompact})
	err := c.Produce(ctx, topic, []broker.Record{{Partition: 0, Value: []byte("v")}})
	require.Error(t, err)
	assert.ErrorIs(t, err, kgo.InvalidRecord)
	assert.Contains(t, err.Error(), topic)
}

// Commits name existing partitions; others are refused at once.
func TestCommitChecksPartitions(t *testing.T) {
	ctx := testCtx(t)
	c := openCluster(t, Options{})
	topic := createTopic(t, c, broker.TopicConfig{Partitions: 2})
	group := "g-" + topic
	err := c.CommitOffsets(ctx, group, map[broker.TopicPartition]int64{{Topic: topic, Partition: 5}: 3})
	assert.ErrorIs(t, err, broker.ErrInvalidPartition)
	err = c.CommitOffsets(ctx, group, map[broker.TopicPartition]int64{{Topic: uniqueTopic(t), Partition: 0}: 3})
	assert.ErrorIs(t, err, broker.ErrUnknownTopic)
	_, err = c.FetchOffsets(ctx, group, uniqueTopic(t))
	assert.ErrorIs(t, err, broker.ErrUnknownTopic)
	got, err := c.FetchOffsets(ctx, group, topic)
	require.NoError(t, err)
	assert.Empty(t, got, "nothing was committed")
}

// Offsets of a topic wider than one ListOffsets call covers.
func TestOffsetsWideTopic(t *testing.T) {
	ctx := testCtx(t)
	c := openCluster(t, Options{})
	const parts = 20
	topic := createTopic(t, c, broker.TopicConfig{Partitions: parts})
	var recs []broker.Record
	for p := int32(0); p < parts; p++ {
		for i := int32(0); i <= p; i++ {
			recs = append(recs, broker.Record{Partition: p, Value: []byte("v")})
		}
	}
	require.NoError(t, c.Produce(ctx, topic, recs))
	offs, err := c.Offsets(ctx, topic)
	require.NoError(t, err)
	require.Len(t, offs, parts)
	for p, o := range offs {
		assert.Equal(t, broker.PartitionOffsets{Earliest: 0, Latest: int64(p + 1)}, o, "partition %d", p)
	}
}
