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
		res.latencyMarkdown(w)
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

// latencyTarget is the reference's latency goal of a query (§5.5), "" when it sets none.
func latencyTarget(q Query, sys string) string {
	switch {
	case q.ID == "B6" && sys == SysEmbedded:
		return "p99 ≤ 10 ms (issue 7)"
	case q.ID == "B6":
		return "p99 ≤ 25 ms, ≤ peer"
	case q.Class == "windowed" && !q.Changelog:
		return "p99 ≤ 100 ms, ≤ peer"
	}
	return ""
}

// latencyMarkdown writes the paced-load section: a summary per query, system and load point,
// then every run.
func (res *Results) latencyMarkdown(w func(string, ...any)) {
	cfg := res.Config
	lats := append([]Latency(nil), res.Latencies...)
	for i := range lats { // results saved before every query was paced hold B6 only
		lats[i].Query = cmp.Or(lats[i].Query, "B6")
		if lats[i].Fraction == 0 {
			lats[i].Fraction = cfg.LatencyFraction
		}
	}
	w("\n### Latency under paced load\n\n")
	w("Open-loop paced input into an empty topic for %s after a %s warm-up (its samples dropped), per query at %.0f %% of the peer's median rate of that query above (of streamsql's when the peer did not run), %d run(s) per system interleaved", cfg.LatencyDur, cfg.LatencyWarmup, cfg.LatencyFraction*100, cfg.Runs)
	if cfg.LatencyHighRuns > 0 && cfg.LatencyHighFraction > 0 {
		w(", and at the reference's second point, %.0f %%, on the Kafka systems, %d run(s)", cfg.LatencyHighFraction*100, cfg.LatencyHighRuns)
	}
	w(". Each input carries the wall clock at which it was produced in `ingest_ns`; its event time (record timestamp, ROWTIME) is that clock plus an offset that is zero except for EMIT FINAL windows (below). What a sample is, by the reference's definitions (§5.3):\n\n")
	w("* **stateless** (B1, B2, B6): wall clock when the harness got the output − its `ingest_ns` (carried through by every system); percentiles over every output after the warm-up.\n")
	w("* **EMIT FINAL windows** (B3, B7): wall clock when the harness got the window's row − (window end + grace), the moment the window could close, in wall clock. The event-time offset puts the first close 2 s after the warm-up (or after the grace, if longer), so that B7's 5-minute windows close within a run: one close per run, a row for every device that sent a reading (up to 10,000 at once), B3's every 2 s thereafter.\n")
	w("* **EMIT CHANGES aggregate** (B4): wall clock when the harness got an update − production time of the newest input it counts (its `TOTAL_BIDS`-th bid of that auction and day): how long an input takes to show in the table's update stream, cache and commit cadence included.\n\n")
	w("**Kafka** (streamsql on Kafka, the peer, the ceiling): the harness produces into the input topic and fetches the output topic (through the broker on both sides; the harness shares core 0 with the broker). ")
	w("**Embedded log**: streamsql's database is its own, so the input enters as single-row `INSERT INTO … (ROWTIME, …) VALUES` statements over the Postgres endpoint (%d connections, up to %d statements per simple-protocol message, one per line) and the output leaves through a push query (`SELECT * FROM <sink> EMIT CHANGES`) on another connection, read row by row with pgx; each input is stamped with the wall clock at which it was *due* (a backlog in the INSERT path counts as latency). ", cmp.Or(cfg.Inserters, 16), insertBatch)
	w("Its rate is capped at %d inputs/s: the INSERT path (parse, encode, one durable write per message; durable log, as cmd/streamsql opens it) took 46–52 k single-row INSERTs/s in process on 2026-12-08 (`BenchmarkInsertPG`, 8 connections, both cores; see the profile below), so half the peer's rate cannot be offered this way; the profile below gives B6 figures at 5,000 and 8,000 readings/s. *outputs* counts rows received against the rows the input must produce (EMIT CHANGES: keys updated against keys fed).\n\n", cfg.EmbeddedLatencyRate)

	type key struct {
		q, sys string
		frac   float64
	}
	by := map[key][]Latency{}
	var order []key
	for _, l := range lats {
		k := key{l.Query, l.System, l.Fraction}
		if _, ok := by[k]; !ok {
			order = append(order, k)
		}
		by[k] = append(by[k], l)
	}
	p99 := map[key]float64{}
	w("| query | system | load | offered (ev/s) | p50 | p99 | p99.9 | samples | outputs | target |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, k := range order {
		var p50s, p99s, p999s, rates, samples []float64
		complete, errs := 0, []string{}
		for _, l := range by[k] {
			rates = append(rates, float64(l.Rate))
			if l.Err != "" {
				errs = append(errs, firstLine(l.Err))
			} else if l.Received >= l.Expected {
				complete++
			}
			if l.Samples == 0 {
				continue
			}
			p50s, p99s, p999s = append(p50s, msf(l.P50)), append(p99s, msf(l.P99)), append(p999s, msf(l.P999))
			samples = append(samples, float64(l.Samples))
		}
		q, _ := queryByID(k.q)
		rate, _, _ := stats(rates)
		n, _, _ := stats(samples)
		p, _, _ := stats(p99s)
		p99[k] = p
		target := latencyTarget(q, k.sys)
		if k.frac != cfg.LatencyFraction {
			target = ""
		}
		w("| %s %s | %s | %.0f %% | %.0f | %s | %s | %s | %.0f | %d/%d complete | %s |\n", k.q, q.Name, k.sys, k.frac*100, rate, msSpreadOr(p50s), msSpreadOr(p99s), msSpreadOr(p999s), n, complete, len(by[k]), target)
		for _, e := range uniq(errs) {
			w("|  ↳ error | %s | | | | | | | | |\n", strings.ReplaceAll(e, "|", "\\|"))
		}
	}
	// p99 ratios on the same broker: lower is better.
	var rows []string
	for _, k := range order {
		if k.sys != SysKafka {
			continue
		}
		peer := p99[key{k.q, SysPeer, k.frac}]
		if peer > 0 && p99[k] > 0 {
			rows = append(rows, fmt.Sprintf("| %s | %.0f %% | %.2f ms | %.2f ms | %.2f× |", k.q, k.frac*100, p99[k], peer, p99[k]/peer))
		}
	}
	if len(rows) > 0 {
		w("\np99 of streamsql on Kafka against the peer (median over runs; below 1 is better):\n\n| query | load | streamsql | peer | ratio |\n|---|---|---|---|---|\n%s\n", strings.Join(rows, "\n"))
	}
	w("\n<details><summary>Every paced run</summary>\n\n| query | system (run) | load | offered | achieved | p50 | p99 | p99.9 | max | samples | outputs | INSERT round trip p50 / p99 |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, l := range lats {
		achieved, insert := "", ""
		if l.Achieved > 0 {
			achieved = fmt.Sprint(l.Achieved)
		}
		if l.InsertP50 > 0 {
			insert = ms(l.InsertP50) + " / " + ms(l.InsertP99)
		}
		w("| %s | %s (%d) | %.0f %% | %d | %s | %s | %s | %s | %s | %d | %d / %d | %s |\n", l.Query, l.System, l.Run, l.Fraction*100, l.Rate, achieved, ms(l.P50), ms(l.P99), ms(l.P999), ms(l.Max), l.Samples, l.Received, l.Expected, insert)
	}
	w("\n</details>\n")
}

func msSpreadOr(v []float64) string {
	if len(v) == 0 {
		return "–"
	}
	return msSpread(v)
}
