package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/streamsql/streamsql"

// allowed maps a package (path relative to the module root) to the streamsql packages it may
// import. A rule for "x" also covers "x/..." unless a more specific rule exists. Keep it in
// step with each package's doc.go.
var allowed = map[string][]string{
	"types":             {},
	"broker":            {},
	"broker/embedded":   {"broker"},
	"broker/kafka":      {"broker"},
	"broker/brokertest": {"broker"},
	"parser":            {"types", "parser/ast"},
	"parser/ast":        {"types"},
	"catalog":           {"types", "parser/ast", "broker"},
	"state":             {"types", "broker"},
	"planner":           {"types", "parser", "parser/ast", "catalog", "exec", "broker"},
	"exec":              {"types", "state", "broker", "exec"},
	"exec/agg":          {"types"},
	"engine":            {"types", "parser", "parser/ast", "catalog", "planner", "exec", "state", "broker"},
	"wire":              {"types", "engine/api", "wire", "pgcatalog"},
	"pgcatalog":         {"types", "engine/api"},
	"engine/api":        {"types"},
	"internal/archtest": {},
	"internal/e2e":      {"*"},
	"cmd":               {"*"},
	"conformance":       {"*"},
	"bench":             {"*"},
	"examples":          {"*"},
}

// rule finds the most specific rule for pkg.
func rule(pkg string) (string, []string, bool) {
	best := ""
	for k := range allowed {
		if (pkg == k || strings.HasPrefix(pkg, k+"/")) && len(k) > len(best) {
			best = k
		}
	}
	if best == "" {
		return "", nil, false
	}
	return best, allowed[best], true
}

func permitted(from string, allow []string, imp string) bool {
	if imp == from || strings.HasPrefix(imp, from+"/") {
		return true // a package's own subpackages
	}
	for _, a := range allow {
		if a == "*" || imp == a || strings.HasPrefix(imp, a+"/") {
			return true
		}
	}
	return false
}

func moduleRoot(t *testing.T) string {
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", dir, err)
	}
	return dir
}

// imports returns, per package directory, the streamsql packages its non-test files import.
func imports(t *testing.T, root string) map[string][]string {
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "data" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		if _, ok := out[rel]; !ok {
			out[rel] = nil
		}
		for _, spec := range f.Imports {
			p, _ := strconv.Unquote(spec.Path.Value)
			if p == module || strings.HasPrefix(p, module+"/") {
				out[rel] = append(out[rel], strings.TrimPrefix(strings.TrimPrefix(p, module), "/"))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportGraph(t *testing.T) {
	root := moduleRoot(t)
	pkgs := imports(t, root)
	names := make([]string, 0, len(pkgs))
	for p := range pkgs {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, pkg := range names {
		key, allow, ok := rule(pkg)
		if !ok {
			t.Errorf("package %s has no rule in internal/archtest: add it to the table (and say what it may import in its doc.go)", pkg)
			continue
		}
		for _, imp := range pkgs[pkg] {
			if !permitted(key, allow, imp) {
				t.Errorf("package %s imports %s, which its rule (%s: %v) forbids", pkg, imp, key, allow)
			}
		}
	}
}

// Every package must say in a doc.go what it owns and what it must not import.
func TestEveryPackageHasDocGo(t *testing.T) {
	root := moduleRoot(t)
	for pkg := range imports(t, root) {
		if _, err := os.Stat(filepath.Join(root, pkg, "doc.go")); err != nil {
			t.Errorf("package %s has no doc.go", pkg)
		}
	}
}

// The checker itself must catch a forbidden import, or the tests above prove nothing.
func TestRuleCatchesForbiddenImport(t *testing.T) {
	key, allow, ok := rule("broker/embedded")
	if !ok || permitted(key, allow, "wire") || !permitted(key, allow, "broker") {
		t.Fatal("broker/embedded must be allowed broker and forbidden wire")
	}
	key, allow, _ = rule("wire")
	if permitted(key, allow, "exec") || permitted(key, allow, "state") {
		t.Fatal("wire must not reach exec or state")
	}
	if _, _, ok := rule("mystery"); ok {
		t.Fatal("unknown packages must have no rule")
	}
}
