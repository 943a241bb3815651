// Command qtt runs a ksqlDB conformance corpus against streamsql and reports pass rates:
//
//	go run ./cmd/qtt -corpus FILE [-report FILE.json] [-feature NAME] [-id SUBSTRING] [-write-passing FILE]
//
// Each case runs on a fresh engine over a fresh embedded log. The last line printed is
// `qtt: P/N cases pass (X%)`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/streamsql/streamsql/conformance"
)

func main() {
	corpus := flag.String("corpus", "", "corpus file (JSON lines)")
	report := flag.String("report", "", "write a JSON report of every case here")
	feature := flag.String("feature", "", "run only this feature")
	id := flag.String("id", "", "run only cases whose id contains this")
	writePassing := flag.String("write-passing", "", "write the ids of passing cases to this file")
	checkPassing := flag.String("check-passing", "", "fail (exit 1) when a case listed in this file does not pass")
	workers := flag.Int("j", runtime.NumCPU(), "cases run in parallel")
	verbose := flag.Bool("v", false, "print every failure")
	timeout := flag.Duration("case-timeout", 20*time.Second, "time limit per case")
	flag.Parse()
	if *corpus == "" {
		fmt.Fprintln(os.Stderr, "qtt: -corpus FILE is required")
		flag.Usage()
		os.Exit(2)
	}
	cases, err := conformance.LoadCorpus(*corpus)
	if err != nil {
		fmt.Fprintln(os.Stderr, "qtt:", err)
		os.Exit(1)
	}
	var selected []*conformance.Case
	for _, c := range cases {
		if (*feature == "" || c.Feature == *feature) && (*id == "" || strings.Contains(c.ID, *id)) {
			selected = append(selected, c)
		}
	}
	results := conformance.RunAll(context.Background(), selected, *workers, conformance.Options{CaseTimeout: *timeout})
	rep := conformance.NewReport(results)
	if *verbose {
		for _, r := range results {
			if !r.Pass {
				fmt.Printf("FAIL %s: %s\n", r.ID, r.Reason)
				if r.Expected != nil || r.Got != nil {
					fmt.Printf("     expected: %v\n     got:      %v\n", r.Expected, r.Got)
				}
			}
		}
	}
	if *report != "" {
		if err := conformance.WriteJSON(*report, rep); err != nil {
			fmt.Fprintln(os.Stderr, "qtt:", err)
			os.Exit(1)
		}
	}
	if *writePassing != "" {
		if err := conformance.WritePassing(*writePassing, results); err != nil {
			fmt.Fprintln(os.Stderr, "qtt:", err)
			os.Exit(1)
		}
	}
	conformance.WriteSummary(os.Stdout, rep)
	if *checkPassing != "" {
		listed, err := conformance.LoadPassing(*checkPassing)
		if err != nil {
			fmt.Fprintln(os.Stderr, "qtt:", err)
			os.Exit(1)
		}
		regressions := 0
		newPasses := 0
		for _, r := range results {
			switch {
			case listed[r.ID] && !r.Pass:
				regressions++
				fmt.Printf("REGRESSION %s: %s\n", r.ID, r.Reason)
			case !listed[r.ID] && r.Pass:
				newPasses++
			}
		}
		if newPasses > 0 {
			fmt.Printf("qtt: %d cases pass that %s does not list yet (add them with -write-passing)\n", newPasses, *checkPassing)
		}
		if regressions > 0 {
			fmt.Printf("qtt: %d listed cases no longer pass\n", regressions)
			os.Exit(1)
		}
	}
}
