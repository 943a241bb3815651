package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/streamsql/streamsql/bench/harness"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
}

func run() error {
	quick := flag.Bool("quick", os.Getenv("QUICK") == "1", "small sizes, one run each, short latency phase (QUICK=1)")
	root := flag.String("root", ".", "module root")
	kafkaAddr := flag.String("kafka", os.Getenv("STREAMSQL_KAFKA"), "Kafka bootstrap address (STREAMSQL_KAFKA); empty runs the embedded log only")
	queries := flag.String("queries", "", "comma-separated query IDs or names (default all: B1,B2,B3,B4,B6,B7)")
	nexmarkN := flag.Int("nexmark", 0, "Nexmark events to preload (default 1,000,000; quick 200,000)")
	iotN := flag.Int("iot", 0, "IoT readings to preload (default 1,000,000; quick 200,000)")
	runs := flag.Int("runs", 0, "runs per system and query (default 3; quick 1)")
	latency := flag.Duration("latency", 0, "paced phase per query, system and run, after warm-up (default 15s; quick 8s); negative skips it")
	latencyRate := flag.Int("latency-rate", 0, "paced rate of the latency phase's 50 % point in events/s (default: half the peer's rate of each query)")
	highRuns := flag.Int("latency-high-runs", -1, "runs at the second load point, 80 % of the peer's rate, Kafka systems only (default 1; quick 0)")
	embRate := flag.Int("embedded-latency-rate", 0, "cap of the embedded log's paced rate (INSERT path; default 2,500/s)")
	inserters := flag.Int("inserters", 0, "Postgres connections sending the embedded log's paced INSERTs (default 16)")
	noPeer := flag.Bool("no-peer", false, "skip the Kafka Streams peer")
	doc := flag.String("doc", "docs/benchmarks.md", "markdown file whose peer-bench section is rewritten (empty: print only)")
	command := flag.String("command", "", "the command recorded in the doc (default: this one's arguments)")
	cpu := flag.Int("cpu", 1, "core the system under test is pinned to (-1: none)")
	timeout := flag.Duration("timeout", 0, "bound on the whole invocation (default 2h; quick 15m)")
	render := flag.String("render", "", "re-render the section from a results file a run saved (see --save) instead of running")
	save := flag.String("save", filepath.Join(os.TempDir(), "streamsql-bench-results.json"), "where the results are saved as JSON (empty: not saved)")
	flag.Parse()
	if *render != "" {
		return rerender(*render, *root, *doc, *command)
	}

	cfg := harness.Config{Root: *root, Kafka: *kafkaAddr, Runs: *runs, NexmarkEvents: *nexmarkN, IoTEvents: *iotN, EngineCPU: *cpu, Log: os.Stderr}
	total := 2 * time.Hour
	if *quick {
		cfg.NexmarkEvents, cfg.IoTEvents, cfg.Runs = or(*nexmarkN, 200_000), or(*iotN, 200_000), or(*runs, 1)
		cfg.LatencyDur, cfg.LatencyWarmup, cfg.LatencyHighRuns = 8*time.Second, 2*time.Second, 0
		total = 15 * time.Minute
	} else {
		cfg.NexmarkEvents, cfg.IoTEvents, cfg.Runs = or(*nexmarkN, 1_000_000), or(*iotN, 1_000_000), or(*runs, 3)
		// 20 s per query, system and run (6 queries, 3–4 systems, 3 runs at 50 %, one at 80 %)
		// keeps the whole `make bench` within about an hour on 2 cores; the reference's
		// 2 minutes are a --latency away.
		cfg.LatencyDur, cfg.LatencyWarmup, cfg.LatencyHighRuns = 15*time.Second, 5*time.Second, 1
	}
	if *latency > 0 {
		cfg.LatencyDur = *latency
	} else if *latency < 0 {
		cfg.LatencyDur = 0
	}
	cfg.LatencyRate, cfg.EmbeddedLatencyRate, cfg.Inserters = *latencyRate, *embRate, *inserters
	if *highRuns >= 0 {
		cfg.LatencyHighRuns = *highRuns
	}
	if *timeout > 0 {
		total = *timeout
	}
	if *queries != "" {
		cfg.Queries = strings.Split(*queries, ",")
	}
	abs, err := filepath.Abs(*root)
	if err != nil {
		return err
	}
	cfg.Root = abs
	cfg.WorkDir = filepath.Join(os.TempDir(), fmt.Sprintf("streamsql-bench-%d", os.Getpid()))
	cfg.Streamsql = filepath.Join(abs, "bin", "streamsql")
	if _, err := os.Stat(cfg.Streamsql); err != nil {
		return fmt.Errorf("%s missing: go build -o bin/streamsql ./cmd/streamsql", cfg.Streamsql)
	}
	if c := filepath.Join(abs, "bin", "ceiling"); exists(c) {
		cfg.CeilingBin = c
	}
	if p := filepath.Join(abs, "bench", "peer"); !*noPeer && exists(filepath.Join(p, "target", "peer.jar")) {
		cfg.PeerDir = p
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, total)
	defer cancel()
	res, err := harness.Run(ctx, cfg)
	if err != nil && res == nil {
		return err
	}
	cmd := *command
	if cmd == "" {
		cmd = strings.Join(os.Args, " ")
	}
	if *save != "" {
		if b, jerr := json.MarshalIndent(saved{Command: cmd, Results: res}, "", " "); jerr == nil {
			if werr := os.WriteFile(*save, b, 0o644); werr == nil {
				fmt.Fprintln(os.Stderr, "benchrun: results saved in", *save)
			}
		}
	}
	md := res.Markdown(cmd)
	fmt.Println(md)
	if *doc != "" {
		if werr := harness.WriteSection(filepath.Join(abs, *doc), md); werr != nil {
			return werr
		}
	}
	_ = os.RemoveAll(cfg.WorkDir)
	return err
}

// saved is what --save writes and --render reads.
type saved struct {
	Command string
	Results *harness.Results
}

// rerender writes the section again from saved results (the hand-written profile and notes as
// they are now, the measurements as they were).
func rerender(path, root, doc, command string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var s saved
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if command != "" {
		s.Command = command
	}
	md := s.Results.Markdown(s.Command)
	fmt.Println(md)
	if doc == "" {
		return nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	return harness.WriteSection(filepath.Join(abs, doc), md)
}

func or(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }
