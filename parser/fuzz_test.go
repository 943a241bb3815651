package parser

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// FuzzParse feeds arbitrary text to Parse. It must never panic; errors must be coded and
// positioned inside the input; what parses must format to text that parses back to the same
// tree. Seeds: testdata, the client corpus and the ksqlDB corpus.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.sql")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		chunks, _ := Split(string(data))
		for _, c := range chunks {
			f.Add(c.Text)
		}
	}
	if _, stmts := clientStatements(f); stmts != nil {
		for _, s := range stmts {
			f.Add(s)
		}
	}
	if data, err := os.ReadFile(qttPath); err == nil {
		seen := map[string]bool{}
		for i, line := range strings.Split(string(data), "\n") {
			// A sample: every tenth case is plenty of grammar.
			if i%10 != 0 || line == "" {
				continue
			}
			for _, s := range readStatements(line) {
				if !seen[s] {
					seen[s] = true
					f.Add(s)
				}
			}
		}
	}
	debugPanics = true
	f.Cleanup(func() { debugPanics = false })
	f.Fuzz(func(t *testing.T, sql string) {
		stmts, err := Parse(sql)
		if err != nil {
			var e *types.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not a *types.Error: %v", err, err)
			}
			if e.Code != types.CodeSyntaxError && e.Code != types.CodeFeatureNotSupported && e.Code != types.CodeProgramLimitExceeded {
				t.Fatalf("code %s: %v", e.Code, err)
			}
			if !e.Pos.IsValid() || e.Pos.Offset > len(sql) {
				t.Fatalf("bad position %+v for input of %d bytes: %v", e.Pos, len(sql), err)
			}
			return
		}
		for _, st := range stmts {
			if _, empty := st.(*ast.Empty); empty {
				continue
			}
			if msg := checkRoundTrip(st); msg != "" {
				t.Fatalf("%s\ninput: %q", msg, st.Text())
			}
		}
	})
}
