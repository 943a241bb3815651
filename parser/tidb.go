package parser

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	tidb "github.com/pingcap/tidb/pkg/parser"
	tast "github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver" // literal values for TiDB's AST

	"github.com/streamsql/streamsql/types"
)

// TiDB parsers are not safe for concurrent use and cost a few allocations to build; pool them.
var tidbPool = sync.Pool{New: func() any {
	p := tidb.New()
	// ANSI_QUOTES: "x" is an identifier. PIPES_AS_CONCAT: || concatenates.
	// NO_BACKSLASH_ESCAPES: strings are Postgres standard strings (we decode E'' ourselves).
	p.SetSQLMode(mysql.ModeANSIQuotes | mysql.ModePipesAsConcat | mysql.ModeNoBackslashEscapes)
	return p
}}

// render joins the rewritten tokens with single spaces and records where each one starts.
func (r *rewriter) render() {
	var b strings.Builder
	r.offs = make([]int, len(r.out))
	for i := range r.out {
		// MySQL reads `count (*)` as a column named count: no space before a call's
		// parenthesis, nor around the dots of qualified names.
		if i > 0 && !(r.out[i].isOp("(") && isNameTok(&r.out[i-1])) && !r.out[i].isOp(".") && !r.out[i-1].isOp(".") {
			b.WriteByte(' ')
		}
		r.offs[i] = b.Len()
		b.WriteString(r.out[i].text)
	}
	r.sql = b.String()
}

// at returns the rewritten token that starts at (or, failing that, contains) rendered offset
// off, or nil.
func (r *rewriter) at(off int) *rtok {
	i := sort.Search(len(r.offs), func(i int) bool { return r.offs[i] > off }) - 1
	if i < 0 {
		return nil
	}
	return &r.out[i]
}

// posAt maps a rendered offset to a position in the original text.
func (r *rewriter) posAt(off int) types.Position {
	if t := r.at(off); t != nil && t.src != nil {
		return t.src.pos
	}
	return r.p.eof.pos
}

// tidbParse hands the rendered query to TiDB. TiDB panics are caught and reported as syntax
// errors at the start of the query: nothing a client sends may crash the server.
func (r *rewriter) tidbParse(start *token) (stmt tast.StmtNode) {
	r.render()
	p := tidbPool.Get().(*tidb.Parser)
	defer func() {
		if e := recover(); e != nil {
			if b, ok := e.(bailout); ok {
				tidbPool.Put(p)
				panic(b)
			}
			// Drop the parser: its state is unknown after a panic.
			panic(bailout{syntaxErr(start.pos, "syntax error: the query could not be parsed (%v)", e)})
		}
		tidbPool.Put(p)
	}()
	stmts, _, err := p.Parse(r.sql, "", "")
	if err != nil {
		panic(bailout{r.mapError(err, start)})
	}
	if len(stmts) != 1 {
		panic(bailout{syntaxErr(start.pos, "syntax error: expected one query")})
	}
	return stmts[0]
}

