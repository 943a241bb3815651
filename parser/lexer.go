package parser

import (
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/streamsql/streamsql/types"
)

// tokKind classifies a token. Keywords are not a kind: ksqlDB and Postgres reserve different
// words, so each parser decides by context whether a word is a keyword.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tWord           // unquoted identifier or keyword
	tQIdent         // "quoted" or `quoted` identifier; val is the name
	tString         // '...', E'...', $tag$...$tag$; val is the value
	tNumber         // 12, 1.5, .5, 1e3
	tBytes          // X'0A1B'; val is the raw bytes
	tParam          // $1
	tOp             // punctuation and operators, including ( ) , ; ?
)

// token is one lexeme. off and end are byte offsets into the whole input, so a token keeps
// pointing at the user's text whatever we later rewrite.
type token struct {
	kind tokKind
	text string // the source text
	val  string // decoded value for strings, quoted identifiers and bytes
	off  int
	end  int
	pos  types.Position
}

// is reports whether t is the word w (ASCII case-insensitive).
func (t *token) is(w string) bool { return t.kind == tWord && strings.EqualFold(t.text, w) }

// isOp reports whether t is the operator op.
func (t *token) isOp(op string) bool { return t.kind == tOp && t.text == op }

// upper returns the word upper-cased, or "" for non-words.
func (t *token) upper() string {
	if t.kind != tWord {
		return ""
	}
	return strings.ToUpper(t.text)
}

// lexer turns SQL into tokens with Postgres' lexical rules (which are also ksqlDB's, plus
// backtick identifiers).
type lexer struct {
	src       string
	i         int
	line      int
	lineStart int
	// colOff and col remember the last position asked for on the current line, so that
	// columns are counted incrementally: counting from the line's start for every token is
	// quadratic in a line's length (64 INSERTs on one line spent most of their time here).
	colOff, col int
	toks        []token
}

// multi-byte operators, longest first so that the first match is the longest.
var multiOps = []string{"!~*", "->>", "<=>", "::", ":=", "->", "=>", "<>", "!=", "<=", ">=", "||",
	"!~", "~*", "<<", ">>"}

const singleOps = "()[]{},;.+-*/%=<>~!@#&|^:?"

func lex(src string) ([]token, error) {
	l := &lexer{src: src, line: 1}
	// Statements run about four bytes per token; sizing the slice up front saves regrowing
	// it (an INSERT message of 64 statements regrew it eight times, 13 % of that path's
	// CPU). Capped so that a long string literal does not reserve room for tokens it lacks.
	l.toks = make([]token, 0, min(len(src)/4+8, 4096))
	for {
		if err := l.skipSpace(); err != nil {
			return nil, err
		}
		if l.i >= len(src) {
			return l.toks, nil
		}
		if err := l.next(); err != nil {
			return nil, err
		}
	}
}

// posAt returns the Position of byte offset off, which must not be before the current line.
func (l *lexer) posAt(off int) types.Position {
	if l.colOff < l.lineStart || l.colOff > off {
		l.colOff, l.col = l.lineStart, 0
	}
	l.col += utf8.RuneCountInString(l.src[l.colOff:off])
	l.colOff = off
	return types.Position{Offset: off, Line: l.line, Column: l.col + 1}
}

// advance moves to off, counting the newlines passed.
func (l *lexer) advance(off int) {
	for j := l.i; j < off; j++ {
		if l.src[j] == '\n' {
			l.line++
			l.lineStart = j + 1
		}
	}
	l.i = off
}

func (l *lexer) errorf(off int, format string, args ...any) error {
	return types.ErrorAt(types.CodeSyntaxError, posOf(l.src, off), format, args...)
}

func (l *lexer) skipSpace() error {
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.advance(l.i + 1)
		case c == '-' && strings.HasPrefix(l.src[l.i:], "--"):
			end := strings.IndexByte(l.src[l.i:], '\n')
			if end < 0 {
				l.advance(len(l.src))
			} else {
				l.advance(l.i + end + 1)
			}
		case c == '/' && strings.HasPrefix(l.src[l.i:], "/*"):
			// Postgres comments nest.
			start, depth, j := l.i, 0, l.i
			for {
				if j >= len(l.src) {
					return l.errorf(start, "unterminated /* comment")
				}
				if strings.HasPrefix(l.src[j:], "/*") {
					depth++
					j += 2
				} else if strings.HasPrefix(l.src[j:], "*/") {
					depth--
					j += 2
					if depth == 0 {
						break
					}
				} else {
					j++
				}
			}
			l.advance(j)
		default:
			return nil
		}
	}
	return nil
}

