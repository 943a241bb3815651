package conformance

import (
	"context"
	"os"
	"testing"
)

// corpusPath finds the shared corpus next to the repository (../shared/conformance).
func corpusPath(t *testing.T) string {
	// make test runs the corpus through cmd/qtt -check-passing instead, once.
	p := os.Getenv("STREAMSQL_QTT_CORPUS")
	if p == "" {
		t.Skip("set STREAMSQL_QTT_CORPUS to a corpus file to re-run the passing cases here (make test runs cmd/qtt -check-passing)")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("corpus %s: %v", p, err)
	}
	return p
}

// TestConformance fails when a case listed in passing.txt no longer passes. Cases that pass
// but are not listed are reported so the list can grow.
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("conformance corpus skipped in -short mode")
	}
	cases, err := LoadCorpus(corpusPath(t))
	if err != nil {
		t.Fatal(err)
	}
	passing, err := LoadPassing("passing.txt")
	if err != nil {
		t.Fatal(err)
	}
	var run []*Case
	for _, c := range cases {
		if passing[c.ID] {
			run = append(run, c)
		}
	}
	results := RunAll(context.Background(), run, 2, Options{})
	for _, r := range results {
		if !r.Pass {
			t.Errorf("regression: %s no longer passes: %s (expected %v, got %v)", r.ID, r.Reason, r.Expected, r.Got)
		}
	}
	t.Logf("%d listed cases re-run", len(results))
}
