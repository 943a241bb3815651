package harness

import (
	"cmp"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Markers delimit the section of docs/benchmarks.md this harness owns.
const (
	BeginMarker = "<!-- peer-bench:begin -->"
	EndMarker   = "<!-- peer-bench:end -->"
)

// Profile is the hand-written profile subsection (profile.md), printed inside the generated
// section: its figures come from `go test -bench` runs named in it, not from benchrun.
//
//go:embed profile.md
var Profile string

// stats returns median, min and max.
func stats(v []float64) (med, lo, hi float64) {
	if len(v) == 0 {
		return 0, 0, 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		med = s[len(s)/2]
	} else {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return med, s[0], s[len(s)-1]
}

func human(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2f M", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f k", v/1e3)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

func spread(v []float64) string {
	med, lo, hi := stats(v)
	if len(v) == 1 {
		return human(med)
	}
	return fmt.Sprintf("%s (%s–%s)", human(med), human(lo), human(hi))
}

// MachineFacts describes the host.
func MachineFacts() []string {
	var f []string
	f = append(f, fmt.Sprintf("nproc %d", onlineCPUs()))
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				f = append(f, "CPU "+strings.TrimSpace(strings.SplitN(l, ":", 2)[1]))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				var kb int64
				fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "MemTotal:")), "%d", &kb)
				f = append(f, fmt.Sprintf("memory %.1f GiB", float64(kb)/(1<<20)))
			}
		}
	}
	if out, err := exec.Command("uname", "-r").Output(); err == nil {
		f = append(f, "kernel "+strings.TrimSpace(string(out)))
	}
	f = append(f, runtime.Version())
	if out, err := exec.Command("java", "-version").CombinedOutput(); err == nil {
		f = append(f, "Java "+strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0]))
	}
	return f
}

