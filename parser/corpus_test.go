package parser

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/parser/ast"
)

const (
	qttPath    = "../../shared/conformance/ksqldb-qtt.jsonl"
	clientPath = "../../shared/reference/pg-captures/client-corpus.sql"
)

type qttCase struct {
	ID            string          `json:"id"`
	Statements    []string        `json:"statements"`
	ExpectedError json.RawMessage `json:"expected_error"`
}

func readQTT(t testing.TB) []qttCase {
	f, err := os.Open(qttPath)
	if err != nil {
		t.Skipf("conformance corpus not present: %v", err)
	}
	defer f.Close()
	var cases []qttCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		var c qttCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("bad corpus line: %v", err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestQTTCorpus requires every statement of every ksqlDB case that expects no error to parse,
// and every parsed statement to survive Format → Parse unchanged.
func TestQTTCorpus(t *testing.T) {
	cases := readQTT(t)
	total, failed, roundTrip := 0, 0, 0
	for _, c := range cases {
		if string(c.ExpectedError) != "null" && len(c.ExpectedError) != 0 {
			continue
		}
		for _, s := range c.Statements {
			total++
			st, err := ParseOne(s)
			if err != nil {
				failed++
				t.Errorf("%s: %v\n    %s", c.ID, err, s)
				continue
			}
			if err := checkRoundTrip(st); err != "" {
				roundTrip++
				t.Errorf("%s: round trip: %s", c.ID, err)
			}
		}
	}
	t.Logf("ksqlDB corpus: %d/%d statements parse, %d round-trip failures", total-failed, total, roundTrip)
}

// TestQTTErrorCasesNoPanic parses the statements of cases that expect errors: they may fail,
// but never panic, and errors must carry a code and a position.
func TestQTTErrorCasesNoPanic(t *testing.T) {
	for _, c := range readQTT(t) {
		for _, s := range c.Statements {
			if _, err := Parse(s); err != nil {
				checkErr(t, s, err)
			}
		}
	}
}

// clientStatements splits client-corpus.sql at its `-- @@ name` markers.
func clientStatements(t testing.TB) (names, stmts []string) {
	data, err := os.ReadFile(clientPath)
	if err != nil {
		t.Skipf("client corpus not present: %v", err)
	}
	for _, part := range strings.Split(string(data), "-- @@ ")[1:] {
		name, body, _ := strings.Cut(part, "\n")
		names = append(names, strings.TrimSpace(name))
		stmts = append(stmts, body)
	}
	return names, stmts
}

// TestClientCorpus requires every statement clients sent to parse (session statements too).
func TestClientCorpus(t *testing.T) {
	names, stmts := clientStatements(t)
	ok := 0
	for i, s := range stmts {
		parsed, err := Parse(s)
		if err != nil {
			t.Errorf("%s: %v", names[i], err)
			continue
		}
		ok++
		for _, st := range parsed {
			if err := checkRoundTrip(st); err != "" {
				t.Errorf("%s: round trip: %s", names[i], err)
			}
		}
	}
	t.Logf("client corpus: %d/%d statements parse", ok, len(stmts))
}

// checkRoundTrip formats st, parses the text again and compares the trees without positions.
func checkRoundTrip(st ast.Statement) string {
	text := ast.Format(st)
	again, err := ParseOne(text)
	if err != nil {
		return "formatted text does not parse: " + err.Error() + "\n    " + text
	}
	a, b := ast.Dump(st, false), ast.Dump(again, false)
	if a != b {
		return "trees differ after Format:\n    " + text + "\n" + diffLines(a, b)
	}
	return ""
}

func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			lo := max(0, i-3)
			return "    first difference at line " + itoa(i+1) + ":\n    want: " + strings.Join(al[lo:min(i+2, len(al))], "\n          ") +
				"\n    got:  " + strings.Join(bl[lo:min(i+2, len(bl))], "\n          ")
		}
	}
	return "    lengths differ"
}

// readStatements returns the statements of one corpus line.
func readStatements(line string) []string {
	var c qttCase
	if json.Unmarshal([]byte(line), &c) != nil {
		return nil
	}
	return c.Statements
}
