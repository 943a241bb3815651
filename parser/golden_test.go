package parser

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/parser/ast"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the parser's output")

// TestGolden parses each testdata/*.sql script and compares a dump of every statement (with
// positions) and its Format with testdata/*.golden. Run `go test ./parser -update` to rewrite.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			stmts, err := Parse(string(src))
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			var b strings.Builder
			for _, st := range stmts {
				b.WriteString("-- " + st.Pos().String() + ": " + oneLine(st.Text()) + "\n")
				b.WriteString(ast.Dump(st, true))
				b.WriteString("-- format: " + ast.Format(st) + "\n\n")
				if msg := checkRoundTrip(st); msg != "" {
					t.Errorf("%s: %s", st.Pos(), msg)
				}
			}
			golden := strings.TrimSuffix(file, ".sql") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./parser -update)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("%s differs from the parser's output (run go test ./parser -update and review the diff):\n%s",
					golden, diffLines(string(want), got))
			}
		})
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return s
}
