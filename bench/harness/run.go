package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
	"github.com/streamsql/streamsql/broker/kafka"
)

// Systems under test.
const (
	SysEmbedded = "streamsql (embedded log)"
	SysKafka    = "streamsql (Kafka)"
	SysPeer     = "Kafka Streams 4.3.1"
	SysCeiling  = "ceiling (kafka-go pipe)"
)

// Config of one harness invocation.
type Config struct {
	Root       string // module root: bin/, bench/peer/ and docs/ are found from here
	WorkDir    string // scratch: data dirs, logs, state (wiped per run)
	Streamsql  string // the streamsql binary
	CeilingBin string // the ceiling binary ("" skips the ceiling)
	PeerDir    string // bench/peer with target/peer.jar and target/lib ("" skips the peer)
	Kafka      string // bootstrap address; "" runs the embedded log only
	// NoStreamsqlKafka skips streamsql on Kafka (each run gives it its own command topic,
	// --command-topic, and deletes only topics named after the run, but its processing log
	// and internal topics are still created on the broker).
	NoStreamsqlKafka bool

	Queries       []string // IDs or names; empty means all of Queries
	NexmarkEvents int
	IoTEvents     int
	IoTDevices    int
	IoTStepMs     int64
	// NexmarkRate is events per second of event time (default 10,000, NX's default); a
	// smaller rate makes a small preload span more windows.
	NexmarkRate int
	Runs        int
	Seed        int64

	// Latency: every query paced at LatencyFraction of the peer's measured rate of it (of
	// streamsql's when the peer did not run) for LatencyDur after LatencyWarmup, Runs times;
	// and on the Kafka systems at LatencyHighFraction, LatencyHighRuns times. Zero LatencyDur
	// skips it.
	LatencyDur, LatencyWarmup time.Duration
	LatencyFraction           float64
	LatencyHighFraction       float64
	LatencyHighRuns           int
	// LatencyRate, when positive, is the paced rate instead (the smoke test's tiny run).
	LatencyRate int
	// EmbeddedLatencyRate caps the embedded log's paced rate (default 2,500/s): its input
	// enters through single-row INSERTs over the Postgres endpoint, durable writes that cannot
	// offer half the peer's rate (docs/benchmarks.md: BenchmarkInsertPG and the profile).
	EmbeddedLatencyRate int
	// Inserters is how many Postgres connections send the embedded log's paced INSERTs
	// (default 16).
	Inserters int

	RunTimeout time.Duration // per run
	IdleWindow time.Duration // embedded log: no CPU use for this long means caught up
	EngineCPU  int           // core to pin the system under test to; -1 leaves it free
	Log        io.Writer     `json:"-"`
}

