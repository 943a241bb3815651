package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
	"github.com/streamsql/streamsql/broker/kafka"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/api"
)

// The crash test: a child process runs a windowed aggregation over pre-generated readings on
// the embedded log and is SIGKILLed at random moments; after it finally finishes, the output
// topic and the table hold exactly what an uninterrupted run produces.

const (
	crashChildEnv = "STREAMSQL_CRASH_CHILD_DIR"
	// crashKafkaEnv, when set in the child, runs it on that Kafka broker with state under
	// the child directory; crashSuffixEnv then names its topics apart from other runs.
	crashKafkaEnv  = "STREAMSQL_CRASH_KAFKA"
	crashSuffixEnv = "STREAMSQL_CRASH_SUFFIX"
	crashTopic     = "crash.readings"
	crashSQL       = `SET 'auto.offset.reset'='earliest';
SET 'ksql.streams.cache.max.bytes.buffering'='0';
CREATE STREAM IF NOT EXISTS readings (device_id VARCHAR KEY, temperature DOUBLE) WITH (kafka_topic='%s', value_format='JSON');
CREATE TABLE IF NOT EXISTS temp_1m WITH (kafka_topic='%s') AS SELECT device_id, AVG(temperature) AS avg_temp, COUNT(*) AS n FROM readings WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY device_id EMIT CHANGES;
CREATE STREAM IF NOT EXISTS hot WITH (kafka_topic='%s') AS SELECT device_id, temperature FROM readings WHERE temperature > 30;`
)

func init() {
	// The test binary doubles as the child server: see runCrashChild.
	if dir := os.Getenv(crashChildEnv); dir != "" {
		os.Exit(runCrashChild(dir, os.Getenv(crashKafkaEnv), os.Getenv(crashSuffixEnv)))
	}
}

// runCrashChild opens the log in dir (or connects to kafkaAddr, with state in dir), creates
// the pipeline unless the catalog has it, and exits 0 once every query has processed its
// whole input.
func runCrashChild(dir, kafkaAddr, suffix string) int {
	ctx := context.Background()
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	var b broker.Broker
	cfg := engine.Config{PollWait: 20 * time.Millisecond}
	input, output := crashTopic, "TEMP_1M"
	if kafkaAddr != "" {
		kb, err := kafka.Open(ctx, []string{kafkaAddr}, kafka.Options{})
		if err != nil {
			return fail(err)
		}
		b = kb
		cfg.StateDir = filepath.Join(dir, "state")
		cfg.CommandTopic = "_streamsql_commands_" + suffix
		input, output = crashTopic+"."+suffix, "TEMP_1M_"+suffix
	} else {
		log, err := embedded.Open(dir, embedded.Options{})
		if err != nil {
			return fail(err)
		}
		b = log
	}
	cfg.Broker = b
	eng, err := engine.Open(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	sess, _ := eng.NewSession(ctx, nil)
	// Every statement is IF NOT EXISTS and all run on every start: a kill can land between
	// two of them, and the restart must create what the catalog does not have yet.
	if err := sess.Run(ctx, fmt.Sprintf(crashSQL, input, output, "HOT"+strings.TrimPrefix(output, "TEMP_1M")), func(*api.Result) error { return nil }); err != nil {
		return fail(err)
	}
	fmt.Println("READY")
	if err := eng.WaitIdle(ctx); err != nil {
		return fail(err)
	}
	_ = eng.Close()
	_ = b.Close()
	fmt.Println("DONE")
	return 0
}

func TestAggregationSurvivesSIGKILL(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	base := t.TempDir()
	seed := filepath.Join(base, "seed")
	require.NoError(t, os.MkdirAll(seed, 0o755))
	writeReadings(t, seed, n)
	ref := filepath.Join(base, "reference")
	crashed := filepath.Join(base, "crashed")
	require.NoError(t, os.CopyFS(ref, os.DirFS(seed)))
	require.NoError(t, os.CopyFS(crashed, os.DirFS(seed)))

	start := time.Now()
	require.NoError(t, runChild(t, ref, 0))
	uninterrupted := time.Since(start)
	t.Logf("uninterrupted run over %d readings: %v", n, uninterrupted)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	kills := 0
	for i := 0; i < 4; i++ {
		// Kill within the first third of what a whole run takes, so kills land mid-stream
		// (each restart has less left to do).
		after := time.Duration(rng.Int64N(int64(uninterrupted/3))) + 100*time.Millisecond
		if err := runChild(t, crashed, after); err == errKilled {
			kills++
		} else {
			require.NoError(t, err)
		}
	}
	require.NoError(t, runChild(t, crashed, 0))
	t.Logf("killed %d times", kills)

	want := readOutput(t, ref, "TEMP_1M")
	got := readOutput(t, crashed, "TEMP_1M")
	require.Equal(t, n, len(want), "one update per reading")
	require.Equal(t, len(want), len(got), "output records")
	require.Equal(t, want, got, "output topic after crashes")
	// The stateless query beside it commits its outputs with its offsets too.
	wantHot, gotHot := readOutput(t, ref, "HOT"), readOutput(t, crashed, "HOT")
	require.NotEmpty(t, wantHot)
	require.Equal(t, wantHot, gotHot, "stateless query's output after crashes")
	require.Equal(t, pullAll(t, ref), pullAll(t, crashed), "table after crashes")
}

var errKilled = fmt.Errorf("killed")

// runChild runs the child server on dir until it finishes, or kills it after killAfter.
func runChild(t *testing.T, dir string, killAfter time.Duration, env ...string) error {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), crashChildEnv+"="+dir), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var timer <-chan time.Time
	if killAfter > 0 {
		timer = time.After(killAfter)
	}
	// A query that could not (re)start is logged by the child, not fatal to it: show it.
	defer func() {
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.Contains(line, " ERROR ") || strings.Contains(line, " WARN ") {
				t.Logf("child: %s", line)
			}
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("child: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), "DONE") {
			return fmt.Errorf("child exited without finishing:\n%s", out.String())
		}
		return nil
	case <-timer:
		_ = cmd.Process.Kill() // SIGKILL
		<-done
		return errKilled
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("child did not finish in time\n%s", out.String())
	}
}

