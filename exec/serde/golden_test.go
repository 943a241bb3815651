package serde

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// checkGolden compares got with testdata/name, or rewrites the file under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run with -update to accept)", path, i+1, g, w)
			}
		}
	}
}

// render shows a decoded value with its Go representation, for golden files.
func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		return fmt.Sprintf("bool(%v)", x)
	case int32:
		return fmt.Sprintf("int32(%d)", x)
	case int64:
		return fmt.Sprintf("int64(%d)", x)
	case float64:
		return fmt.Sprintf("float64(%s)", appendJavaDouble(nil, x))
	case decimal.Decimal:
		return fmt.Sprintf("decimal(%s)", x.StringFixed(-x.Exponent()))
	case string:
		return fmt.Sprintf("string(%q)", x)
	case []byte:
		return fmt.Sprintf("bytes(%q)", x)
	case types.TimestampMillis:
		return fmt.Sprintf("timestamp(%d)", int64(x))
	case types.DateDays:
		return fmt.Sprintf("date(%d)", int32(x))
	case types.TimeMillis:
		return fmt.Sprintf("time(%d)", int64(x))
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = render(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *types.MapValue:
		parts := make([]string, len(x.Keys))
		for i := range x.Keys {
			parts[i] = render(x.Keys[i]) + ": " + render(x.Values[i])
		}
		return "map{" + strings.Join(parts, ", ") + "}"
	case types.StructValue:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = render(e)
		}
		return "struct{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
