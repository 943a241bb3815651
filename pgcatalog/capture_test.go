package pgcatalog

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// captured is one statement a real client sent, from the captures in testdata, with the
// columns Postgres 15 answered (when the capture shows them).
type captured struct {
	source string
	sql    string
	want   []wantCol
}

type wantCol struct {
	name string
	oid  uint32
}

// pyUnquote reads a Python string literal (the captures' repr of the SQL text).
func pyUnquote(s string) (string, string, bool) {
	if s == "" || s[0] != '\'' && s[0] != '"' {
		return "", "", false
	}
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(s[i])
			}
		case c == q:
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}

var rowDescRE = regexp.MustCompile(`([^ ,:]+):(\d+)/fmt\d`)

// flowQueries extracts the SQL of every Query and Parse of a protocol flow capture.
func flowQueries(t *testing.T, file string) []captured {
	f, err := os.Open("testdata/" + file)
	require.NoError(t, err)
	defer f.Close()
	var out []captured
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "C> Query: "):
			if sql, _, ok := pyUnquote(strings.TrimPrefix(line, "C> Query: ")); ok {
				out = append(out, captured{source: file, sql: sql})
			}
		case strings.HasPrefix(line, "C> Parse "):
			if i := strings.Index(line, " sql="); i > 0 {
				if sql, _, ok := pyUnquote(line[i+5:]); ok {
					out = append(out, captured{source: file, sql: sql})
				}
			}
		case strings.HasPrefix(line, "S> RowDescription ") && len(out) > 0 && out[len(out)-1].want == nil:
			for _, m := range rowDescRE.FindAllStringSubmatch(line, -1) {
				oid, _ := strconv.Atoi(m[2])
				out[len(out)-1].want = append(out[len(out)-1].want, wantCol{m[1], uint32(oid)})
			}
		}
	}
	return out
}

// psqlQueries extracts the queries psql -E printed.
func psqlQueries(t *testing.T, file string) []captured {
	data, err := os.ReadFile("testdata/" + file)
	require.NoError(t, err)
	var out []captured
	parts := strings.Split(string(data), "********* QUERY **********\n")
	for _, p := range parts[1:] {
		sql, _, _ := strings.Cut(p, "**************************")
		out = append(out, captured{source: file, sql: strings.TrimSpace(sql)})
	}
	return out
}

// tabQueries extracts psql's tab-completion queries (JSON strings, one a line).
func tabQueries(t *testing.T) []captured {
	data, err := os.ReadFile("testdata/psql_tabcomplete.txt")
	require.NoError(t, err)
	var out []captured
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		line = strings.TrimSuffix(line, "}")
		sql, err := strconv.Unquote(line)
		require.NoError(t, err, line)
		out = append(out, captured{source: "psql_tabcomplete.txt", sql: sql})
	}
	return out
}

// corpusStatements reads client-corpus.sql: "-- @@ name" headers, one statement each.
func corpusStatements(t *testing.T) []captured {
	data, err := os.ReadFile("testdata/client-corpus.sql")
	require.NoError(t, err)
	var out []captured
	for _, chunk := range strings.Split(string(data), "-- @@ ")[1:] {
		name, body, _ := strings.Cut(chunk, "\n")
		out = append(out, captured{source: "corpus " + name, sql: strings.TrimSpace(body)})
	}
	return out
}

// catalogCaptures are every catalog statement of the captures.
func catalogCaptures(t *testing.T) []captured {
	var all []captured
	all = append(all, psqlQueries(t, "psql_E.txt")...)
	all = append(all, tabQueries(t)...)
	for _, f := range []string{"jdbc_flow.txt", "jdbc2_flow.txt", "sqlalchemy_psycopg2_flow.txt", "psycopg3_flow.txt", "pgx_flow.txt"} {
		all = append(all, flowQueries(t, f)...)
	}
	all = append(all, corpusStatements(t)...)
	var out []captured
	for _, c := range all {
		for _, st := range SplitStatements(c.sql) {
			if Classify(st.Text) == RouteCatalog {
				out = append(out, captured{source: c.source, sql: st.Text, want: c.want})
			}
		}
	}
	return out
}
