package parser

import (
	"strings"

	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// Parse parses a script of semicolon-separated statements. A script with no statement at all
// (blank, or only comments) gives one *ast.Empty. The first error stops the parse.
func Parse(sql string) ([]ast.Statement, error) {
	chunks, err := Split(sql)
	if err != nil {
		return nil, err
	}
	if len(chunks) == 0 {
		e := &ast.Empty{}
		e.SetSource(posOf(sql, 0), "")
		return []ast.Statement{e}, nil
	}
	stmts := make([]ast.Statement, 0, len(chunks))
	for _, c := range chunks {
		st, err := parseChunk(sql, c)
		if err != nil {
			return nil, withHint(sql, err)
		}
		stmts = append(stmts, st)
	}
	return stmts, nil
}

// ParseOne parses exactly one statement (a trailing semicolon is allowed).
func ParseOne(sql string) (ast.Statement, error) {
	chunks, err := Split(sql)
	if err != nil {
		return nil, err
	}
	switch len(chunks) {
	case 0:
		e := &ast.Empty{}
		e.SetSource(posOf(sql, 0), "")
		return e, nil
	case 1:
		st, err := parseChunk(sql, chunks[0])
		if err != nil {
			return nil, withHint(sql, err)
		}
		return st, nil
	}
	return nil, syntaxErr(chunks[1].Pos, "syntax error: expected one statement, found another at %s", chunks[1].Pos)
}

// debugPanics makes parseChunk re-panic on panics that are not parse errors, so that the fuzz
// test sees our bugs instead of their 42601 disguise.
var debugPanics = false

// ParseExpr parses one expression, such as a plan stores with ast.Format.
func ParseExpr(sql string) (e ast.Expr, err error) {
	toks, err := lex(sql)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, syntaxErr(posOf(sql, 0), "syntax error at end of input: expected an expression")
	}
	defer func() {
		if r := recover(); r != nil {
			e = nil
			if b, ok := r.(bailout); ok {
				err = b.err
				return
			}
			if debugPanics {
				panic(r)
			}
			err = syntaxErr(toks[0].pos, "syntax error: the expression could not be parsed (internal error: %v)", r)
		}
	}()
	p := newParser(sql, toks)
	list := p.exprList(toks, &toks[0])
	if len(list) != 1 {
		return nil, syntaxErr(toks[0].pos, "syntax error: expected one expression, found %d", len(list))
	}
	return list[0], nil
}

// parseChunk parses one statement. It is the boundary where panics stop: our own bailouts
// become their error, anything else (a bug, or TiDB misbehaving) a syntax error at the
// statement, so that no input can crash the caller.
func parseChunk(src string, c Chunk) (st ast.Statement, err error) {
	defer func() {
		if e := recover(); e != nil {
			st = nil
			if b, ok := e.(bailout); ok {
				err = b.err
				// ksqlDB's grammar errors quote the statement they are about.
				if te, ok := err.(*types.Error); ok && strings.HasPrefix(te.Message, "Syntax Error") {
					c2 := *te
					c2.Message += "\nStatement: " + strings.TrimSuffix(strings.TrimSpace(c.Text), ";") + ";"
					err = &c2
				}
				return
			}
			if debugPanics {
				panic(e)
			}
			err = syntaxErr(c.Pos, "syntax error: the statement could not be parsed (internal error: %v)", e)
		}
	}()
	p := newParser(src, c.toks)
	st = p.statement()
	setSource(st, c.Pos, c.Text)
	return st, nil
}

// setSource fills a statement's start and text.
func setSource(st ast.Statement, pos types.Position, text string) {
	if s, ok := st.(interface {
		SetSource(types.Position, string)
	}); ok {
		s.SetSource(pos, text)
	}
}

