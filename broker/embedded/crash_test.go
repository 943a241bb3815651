package embedded

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
)

const crashChildEnv = "STREAMSQL_EMBEDDED_CRASH_CHILD"

// valueFor is the content written at offset off, so that a reader can check every record it
// finds without a side channel. Lengths vary so that records straddle WAL blocks.
func valueFor(off int64) string {
	return fmt.Sprintf("record-%d-%s", off, strings.Repeat(strconv.FormatInt(off%10, 10), int(off%97)))
}

// TestHelperProcessCrashChild is the child process of TestCrashSafety: it appends batches
// forever and prints "ack N" once the batch whose last offset is N has been acknowledged.
func TestHelperProcessCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("child process of TestCrashSafety")
	}
	fail := func(format string, args ...any) {
		fmt.Printf("error: "+format+"\n", args...)
		os.Exit(3)
	}
	ctx := context.Background()
	l, err := Open(dir, Options{CleanupInterval: -1})
	if err != nil {
		fail("open: %v", err)
	}
	if err := l.CreateTopic(ctx, "crash", broker.TopicConfig{Partitions: 1, Retention: -1}); err != nil && !strings.Contains(err.Error(), "exists") {
		fail("create: %v", err)
	}
	offs, err := l.Offsets(ctx, "crash")
	if err != nil {
		fail("offsets: %v", err)
	}
	next := offs[0].Latest
	out := bufio.NewWriter(os.Stdout)
	for {
		n := 1 + rand.Intn(200)
		recs := make([]broker.Record, n)
		for i := range recs {
			off := next + int64(i)
			recs[i] = broker.Record{Partition: 0, Key: []byte(strconv.FormatInt(off, 10)), Value: []byte(valueFor(off)), Timestamp: time.UnixMilli(off)}
		}
		if err := l.Produce(ctx, "crash", recs); err != nil {
			fail("produce: %v", err)
		}
		for i, r := range recs {
			if r.Offset != next+int64(i) {
				fail("record %d of a batch at %d got offset %d", i, next, r.Offset)
			}
		}
		next += int64(n)
		fmt.Fprintf(out, "ack %d\n", next-1)
		_ = out.Flush()
	}
}

// TestCrashSafety SIGKILLs a child in the middle of appending, several times, and checks
// after each crash that every acknowledged append is there, in order, intact, with
// contiguous offsets and nothing torn, and that offsets continue where the log ends.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	lastAck := int64(-1)
	deadline := time.Now().Add(15 * time.Second)
	for round := 0; round < 5 && time.Now().Before(deadline); round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcessCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		killer := time.AfterFunc(10*time.Second, func() { _ = cmd.Process.Kill() })
		want := 3 + rng.Intn(60)
		sc := bufio.NewScanner(out)
		acks := 0
		for acks < want && sc.Scan() {
			line := sc.Text()
			if n, ok := strings.CutPrefix(line, "ack "); ok {
				v, err := strconv.ParseInt(n, 10, 64)
				require.NoError(t, err)
				require.Greater(t, v, lastAck, "acks only grow")
				lastAck = v
				acks++
			} else if strings.HasPrefix(line, "error") {
				t.Fatalf("child: %s", line)
			}
		}
		// Kill it in the middle of whatever it is doing now: usually inside a Produce.
		time.Sleep(time.Duration(rng.Intn(2000)) * time.Microsecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		killer.Stop()
		_ = cmd.Wait()
		require.Equal(t, want, acks, "the child stopped early")

		l, err := Open(dir, Options{CleanupInterval: -1})
		require.NoError(t, err, "reopen after SIGKILL in round %d", round)
		recs := readAll(t, l, "crash", 0)
		require.GreaterOrEqual(t, int64(len(recs)), lastAck+1, "round %d: every acknowledged append survives", round)
		for i, r := range recs {
			require.Equal(t, int64(i), r.Offset, "offsets are contiguous")
			require.Equal(t, valueFor(r.Offset), string(r.Value), "record %d is intact", i)
			require.Equal(t, strconv.Itoa(i), string(r.Key))
			require.Equal(t, int64(i), r.Timestamp.UnixMilli())
		}
		offs, err := l.Offsets(context.Background(), "crash")
		require.NoError(t, err)
		require.Equal(t, int64(len(recs)), offs[0].Latest, "nothing past the last record is claimed")
		// Appended but unacknowledged batches may survive too (whole); they count as
		// acknowledged from now on.
		lastAck = int64(len(recs)) - 1
		t.Logf("round %d: %d acks seen, %d records after SIGKILL", round, acks, len(recs))
		if round%2 == 1 {
			// Offsets continue after the crash, from the parent too.
			more := produce(t, l, "crash", broker.Record{Partition: 0, Key: []byte(strconv.Itoa(len(recs))), Value: []byte(valueFor(int64(len(recs)))), Timestamp: time.UnixMilli(int64(len(recs)))})
			require.Equal(t, int64(len(recs)), more[0].Offset)
			lastAck++
		}
		require.NoError(t, l.Close())
	}
}

