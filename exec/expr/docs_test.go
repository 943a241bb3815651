package expr

import (
	"flag"
	"os"
	"sort"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the function tables of docs/sql.md from the registry")

const docsPath = "../../docs/sql.md"

// functionTables renders the function reference of docs/sql.md from the registry: one table
// per category, functions by name. The docs cannot drift: TestDocsMatchRegistry compares.
func functionTables() string {
	order := []Category{CategoryString, CategoryMath, CategoryDateTime, CategoryConditional, CategoryJSON,
		CategoryArray, CategoryMap, CategoryStruct, CategoryURL, CategoryBytes, CategoryLambda, CategoryOther, "TABLE"}
	byCat := map[Category][]*Func{}
	for _, f := range All() {
		byCat[f.Category] = append(byCat[f.Category], f)
	}
	for _, f := range TableFunctions() {
		byCat["TABLE"] = append(byCat["TABLE"], f)
	}
	var b strings.Builder
	for _, c := range order {
		fs := byCat[c]
		if len(fs) == 0 {
			continue
		}
		sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
		b.WriteString("### " + string(c) + "\n\n| Function | Description | Example |\n| --- | --- | --- |\n")
		for _, f := range fs {
			b.WriteString("| `" + f.Name + "` | " + cell(f.Description) + " | `" + cell(f.Example) + "` |\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

func TestDocsMatchRegistry(t *testing.T) {
	doc, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, "### STRING\n")
	end := strings.Index(text, "## Aggregate functions")
	if start < 0 || end < start {
		t.Fatalf("%s: the function tables (from '### STRING' to '## Aggregate functions') are missing", docsPath)
	}
	want := functionTables()
	if text[start:end] == want {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(docsPath, []byte(text[:start]+want+text[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("docs/sql.md's function tables differ from the registry; run: go test ./exec/expr -run TestDocsMatchRegistry -update-docs")
}
