package pgcatalog

import "strings"

// Route says who answers a statement.
type Route int

const (
	// RouteEngine: streamsql's own SQL (ksqlDB statements, queries over streams and tables).
	RouteEngine Route = iota
	// RouteCatalog: a query over pg_catalog / information_schema, or a SELECT without FROM.
	RouteCatalog
	// RouteSession: SET, SHOW, RESET, transaction control, DISCARD, DEALLOCATE, LISTEN ...
	RouteSession
	// RouteEmpty: only whitespace, comments and semicolons.
	RouteEmpty
	// RouteCursor: DECLARE ... CURSOR, FETCH, MOVE, CLOSE (cursors are the wire's).
	RouteCursor
	// RouteCopyIn: COPY ... FROM STDIN (bulk ingest, run by the wire as INSERTs).
	RouteCopyIn
)

// Stmt is one statement of a query string.
type Stmt struct {
	Text   string
	Offset int // byte offset of Text in the query string
}

// SplitStatements splits a query string on the semicolons outside literals, quoted
// identifiers (" and ksqlDB's `) and comments. Each statement keeps its text without the
// semicolon; statements holding only whitespace and comments are dropped.
func SplitStatements(sql string) []Stmt {
	var out []Stmt
	start := 0
	add := func(end int) {
		text := sql[start:end]
		if isBlank(text) {
			return
		}
		trimmed := strings.TrimLeft(text, " \t\r\n\f\v")
		out = append(out, Stmt{Text: strings.TrimRight(trimmed, " \t\r\n\f\v"), Offset: start + len(text) - len(trimmed)})
	}
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ';':
			add(i)
			i++
			start = i
		case c == '\'':
			escapes := i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e') && (i < 2 || !isIdentByte(sql[i-2]))
			i = skipQuoted(sql, i, '\'', escapes)
		case c == '"' || c == '`':
			i = skipQuoted(sql, i, c, false)
		case strings.HasPrefix(sql[i:], "--"), strings.HasPrefix(sql[i:], "/*"):
			i = skipComment(sql, i)
		case c == '$' && (i == 0 || !isIdentByte(sql[i-1])):
			if tag := dollarTag(sql, i); tag != "" {
				end := strings.Index(sql[i+len(tag):], tag)
				if end < 0 {
					i = len(sql)
				} else {
					i += 2*len(tag) + end
				}
				continue
			}
			i++
		default:
			i++
		}
	}
	add(len(sql))
	return out
}

func isBlank(s string) bool {
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ';':
			i++
		case strings.HasPrefix(s[i:], "--"), strings.HasPrefix(s[i:], "/*"):
			i = skipComment(s, i)
		default:
			return false
		}
	}
	return true
}

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

func dollarTag(sql string, i int) string {
	j := i + 1
	if j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
		return ""
	}
	for j < len(sql) && sql[j] != '$' {
		if !isIdentByte(sql[j]) {
			return ""
		}
		j++
	}
	if j >= len(sql) {
		return ""
	}
	return sql[i : j+1]
}

// ksqlShow are the SHOW / LIST forms that belong to ksqlDB.
var ksqlShow = map[string]bool{
	"streams": true, "tables": true, "queries": true, "topics": true, "properties": true, "functions": true,
	"types": true, "variables": true, "connectors": true, "sink": true, "source": true, "extended": true,
}

// sessionVerbs start the statements the session handler answers.
var sessionVerbs = map[string]bool{
	"begin": true, "start": true, "commit": true, "end": true, "rollback": true, "abort": true, "savepoint": true,
	"release": true, "discard": true, "deallocate": true, "listen": true, "unlisten": true, "notify": true,
	"reset": true, "set": true, "show": true,
}

// cursorVerbs start the cursor statements; queryVerbs (and "(") the queries that may read the
// catalog. With "copy" and sessionVerbs they are every first word Classify routes anywhere
// but the engine.
var (
	cursorVerbs = map[string]bool{"declare": true, "fetch": true, "move": true, "close": true}
	queryVerbs  = map[string]bool{"select": true, "with": true, "values": true, "table": true}
)

// Classify decides who answers one statement (as split by SplitStatements).
func Classify(sql string) Route {
	if isBlank(sql) {
		return RouteEmpty
	}
	// Most statements (INSERT, CREATE, DROP ...) are the engine's by their first word; lexing
	// the rest of an INSERT only to find that cost a tenth of the INSERT path's CPU.
	if head, err := lexUpTo(sql, 1); err != nil || !mayRouteElsewhere(head[0]) {
		return RouteEngine
	}
	return classifyLexed(sql)
}