// Markdown renders the results section (markers included).
func (res *Results) Markdown(command string) string {
	var b strings.Builder
	cfg := res.Config
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("%s\n## Against the peers: Kafka Streams and the raw ceiling\n\n", BeginMarker)
	w("Written by `bench/cmd/benchrun` (issue 7); do not edit by hand between the markers (the profile subsection comes from `bench/harness/profile.md`; `benchrun --render` rewrites the section from the saved results).\n\n")
	w("Command: `%s` — run %s, took %s.\n\n", command, res.Started.UTC().Format("2006-01-02 15:04 UTC"), res.Elapsed.Round(time.Second))
	w("Machine: %s.\n\n", strings.Join(MachineFacts(), ", "))
	w("Data (seed %d): %s. Runs per system and query: %d, interleaved (run i of every system before run i+1 of any); figures are the median with min–max when there are several runs.\n\n",
		cfg.Seed, strings.Join(res.DatasetFacts, "; "), cfg.Runs)
	w("How: one Kafka 4.3.1 broker on 127.0.0.1 (scripts/kafka.sh), topics of one partition preloaded once; every system reads them from the earliest offset into a fresh output topic, pinned to core %d (`taskset`, GOMAXPROCS=1, JVM `-XX:ActiveProcessorCount=1 -Xmx1g`, `num.stream.threads=1`) while the broker and the harness share the other core. ", cfg.EngineCPU)
	w("*events/s* = input records ÷ (last output − start mark); *events/CPU-s* = input records ÷ the engine process's utime+stime over the same span (/proc/<pid>/stat: GC, JIT, compactions included) — the per-core figure. ")
	w("Start mark: process start for streamsql (its start-up counts against it) and the ceiling; the RUNNING state for the peer (JVM start-up and group join excluded). ")
	w("End mark on Kafka: the output topic holds every row the reference model predicts (B4, a changelog: as on the embedded log); on the embedded log (whose database streamsql holds) the last moment the process used more than a quarter of a core before %s of idleness. ", cfg.IdleWindow)
	w("Every output is read back and compared, as a multiset of values, with a model of the query computed in the harness from the generated input; *correct* = identical.\n\n")

	w("### Throughput over preloaded topics\n\n")
	w("| query | system | events/s | events/CPU-s | peak RSS | state on disk | outputs | correct |\n|---|---|---|---|---|---|---|---|\n")
	type key struct{ q, s string }
	byKey := map[key][]Measurement{}
	var order []key
	for _, m := range res.Measurements {
		k := key{m.Query, m.System}
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], m)
	}
	perCPU := map[key]float64{}
	for _, k := range order {
		ms := byKey[k]
		var eps, epc, rss, st []float64
		correct, outs, errs := 0, "", []string{}
		for _, m := range ms {
			if m.Err != "" {
				errs = append(errs, m.Err)
			}
			eps = append(eps, m.EventsPerSec())
			epc = append(epc, m.EventsPerCPUSec())
			rss = append(rss, float64(m.PeakRSS)/(1<<20))
			st = append(st, float64(m.State)/(1<<20))
			if m.Correct {
				correct++
			}
			outs = fmt.Sprintf("%d / %d", m.Outputs, m.Expected)
		}
		med, _, _ := stats(epc)
		if correct == len(ms) {
			perCPU[k] = med
		}
		q, _ := queryByID(k.q)
		rssMed, _, _ := stats(rss)
		stMed, _, _ := stats(st)
		state := fmt.Sprintf("%.1f MB", stMed)
		if ms[0].StateNote != "dir" {
			state = ms[0].StateNote
		}
		ok := fmt.Sprintf("%d/%d", correct, len(ms))
		if correct < len(ms) {
			ok = "**NO** " + ok
		}
		w("| %s %s | %s | %s | %s | %.0f MB | %s | %s | %s |\n", k.q, q.Name, k.s, spread(eps), spread(epc), rssMed, state, outs, ok)
		for _, e := range uniq(errs) {
			w("|  | ↳ error | %s | | | | | |\n", strings.ReplaceAll(firstLine(e), "|", "\\|"))
		}
	}
	w("\nState on disk: streamsql on the embedded log = growth of its Pebble directory during the run (outputs + state + offsets, as the log and the state share one database; 0.0 when compactions reclaimed more than the run added); streamsql on Kafka = its `--data-dir` after the run (aggregation state in Pebble under `state/`, mirrored to changelog topics that are not counted); the peer = its RocksDB state dir (its changelog topics are not counted either).\n\n")

	w("### Ratios (events per CPU-second, correct runs only)\n\n| query | streamsql Kafka ÷ peer | streamsql Kafka ÷ ceiling | streamsql embedded ÷ peer | target |\n|---|---|---|---|---|\n")
	seen := map[string]bool{}
	for _, k := range order {
		if seen[k.q] {
			continue
		}
		seen[k.q] = true
		q, _ := queryByID(k.q)
		ratio := func(a, c string) string {
			x, y := perCPU[key{k.q, a}], perCPU[key{k.q, c}]
			if x == 0 || y == 0 {
				return "—"
			}
			return fmt.Sprintf("%.2f", x/y)
		}
		target := "≥ 1.5× peer"
		if q.Class == "stateless" {
			target = "≥ 2× peer, ≥ 0.7× ceiling"
		}
		w("| %s %s | %s | %s | %s | %s |\n", k.q, q.Name, ratio(SysKafka, SysPeer), ratio(SysKafka, SysCeiling), ratio(SysEmbedded, SysPeer), target)
	}

	if len(res.Latencies) > 0 {
		w("\n### Latency of B6 (IoT alert) under paced load\n\n")
		w("Open-loop paced readings for %s after a %s warm-up (dropped), each stamped in `ingest_ns`; percentiles over the alerts (about 2.3 %% of the readings). ", cfg.LatencyDur, cfg.LatencyWarmup)
		w("**Kafka** (streamsql on Kafka, the peer, the ceiling): the harness produces into an empty topic at %.0f %% of the peer's median B6 rate (of streamsql's when the peer did not run), stamping each reading with the wall clock at which it is produced; latency = wall clock when the harness fetched the alert from the output topic − `ingest_ns` (through the broker on both sides). ", cfg.LatencyFraction*100)
		w("**Embedded log**: streamsql's database is its own, so the input enters as single-row `INSERT INTO … VALUES` statements over the Postgres endpoint (%d connections, up to %d statements per simple-protocol message, one per line) and the alerts leave through a push query (`SELECT ts, humidity, ingest_ns FROM <sink> EMIT CHANGES`) on another connection, read row by row with pgx; each reading is stamped with the wall clock at which it was *due* (a backlog in the INSERT path counts as latency); latency = wall clock when pgx returned the row − `ingest_ns`. ", cmp.Or(cfg.Inserters, 16), insertBatch)
		w("Its rate is capped at %d readings/s: the INSERT path (parse, encode, one durable write per message; durable log, as cmd/streamsql opens it) took 46–52 k single-row INSERTs/s in process on 2026-12-08 (`BenchmarkInsertPG`, 8 connections, both cores; see the profile below), so half the peer's rate cannot be offered this way; with the engine on one core the cap is well below that path's capacity, and the profile below gives figures at 5,000 and 8,000 readings/s.\n\n", cfg.EmbeddedLatencyRate)
		w("| system | path | offered (ev/s) | p50 | p99 | p99.9 | max | samples | alerts received |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, l := range res.Latencies {
			path := "Kafka produce → fetch"
			if l.System == SysEmbedded {
				path = "INSERT → push query"
			}
			w("| %s (run %d) | %s | %d | %s | %s | %s | %s | %d | %d / %d |\n", l.System, l.Run, path, l.Rate, ms(l.P50), ms(l.P99), ms(l.P999), ms(l.Max), l.Samples, l.Received, l.Expected)
			if l.Err != "" {
				w("|  ↳ error | %s | | | | | | | |\n", strings.ReplaceAll(firstLine(l.Err), "|", "\\|"))
			}
		}
		// Medians over runs, per system.
		bySys := map[string][][4]float64{}
		var sysOrder []string
		for _, l := range res.Latencies {
			if l.Samples == 0 {
				continue
			}
			if _, ok := bySys[l.System]; !ok {
				sysOrder = append(sysOrder, l.System)
			}
			bySys[l.System] = append(bySys[l.System], [4]float64{msf(l.P50), msf(l.P99), msf(l.P999), float64(l.Rate)})
		}
		if len(sysOrder) > 0 && cfg.Runs > 1 {
			w("\nMedian (min–max) over the runs:\n\n| system | offered (ev/s) | p50 | p99 | p99.9 |\n|---|---|---|---|---|\n")
			for _, sys := range sysOrder {
				var cols [4][]float64
				for _, v := range bySys[sys] {
					for i := range cols {
						cols[i] = append(cols[i], v[i])
					}
				}
				rate, _, _ := stats(cols[3])
				w("| %s | %.0f | %s | %s | %s |\n", sys, rate, msSpread(cols[0]), msSpread(cols[1]), msSpread(cols[2]))
			}
		}
	}
	if Profile != "" {
		w("\n%s\n", strings.TrimSpace(Profile))
	}
	w("\n### Notes on fairness\n\n")
	for _, n := range Notes {
		w("* %s\n", n)
	}
	w("\n### Not comparable yet\n\n")
	for _, n := range NotComparable {
		w("* %s\n", n)
	}
	for _, s := range res.Skipped {
		w("* skipped: %s\n", s)
	}
	w("\n%s\n", EndMarker)
	return b.String()
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func msSpread(v []float64) string {
	med, lo, hi := stats(v)
	if len(v) == 1 {
		return fmt.Sprintf("%.2f ms", med)
	}
	return fmt.Sprintf("%.2f ms (%.2f–%.2f)", med, lo, hi)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func firstLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// WriteSection replaces the text between the markers in the file at path (appending the
// section at the end when the markers are absent), leaving everything else as it was.
func WriteSection(path, section string) error {
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	doc := string(b)
	i := strings.Index(doc, BeginMarker)
	j := strings.Index(doc, EndMarker)
	if i >= 0 && j > i {
		doc = doc[:i] + strings.TrimSuffix(section, "\n") + doc[j+len(EndMarker):]
	} else {
		if doc != "" && !strings.HasSuffix(doc, "\n") {
			doc += "\n"
		}
		doc += "\n" + section
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}