func isIdentStart(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80 && unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return isIdentStart(r) || r >= '0' && r <= '9' || r == '$' || r >= 0x80 && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (l *lexer) emit(kind tokKind, start, end int, val string) {
	l.toks = append(l.toks, token{kind: kind, text: l.src[start:end], val: val, off: start, end: end, pos: l.posAt(start)})
	l.advance(end)
}

func (l *lexer) next() error {
	s, start := l.src, l.i
	c := s[start]
	r, size := utf8.DecodeRuneInString(s[start:])
	switch {
	case c == '\'':
		return l.quoted(start, start, '\'', tString, false)
	case (c == 'e' || c == 'E') && start+1 < len(s) && s[start+1] == '\'':
		return l.quoted(start, start+1, '\'', tString, true)
	case (c == 'x' || c == 'X') && start+1 < len(s) && s[start+1] == '\'':
		return l.bytes(start)
	case (c == 'n' || c == 'N') && start+1 < len(s) && s[start+1] == '\'':
		return l.quoted(start, start+1, '\'', tString, false)
	case c == '"' || c == '`':
		return l.quoted(start, start, c, tQIdent, false)
	case c == '$':
		return l.dollar(start)
	case isDigit(c) || c == '.' && start+1 < len(s) && isDigit(s[start+1]) && !l.afterName():
		l.number(start)
		return nil
	case r == utf8.RuneError && size <= 1:
		return l.errorf(start, "invalid UTF-8 in statement")
	case isIdentStart(r):
		j := start + size
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !isIdentPart(r) {
				break
			}
			j += n
		}
		l.emit(tWord, start, j, "")
		return nil
	}
	for _, op := range multiOps {
		if strings.HasPrefix(s[start:], op) {
			l.emit(tOp, start, start+len(op), "")
			return nil
		}
	}
	if strings.IndexByte(singleOps, c) >= 0 {
		l.emit(tOp, start, start+1, "")
		return nil
	}
	return l.errorf(start, "syntax error at or near %q", string(r))
}

// quoted lexes a quote-delimited token whose opening quote is at q: doubled quotes stand for
// one; with escapes (E'...') backslash sequences are decoded too.
func (l *lexer) quoted(start, q int, quote byte, kind tokKind, escapes bool) error {
	s := l.src
	var b strings.Builder
	j := q + 1
	for {
		if j >= len(s) {
			if kind == tQIdent {
				return l.errorf(start, "unterminated quoted identifier")
			}
			return l.errorf(start, "unterminated quoted string")
		}
		c := s[j]
		switch {
		case c == quote && j+1 < len(s) && s[j+1] == quote:
			b.WriteByte(quote)
			j += 2
		case c == quote:
			if kind == tQIdent && b.Len() == 0 {
				return l.errorf(start, "zero-length delimited identifier")
			}
			val := b.String()
			if !utf8.ValidString(val) {
				return l.errorf(start, "invalid UTF-8 in literal")
			}
			l.emit(kind, start, j+1, val)
			return nil
		case c == '\\' && escapes && j+1 < len(s):
			n, err := unescape(s[j+1:], &b)
			if err != "" {
				return l.errorf(j, "%s", err)
			}
			j += 1 + n
		default:
			b.WriteByte(c)
			j++
		}
	}
}

