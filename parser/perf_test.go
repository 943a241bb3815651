package parser

import (
	"strings"
	"testing"
	"time"
)

// TestLargeInputs guards against quadratic behaviour: big but plausible statements parse fast.
func TestLargeInputs(t *testing.T) {
	for name, sql := range map[string]string{
		"many columns":    "SELECT " + strings.Repeat("a, ", 20000) + "a FROM t",
		"long chain":      "SELECT " + strings.Repeat("a + ", 20000) + "a FROM t",
		"many casts":      "SELECT " + strings.Repeat("a::int, ", 5000) + "1",
		"many derefs":     "SELECT a" + strings.Repeat("->b", 5000) + " FROM t",
		"many statements": strings.Repeat("SELECT 1;", 5000),
		"error at end":    "SELECT " + strings.Repeat("a, ", 20000) + "FROM",
		"long string":     "SELECT '" + strings.Repeat("x", 1<<20) + "'",
		"deep cases":      "SELECT " + strings.Repeat("CASE WHEN a THEN ", 300) + "1" + strings.Repeat(" END", 300),
	} {
		start := time.Now()
		_, _ = Parse(sql)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: %v", name, d)
		}
		t.Logf("%s: %v", name, time.Since(start))
	}
}

// TestTokenPositionsIncremental checks the lexer's incremental column count against counting
// from the line's start, across lines and multi-byte characters.
func TestTokenPositionsIncremental(t *testing.T) {
	src := strings.Repeat("INSERT INTO s (a, b) VALUES ('é€', 1); ", 50) + "\n  SELECT 'ü' AS x,\n\ty FROM t;" +
		strings.Repeat(" SELECT 'ß';", 20)
	toks, err := lex(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if want := posOf(src, tk.off); tk.pos != want {
			t.Fatalf("token %q at %d: position %+v, want %+v", tk.text, tk.off, tk.pos, want)
		}
	}
}