// A damaged table makes the read fail with an error naming the file: never silent loss, never
// a panic (Pebble's default is a fatal log).
func TestCorruptTableFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openLog(t, dir)
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 1}))
	var recs []broker.Record
	for i := 0; i < 2000; i++ {
		recs = append(recs, broker.Record{Partition: 0, Value: []byte(valueFor(int64(i)))})
	}
	produce(t, l, "t", recs...)
	require.NoError(t, l.Close()) // Close flushes: the records are in a table now

	ssts, err := filepath.Glob(filepath.Join(dir, "*.sst"))
	require.NoError(t, err)
	require.NotEmpty(t, ssts)
	for _, f := range ssts {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for i := len(b) / 4; i < len(b)/2; i += 7 {
			b[i] ^= 0xff
		}
		require.NoError(t, os.WriteFile(f, b, 0o644))
	}
	l, err = Open(dir, Options{CleanupInterval: -1})
	if err != nil {
		require.ErrorIs(t, err, broker.ErrCorrupt)
		assert.Contains(t, err.Error(), ".sst")
		return
	}
	defer l.Close()
	_, err = l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 0, Offset: 0, MaxRecords: 5000, MaxBytes: 64 << 20})
	require.Error(t, err, "reading a damaged table must fail")
	assert.ErrorIs(t, err, broker.ErrCorrupt)
	assert.Contains(t, err.Error(), ssts[0], "the error names the damaged file")
	assert.NotContains(t, err.Error(), "\n")
}

// A damaged MANIFEST stops Open with an error naming it.
func TestCorruptManifest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openLog(t, dir)
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 1}))
	require.NoError(t, l.Close())
	manifests, err := filepath.Glob(filepath.Join(dir, "MANIFEST-*"))
	require.NoError(t, err)
	require.NotEmpty(t, manifests)
	for _, f := range manifests {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for i := 8; i < len(b); i += 5 {
			b[i] ^= 0x5a
		}
		require.NoError(t, os.WriteFile(f, b, 0o644))
	}
	_, err = Open(dir, Options{CleanupInterval: -1})
	require.Error(t, err)
	assert.ErrorIs(t, err, broker.ErrCorrupt)
	assert.Contains(t, err.Error(), dir)
	assert.Contains(t, err.Error(), "MANIFEST")
}

// Damage in the middle of the WAL left by a crash stops Open: replaying up to the damage
// would silently drop every acknowledged batch after it.
func TestCorruptWAL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openLog(t, dir)
	defer l.Close()
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 1}))
	for b := 0; b < 20; b++ {
		recs := make([]broker.Record, 100)
		for i := range recs {
			recs[i] = broker.Record{Partition: 0, Value: []byte(valueFor(int64(b*100 + i)))}
		}
		produce(t, l, "t", recs...)
	}
	// A copy taken while the log is open is what a crash leaves behind: synced WAL, no flush.
	crashed := t.TempDir()
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	var wal string
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		dst := filepath.Join(crashed, filepath.Base(f))
		if strings.HasSuffix(f, ".log") && len(b) > 64<<10 {
			b[len(b)/3] ^= 0xff // well before the last 32 KiB block, see doc.go
			wal = filepath.Base(f)
		}
		require.NoError(t, os.WriteFile(dst, b, 0o644))
	}
	require.NotEmpty(t, wal, "no WAL big enough to damage in its middle: %v", files)
	_, err = Open(crashed, Options{CleanupInterval: -1})
	require.Error(t, err)
	assert.ErrorIs(t, err, broker.ErrCorrupt)
	assert.Contains(t, err.Error(), crashed)
	assert.Contains(t, err.Error(), wal)
}