// unescape decodes one backslash escape of an E'...' string (s starts after the backslash),
// writes it to b and returns how many bytes of s it used.
func unescape(s string, b *strings.Builder) (int, string) {
	switch s[0] {
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'x':
		n := 1
		for n < 3 && n < len(s) && isHex(s[n]) {
			n++
		}
		if n == 1 {
			b.WriteByte('x')
			return 1, ""
		}
		v, _ := strconv.ParseUint(s[1:n], 16, 8)
		b.WriteByte(byte(v))
		return n, ""
	case 'u', 'U':
		width := 4
		if s[0] == 'U' {
			width = 8
		}
		if len(s) < 1+width {
			return 0, "invalid Unicode escape"
		}
		v, err := strconv.ParseUint(s[1:1+width], 16, 32)
		if err != nil || !utf8.ValidRune(rune(v)) {
			return 0, "invalid Unicode escape"
		}
		b.WriteRune(rune(v))
		return 1 + width, ""
	default:
		if s[0] >= '0' && s[0] <= '7' {
			n := 1
			for n < 3 && n < len(s) && s[n] >= '0' && s[n] <= '7' {
				n++
			}
			v, _ := strconv.ParseUint(s[:n], 8, 16)
			b.WriteByte(byte(v))
			return n, ""
		}
		b.WriteByte(s[0]) // \\, \', and any other character stand for themselves
	}
	return 1, ""
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func (l *lexer) bytes(start int) error {
	end := strings.IndexByte(l.src[start+2:], '\'')
	if end < 0 {
		return l.errorf(start, "unterminated hexadecimal string")
	}
	digits := l.src[start+2 : start+2+end]
	v, err := hex.DecodeString(digits)
	if err != nil {
		return l.errorf(start, "invalid hexadecimal string %q", digits)
	}
	l.emit(tBytes, start, start+3+end, string(v))
	return nil
}

// dollar lexes $n parameters and $tag$...$tag$ strings.
func (l *lexer) dollar(start int) error {
	s := l.src
	j := start + 1
	if j < len(s) && isDigit(s[j]) {
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		l.emit(tParam, start, j, "")
		return nil
	}
	for j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		if !(isIdentStart(r) || j > start+1 && r >= '0' && r <= '9') {
			break
		}
		j += n
	}
	if j >= len(s) || s[j] != '$' {
		return l.errorf(start, "syntax error at or near \"$\"")
	}
	tag := s[start : j+1]
	end := strings.Index(s[j+1:], tag)
	if end < 0 {
		return l.errorf(start, "unterminated dollar-quoted string")
	}
	val := s[j+1 : j+1+end]
	l.emit(tString, start, j+1+end+len(tag), val)
	return nil
}

// afterName reports whether the last token is a name, so that `.` qualifies it (t.0a) rather
// than starting a number.
func (l *lexer) afterName() bool {
	if len(l.toks) == 0 {
		return false
	}
	t := &l.toks[len(l.toks)-1]
	return (t.kind == tWord || t.kind == tQIdent) && t.end == l.i
}

func (l *lexer) number(start int) {
	s := l.src
	j := start
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	// ksqlDB's DIGIT_IDENTIFIER: digits followed by letters (an alias such as 1R) is a name.
	if j > start && j < len(s) {
		if r, _ := utf8.DecodeRuneInString(s[j:]); isIdentStart(r) && !(r == 'e' || r == 'E') {
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if !isIdentPart(r) {
					break
				}
				j += n
			}
			l.emit(tWord, start, j, "")
			return
		}
	}
	if j < len(s) && s[j] == '.' && !(j+1 < len(s) && s[j+1] == '.') {
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	l.emit(tNumber, start, j, "")
}

// Chunk is one statement of a script: its text (from its first token to its last, without the
// terminating semicolon) and where it starts in the script.
type Chunk struct {
	Text string
	Pos  types.Position
	toks []token
}

// maxDepth bounds parenthesis nesting.
const maxDepth = 1000

// Split cuts a script into statements at semicolons outside quotes, comments and parentheses.
// Blank statements (`;;`, a comment alone) are dropped, so a script with no statement gives no
// chunks.
func Split(sql string) ([]Chunk, error) {
	toks, err := lex(sql)
	if err != nil {
		return nil, err
	}
	var chunks []Chunk
	depth, start := 0, 0
	flush := func(end int) {
		if end > start {
			ts := toks[start:end:end]
			chunks = append(chunks, Chunk{Text: sql[ts[0].off:ts[len(ts)-1].end], Pos: ts[0].pos, toks: ts})
		}
	}
	for i := range toks {
		t := &toks[i]
		switch {
		case t.isOp("(") || t.isOp("["):
			depth++
			if depth > maxDepth {
				// Deep nesting means deep recursion further on; refuse it here.
				return nil, types.ErrorAt(types.CodeProgramLimitExceeded, t.pos,
					"statement is nested too deeply (more than %d parentheses)", maxDepth)
			}
		case t.isOp(")") || t.isOp("]"):
			if depth > 0 {
				depth--
			}
		case t.isOp(";") && depth == 0:
			flush(i)
			start = i + 1
		}
	}
	flush(len(toks))
	return chunks, nil
}
