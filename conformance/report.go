package conformance

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
)

// RunAll runs cases with the given parallelism and returns results in corpus order.
func RunAll(ctx context.Context, cases []*Case, workers int, opts Options) []Result {
	if workers <= 0 {
		workers = 1
	}
	results := make([]Result, len(cases))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = RunCase(ctx, cases[i], opts)
			}
		}()
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// FeatureSummary is the pass count of one feature.
type FeatureSummary struct {
	Feature string `json:"feature"`
	Pass    int    `json:"pass"`
	Total   int    `json:"total"`
}

// Summarize counts passes per feature, sorted by feature.
func Summarize(results []Result) []FeatureSummary {
	m := map[string]*FeatureSummary{}
	for _, r := range results {
		s := m[r.Feature]
		if s == nil {
			s = &FeatureSummary{Feature: r.Feature}
			m[r.Feature] = s
		}
		s.Total++
		if r.Pass {
			s.Pass++
		}
	}
	out := make([]FeatureSummary, 0, len(m))
	for _, s := range m {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Feature < out[j].Feature })
	return out
}

// Report is the JSON report file.
type Report struct {
	Pass  int `json:"pass"`
	Total int `json:"total"`
	// StatelessPass/StatelessTotal count the cases without JOIN, GROUP BY or WINDOW.
	StatelessPass  int              `json:"statelessPass"`
	StatelessTotal int              `json:"statelessTotal"`
	Features       []FeatureSummary `json:"features"`
	Cases          []Result         `json:"cases"`
}

// NewReport builds a report from results.
func NewReport(results []Result) Report {
	r := Report{Total: len(results), Features: Summarize(results), Cases: results}
	for _, res := range results {
		if res.Pass {
			r.Pass++
		}
		if res.Stateless {
			r.StatelessTotal++
			if res.Pass {
				r.StatelessPass++
			}
		}
	}
	return r
}

// WriteSummary prints the per-feature table and the final line
// `qtt: P/N cases pass (X%)`.
func WriteSummary(w io.Writer, r Report) {
	for _, f := range r.Features {
		fmt.Fprintf(w, "%-40s %4d/%-4d %5.1f%%\n", f.Feature, f.Pass, f.Total, pct(f.Pass, f.Total))
	}
	fmt.Fprintf(w, "stateless (no JOIN, GROUP BY or WINDOW): %d/%d pass (%.1f%%)\n", r.StatelessPass, r.StatelessTotal, pct(r.StatelessPass, r.StatelessTotal))
	fmt.Fprintf(w, "qtt: %d/%d cases pass (%.1f%%)\n", r.Pass, r.Total, pct(r.Pass, r.Total))
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// LoadPassing reads a list of case ids, one per line (# comments allowed).
func LoadPassing(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out[line] = true
	}
	return out, sc.Err()
}

// WritePassing writes the ids of passing cases, sorted, one per line.
func WritePassing(path string, results []Result) error {
	var ids []string
	for _, r := range results {
		if r.Pass {
			ids = append(ids, r.ID)
		}
	}
	sort.Strings(ids)
	body := "# Corpus cases that pass; CI fails when one of them stops passing. Regenerate with\n# go run ./cmd/qtt -corpus ../shared/conformance/ksqldb-qtt.jsonl -write-passing conformance/passing.txt\n" + strings.Join(ids, "\n") + "\n"
	return os.WriteFile(path, []byte(body), 0o644)
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(path string, r Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