// classifyLexed is Classify from all of the tokens of sql, which is not blank.
func classifyLexed(sql string) Route {
	toks, err := lex(sql)
	if err != nil || len(toks) == 0 {
		return RouteEngine
	}
	first := toks[0]
	if first.kind != tIdent && !first.isOp("(") {
		return RouteEngine
	}
	next := func(i int) token {
		if i < len(toks) {
			return toks[i]
		}
		return token{kind: tEOF}
	}
	if cursorVerbs[first.val] {
		return RouteCursor
	}
	if first.val == "copy" {
		for i := 1; i+1 < len(toks); i++ {
			if toks[i].is("to") {
				break
			}
			if toks[i].is("from") && toks[i+1].is("stdin") {
				return RouteCopyIn
			}
		}
	}
	if sessionVerbs[first.val] {
		switch first.val {
		case "set":
			if next(1).kind == tString {
				return RouteEngine // ksqlDB: SET 'auto.offset.reset' = 'earliest'
			}
		case "show":
			if n := next(1); n.kind == tIdent && (ksqlShow[n.val] || n.val == "all" && next(2).is("topics")) {
				return RouteEngine
			}
		case "start":
			if !next(1).is("transaction") {
				return RouteEngine
			}
		}
		return RouteSession
	}
	if !queryVerbs[first.val] && !first.isOp("(") {
		return RouteEngine
	}
	depth, topFrom := 0, false
	for i, t := range toks {
		switch {
		case t.isOp("("):
			depth++
		case t.isOp(")"):
			depth--
		case t.is("from") && depth == 0:
			topFrom = true
		case t.is("emit") && depth == 0:
			return RouteEngine
		case (t.is("pg_catalog") || t.is("information_schema")) && next(i+1).isOp("."):
			if IsCatalogRelation(t.val, next(i+2).val) || next(i+2).kind == tIdent && strings.HasPrefix(next(i+2).val, "pg_") {
				return RouteCatalog
			}
		case t.kind == tIdent && sysByShortName[t.val] != nil && i > 0:
			if p := toks[i-1]; p.is("from") || p.is("join") || p.isOp(",") && inFromList(toks, i) {
				return RouteCatalog
			}
		}
	}
	if !topFrom && first.val != "table" {
		if q, err := Parse(sql); err == nil && selfContained(q) {
			return RouteCatalog
		}
	}
	return RouteEngine
}

// mayRouteElsewhere reports whether a statement starting with first can be routed anywhere
// but the engine: what Classify looks further at.
func mayRouteElsewhere(first token) bool {
	if first.isOp("(") {
		return true
	}
	v := first.val
	return first.kind == tIdent && (cursorVerbs[v] || queryVerbs[v] || sessionVerbs[v] || v == "copy")
}

// selfContained reports whether a query without FROM uses only what the catalog evaluator
// knows: no column references and only its own functions.
func selfContained(q *Query) bool {
	ok := true
	var visitQuery func(q *Query)
	visitExpr := func(e Expr) {
		walkExpr(e, func(x Expr) bool {
			switch n := x.(type) {
			case *ColRef:
				if len(n.Parts) != 1 || !niladic[n.Parts[0]] {
					ok = false
				}
			case *FuncCall:
				if builtins[n.Name] == nil && srfs[n.Name] == nil && !aggregates[n.Name] && !windowFuncs[n.Name] {
					ok = false
				}
			case *SubqueryExpr:
				visitQuery(n.Sub)
			case *ExistsExpr:
				visitQuery(n.Sub)
			case *ArraySubquery:
				visitQuery(n.Sub)
			case *InExpr:
				if n.Sub != nil {
					visitQuery(n.Sub)
				}
			case *QuantExpr:
				if n.Sub != nil {
					visitQuery(n.Sub)
				}
			}
			return ok
		})
	}
	var visitBody func(b QueryBody)
	visitBody = func(b QueryBody) {
		switch x := b.(type) {
		case *Select:
			if len(x.From) > 0 {
				ok = false // a FROM below the top level names something: leave it to the engine
			}
			for _, it := range x.Items {
				visitExpr(it.X)
			}
			visitExpr(x.Where)
			visitExpr(x.Having)
		case *SetOp:
			visitBody(x.L)
			visitBody(x.R)
		case *Values:
			for _, r := range x.Rows {
				for _, e := range r {
					visitExpr(e)
				}
			}
		case *Query:
			visitQuery(x)
		}
	}
	visitQuery = func(q *Query) {
		if len(q.With) > 0 {
			ok = false
		}
		visitBody(q.Body)
	}
	visitQuery(q)
	return ok
}

// inFromList reports whether the comma before toks[i] belongs to a FROM list: the nearest
// FROM or SELECT keyword before it at the same nesting is FROM.
func inFromList(toks []token, i int) bool {
	depth := 0
	for j := i - 1; j >= 0; j-- {
		t := toks[j]
		switch {
		case t.isOp(")"):
			depth++
		case t.isOp("("):
			if depth == 0 {
				return false
			}
			depth--
		case depth == 0 && t.is("from"):
			return true
		case depth == 0 && (t.is("select") || t.is("where") || t.is("on")):
			return false
		}
	}
	return false
}
