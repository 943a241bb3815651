package parser

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// The rewrite turns a query's tokens into MySQL text that TiDB parses with ANSI_QUOTES and
// PIPES_AS_CONCAT, replacing what MySQL lacks by calls of reserved pseudo-functions that
// convert.go turns back into our nodes:
//
//	x::T, CAST(x AS T)        __ssql_cast(x, n)          n indexes rewriter.types (we parse T)
//	$n, ?                     __ssql_param(n)
//	a->f, (c).f, s->*         __ssql_deref(a, f), __ssql_structstar(s)
//	a[i]                      __ssql_sub(a, i)
//	ARRAY[..], ARRAY(query)   __ssql_array(..), __ssql_arraysub((query))
//	MAP(k := v), STRUCT(f := v)  __ssql_map(k, v), __ssql_struct(f, v)
//	(x, y) => body            __ssql_lambda(x, y, body)
//	a ~ b, a !~* b            a REGEXP b, a NOT REGEXP __ssql_icase(b)
//	a IS DISTINCT FROM b      a <=> __ssql_distinct(b)
//	= ANY(arr)                = __ssql_any(arr)
//	x COLLATE a.b             __ssql_collate(x, 'a.b')
//	EXTRACT(f FROM x)         __ssql_extract('F', x)
//	INTERVAL '1 day'          __ssql_interval('1 day', 'UNIT')
//	FULL JOIN, JOIN WITHIN    LEFT JOIN ... ON __ssql_join(n, cond)   n indexes rewriter.joins
//	e NULLS FIRST             __ssql_nulls(e, 1)
//	f(a) AS t(c) in FROM      (SELECT __ssql_tablefunc(f(a), c)) AS t
//
// Quoted identifiers are rendered in backticks with a leading '"' marker, so the converter can
// tell `"foo"` (exact) from `foo` (upper-cased); words TiDB reserves but Postgres and ksqlDB
// do not (KEY, TABLE, DELETE...) are rendered in backticks without the marker. String literals
// are re-rendered with '' escapes only (NO_BACKSLASH_ESCAPES), and the converter takes literal
// values and positions from our own tokens, found through the rendered offsets TiDB records.

const pseudo = "__ssql_"

// rtok is one token of the rewritten query: its rendered text and the source token it came
// from (for positions and literal values). Synthetic tokens point at the token that caused them.
type rtok struct {
	text  string
	kind  tokKind
	src   *token
	synth bool
	param int // for a `?` rendered for TiDB (LIMIT $n): the parameter number
}

func (t *rtok) isOp(op string) bool { return t.kind == tOp && t.text == op }
func (t *rtok) isWord(w string) bool {
	return t.kind == tWord && !t.synth && strings.EqualFold(t.text, w)
}

// checkJoins fails when a FULL JOIN or a WITHIN never met its ON condition.
func (r *rewriter) checkJoins() {
	for _, j := range r.metas {
		if !j.done {
			r.failf(j.tok, "FULL JOIN and JOIN ... WITHIN need an ON condition")
		}
	}
}

// requireOn fails when the join pending in f never got its ON or USING: Postgres and ksqlDB
// need one (TiDB would read a bare JOIN as a cross join).
func (r *rewriter) requireOn(f *frame) {
	if f.join != nil {
		r.failf(f.join.tok, "JOIN needs an ON or USING condition (or write CROSS JOIN)")
	}
}

// typeInfo is a type a __ssql_cast refers to.
type typeInfo struct {
	t   types.Type
	ref *ast.TypeRef
}

// joinInfo is what the rewrite took off a join: FULL, WITHIN.
type joinInfo struct {
	full   bool
	within *ast.Within
	tok    *token // the JOIN
	done   bool   // an ON took it
}

type rewriter struct {
	p     *parser
	types []typeInfo
	joins []joinInfo
	// derived holds the column aliases of derived tables, `(query) AS t (a, b)`, which TiDB
	// does not take; the converter matches them to the tables by alias, in order.
	derived []derivedCols
	metas   []*joinInfo // joins with FULL or WITHIN: each needs its ON
	qmarks  int
	out     []rtok
	sql     string
	offs    []int // rendered offset of each out token
}

