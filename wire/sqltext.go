package wire

import (
	"strconv"
	"strings"
)

// The wire layer does not parse SQL; it only needs a lexer precise enough to find statement
// boundaries' absence (an empty query), $n placeholders outside literals, identifiers and
// comments, and the first keyword. It follows Postgres' lexical rules plus ksqlDB's
// back-quoted identifiers.

// isEmptyQuery reports whether sql holds no statement at all: only whitespace, semicolons and
// comments (pgx's Ping sends "-- ping"). Such a query gets EmptyQueryResponse without
// reaching the engine.
func isEmptyQuery(sql string) bool {
	for i := 0; i < len(sql); {
		switch c := sql[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ';':
			i++
		case strings.HasPrefix(sql[i:], "--"), strings.HasPrefix(sql[i:], "/*"):
			i = skipComment(sql, i)
		default:
			return false
		}
	}
	return true
}

// skipComment returns the index after the comment starting at i ("--" or "/*", which nests).
func skipComment(sql string, i int) int {
	if strings.HasPrefix(sql[i:], "--") {
		if j := strings.IndexByte(sql[i:], '\n'); j >= 0 {
			return i + j + 1
		}
		return len(sql)
	}
	depth := 0
	for i < len(sql) {
		switch {
		case strings.HasPrefix(sql[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(sql[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(sql)
}

func isIdentChar(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// skipQuoted returns the index after the literal or quoted identifier opened by quote at i; a
// doubled quote stands for itself, and backslash escapes when escapes is set (E'...').
func skipQuoted(sql string, i int, quote byte, escapes bool) int {
	for j := i + 1; j < len(sql); j++ {
		switch sql[j] {
		case '\\':
			if escapes {
				j++
			}
		case quote:
			if j+1 < len(sql) && sql[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(sql)
}

// dollarTag returns the tag ("$x$" or "$$") of a dollar quote starting at i, or "".
func dollarTag(sql string, i int) string {
	j := i + 1
	if j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
		return "" // $1 is a parameter
	}
	for j < len(sql) && sql[j] != '$' {
		if !isIdentChar(sql[j]) {
			return ""
		}
		j++
	}
	if j >= len(sql) {
		return ""
	}
	return sql[i : j+1]
}

// scanParams calls visit for each $n placeholder outside literals, quoted identifiers and
// comments, with its byte span and number.
func scanParams(sql string, visit func(start, end, n int)) {
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'':
			escapes := i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e') && (i < 2 || !isIdentChar(sql[i-2]))
			i = skipQuoted(sql, i, '\'', escapes)
		case c == '"' || c == '`':
			i = skipQuoted(sql, i, c, false)
		case strings.HasPrefix(sql[i:], "--"), strings.HasPrefix(sql[i:], "/*"):
			i = skipComment(sql, i)
		case c == '$' && (i == 0 || !isIdentChar(sql[i-1])):
			if tag := dollarTag(sql, i); tag != "" {
				end := strings.Index(sql[i+len(tag):], tag)
				if end < 0 {
					return
				}
				i += 2*len(tag) + end
				continue
			}
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			if j > i+1 {
				if n, err := strconv.Atoi(sql[i+1 : j]); err == nil {
					visit(i, j, n)
				}
			}
			i = j
		case isIdentChar(c):
			for i < len(sql) && isIdentChar(sql[i]) {
				i++
			}
		default:
			i++
		}
	}
}

// maxParam is the highest $n in sql: the number of parameters a statement takes.
func maxParam(sql string) int {
	n := 0
	scanParams(sql, func(_, _, k int) { n = max(n, k) })
	return n
}

// substitute replaces each $n with literals[n-1] (placeholders beyond the list stay as they
// are, for the engine to reject) and returns the new text with the map back to sql's offsets.
func substitute(sql string, literals []string) (string, *posMap) {
	var b strings.Builder
	pm := &posMap{}
	last := 0
	scanParams(sql, func(start, end, n int) {
		if n < 1 || n > len(literals) {
			return
		}
		b.WriteString(sql[last:start])
		newStart := b.Len()
		b.WriteString(literals[n-1])
		pm.spans = append(pm.spans, span{newStart: newStart, newEnd: b.Len(), oldStart: start, oldEnd: end})
		last = end
	})
	if len(pm.spans) == 0 {
		return sql, nil
	}
	b.WriteString(sql[last:])
	return b.String(), pm
}

// posMap maps byte offsets in a substituted text back to the client's text, so that an error
// position points at what the client wrote.
type posMap struct{ spans []span }

type span struct{ newStart, newEnd, oldStart, oldEnd int }

func (m *posMap) orig(off int) int {
	shift := 0 // new offset minus old offset after the spans passed so far
	for _, s := range m.spans {
		if off < s.newStart {
			break
		}
		if off < s.newEnd {
			return s.oldStart
		}
		shift = s.newEnd - s.oldEnd
	}
	return off - shift
}

// firstKeyword returns the upper-cased first word of sql, skipping whitespace, comments and
// opening parentheses.
func firstKeyword(sql string) string {
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '(':
			i++
		case strings.HasPrefix(sql[i:], "--"), strings.HasPrefix(sql[i:], "/*"):
			i = skipComment(sql, i)
		default:
			j := i
			for j < len(sql) && isIdentChar(sql[j]) {
				j++
			}
			return strings.ToUpper(sql[i:j])
		}
	}
	return ""
}

// returnsRows reports whether a statement is a query by its first keyword: the statements
// that are safe to run only to learn their columns (Describe of a prepared statement) because
// running them changes nothing.
func returnsRows(sql string) bool {
	switch firstKeyword(sql) {
	case "SELECT", "WITH", "VALUES", "TABLE", "SHOW", "DESCRIBE", "EXPLAIN", "LIST":
		return true
	}
	return false
}
