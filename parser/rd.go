package parser

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// parser is the recursive-descent cursor over one statement's tokens. Errors panic with a
// bailout, recovered where a statement's parse starts, so that the grammar code reads straight.
type parser struct {
	src  string // the whole script: token offsets point into it
	toks []token
	i    int
	eof  token
	// halfShift is set when one `>` of a `>>` token (ARRAY<ARRAY<INT>>) has been read.
	halfShift bool
}

func newParser(src string, toks []token) *parser {
	p := &parser{src: src, toks: toks}
	end := 0
	if len(toks) > 0 {
		end = toks[len(toks)-1].end
	}
	p.eof = token{kind: tEOF, off: end, end: end, pos: posOf(src, end)}
	return p
}

// sub returns a parser over toks[i:] (a range of this statement's tokens) whose end reads as
// the token that follows the range, so that "expected a type" points at the `)` of
// CAST(x AS ), not at the start of the statement.
func (p *parser) sub(toks []token, i int) *parser {
	sp := newParser(p.src, toks[i:])
	sp.eof = p.eof
	if len(toks) > 0 {
		end := toks[len(toks)-1].end
		for j := range p.toks {
			if p.toks[j].off >= end {
				sp.eof = p.toks[j]
				break
			}
		}
	}
	return sp
}

func (p *parser) peek() *token { return p.peekAt(0) }

func (p *parser) peekAt(n int) *token {
	if p.i+n < len(p.toks) && p.i+n >= 0 {
		return &p.toks[p.i+n]
	}
	return &p.eof
}

func (p *parser) next() *token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *parser) atEOF() bool { return p.i >= len(p.toks) }

// isWord reports whether the next tokens are the words ws.
func (p *parser) isWord(ws ...string) bool {
	for k, w := range ws {
		if !p.peekAt(k).is(w) {
			return false
		}
	}
	return true
}

// acceptWord consumes the words ws if they come next.
func (p *parser) acceptWord(ws ...string) bool {
	if !p.isWord(ws...) {
		return false
	}
	p.i += len(ws)
	return true
}

func (p *parser) expectWord(ws ...string) {
	for _, w := range ws {
		if !p.peek().is(w) {
			p.fail(p.peek(), w)
		}
		p.next()
	}
}

func (p *parser) isOp(op string) bool { return p.peek().isOp(op) }

func (p *parser) acceptOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectOp(op string) *token {
	if !p.isOp(op) {
		p.fail(p.peek(), strconv.Quote(op))
	}
	return p.next()
}

// fail stops the parse with "syntax error at or near t: expected ...".
func (p *parser) fail(t *token, expected string) {
	panic(bailout{syntaxErr(t.pos, "%s", nearMsg(t, expected))})
}

func (p *parser) failf(t *token, format string, args ...any) {
	panic(bailout{syntaxErr(t.pos, format, args...)})
}

func (p *parser) expectEnd() {
	if !p.atEOF() {
		p.fail(p.peek(), "end of statement")
	}
}

// identFrom makes an Ident from a word (upper-cased, as ksqlDB does) or a quoted identifier.
func identFrom(t *token) ast.Ident {
	if t.kind == tQIdent {
		return ast.Ident{Name: t.val, Quoted: true, Pos: t.pos}
	}
	return ast.Ident{Name: strings.ToUpper(t.text), Pos: t.pos}
}

func (p *parser) isIdent() bool {
	k := p.peek().kind
	return k == tWord || k == tQIdent
}

// ident reads an identifier; what names it in the error message.
func (p *parser) ident(what string) ast.Ident {
	if !p.isIdent() {
		p.fail(p.peek(), what)
	}
	return identFrom(p.next())
}

// integer reads an unsigned integer literal.
func (p *parser) integer(what string) int64 {
	t := p.peek()
	if t.kind != tNumber {
		p.fail(t, what)
	}
	v, err := strconv.ParseInt(t.text, 10, 64)
	if err != nil {
		p.failf(t, "invalid %s %s: expected an integer", what, t.text)
	}
	p.next()
	return v
}

func (p *parser) stringLit(what string) string {
	t := p.peek()
	if t.kind != tString {
		p.fail(t, what)
	}
	p.next()
	return t.val
}

// literal reads a WITH property value: a string, a number (optionally signed), TRUE/FALSE or NULL.
func (p *parser) literal() *ast.Literal {
	t := p.peek()
	switch {
	case t.kind == tString:
		p.next()
		return &ast.Literal{ExprBase: ast.ExprBase{At: t.pos}, Kind: ast.StringLit, Text: t.val}
	case t.kind == tNumber:
		p.next()
		return numberLiteral(t.text, t.pos)
	case t.isOp("-") && p.peekAt(1).kind == tNumber:
		p.next()
		n := p.next()
		return numberLiteral("-"+n.text, t.pos)
	case t.is("TRUE") || t.is("FALSE"):
		p.next()
		return &ast.Literal{ExprBase: ast.ExprBase{At: t.pos}, Kind: ast.BoolLit, Bool: t.is("TRUE"), Text: t.upper()}
	case t.is("NULL"):
		p.next()
		return &ast.Literal{ExprBase: ast.ExprBase{At: t.pos}, Kind: ast.NullLit, Text: "NULL"}
	}
	p.fail(t, "a literal")
	return nil
}

// numberLiteral classifies a numeric literal the way ksqlDB does: an exponent makes a DOUBLE,
// a decimal point a DECIMAL with the written precision and scale, digits alone an INTEGER
// (INT when it fits 32 bits, else BIGINT, else DECIMAL).
func numberLiteral(text string, pos types.Position) *ast.Literal {
	l := &ast.Literal{ExprBase: ast.ExprBase{At: pos}, Text: text}
	digits := strings.TrimLeft(text, "+-")
	switch {
	case strings.ContainsAny(digits, "eE"):
		l.Kind = ast.DoubleLit
	case strings.Contains(digits, "."):
		l.Kind = ast.DecimalLit
		intPart, frac, _ := strings.Cut(digits, ".")
		l.Scale = len(frac)
		unscaled := strings.TrimLeft(intPart+frac, "0")
		l.Precision = max(len(unscaled), l.Scale, 1)
	default:
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			l.Kind = ast.DecimalLit
			l.Precision = max(len(strings.TrimLeft(digits, "0")), 1)
			return l
		}
		l.Kind = ast.IntegerLit
		l.Int = v
		l.FitsInt = v >= -1<<31 && v <= 1<<31-1
	}
	return l
}