// writeReadings produces n readings of 500 devices, 10 ms apart, over 3 partitions.
func writeReadings(t *testing.T, dir string, n int) {
	t.Helper()
	log, err := embedded.Open(dir, embedded.Options{NoSync: true})
	require.NoError(t, err)
	defer log.Close()
	ctx := context.Background()
	require.NoError(t, log.CreateTopic(ctx, crashTopic, broker.TopicConfig{Partitions: 3}))
	const batch = 10_000
	recs := make([]broker.Record, 0, batch)
	base := readingsBase()
	for i := 0; i < n; i++ {
		dev := fmt.Sprintf("dev-%03d", i%500)
		temp := 15 + float64(i%97)/4
		recs = append(recs, broker.Record{
			Partition: broker.AnyPartition,
			Key:       []byte(dev),
			Value:     []byte(fmt.Sprintf(`{"temperature":%g}`, temp)),
			Timestamp: base.Add(time.Duration(i) * 10 * time.Millisecond),
		})
		if len(recs) == batch {
			require.NoError(t, log.Produce(ctx, crashTopic, recs))
			recs = recs[:0]
		}
	}
	if len(recs) > 0 {
		require.NoError(t, log.Produce(ctx, crashTopic, recs))
	}
}

// readOutput returns the output topic's records, per partition in offset order (only one
// task writes each key, so per-key order is the contract; records are sorted within a
// partition by key then offset-order for a stable comparison).
func readOutput(t *testing.T, dir, topic string) []string {
	t.Helper()
	log, err := embedded.Open(dir, embedded.Options{NoSync: true})
	require.NoError(t, err)
	defer log.Close()
	ctx := context.Background()
	offs, err := log.Offsets(ctx, topic)
	require.NoError(t, err)
	var out []string
	for p, o := range offs {
		perKey := map[string][]string{}
		for off := o.Earliest; off < o.Latest; {
			res, err := log.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: int32(p), Offset: off, MaxRecords: 50_000, MaxBytes: 64 << 20})
			require.NoError(t, err)
			for _, r := range res.Records {
				k := string(r.Key)
				perKey[k] = append(perKey[k], fmt.Sprintf("%d|%x|%s|%d", p, r.Key, r.Value, r.Timestamp.UnixMilli()))
			}
			off = res.NextOffset
		}
		keys := make([]string, 0, len(perKey))
		for k := range perKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, perKey[k]...)
		}
	}
	return out
}

// pullAll reads the whole table with a pull query.
func pullAll(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	log, err := embedded.Open(dir, embedded.Options{NoSync: true})
	require.NoError(t, err)
	defer log.Close()
	eng, err := engine.Open(ctx, engine.Config{Broker: log, PollWait: 20 * time.Millisecond})
	require.NoError(t, err)
	defer eng.Close()
	sess, err := eng.NewSession(ctx, nil)
	require.NoError(t, err)
	var rows []string
	require.NoError(t, sess.Run(ctx, "SELECT * FROM temp_1m;", func(r *api.Result) error {
		for _, row := range r.Rows {
			b, _ := json.Marshal(row)
			rows = append(rows, string(b))
		}
		return nil
	}))
	sort.Strings(rows)
	require.NotEmpty(t, rows)
	return strings.Join(rows, "\n")
}