// mapError turns a TiDB error into ours, pointing at the original token TiDB stopped at.
// TiDB reports `line L column C near "rest of input"`; the rest of the input tells us the
// rendered offset exactly, which maps back through the rewrite.
func (r *rewriter) mapError(err error, start *token) *types.Error {
	if e := doubleOverflow(r.p.toks); e != nil {
		return e
	}
	msg := err.Error()
	near := strings.Index(msg, "near \"")
	if near < 0 {
		return syntaxErr(start.pos, "syntax error: %s", cleanTiDBMessage(msg))
	}
	// The message is `near "<rest of input>" ` with the rest cut at 2048 bytes and then
	// followed by `(total length N)`: either way the length of the rest gives the offset.
	rest := strings.TrimRight(msg[near+len("near \""):], " ")
	off := -1
	if k := strings.LastIndex(rest, "(total length "); k >= 0 && strings.HasSuffix(rest, ")") {
		if n, err := strconv.Atoi(rest[k+len("(total length ") : len(rest)-1]); err == nil && n <= len(r.sql) {
			off = len(r.sql) - n
		}
	} else if strings.HasSuffix(rest, `"`) {
		off = len(r.sql) - (len(rest) - 1)
	}
	if off >= 0 && !strings.HasPrefix(rest, r.sql[off:min(len(r.sql), off+2048)]) {
		off = -1
	}
	if off < 0 {
		return syntaxErr(start.pos, "syntax error: %s", cleanTiDBMessage(msg))
	}
	if off >= len(r.sql) {
		return syntaxErr(r.p.eof.pos, "syntax error at end of input")
	}
	i := r.idx(off)
	if i < 0 || r.out[i].src == nil {
		return syntaxErr(start.pos, "syntax error: %s", cleanTiDBMessage(msg))
	}
	if !r.out[i].synth {
		return syntaxErr(r.out[i].src.pos, "%s", nearMsg(r.out[i].src, ""))
	}
	// TiDB stopped at a token the rewrite made (the ")" closing __ssql_cast(a +): blame the
	// user's token that follows the last one TiDB accepted.
	for k := i - 1; k >= 0; k-- {
		if r.out[k].synth || r.out[k].src == nil {
			continue
		}
		end := r.out[k].src.end
		for j := range r.p.toks {
			if t := &r.p.toks[j]; t.off >= end {
				return syntaxErr(t.pos, "%s", nearMsg(t, ""))
			}
		}
		return syntaxErr(r.p.eof.pos, "syntax error at end of input")
	}
	return syntaxErr(r.out[i].src.pos, "%s", nearMsg(r.out[i].src, ""))
}

// cleanTiDBMessage drops MySQL's boilerplate from a TiDB error.
// doubleOverflow finds a DOUBLE literal beyond the range of a double (TiDB rejects it with an
// "Illegal double" error) and words the error as ksqlDB does, with the sign of a negated
// literal: "Number overflows DOUBLE: -1.8E308".
func doubleOverflow(toks []token) *types.Error {
	for i := range toks {
		t := &toks[i]
		if t.kind != tNumber || !strings.ContainsAny(t.text, "eE") {
			continue
		}
		if _, err := strconv.ParseFloat(t.text, 64); err == nil {
			continue
		}
		text, pos := t.text, t.pos
		if i > 0 && toks[i-1].isOp("-") && (i == 1 || !isOperand(&toks[i-2])) {
			text, pos = "-"+text, toks[i-1].pos
		}
		return syntaxErr(pos, "Number overflows DOUBLE: %s", text)
	}
	return nil
}

// isOperand reports whether a "-" after t is a binary minus.
func isOperand(t *token) bool {
	switch t.kind {
	case tNumber, tString, tBytes:
		return true
	case tOp:
		return t.text == ")" || t.text == "]"
	case tWord:
		return !t.is("SELECT") && !t.is("AND") && !t.is("OR") && !t.is("NOT") && !t.is("WHEN") &&
			!t.is("THEN") && !t.is("ELSE") && !t.is("WHERE") && !t.is("BETWEEN") && !t.is("IN") &&
			!t.is("IS") && !t.is("LIKE") && !t.is("CASE") && !t.is("VALUES") && !t.is("HAVING") &&
			!t.is("ON") && !t.is("BY")
	}
	return true
}

func cleanTiDBMessage(msg string) string {
	if i := strings.Index(msg, "to use "); i >= 0 {
		msg = msg[i+len("to use "):]
	}
	return strings.TrimSpace(msg)
}

// nodeErr is an error about a TiDB node at rendered offset off.
func (r *rewriter) nodeErr(off int, format string, args ...any) {
	panic(bailout{types.ErrorAt(types.CodeSyntaxError, r.posAt(off), format, args...)})
}

// unsupported reports syntax that parses but that streamsql does not handle.
func (r *rewriter) unsupported(off int, what string) {
	panic(bailout{types.ErrorAt(types.CodeFeatureNotSupported, r.posAt(off), "%s is not supported", what)})
}