// statement dispatches on the first words: session statements and ksqlDB statements have
// their own grammars; queries go through TiDB.
func (p *parser) statement() ast.Statement {
	t := p.peek()
	if t.isOp("(") {
		return p.queryRest()
	}
	switch t.upper() {
	case "SELECT", "WITH":
		return p.queryRest()
	case "CREATE":
		return p.create()
	case "INSERT":
		return p.insert()
	case "DROP":
		return p.drop()
	case "ALTER":
		return p.alter()
	case "SHOW", "LIST":
		if p.isKsqlShow() {
			return p.show()
		}
		return p.showSession()
	case "DESCRIBE":
		return p.describe()
	case "TERMINATE":
		return p.terminate()
	case "EXPLAIN":
		return p.explain()
	case "PRINT":
		return p.print()
	case "SET":
		if p.peekAt(1).kind == tString {
			return p.setProperty()
		}
		return p.setSession()
	case "UNSET":
		return p.unsetProperty()
	case "RESET":
		return p.resetSession()
	case "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT":
		return p.transaction()
	case "DECLARE":
		return p.declare()
	case "FETCH", "MOVE":
		return p.fetch()
	case "CLOSE":
		return p.closeCursor()
	case "DISCARD":
		return p.discard()
	case "DEALLOCATE":
		return p.deallocate()
	case "LISTEN", "UNLISTEN":
		return p.listen()
	case "COPY":
		return p.copyStmt()
	case "SAVEPOINT", "RELEASE", "PREPARE", "EXECUTE":
		p.unsupported(t, strings.ToUpper(t.text)+" statements")
	}
	if t.kind == tWord {
		// ksqlDB's wording for a statement it does not know.
		p.failf(t, "Syntax Error\nUnknown statement '%s'", t.upper())
	}
	p.fail(t, "a statement")
	return nil
}

// copyStmt reads COPY table [(cols)] FROM STDIN | TO STDOUT [[WITH] options], and
// COPY (query) TO STDOUT [[WITH] options]. Options are `(name [value], ...)` or the legacy
// words (BINARY, CSV, HEADER, DELIMITER 'x', NULL 'x').
func (p *parser) copyStmt() ast.Statement {
	p.expectWord("COPY")
	st := &ast.Copy{Options: map[string]string{}}
	if p.isOp("(") {
		open := p.i
		end := p.matching(open)
		st.Query = p.queryTokens(p.toks[open+1 : end])
		p.i = end + 1
	} else {
		name := ast.QualifiedName{Name: p.ident("a table name")}
		if p.acceptOp(".") {
			s := name.Name
			name = ast.QualifiedName{Schema: &s, Name: p.ident("a table name")}
		}
		st.Table = &name
		if p.acceptOp("(") {
			for {
				st.Columns = append(st.Columns, p.ident("a column name"))
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
		}
	}
	switch {
	case p.acceptWord("FROM", "STDIN"):
		st.From = true
		if st.Query != nil {
			p.failf(p.peekAt(-2), "COPY (query) can only be TO STDOUT")
		}
	case p.acceptWord("TO", "STDOUT"):
	default:
		p.fail(p.peek(), "FROM STDIN or TO STDOUT (files are not supported)")
	}
	p.acceptWord("WITH")
	if p.acceptOp("(") {
		for {
			name := strings.ToLower(p.ident("a COPY option").Name)
			val := "true"
			if !p.isOp(",") && !p.isOp(")") {
				val = p.settingValue()
			}
			st.Options[name] = val
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
	}
	for !p.atEOF() {
		t := p.next()
		switch w := t.upper(); w {
		case "BINARY", "CSV", "TEXT":
			st.Options["format"] = strings.ToLower(w)
		case "HEADER":
			st.Options["header"] = "true"
		case "DELIMITER", "NULL", "QUOTE", "ESCAPE", "ENCODING":
			p.acceptWord("AS")
			st.Options[strings.ToLower(w)] = p.stringLit("a quoted string")
		default:
			p.fail(t, "a COPY option")
		}
	}
	if len(st.Options) == 0 {
		st.Options = nil
	}
	return st
}