// On Kafka the same crash test holds after deduplication: outputs are at-least-once (a batch
// produced before the crash is produced again), while state is effectively once (it commits
// with the offsets), so the last value per key and window, and the table, equal an
// uninterrupted run's.
func TestKafkaAggregationSurvivesSIGKILL(t *testing.T) {
	addr := kafkaBroker(t)
	n := 500_000
	if testing.Short() {
		n = 50_000
	}
	ctx := context.Background()
	stamp := fmt.Sprint(time.Now().UnixNano())
	kb, err := kafka.Open(ctx, []string{addr}, kafka.Options{})
	require.NoError(t, err)
	defer kb.Close()
	// One input topic, read by two independent servers (their own catalogs and outputs).
	refSuffix, crashSuffix := "ref"+stamp, "crash"+stamp
	first := readingsBase()
	for _, suffix := range []string{refSuffix, crashSuffix} {
		produceReadings(t, kb, crashTopic+"."+suffix, n, first)
	}
	base := t.TempDir()
	env := func(suffix string) []string {
		return []string{crashKafkaEnv + "=" + addr, crashSuffixEnv + "=" + suffix}
	}
	start := time.Now()
	require.NoError(t, runChild(t, filepath.Join(base, "ref"), 0, env(refSuffix)...))
	uninterrupted := time.Since(start)
	t.Logf("uninterrupted run over %d readings on Kafka: %v", n, uninterrupted)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	kills := 0
	for i := 0; i < 3; i++ {
		// The child needs ~100 ms to start; kill within the first part of a whole run.
		after := time.Duration(rng.Int64N(int64(uninterrupted/2))) + 150*time.Millisecond
		if err := runChild(t, filepath.Join(base, "crash"), after, env(crashSuffix)...); err == errKilled {
			kills++
		} else {
			require.NoError(t, err)
		}
	}
	require.NoError(t, runChild(t, filepath.Join(base, "crash"), 0, env(crashSuffix)...))
	t.Logf("killed %d times", kills)
	want := lastPerKey(t, kb, "TEMP_1M_"+refSuffix)
	got := lastPerKey(t, kb, "TEMP_1M_"+crashSuffix)
	require.NotEmpty(t, want)
	require.Equal(t, want, got, "output topic after deduplication by key and window")
	wantHot := lastPerKey(t, kb, "HOT_"+refSuffix)
	require.NotEmpty(t, wantHot)
	require.Equal(t, wantHot, lastPerKey(t, kb, "HOT_"+crashSuffix), "stateless output after deduplication")
}

// readingsBase is the first reading's time: recent, because Kafka's time-based retention
// (7 days by default) deletes records by their timestamps, and fixed dates age into it; but
// whole minutes before now, so both runs of a test see the same windows.
func readingsBase() time.Time {
	return time.Now().Add(-3 * time.Hour).Truncate(time.Hour)
}

// produceReadings writes n readings from base on to a new 3-partition Kafka topic.
func produceReadings(t *testing.T, b broker.Broker, topic string, n int, base time.Time) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, b.CreateTopic(ctx, topic, broker.TopicConfig{Partitions: 3}))
	const batch = 10_000
	recs := make([]broker.Record, 0, batch)
	for i := 0; i < n; i++ {
		recs = append(recs, broker.Record{
			Partition: broker.AnyPartition,
			Key:       []byte(fmt.Sprintf("dev-%03d", i%500)),
			Value:     []byte(fmt.Sprintf(`{"temperature":%g}`, 15+float64(i%97)/4)),
			Timestamp: base.Add(time.Duration(i) * 10 * time.Millisecond),
		})
		if len(recs) == batch || i == n-1 {
			require.NoError(t, b.Produce(ctx, topic, recs))
			recs = recs[:0]
		}
	}
}

// lastPerKey reads a topic and keeps the last value per (partition, key): a windowed key
// holds the window, so this is the last value per key and window.
func lastPerKey(t *testing.T, b broker.Broker, topic string) map[string]string {
	t.Helper()
	ctx := context.Background()
	offs, err := b.Offsets(ctx, topic)
	require.NoError(t, err)
	out := map[string]string{}
	start, empties := time.Now(), 0
	defer func() {
		if empties > 0 {
			t.Logf("topic %s: %d empty fetches below the latest offset", topic, empties)
		}
	}()
	for p, o := range offs {
		for off := o.Earliest; off < o.Latest; {
			res, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: int32(p), Offset: off, MaxRecords: 50_000, MaxBytes: 16 << 20, MaxWait: time.Second})
			require.NoError(t, err)
			for _, r := range res.Records {
				out[fmt.Sprintf("%d|%x", p, r.Key)] = fmt.Sprintf("%s|%d", r.Value, r.Timestamp.UnixMilli())
			}
			if res.NextOffset <= off {
				// Records below Latest are committed; an empty answer is transient, and
				// stopping here would pass off a partial read as the topic's contents.
				require.Less(t, time.Since(start), 30*time.Second, "topic %s partition %d: no records at offset %d of %d", topic, p, off, o.Latest)
				empties++
				continue
			}
			off = res.NextOffset
		}
	}
	return out
}
