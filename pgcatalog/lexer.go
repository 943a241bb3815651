package pgcatalog

import (
	"strings"

	"github.com/streamsql/streamsql/types"
)

// tokKind is a lexical class of Postgres SQL.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // unquoted identifier or keyword, folded to lower case in val
	tQIdent         // "quoted identifier", val as written
	tString         // string literal ('..', E'..', $$..$$), val unescaped
	tNumber         // numeric literal, val as written
	tParam          // $n, val the digits
	tOp             // operator or punctuation
)

type token struct {
	kind tokKind
	val  string
	pos  int // byte offset in the statement
}

func (t token) is(kw string) bool { return t.kind == tIdent && t.val == kw }
func (t token) isOp(op string) bool {
	return t.kind == tOp && t.val == op
}

// operators, longest first within each leading character.
var operators = []string{
	"!~~*", "!~~", "!~*", "~~*", "->>", "#>>",
	"::", "<=", ">=", "<>", "!=", "!~", "~~", "~*", "||", "->", "#>", "@>", "<@", "&&", "<<", ">>",
	"(", ")", "[", "]", ",", ";", ".", ":", "+", "-", "*", "/", "%", "^", "<", ">", "=", "~", "!", "@", "#", "&", "|", "?",
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c == '$' || c >= '0' && c <= '9'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lex splits sql into tokens. Comments and whitespace are dropped.
func lex(sql string) ([]token, error) { return lexUpTo(sql, 0) }

// lexUpTo is lex stopped after limit tokens (0: no limit), followed by tEOF either way.
func lexUpTo(sql string, limit int) ([]token, error) {
	var toks []token
	i := 0
	for i < len(sql) && (limit <= 0 || len(toks) < limit) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				i = len(sql)
			} else {
				i += j + 1
			}
		case strings.HasPrefix(sql[i:], "/*"):
			depth := 0
			j := i
			for j < len(sql) {
				if strings.HasPrefix(sql[j:], "/*") {
					depth++
					j += 2
				} else if strings.HasPrefix(sql[j:], "*/") {
					depth--
					j += 2
					if depth == 0 {
						break
					}
				} else {
					j++
				}
			}
			if depth != 0 {
				return nil, syntaxErr(sql, i, "unterminated /* comment")
			}
			i = j
		case (c == 'E' || c == 'e') && i+1 < len(sql) && sql[i+1] == '\'':
			s, end, err := scanString(sql, i+1, true)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tString, s, i})
			i = end
		case (c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N' || c == 'n') && i+1 < len(sql) && sql[i+1] == '\'':
			s, end, err := scanString(sql, i+1, false)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tString, s, i})
			i = end
		case c == '\'':
			s, end, err := scanString(sql, i, false)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tString, s, i})
			i = end
		case c == '"':
			j := i + 1
			var b strings.Builder
			for {
				if j >= len(sql) {
					return nil, syntaxErr(sql, i, "unterminated quoted identifier")
				}
				if sql[j] == '"' {
					if j+1 < len(sql) && sql[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(sql[j])
				j++
			}
			if b.Len() == 0 {
				return nil, syntaxErr(sql, i, "zero-length delimited identifier")
			}
			toks = append(toks, token{tQIdent, b.String(), i})
			i = j + 1
		case c == '$':
			j := i + 1
			if j < len(sql) && isDigit(sql[j]) {
				for j < len(sql) && isDigit(sql[j]) {
					j++
				}
				toks = append(toks, token{tParam, sql[i+1 : j], i})
				i = j
				continue
			}
			for j < len(sql) && sql[j] != '$' && isIdentByte(sql[j]) {
				j++
			}
			if j >= len(sql) || sql[j] != '$' {
				return nil, syntaxErr(sql, i, "syntax error at or near \"$\"")
			}
			tag := sql[i : j+1]
			end := strings.Index(sql[j+1:], tag)
			if end < 0 {
				return nil, syntaxErr(sql, i, "unterminated dollar-quoted string")
			}
			toks = append(toks, token{tString, sql[j+1 : j+1+end], i})
			i = j + 1 + end + len(tag)
		case isDigit(c) || c == '.' && i+1 < len(sql) && isDigit(sql[i+1]):
			j := i
			for j < len(sql) && isDigit(sql[j]) {
				j++
			}
			if j < len(sql) && sql[j] == '.' && !(j+1 < len(sql) && sql[j+1] == '.') {
				j++
				for j < len(sql) && isDigit(sql[j]) {
					j++
				}
			}
			if j < len(sql) && (sql[j] == 'e' || sql[j] == 'E') {
				k := j + 1
				if k < len(sql) && (sql[k] == '+' || sql[k] == '-') {
					k++
				}
				if k < len(sql) && isDigit(sql[k]) {
					for k < len(sql) && isDigit(sql[k]) {
						k++
					}
					j = k
				}
			}
			toks = append(toks, token{tNumber, sql[i:j], i})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(sql) && isIdentByte(sql[j]) {
				j++
			}
			toks = append(toks, token{tIdent, strings.ToLower(sql[i:j]), i})
			i = j
		default:
			matched := ""
			for _, op := range operators {
				if strings.HasPrefix(sql[i:], op) {
					matched = op
					break
				}
			}
			if matched == "" {
				return nil, syntaxErr(sql, i, "syntax error at or near %q", string(c))
			}
			toks = append(toks, token{tOp, matched, i})
			i += len(matched)
		}
	}
	toks = append(toks, token{kind: tEOF, pos: len(sql)})
	return toks, nil
}

// scanString reads the literal whose opening quote is at i; escapes enables E” backslash
// escapes. Adjacent literals separated by a newline are not joined (clients do not send them).
func scanString(sql string, i int, escapes bool) (string, int, error) {
	var b strings.Builder
	j := i + 1
	for {
		if j >= len(sql) {
			return "", 0, syntaxErr(sql, i, "unterminated quoted string")
		}
		c := sql[j]
		switch {
		case c == '\'':
			if j+1 < len(sql) && sql[j+1] == '\'' {
				b.WriteByte('\'')
				j += 2
				continue
			}
			return b.String(), j + 1, nil
		case c == '\\' && escapes && j+1 < len(sql):
			j++
			switch e := sql[j]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			default:
				b.WriteByte(e)
			}
			j++
		default:
			b.WriteByte(c)
			j++
		}
	}
}

// syntaxErr is a 42601 error at byte offset off of sql.
func syntaxErr(sql string, off int, format string, args ...any) *types.Error {
	return types.ErrorAt(types.CodeSyntaxError, position(sql, off), format, args...)
}

func position(sql string, off int) types.Position {
	off = max(0, min(off, len(sql)))
	line := 1 + strings.Count(sql[:off], "\n")
	col := off - strings.LastIndex(sql[:off], "\n")
	return types.Position{Offset: off, Line: line, Column: col}
}