type derivedCols struct {
	alias string // as TiDB will report it
	cols  []*token
	used  bool
}

// frame is the state of one parenthesis level while rewriting.
type frame struct {
	query      bool // a SELECT started at this level
	fromItem   bool // this parenthesis is a FROM item (a derived table or a join)
	inFrom     bool // inside its FROM clause
	join       *joinInfo
	pendFull   bool
	orderMode  bool
	orderStart int
}

func (r *rewriter) fail(t *token, expected string) { r.p.fail(t, expected) }

func (r *rewriter) failf(t *token, format string, args ...any) { r.p.failf(t, format, args...) }

// emitSrc renders a source token.
func emitSrc(t *token) rtok {
	switch t.kind {
	case tString:
		return rtok{text: quoteSQLString(t.val), kind: tString, src: t}
	case tQIdent:
		return rtok{text: "`\"" + strings.ReplaceAll(t.val, "`", "``") + "`", kind: tQIdent, src: t}
	case tNumber:
		// TiDB misreads `0. AS x`; the value comes from our token anyway.
		if i := strings.IndexByte(t.text, '.'); i >= 0 && (i+1 == len(t.text) || !isDigit(t.text[i+1])) {
			return rtok{text: t.text[:i+1] + "0" + t.text[i+1:], kind: tNumber, src: t}
		}
	}
	return rtok{text: t.text, kind: t.kind, src: t}
}

func quoteSQLString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// backtick renders a word as a backticked identifier without the quoted marker: TiDB reserves
// it, but for us it is an ordinary (case-folded) name.
func backtick(t *token) rtok {
	return rtok{text: "`" + t.text + "`", kind: tWord, src: t}
}

func synth(text string, kind tokKind, at *token) rtok {
	return rtok{text: text, kind: kind, src: at, synth: true}
}

// call renders name(args[0], args[1], ...), each argument a token list.
func call(name string, at *token, args ...[]rtok) []rtok {
	out := []rtok{synth(pseudo+name, tWord, at), synth("(", tOp, at)}
	for i, a := range args {
		if i > 0 {
			out = append(out, synth(",", tOp, at))
		}
		out = append(out, a...)
	}
	return append(out, synth(")", tOp, at))
}

func intArg(n int, at *token) []rtok { return []rtok{synth(strconv.Itoa(n), tNumber, at)} }

func strArg(s string, at *token) []rtok { return []rtok{synth(quoteSQLString(s), tString, at)} }

// identArg renders an identifier token as a one-token argument (a column reference for TiDB).
func identArg(t *token) []rtok {
	if t.kind == tWord {
		return []rtok{backtick(t)}
	}
	return []rtok{emitSrc(t)}
}

// operator words never name a function, so `AND (x)::int` casts the parenthesis alone.
var nonFuncWords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IN": true, "IS": true, "LIKE": true, "ILIKE": true,
	"BETWEEN": true, "WHEN": true, "THEN": true, "ELSE": true, "CASE": true, "SELECT": true,
	"WHERE": true, "ON": true, "FROM": true, "BY": true, "AS": true, "EXISTS": true, "ANY": true,
	"ALL": true, "SOME": true, "DISTINCT": true, "HAVING": true, "JOIN": true, "USING": true,
	"OVER": true, "VALUES": true, "RETURN": true, "LIMIT": true, "OFFSET": true, "UNION": true,
	"EXCEPT": true, "INTERSECT": true, "WITH": true, "REGEXP": true, "ESCAPE": true, "DIV": true,
	"MOD": true, "XOR": true, "END": true, "LATERAL": true, "RLIKE": true,
}

