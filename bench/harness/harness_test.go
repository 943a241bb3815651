package harness

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs every query once on streamsql over the embedded log with tiny inputs and
// checks the outputs against the models; with STREAMSQL_KAFKA set (and Java and Maven for the
// peer) it also runs the Kafka systems. No timing is asserted: this checks that the harness
// works, not how fast anything is.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts streamsql")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "streamsql")
	build := exec.Command("go", "build", "-o", bin, "./cmd/streamsql")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building streamsql: %v\n%s", err, out)
	}
	cfg := Config{
		Root: root, WorkDir: filepath.Join(dir, "work"), Streamsql: bin,
		NexmarkEvents: 3000, NexmarkRate: 100, IoTEvents: 3000, IoTDevices: 20, IoTStepMs: 1000,
		Runs: 1, EngineCPU: -1, IdleWindow: 600 * time.Millisecond, RunTimeout: 20 * time.Second,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Every query on the embedded log.
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	check(t, res)
	md := res.Markdown("go test ./bench/harness")
	if !strings.Contains(md, BeginMarker) || !strings.Contains(md, "| B7 avg5m |") || !strings.Contains(md, "| B4 q17 |") {
		t.Errorf("markdown lacks the table:\n%s", md)
	}
	// The embedded log's latency path: INSERTs over the Postgres endpoint, a push query out;
	// one query of each kind of latency sample (out − ingest_ns; an update's newest input;
	// window end + grace, the first close coming 2 s after the 5 s grace).
	lcfg := cfg
	lcfg.Queries = []string{"B2", "B4", "B3"}
	lcfg.LatencyRate, lcfg.LatencyDur, lcfg.LatencyWarmup = 500, 7*time.Second, 500*time.Millisecond
	lres, err := Run(ctx, lcfg)
	if err != nil {
		t.Fatal(err)
	}
	check(t, lres)
	if len(lres.Latencies) != 3 {
		t.Fatalf("latency runs: %+v", lres.Latencies)
	}
	checkLatencies(t, lres)
	if lmd := lres.Markdown("test"); !strings.Contains(lmd, "| B4 q17 | "+SysEmbedded+" | 50 % |") {
		t.Errorf("markdown lacks the latency table:\n%s", lmd)
	}
	doc := filepath.Join(dir, "bench.md")
	if err := os.WriteFile(doc, []byte("# Benchmarks\n\nkept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the second write replaces the section instead of appending
		if err := WriteSection(doc, md); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(doc)
	if !strings.HasPrefix(string(b), "# Benchmarks\n\nkept\n") || strings.Count(string(b), BeginMarker) != 1 {
		t.Errorf("WriteSection damaged the document:\n%s", b)
	}

	// On a broker: one stateless and one windowed query on the peer and the ceiling (the
	// JVM's start-up makes every peer run cost seconds). streamsql itself is not run on this
	// broker, which other tests share: see Config.NoStreamsqlKafka.
	if addr := os.Getenv("STREAMSQL_KAFKA"); addr != "" {
		cfg.Kafka = addr
		cfg.NoStreamsqlKafka = true
		cfg.Queries = []string{"B2", "B3"}
		cfg.LatencyRate, cfg.LatencyDur, cfg.LatencyWarmup = 500, 7*time.Second, 500*time.Millisecond
		ceil := filepath.Join(dir, "ceiling")
		b := exec.Command("go", "build", "-o", ceil, "./bench/cmd/ceiling")
		b.Dir = root
		if out, err := b.CombinedOutput(); err != nil {
			t.Fatalf("building the ceiling: %v\n%s", err, out)
		}
		cfg.CeilingBin = ceil
		if jar := filepath.Join(root, "bench", "peer", "target", "peer.jar"); fileExists(jar) && haveJava() {
			cfg.PeerDir = filepath.Join(root, "bench", "peer")
		} else {
			t.Log("Kafka Streams peer skipped: bench/peer/target/peer.jar not built (mvn -q -f bench/peer/pom.xml package) or no java")
		}
		res, err := Run(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		check(t, res)
		checkLatencies(t, res)
	} else {
		t.Log("Kafka systems (the Kafka Streams peer, the ceiling) skipped: STREAMSQL_KAFKA is unset")
	}
}

func check(t *testing.T, res *Results) {
	t.Helper()
	for _, m := range res.Measurements {
		if !m.Correct || m.Err != "" {
			t.Errorf("%s on %s: outputs %d/%d correct=%v err=%s", m.Query, m.System, m.Outputs, m.Expected, m.Correct, m.Err)
		}
		if m.Expected == 0 {
			t.Errorf("%s: the model expects no output; the smoke input is too small to test it", m.Query)
		}
	}
}

// checkLatencies wants every paced run complete (every output the input must produce arrived)
// and measured.
func checkLatencies(t *testing.T, res *Results) {
	t.Helper()
	for _, l := range res.Latencies {
		if l.Err != "" || l.Expected == 0 || l.Received < l.Expected || l.Samples == 0 || l.P50 <= 0 {
			t.Errorf("latency of %s on %s: %+v", l.Query, l.System, l)
		}
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func haveJava() bool { _, err := exec.LookPath("java"); return err == nil }

func TestModels(t *testing.T) {
	// Hopping 10 s / 2 s, grace 5 s: a record at 11 s is in windows starting 2,4,6,8,10 s; a
	// record at 30 s closes every window ending at or before 25 s; a late record at 12 s then
	// still enters the windows that end after 25 s only (none of those holding 12 s).
	w := newWindows(10_000, 2_000, 5_000)
	w.add("a", "a", 11_000, 0)
	w.add("a", "a", 30_000, 0)
	w.add("a", "a", 12_000, 0)
	n := 0
	for _, k := range w.closed() {
		n += int(w.acc[k].count)
	}
	if n != 5 {
		t.Fatalf("closed windows hold %d records, want 5 (the late record dropped)", n)
	}
}

func TestLastPerKey(t *testing.T) {
	// A changelog's final state: the last value per (A, WS), whatever came before.
	rows := []map[string]any{
		{"A": json.Number("1"), "WS": json.Number("0"), "N": json.Number("1")},
		{"A": json.Number("2"), "WS": json.Number("0"), "N": json.Number("1")},
		{"A": json.Number("1"), "WS": json.Number("0"), "N": json.Number("2")},
	}
	got := lastPerKey(rows)
	want := []string{"A=1|N=2|WS=0", "A=2|N=1|WS=0"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Fatalf("lastPerKey = %v, want %v", got, want)
	}
}