func (c *Config) defaults() {
	if c.NexmarkEvents <= 0 {
		c.NexmarkEvents = 200_000
	}
	if c.IoTEvents <= 0 {
		c.IoTEvents = 200_000
	}
	if c.IoTDevices <= 0 {
		c.IoTDevices = 10_000
	}
	if c.IoTStepMs <= 0 {
		c.IoTStepMs = 10
	}
	if c.Runs <= 0 {
		c.Runs = 1
	}
	if c.Seed == 0 {
		c.Seed = 42
	}
	if c.LatencyFraction <= 0 {
		c.LatencyFraction = 0.5
	}
	if c.LatencyHighFraction == 0 {
		c.LatencyHighFraction = 0.8
	}
	if c.EmbeddedLatencyRate <= 0 {
		c.EmbeddedLatencyRate = 2500
	}
	if c.Inserters <= 0 {
		c.Inserters = 16
	}
	if c.RunTimeout <= 0 {
		c.RunTimeout = 5 * time.Minute
	}
	if c.IdleWindow <= 0 {
		c.IdleWindow = 1500 * time.Millisecond
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// Measurement is one run of one query on one system.
type Measurement struct {
	Query, System string
	Run           int
	Events        int     // input records of the query
	Wall          float64 // seconds from the start mark to the last output
	CPU           float64 // engine CPU-seconds over the same span
	PeakRSS       int64
	State         int64  // bytes on disk (see StateNote)
	StateNote     string // what State counts
	Outputs       int
	Expected      int
	Correct       bool
	Err           string
}

// EventsPerSec is wall throughput.
func (m Measurement) EventsPerSec() float64 {
	if m.Wall <= 0 {
		return 0
	}
	return float64(m.Events) / m.Wall
}

// EventsPerCPUSec is the per-core figure.
func (m Measurement) EventsPerCPUSec() float64 {
	if m.CPU <= 0 {
		return 0
	}
	return float64(m.Events) / m.CPU
}

// Latency is one paced run of one query on one system.
type Latency struct {
	Query, System       string
	Fraction            float64 // of the peer's rate (the rate's origin: see latencyRate)
	Run                 int
	Rate                int
	Samples             int
	P50, P99, P999, Max time.Duration
	Expected, Received  int
	Achieved            int // inputs per second actually sent (produced, or INSERTed on the embedded log)
	// InsertP50 and InsertP99 are the INSERT messages' round trips (embedded log only): the
	// part of the latency spent before the reading is durable in the log.
	InsertP50, InsertP99 time.Duration
	Err                  string
}

// Results of an invocation.
type Results struct {
	Config       Config
	Started      time.Time
	Elapsed      time.Duration
	Measurements []Measurement
	Latencies    []Latency
	Skipped      []string // systems not run, and why
	DatasetFacts []string
}

// Run executes the benchmark.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	cfg.defaults()
	res := &Results{Config: cfg, Started: time.Now()}
	logf := func(format string, a ...any) { fmt.Fprintf(cfg.Log, "benchrun: "+format+"\n", a...) }
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		return nil, err
	}
	var queries []Query
	if len(cfg.Queries) == 0 {
		queries = Queries
	} else {
		for _, id := range cfg.Queries {
			q, ok := queryByID(id)
			if !ok {
				return nil, fmt.Errorf("unknown query %q", id)
			}
			queries = append(queries, q)
		}
	}

	base := baseTime()
	logf("generating %d Nexmark events and %d IoT readings", cfg.NexmarkEvents, cfg.IoTEvents)
	sets := map[string]*Dataset{
		"nexmark": Nexmark(cfg.NexmarkEvents, cfg.NexmarkRate, cfg.Seed, base),
		"iot":     IoT(cfg.IoTEvents, cfg.IoTDevices, cfg.IoTStepMs, cfg.Seed, base),
	}
	for _, name := range []string{"nexmark", "iot"} {
		d := sets[name]
		var bytes int
		for _, v := range d.Values {
			bytes += len(v)
		}
		res.DatasetFacts = append(res.DatasetFacts, fmt.Sprintf("%s: %d records preloaded, %d on the input topic `%s` (average %d bytes)", name, len(d.Records), len(d.Values), d.Input, bytes/max(1, len(d.Values))))
	}
	expected := map[string][]string{}
	for _, q := range queries {
		d := sets[q.Dataset]
		rows, err := q.model(d.Values, d.TS)
		if err != nil {
			return nil, fmt.Errorf("model of %s: %w", q.ID, err)
		}
		sort.Strings(rows)
		expected[q.ID] = rows
		logf("%s %s: model expects %d output rows", q.ID, q.Name, len(rows))
	}

	// The embedded log: one preloaded template, copied for every run (each run starts from
	// the same bytes and an empty catalog).
	tpl := filepath.Join(cfg.WorkDir, "template")
	_ = os.RemoveAll(tpl)
	if err := preloadEmbedded(ctx, filepath.Join(tpl, "log"), sets); err != nil {
		return nil, err
	}

	var kc *kafka.Cluster
	systems := []string{SysEmbedded}
	if cfg.Kafka != "" {
		var err error
		kc, err = kafka.Open(ctx, []string{cfg.Kafka}, kafka.Options{})
		if err != nil {
			return nil, fmt.Errorf("kafka %s: %w", cfg.Kafka, err)
		}
		defer kc.Close()
		for _, name := range []string{"nexmark", "iot"} {
			logf("preloading %s into Kafka %s", name, cfg.Kafka)
			if err := sets[name].Load(ctx, kc); err != nil {
				return nil, err
			}
		}
		if !cfg.NoStreamsqlKafka {
			systems = append(systems, SysKafka)
		}
		if cfg.PeerDir != "" {
			systems = append(systems, SysPeer)
		} else {
			res.Skipped = append(res.Skipped, SysPeer+": not built (no Java/Maven)")
		}
		if cfg.CeilingBin != "" {
			systems = append(systems, SysCeiling)
		}
	} else {
		res.Skipped = append(res.Skipped, SysKafka+", "+SysPeer+", "+SysCeiling+": no Kafka broker (STREAMSQL_KAFKA unset)")
	}

	// Interleaved: run i of every system before run i+1 of any (A B C A B C …).
	r := &runner{cfg: cfg, kc: kc, tpl: tpl, logf: logf}
	for _, q := range queries {
		d := sets[q.Dataset]
		for run := 1; run <= cfg.Runs; run++ {
			for _, sys := range systems {
				if sys == SysCeiling && !q.Ceiling {
					continue
				}
				if err := ctx.Err(); err != nil {
					return res, err
				}
				m := r.throughput(ctx, q, sys, run, d, expected[q.ID])
				logf("%s %s run %d: %.0f events/s, %.0f events/CPU-s, RSS %d MB, outputs %d/%d correct=%v %s",
					q.ID, sys, run, m.EventsPerSec(), m.EventsPerCPUSec(), m.PeakRSS>>20, m.Outputs, m.Expected, m.Correct, m.Err)
				res.Measurements = append(res.Measurements, m)
			}
		}
	}

	if cfg.LatencyDur > 0 {
		// The preloaded data sets and the models' outputs are not needed any more. Released,
		// so that the harness's own garbage collector (on the core it shares with the broker)
		// does not mark hundreds of megabytes during the paced runs and delay the very clients
		// whose latency it measures.
		clear(sets)
		clear(expected)
		runtime.GC()
		debug.FreeOSMemory()
		// The load points: the reference's 50 % of the peer's rate on every system, and its
		// second point at 80 % on the Kafka systems (the embedded log's INSERT path is capped
		// below either), with fewer runs to bound the phase's time.
		type point struct {
			fraction  float64
			runs      int
			kafkaOnly bool
		}
		points := []point{{cfg.LatencyFraction, cfg.Runs, false}}
		if cfg.LatencyHighFraction > 0 && cfg.LatencyHighRuns > 0 && cfg.Kafka != "" {
			points = append(points, point{cfg.LatencyHighFraction, cfg.LatencyHighRuns, true})
		}
		for _, q := range queries {
			for _, pt := range points {
				rate := latencyRate(res.Measurements, q.ID, pt.fraction)
				if cfg.LatencyRate > 0 {
					rate = int(float64(cfg.LatencyRate) * pt.fraction / cfg.LatencyFraction)
				}
				// Interleaved like the throughput runs: the embedded log (INSERT in, push
				// query out), then every Kafka system (produce in, fetch out).
				for run := 1; run <= pt.runs && rate > 0; run++ {
					for _, sys := range systems {
						if sys == SysCeiling && !q.Ceiling || sys == SysEmbedded && pt.kafkaOnly {
							continue
						}
						if err := ctx.Err(); err != nil {
							return res, err
						}
						var l Latency
						if sys == SysEmbedded {
							l = r.latencyEmbedded(ctx, q, run, min(rate, cfg.EmbeddedLatencyRate))
						} else {
							l = r.latency(ctx, q, sys, run, rate)
						}
						l.Fraction = pt.fraction
						logf("latency %s %s run %d at %d ev/s (%.0f %%; achieved %d): p50 %v p99 %v p99.9 %v max %v (%d samples, %d/%d outputs; INSERT round trip p50 %v p99 %v) %s",
							q.ID, sys, run, l.Rate, pt.fraction*100, l.Achieved, l.P50, l.P99, l.P999, l.Max, l.Samples, l.Received, l.Expected, l.InsertP50, l.InsertP99, l.Err)
						res.Latencies = append(res.Latencies, l)
					}
				}
			}
		}
	}
	res.Elapsed = time.Since(res.Started)
	return res, nil
}