// endsOperand reports whether t can end an operand, so that `~` after it is binary.
func endsOperand(t *rtok) bool {
	switch t.kind {
	case tString, tNumber, tBytes, tQIdent, tParam:
		return true
	case tWord:
		if t.synth {
			return strings.HasPrefix(t.text, pseudo)
		}
		w := strings.ToUpper(t.text)
		return !syntaxWords[w] && !nonFuncWords[w] || w == "END" || w == "NULL" || w == "TRUE" || w == "FALSE" || w == "UNKNOWN"
	case tOp:
		return t.text == ")" || t.text == "]"
	}
	return false
}

func isNameTok(t *rtok) bool { return t.kind == tWord || t.kind == tQIdent }

// isFuncName reports whether t, followed by `(`, calls a function (and is not a keyword such
// as IN or SELECT).
func isFuncName(t *rtok) bool {
	switch {
	case t.kind == tQIdent:
		return true
	case t.kind != tWord:
		return false
	case t.synth:
		return strings.HasPrefix(t.text, pseudo)
	}
	w := strings.ToUpper(t.text)
	return !syntaxWords[w] && !nonFuncWords[w] || specialFuncs[w] || w == "ROW"
}

// primaryStart returns the index in out where the operand ending out is: a name chain, a
// literal, a call, a parenthesis, or CASE ... END. -1 when out does not end with one.
func primaryStart(out []rtok) int {
	n := len(out)
	if n == 0 {
		return -1
	}
	j := n - 1
	last := &out[j]
	switch {
	case last.isOp(")") || last.isOp("]"):
		depth := 0
		for ; j >= 0; j-- {
			if out[j].isOp(")") || out[j].isOp("]") {
				depth++
			} else if out[j].isOp("(") || out[j].isOp("[") {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if j < 0 {
			return -1
		}
		if j > 0 && isFuncName(&out[j-1]) {
			j--
		} else {
			return j
		}
	case last.isWord("END"):
		depth := 0
		for ; j >= 0; j-- {
			if out[j].isWord("END") {
				depth++
			} else if out[j].isWord("CASE") {
				depth--
				if depth == 0 {
					return j
				}
			}
		}
		return -1
	case isNameTok(last):
	case last.kind == tString || last.kind == tNumber || last.kind == tBytes:
		return j
	default:
		return -1
	}
	for j >= 2 && out[j-1].isOp(".") && isNameTok(&out[j-2]) {
		j -= 2
	}
	return j
}

// operandStart returns where the operand ending out starts, failing at t when there is none.
func (r *rewriter) operandStart(out []rtok, t *token) int {
	j := primaryStart(out)
	if j < 0 {
		r.fail(t, "an operand before "+strconv.Quote(t.text))
	}
	return j
}

// wrap turns the operand out[j:] into __ssql_name(operand, args...) in place: postfix chains
// (a->b->c, x::a::b) would copy the growing operand at every step otherwise.
func wrap(out *[]rtok, j int, name string, args ...[]rtok) {
	o := *out
	at := o[j].src
	n := len(o) - j
	o = append(o, rtok{}, rtok{})
	copy(o[j+2:], o[j:j+n])
	o[j], o[j+1] = synth(pseudo+name, tWord, at), synth("(", tOp, at)
	for _, a := range args {
		o = append(o, synth(",", tOp, at))
		o = append(o, a...)
	}
	*out = append(o, synth(")", tOp, at))
}

// parseType reads a type at toks[i:] and returns its index in r.types and the tokens used.
func (r *rewriter) parseType(toks []token, i int) (int, int) {
	sp := r.p.sub(toks, i)
	t, ref := sp.dataType()
	r.types = append(r.types, typeInfo{t: t, ref: ref})
	return len(r.types) - 1, sp.i
}

// argEnd returns the end of the argument starting at i: the next `,`, `)` or `]` at depth 0.
func argEnd(toks []token, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		t := &toks[j]
		if t.kind != tOp {
			continue
		}
		switch t.text {
		case "(", "[":
			depth++
		case ")", "]":
			if depth == 0 {
				return j
			}
			depth--
		case ",":
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks)
}

// splitArgs splits toks at top-level commas.
func splitArgs(toks []token) [][]token {
	var parts [][]token
	for i := 0; i <= len(toks); {
		j := argEnd(toks, i)
		parts = append(parts, toks[i:j])
		if j >= len(toks) || toks[j].text != "," {
			break
		}
		i = j + 1
	}
	return parts
}

// operandEnd returns the end of the arithmetic operand starting at i (for the right side of
// ~* and IS DISTINCT FROM): signed primaries with postfix operators, joined by arithmetic.
func (r *rewriter) operandEnd(toks []token, i int) int {
	j := i
	for {
		for j < len(toks) && (toks[j].isOp("-") || toks[j].isOp("+")) {
			j++
		}
		if j >= len(toks) {
			return j
		}
		t := &toks[j]
		switch {
		case t.isOp("("):
			if j = matchClose(toks, j); j < 0 {
				return len(toks)
			}
			j++
		case t.is("CASE"):
			depth := 0
			for ; j < len(toks); j++ {
				if toks[j].is("CASE") {
					depth++
				} else if toks[j].is("END") {
					if depth--; depth == 0 {
						break
					}
				}
			}
			if j >= len(toks) {
				return len(toks)
			}
			j++
		case t.kind == tWord || t.kind == tQIdent:
			j++
			for j+1 < len(toks) && toks[j].isOp(".") && (toks[j+1].kind == tWord || toks[j+1].kind == tQIdent) {
				j += 2
			}
			if j < len(toks) && (toks[j].isOp("(") || toks[j].isOp("[")) && toks[j-1].is("ARRAY") || j < len(toks) && toks[j].isOp("(") {
				if j = matchClose(toks, j); j < 0 {
					return len(toks)
				}
				j++
			}
		case t.kind == tString || t.kind == tNumber || t.kind == tBytes || t.kind == tParam || t.isOp("?"):
			j++
		default:
			return j
		}
		for j < len(toks) {
			switch {
			case toks[j].isOp("["):
				if j = matchClose(toks, j); j < 0 {
					return len(toks)
				}
				j++
				continue
			case toks[j].isOp("::"):
				_, n := r.parseType(toks, j+1)
				r.types = r.types[:len(r.types)-1]
				j += 1 + n
				continue
			case (toks[j].isOp("->") || toks[j].isOp(".")) && j+1 < len(toks):
				j += 2
				continue
			}
			break
		}
		if j < len(toks) && toks[j].kind == tOp && strings.Contains(" + - * / % || & | ^ << >> ", " "+toks[j].text+" ") {
			j++
			continue
		}
		return j
	}
}

// clauseWords end a JOIN's ON condition (and ksqlDB's PARTITION BY).
var clauseWords = map[string]bool{
	"JOIN": true, "INNER": true, "LEFT": true, "RIGHT": true, "FULL": true, "CROSS": true,
	"NATURAL": true, "STRAIGHT_JOIN": true, "WHERE": true, "GROUP": true, "HAVING": true,
	"WINDOW": true, "ORDER": true, "LIMIT": true, "OFFSET": true, "UNION": true, "EXCEPT": true,
	"INTERSECT": true, "EMIT": true, "PARTITION": true, "ON": true, "USING": true, "FETCH": true,
}

// clauseEnd returns where a clause starting at i ends: the next clause word, `,`, `)` or `;` at
// depth 0. LEFT( and RIGHT( are functions, not joins.
func clauseEnd(toks []token, i int, stopAtComma bool) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		t := &toks[j]
		switch {
		case t.isOp("(") || t.isOp("["):
			depth++
		case t.isOp(")") || t.isOp("]"):
			if depth == 0 {
				return j
			}
			depth--
		case depth > 0:
		case t.isOp(";") || stopAtComma && t.isOp(","):
			return j
		case t.kind == tWord && clauseWords[t.upper()] &&
			!((t.is("LEFT") || t.is("RIGHT")) && j+1 < len(toks) && toks[j+1].isOp("(")):
			return j
		}
	}
	return len(toks)
}
