package agg

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the aggregate function table of docs/sql.md from the registry")

const docsPath = "../../docs/sql.md"

// docsTable renders the aggregate function reference of docs/sql.md from the registry, so that
// the docs cannot drift (TestDocsMatchRegistry compares).
func docsTable() string {
	var b strings.Builder
	b.WriteString("| Function | Signatures | Description | Example |\n| --- | --- | --- | --- |\n")
	for _, f := range All() {
		sigs := make([]string, len(f.Signatures))
		for i, s := range f.Signatures {
			sigs[i] = "`" + cell(s) + "`"
		}
		b.WriteString("| `" + f.Name + "` | " + strings.Join(sigs, "<br>") + " | " + cell(f.Description) + " | `" + cell(f.Example) + "` |\n")
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

const (
	docsStart = "<!-- aggregate functions: generated from exec/agg -->\n"
	docsEnd   = "<!-- end of aggregate functions -->"
)

func TestDocsMatchRegistry(t *testing.T) {
	doc, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, docsStart)
	end := strings.Index(text, docsEnd)
	if start < 0 || end < start {
		t.Fatalf("%s: the aggregate function table (between %q and %q) is missing", docsPath, docsStart, docsEnd)
	}
	start += len(docsStart)
	want := docsTable()
	if text[start:end] == want {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(docsPath, []byte(text[:start]+want+text[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("docs/sql.md's aggregate function table differs from the registry; run: go test ./exec/agg -run TestDocsMatchRegistry -update-docs")
}