// latencyRate is fraction × the median rate of query id on the peer, or on streamsql (on
// Kafka, else on the embedded log) when the peer did not run.
func latencyRate(ms []Measurement, id string, fraction float64) int {
	for _, sys := range []string{SysPeer, SysKafka, SysEmbedded} {
		var r []float64
		for _, m := range ms {
			if m.Query == id && m.System == sys && m.Err == "" {
				r = append(r, m.EventsPerSec())
			}
		}
		if len(r) > 0 {
			med, _, _ := stats(r)
			return int(med * fraction)
		}
	}
	return 0
}

func preloadEmbedded(ctx context.Context, dir string, sets map[string]*Dataset) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	lb, err := embedded.Open(dir, embedded.Options{NoSync: true, CleanupInterval: -1})
	if err != nil {
		return err
	}
	for _, name := range []string{"nexmark", "iot"} {
		if err := sets[name].Load(ctx, lb); err != nil {
			lb.Close()
			return err
		}
	}
	if err := lb.Settle(); err != nil {
		lb.Close()
		return err
	}
	return lb.Close()
}

type runner struct {
	cfg  Config
	kc   *kafka.Cluster
	tpl  string
	logf func(string, ...any)
	seq  int
}

// tag names one run's topics, streams and groups uniquely, so that nothing of an earlier run
// (committed offsets, a catalog entry) can leak into it.
func (r *runner) tag(q Query, sys string) string {
	r.seq++
	short := map[string]string{SysEmbedded: "emb", SysKafka: "kfk", SysPeer: "peer", SysCeiling: "ceil"}[sys]
	return fmt.Sprintf("%s_%s_%d_%d", q.Name, short, r.seq, time.Now().Unix()%100000)
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// onlineCPUs counts the machine's processors, not the ones this process may use (the
// harness itself may be pinned to one core).
func onlineCPUs() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.NumCPU()
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "processor") {
			n++
		}
	}
	return max(n, 1)
}

