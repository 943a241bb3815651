package kafka

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
)

// Interop with kcat (librdkafka), a Kafka client that shares no code with kafka-go: records
// written by either side must read back identically on the other, and keyed records must land
// on the partition the Java client's murmur2 partitioner picks.

func kcatPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"kcat", "kafkacat"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("kcat not found on PATH (Debian package kcat); skipping the interop test")
	return ""
}

// kcatRecord is one line of kcat's consumer output in kcatFormat.
type kcatRecord struct {
	partition int32
	offset    int64
	key       []byte // nil for a null key
	value     []byte // nil for a null value
	timestamp int64
	headers   string // kcat's "k=v,k=v" rendering
}

// kcatFormat prints fields separated by '|'; key and value lengths (-1 for null) come first
// so that null and empty can be told apart. Test data avoids '|', ',', '=' and newlines.
const kcatFormat = `%p|%o|%K|%k|%S|%s|%T|%h\n`

func kcatConsume(t *testing.T, kcat, brokers, topic string) []kcatRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kcat, "-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", kcatFormat)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "kcat consume: %s", stderr.String())
	var recs []kcatRecord
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.SplitN(line, "|", 8)
		require.Len(t, f, 8, "kcat line %q", line)
		r := kcatRecord{headers: f[7]}
		p, err := strconv.ParseInt(f[0], 10, 32)
		require.NoError(t, err)
		r.partition = int32(p)
		r.offset, err = strconv.ParseInt(f[1], 10, 64)
		require.NoError(t, err)
		if f[2] != "-1" {
			r.key = []byte(f[3])
		}
		if f[4] != "-1" {
			r.value = []byte(f[5])
		}
		r.timestamp, err = strconv.ParseInt(f[6], 10, 64)
		require.NoError(t, err)
		recs = append(recs, r)
	}
	return recs
}

func renderHeaders(hs []broker.Header) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = h.Key + "=" + string(h.Value)
	}
	return strings.Join(parts, ",")
}

type tp struct {
	p   int32
	off int64
}

// readAll reads every record of topic with our Fetch, keyed by partition and offset.
func readAll(t *testing.T, c *Cluster, topic string) map[tp]broker.Record {
	t.Helper()
	ctx := testCtx(t)
	offs, err := c.Offsets(ctx, topic)
	require.NoError(t, err)
	all := map[tp]broker.Record{}
	for p, o := range offs {
		for _, r := range fetchAll(t, c, topic, int32(p), o.Earliest, o.Latest) {
			all[tp{r.Partition, r.Offset}] = r
		}
	}
	return all
}

// kcat produces (letting librdkafka's murmur2_random partitioner choose partitions); we read.
func TestKcatProducesWeRead(t *testing.T) {
	kcat := kcatPath(t)
	brokers := strings.Join(kafkaAddrs(t), ",")
	c := openCluster(t, Options{})
	const parts = 6
	topic := createTopic(t, c, broker.TopicConfig{Partitions: parts})

	// Four kcat runs, each with its own headers (kcat sets headers per run, including a
	// repeated header name); the clock brackets each run's create-time timestamps.
	type run struct {
		headers    []broker.Header
		from, upto int64
	}
	runs := make([]run, 4)
	keyOf := map[string]string{} // value -> key ("" for a null key)
	for j := range runs {
		runs[j].headers = []broker.Header{
			{Key: "src", Value: []byte("kcat")}, {Key: "run", Value: []byte(strconv.Itoa(j))},
			{Key: "dup", Value: []byte("a")}, {Key: "dup", Value: []byte("b" + strconv.Itoa(j))},
		}
		var in strings.Builder
		for i := j * 16; i < (j+1)*16; i++ { // 64 distinct keys in all
			key, value := fmt.Sprintf("user-%d", i), fmt.Sprintf("run%d-value-%d", j, i)
			fmt.Fprintf(&in, "%s|%s\n", key, value)
			keyOf[value] = key
		}
		nullValue := fmt.Sprintf("run%d-nullkey", j) // no delimiter: kcat sends a null key
		fmt.Fprintf(&in, "%s\n", nullValue)
		keyOf[nullValue] = ""

		args := []string{"-P", "-b", brokers, "-t", topic, "-K", "|", "-X", "partitioner=murmur2_random"}
		for _, h := range runs[j].headers {
			args = append(args, "-H", h.Key+"="+string(h.Value))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, kcat, args...)
		cmd.Stdin = strings.NewReader(in.String())
		runs[j].from = time.Now().UnixMilli()
		out, err := cmd.CombinedOutput()
		runs[j].upto = time.Now().UnixMilli()
		cancel()
		require.NoError(t, err, "kcat produce: %s", out)
	}

	theirs := kcatConsume(t, kcat, brokers, topic)
	ours := readAll(t, c, topic)
	require.Len(t, ours, len(keyOf), "every record kcat wrote")
	require.Len(t, theirs, len(keyOf))

	for _, k := range theirs {
		r, ok := ours[tp{k.partition, k.offset}]
		require.True(t, ok, "kcat's record at %d/%d not read by us", k.partition, k.offset)
		require.NotNil(t, r.Value)
		key, known := keyOf[string(r.Value)]
		require.True(t, known, "unexpected value %q", r.Value)
		var j int
		_, err := fmt.Sscanf(string(r.Value), "run%d-", &j)
		require.NoError(t, err)

		if key == "" {
			assert.Nil(t, r.Key, "null key stays null")
		} else {
			assert.Equal(t, key, string(r.Key))
			assert.Equal(t, broker.PartitionForKey(r.Key, parts), r.Partition,
				"key %s: our partitioner agrees with librdkafka's murmur2_random", key)
		}
		assert.Equal(t, k.key, r.Key)
		assert.Equal(t, k.value, r.Value)
		assert.Equal(t, runs[j].headers, r.Headers, "headers in order, repeats kept")
		assert.Equal(t, k.headers, renderHeaders(r.Headers))
		assert.Equal(t, k.timestamp, r.Timestamp.UnixMilli(), "timestamp as kcat reads it")
		assert.GreaterOrEqual(t, r.Timestamp.UnixMilli(), runs[j].from-1000, "create time of run %d", j)
		assert.LessOrEqual(t, r.Timestamp.UnixMilli(), runs[j].upto+1000, "create time of run %d", j)
		assert.Equal(t, topic, r.Topic)
	}
}

// We produce (keys, a null key, an empty key, a tombstone, headers, explicit timestamps);
// kcat reads.
func TestWeProduceKcatReads(t *testing.T) {
	kcat := kcatPath(t)
	brokers := strings.Join(kafkaAddrs(t), ",")
	c := openCluster(t, Options{})
	const parts = 6
	topic := createTopic(t, c, broker.TopicConfig{Partitions: parts})

	base := time.Date(2022, 4, 5, 6, 7, 8, 0, time.UTC).UnixMilli()
	var recs []broker.Record
	for i := 0; i < 120; i++ { // 60 keys, twice each
		recs = append(recs, broker.Record{
			Partition: broker.AnyPartition,
			Key:       []byte(fmt.Sprintf("device-%02d", i%60)),
			Value:     []byte(fmt.Sprintf("reading-%d", i)),
			Headers:   []broker.Header{{Key: "idx", Value: []byte(strconv.Itoa(i))}, {Key: "dup", Value: []byte("x")}, {Key: "dup", Value: []byte("y")}},
			Timestamp: time.UnixMilli(base + int64(i)*1001),
		})
	}
	recs = append(recs,
		broker.Record{Partition: broker.AnyPartition, Key: nil, Value: []byte("null-key"), Timestamp: time.UnixMilli(base - 5)},
		broker.Record{Partition: broker.AnyPartition, Key: []byte{}, Value: []byte("empty-key"), Timestamp: time.UnixMilli(base - 6)},
		broker.Record{Partition: broker.AnyPartition, Key: []byte("device-07"), Value: nil, Timestamp: time.UnixMilli(base - 7)},
	)
	require.NoError(t, c.Produce(testCtx(t), topic, recs))

	byPos := map[tp]broker.Record{}
	for _, r := range recs {
		if r.Key != nil {
			require.Equal(t, broker.PartitionForKey(r.Key, parts), r.Partition)
		}
		byPos[tp{r.Partition, r.Offset}] = r
	}
	require.Len(t, byPos, len(recs), "distinct positions")

	theirs := kcatConsume(t, kcat, brokers, topic)
	require.Len(t, theirs, len(recs))
	for _, k := range theirs {
		want, ok := byPos[tp{k.partition, k.offset}]
		require.True(t, ok, "kcat read a record at %d/%d we did not write there", k.partition, k.offset)
		assert.Equal(t, want.Key, k.key, "key at %d/%d (null/empty kept)", k.partition, k.offset)
		assert.Equal(t, want.Value, k.value, "value at %d/%d (tombstone kept)", k.partition, k.offset)
		assert.Equal(t, want.Timestamp.UnixMilli(), k.timestamp)
		assert.Equal(t, renderHeaders(want.Headers), k.headers)
		if want.Key != nil {
			assert.Equal(t, broker.PartitionForKey(want.Key, parts), k.partition)
		}
	}
}

// Transaction markers written by a transactional librdkafka producer occupy offsets; Fetch
// skips them and still moves past them.
func TestKcatTransactionMarkersSkipped(t *testing.T) {
	kcat := kcatPath(t)
	brokers := strings.Join(kafkaAddrs(t), ",")
	c := openCluster(t, Options{})
	topic := createTopic(t, c, broker.TopicConfig{Partitions: 1})

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kcat, "-P", "-b", brokers, "-t", topic, "-p", "0", "-m", "30",
		"-X", "transactional.id="+uniqueTopic(t))
	cmd.Stdin = strings.NewReader("a\nb\nc\n")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "kcat transactional produce: %s", out)

	// The coordinator writes commit markers after it answers EndTxn: wait for ours.
	require.Eventually(t, func() bool {
		offs, err := c.Offsets(ctx, topic)
		return err == nil && offs[0].Latest == 4
	}, 30*time.Second, 50*time.Millisecond, "three records and a commit marker")

	res, err := c.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: 0})
	require.NoError(t, err)
	var values []string
	for _, r := range res.Records {
		values = append(values, string(r.Value))
	}
	assert.Equal(t, []string{"a", "b", "c"}, values)
	assert.Equal(t, int64(4), res.NextOffset, "past the commit marker")

	res, err = c.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: 3})
	require.NoError(t, err)
	assert.Empty(t, res.Records)
	assert.Equal(t, int64(4), res.NextOffset, "a fetch at the marker moves on")
}
