package parser

import (
	"strings"

	"github.com/streamsql/streamsql/types"
)

// hintKeywords are the words a misspelling most often meant.
var hintKeywords = []string{
	"SELECT", "FROM", "WHERE", "CREATE", "STREAM", "TABLE", "INSERT", "INTO", "VALUES", "EMIT",
	"CHANGES", "FINAL", "PARTITION", "GROUP", "WINDOW", "HAVING", "LIMIT", "WITH", "DROP",
	"DESCRIBE", "SHOW", "STREAMS", "TABLES", "QUERIES", "TOPICS", "TERMINATE", "EXPLAIN", "PRINT",
	"BEGINNING", "KEY", "PRIMARY", "HEADERS", "REPLACE", "EXISTS", "DELETE", "TOPIC", "CAST", "CASE",
	"WHEN", "THEN", "ELSE", "END", "AND", "BETWEEN", "LIKE", "NULL",
}

// withHint adds a Hint to a syntax error: the keyword a misspelled word probably meant, or
// where to look for the statement's syntax.
func withHint(src string, err error) error {
	te, ok := err.(*types.Error)
	if !ok || te.Code != types.CodeSyntaxError || te.Hint != "" {
		return err
	}
	c := *te
	word := wordAt(src, c.Pos.Offset)
	if best := closestKeyword(word); best != "" {
		c.Hint = "Did you mean " + best + "?"
	} else if prev := wordBefore(src, c.Pos.Offset); closestKeyword(prev) != "" {
		// A misspelled keyword often parses as an alias, and the error comes one word later.
		c.Hint = "Did you mean " + closestKeyword(prev) + " instead of " + prev + "?"
	} else {
		c.Hint = "Check the statement at the marked position; docs/sql.md gives the syntax of every statement."
	}
	return &c
}

func wordAt(src string, off int) string {
	if off < 0 || off >= len(src) {
		return ""
	}
	end := off
	for end < len(src) && (isWordByte(src[end])) {
		end++
	}
	return strings.ToUpper(src[off:end])
}

func isWordByte(b byte) bool {
	return b == '_' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}

// closestKeyword returns the keyword within edit distance 2 of word (1 for short words).
func closestKeyword(word string) string {
	if len(word) < 3 {
		return ""
	}
	best, bestD := "", 3
	for _, k := range hintKeywords {
		if k == word {
			return ""
		}
		d := editDistance(word, k)
		limit := 2
		if len(k) <= 4 {
			limit = 1
		}
		if d <= limit && d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// wordBefore returns the word that ends before offset off (skipping blanks).
func wordBefore(src string, off int) string {
	if off > len(src) {
		off = len(src)
	}
	end := off
	for end > 0 && (src[end-1] == ' ' || src[end-1] == '\t' || src[end-1] == '\n' || src[end-1] == '\r') {
		end--
	}
	start := end
	for start > 0 && isWordByte(src[start-1]) {
		start--
	}
	return strings.ToUpper(src[start:end])
}