// pin prefixes argv with taskset when a core is asked for and there is more than one.
func (r *runner) pin(argv []string) []string {
	if r.cfg.EngineCPU < 0 || onlineCPUs() < 2 {
		return argv
	}
	if ts, err := exec.LookPath("taskset"); err == nil {
		return append([]string{ts, "-c", fmt.Sprint(r.cfg.EngineCPU)}, argv...)
	}
	return argv
}

// started is a system process with where its output goes.
type started struct {
	p        *proc
	out      string // output topic
	dataDir  string // streamsql: its --data-dir; peer: its state dir
	startAt  time.Time
	startCPU float64
	cleanup  []string // topic-name substrings to delete afterwards (Kafka)
	// streamsql only: its Postgres endpoint, source stream and sink names.
	pg, src, sink string
}

// launch starts sys running q from topic in into a fresh output, waits until it is ready and
// returns its start mark: process start for streamsql (its start-up counts against it) and
// the ceiling, the RUNNING state for the peer (JVM start-up and the group join excluded).
func (r *runner) launch(ctx context.Context, q Query, sys, tag, in string) (*started, error) {
	return r.launchOpts(ctx, q, sys, tag, in, false)
}

// launchOpts is launch; emptyLog starts streamsql on the embedded log from an empty database
// whose input topic in its source DDL creates (the paced latency run feeds it over the
// Postgres endpoint).
func (r *runner) launchOpts(ctx context.Context, q Query, sys, tag, in string, emptyLog bool) (*started, error) {
	dir := filepath.Join(r.cfg.WorkDir, "run-"+tag)
	_ = os.RemoveAll(dir)
	logPath := filepath.Join(r.cfg.WorkDir, "run-"+tag+".log")
	s := &started{out: "out_" + tag, dataDir: dir}
	switch sys {
	case SysEmbedded, SysKafka:
		if sys == SysEmbedded && !emptyLog {
			if err := copyDir(r.tpl, dir); err != nil {
				return nil, err
			}
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		src := "src_" + tag
		ddl := q.sourceDDL(src, in)
		if emptyLog {
			ddl = strings.Replace(ddl, "value_format='JSON')", "value_format='JSON', partitions=1)", 1)
		}
		sql := "SET 'auto.offset.reset'='earliest';\n" + ddl + "\n" + q.statement(src, "res_"+tag, s.out) + "\n"
		qf := filepath.Join(r.cfg.WorkDir, "run-"+tag+".sql")
		if err := os.WriteFile(qf, []byte(sql), 0o644); err != nil {
			return nil, err
		}
		pg, err := freePort()
		if err != nil {
			return nil, err
		}
		s.pg, s.src, s.sink = pg, src, "res_"+tag
		argv := []string{r.cfg.Streamsql, "--data-dir", dir, "--pg-addr", pg, "--queries-file", qf}
		if sys == SysKafka {
			// Its own command topic: no catalog of another run (or of another server on a
			// shared broker) is replayed, and nothing shared is deleted afterwards.
			argv = append(argv, "--kafka", r.cfg.Kafka, "--command-topic", "_streamsql_commands_"+tag)
		}
		s.p, err = startProc(sys, r.pin(argv), []string{"GOMAXPROCS=1"}, logPath, "streamsql ready")
		if err != nil {
			return nil, err
		}
		s.startAt, s.startCPU = s.p.start, 0
		s.cleanup = []string{tag, strings.ToUpper(tag)}
	case SysPeer:
		if err := createTopic(ctx, r.kc, s.out, broker.TopicConfig{Partitions: 1}); err != nil {
			return nil, err
		}
		peerDir, _ := filepath.Abs(r.cfg.PeerDir)
		cp := filepath.Join(peerDir, "target", "peer.jar") + ":" + filepath.Join(peerDir, "target", "lib", "*")
		argv := []string{"java", "-XX:ActiveProcessorCount=1", "-Xms1g", "-Xmx1g", "-XX:+UseParallelGC", "-cp", cp, "streamsql.peer.Peer",
			"--query", q.Name, "--bootstrap", r.cfg.Kafka, "--app-id", "peer-" + tag, "--out", s.out,
			"--state-dir", dir, "--in", in, "--commit-ms", "100"}
		var err error
		s.p, err = startProc(sys, r.pin(argv), nil, logPath, "READY")
		if err != nil {
			return nil, err
		}
		s.cleanup = []string{tag}
	case SysCeiling:
		if err := createTopic(ctx, r.kc, s.out, broker.TopicConfig{Partitions: 1}); err != nil {
			return nil, err
		}
		argv := []string{r.cfg.CeilingBin, "--brokers", r.cfg.Kafka, "--query", q.Name, "--in", in, "--out", s.out}
		var err error
		s.p, err = startProc(sys, r.pin(argv), []string{"GOMAXPROCS=1"}, logPath, "READY")
		if err != nil {
			return nil, err
		}
		s.startAt, s.startCPU = s.p.start, 0
		s.cleanup = []string{tag}
	default:
		return nil, fmt.Errorf("unknown system %s", sys)
	}
	if err := s.p.waitReady(ctx, 2*time.Minute); err != nil {
		s.p.stop(5 * time.Second)
		return nil, err
	}
	if sys == SysPeer {
		s.startAt, s.startCPU = s.p.readyAt, s.p.readyCPU
	}
	return s, nil
}

// throughput runs q on sys over the preloaded input until the output is complete.
func (r *runner) throughput(ctx context.Context, q Query, sys string, run int, d *Dataset, want []string) (m Measurement) {
	m = Measurement{Query: q.ID, System: sys, Run: run, Events: len(d.Values), Expected: len(want)}
	if len(want) == 0 {
		// The end mark is the last expected output: with none the run measures nothing.
		m.Err = "the model expects no output (input spans too little event time); not run"
		return m
	}
	tag := r.tag(q, sys)
	s, err := r.launch(ctx, q, sys, tag, d.Input)
	if err != nil {
		m.Err = err.Error()
		return m
	}
	defer func() {
		s.p.stop(15 * time.Second)
		if sys != SysEmbedded {
			r.dropKafka(context.Background(), s.cleanup)
		}
		_ = os.RemoveAll(s.dataDir)
	}()
	var end time.Time
	var endCPU float64
	if sys == SysEmbedded || q.Changelog {
		end, endCPU, err = r.waitIdle(ctx, s)
	} else {
		end, endCPU, err = r.waitOutputs(ctx, s, len(want))
	}
	m.PeakRSS = peakRSS(s.p.pid())
	m.Wall = end.Sub(s.startAt).Seconds()
	m.CPU = endCPU - s.startCPU
	if err != nil {
		m.Err = err.Error()
	}
	// State is measured once the process has closed its stores (memtables flushed).
	s.p.stop(15 * time.Second)
	switch sys {
	case SysEmbedded:
		// The log and the state share one Pebble database: what the run added (output
		// records, state, offsets, minus what compactions reclaimed).
		m.State = max(0, dirBytes(s.dataDir)-dirBytes(r.tpl))
		m.StateNote = "dir"
	case SysKafka:
		// cmd/streamsql keeps aggregation state in Pebble under --data-dir/state on Kafka
		// (mirrored to changelog topics, not counted).
		m.State = dirBytes(s.dataDir)
		m.StateNote = "dir"
	case SysPeer:
		m.State = dirBytes(s.dataDir)
		m.StateNote = "dir"
	default:
		m.StateNote = "none"
	}
	got, rerr := r.readOutputs(ctx, sys, s, q.Changelog)
	if rerr != nil {
		m.Err = strings.TrimSpace(m.Err + "; reading outputs: " + rerr.Error())
		return m
	}
	m.Outputs = len(got)
	m.Correct, err = sameRows(got, want)
	if err != nil {
		m.Err = strings.TrimSpace(m.Err + " " + err.Error())
	}
	return m
}

// waitOutputs polls the output topic until it holds want records; the end mark is the poll
// that saw them (10 ms resolution).
func (r *runner) waitOutputs(ctx context.Context, s *started, want int) (time.Time, float64, error) {
	deadline := time.Now().Add(r.cfg.RunTimeout)
	last, lastChange := int64(-1), time.Now()
	for {
		n := topicCount(ctx, r.kc, s.out)
		now := time.Now()
		cpu, _ := cpuSeconds(s.p.pid())
		if n >= int64(want) {
			return now, cpu, nil
		}
		if n != last {
			last, lastChange = n, now
		}
		if !s.p.alive() {
			return now, cpu, fmt.Errorf("%s exited (%v): %s", s.p.name, s.p.waitErr, s.p.lastLines())
		}
		if now.After(deadline) {
			return now, cpu, fmt.Errorf("timed out with %d of %d outputs", n, want)
		}
		if n >= 0 && now.Sub(lastChange) > 30*time.Second && now.Sub(s.startAt) > time.Minute {
			return lastChange, cpu, fmt.Errorf("stalled at %d of %d outputs", n, want)
		}
		select {
		case <-ctx.Done():
			return now, cpu, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// waitIdle is the end mark on the embedded log, whose output the harness cannot read while
// streamsql holds the database: the engine is caught up when its process has used less than a
// quarter of a core for IdleWindow; the end is the last moment it was busy. Outputs are
// checked afterwards, so an early stop shows as missing rows.
func (r *runner) waitIdle(ctx context.Context, s *started) (time.Time, float64, error) {
	type sample struct {
		t   time.Time
		cpu float64
	}
	const step = 50 * time.Millisecond
	const span = 4 // samples per busy check (200 ms)
	deadline := time.Now().Add(r.cfg.RunTimeout)
	var hist []sample
	lastBusy := s.startAt
	lastBusyCPU := 0.0
	for {
		cpu, err := cpuSeconds(s.p.pid())
		now := time.Now()
		if err != nil || !s.p.alive() {
			return lastBusy, lastBusyCPU, fmt.Errorf("%s exited (%v): %s", s.p.name, s.p.waitErr, s.p.lastLines())
		}
		hist = append(hist, sample{now, cpu})
		if len(hist) > span {
			old := hist[len(hist)-1-span]
			if (cpu-old.cpu)/now.Sub(old.t).Seconds() > 0.25 {
				lastBusy, lastBusyCPU = now, cpu
			}
		} else {
			lastBusy, lastBusyCPU = now, cpu
		}
		if now.Sub(lastBusy) >= r.cfg.IdleWindow {
			return lastBusy, lastBusyCPU, nil
		}
		if now.After(deadline) {
			return now, cpu, errors.New("timed out (never idle)")
		}
		select {
		case <-ctx.Done():
			return now, cpu, ctx.Err()
		case <-time.After(step):
		}
	}
}

// topicCount is the number of records in partition 0 of topic (-1 while it does not exist).
func topicCount(ctx context.Context, b broker.Broker, topic string) int64 {
	offs, err := b.Offsets(ctx, topic)
	if err != nil || len(offs) == 0 {
		return -1
	}
	return offs[0].Latest - offs[0].Earliest
}

// readOutputs fetches every output record's value, canonicalised.
func (r *runner) readOutputs(ctx context.Context, sys string, s *started, changelog bool) ([]string, error) {
	var b broker.Broker = r.kc
	if sys == SysEmbedded {
		lb, err := embedded.Open(filepath.Join(s.dataDir, "log"), embedded.Options{NoSync: true, CleanupInterval: -1})
		if err != nil {
			return nil, err
		}
		defer lb.Close()
		b = lb
	}
	return readTopic(ctx, b, s.out, changelog)
}

// readTopic reads every value of topic, canonicalised; for a changelog only the last value
// per key (see lastPerKey).
func readTopic(ctx context.Context, b broker.Broker, topic string, changelog bool) ([]string, error) {
	offs, err := b.Offsets(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("output topic %s: %w", topic, err)
	}
	var out []string
	var rows []map[string]any
	for p, o := range offs {
		off := o.Earliest
		for off < o.Latest {
			res, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: int32(p), Offset: off, MaxRecords: 10_000, MaxBytes: 16 << 20})
			if err != nil {
				return nil, err
			}
			if len(res.Records) == 0 {
				break
			}
			for _, rec := range res.Records {
				if rec.Value == nil {
					out = append(out, "<tombstone>")
					continue
				}
				m, err := decode(rec.Value)
				if err != nil {
					return nil, fmt.Errorf("output offset %d: %w: %q", rec.Offset, err, rec.Value)
				}
				if changelog {
					rows = append(rows, m)
				} else {
					out = append(out, canonical(m))
				}
			}
			off = res.NextOffset
		}
	}
	if changelog {
		return append(out, lastPerKey(rows)...), nil
	}
	return out, nil
}

// sameRows compares got with the sorted model rows as multisets.
func sameRows(got, want []string) (bool, error) {
	sort.Strings(got)
	if len(got) == len(want) {
		eq := true
		for i := range got {
			if got[i] != want[i] {
				eq = false
				break
			}
		}
		if eq {
			return true, nil
		}
	}
	// Describe the first difference either way.
	i, j := 0, 0
	var extra, missing []string
	for i < len(got) || j < len(want) {
		switch {
		case j >= len(want) || (i < len(got) && got[i] < want[j]):
			extra = append(extra, got[i])
			i++
		case i >= len(got) || got[i] > want[j]:
			missing = append(missing, want[j])
			j++
		default:
			i++
			j++
		}
	}
	msg := fmt.Sprintf("outputs differ from the model: %d unexpected, %d missing", len(extra), len(missing))
	if len(extra) > 0 {
		msg += "; e.g. unexpected " + extra[0]
	}
	if len(missing) > 0 {
		msg += "; e.g. missing " + missing[0]
	}
	return false, errors.New(msg)
}

// dropKafka deletes the topics whose names contain any of subs.
func (r *runner) dropKafka(ctx context.Context, subs []string) {
	if r.kc == nil {
		return
	}
	ts, err := r.kc.ListTopics(ctx)
	if err != nil {
		return
	}
	gone := map[string]bool{}
	for _, t := range ts {
		for _, s := range subs {
			if strings.Contains(t.Name, s) {
				_ = r.kc.DeleteTopic(ctx, t.Name)
				gone[t.Name] = true
				break
			}
		}
	}
	// Kafka deletes asynchronously: wait (bounded) until the names are free again, so the
	// next run can create them.
	for deadline := time.Now().Add(15 * time.Second); len(gone) > 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		ts, err := r.kc.ListTopics(ctx)
		if err != nil {
			return
		}
		still := false
		for _, t := range ts {
			if gone[t.Name] {
				still = true
			}
		}
		if !still {
			return
		}
	}
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
