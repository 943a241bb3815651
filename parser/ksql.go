package parser

import (
	"strings"

	"github.com/streamsql/streamsql/parser/ast"
)

// ksqlDB statements, read by recursive descent. The grammar follows ksqlDB's SqlBase.g4 for
// the statements streamsql runs; queries inside them go through the query pipeline (query.go).

// sourceKind reads STREAM or TABLE.
func (p *parser) sourceKind() ast.SourceKind {
	switch {
	case p.acceptWord("STREAM"):
		return ast.KindStream
	case p.acceptWord("TABLE"):
		return ast.KindTable
	}
	p.fail(p.peek(), "STREAM or TABLE")
	return 0
}

// create reads CREATE [OR REPLACE] [SOURCE] STREAM|TABLE ... and CREATE TYPE.
func (p *parser) create() ast.Statement {
	p.expectWord("CREATE")
	orReplace := p.acceptWord("OR", "REPLACE")
	if p.isWord("TYPE") && !orReplace {
		return p.createType()
	}
	readOnly := p.acceptWord("SOURCE")
	kind := p.sourceKind()
	ifNotExists := p.acceptWord("IF", "NOT", "EXISTS")
	name := p.ident("a source name")
	var cols []ast.ColumnDef
	if p.isOp("(") {
		cols = p.columnDefs()
	}
	var with ast.Properties
	if p.isWord("WITH") {
		with = p.properties()
	}
	if p.isWord("AS") {
		asTok := p.next()
		if cols != nil {
			p.failf(asTok, "CREATE %s AS SELECT cannot declare columns: they come from the query", kind)
		}
		if readOnly {
			p.failf(asTok, "CREATE SOURCE %s cannot be AS SELECT", kind)
		}
		return &ast.CreateAsSelect{Kind: kind, OrReplace: orReplace, IfNotExists: ifNotExists, Name: name,
			With: with, Select: p.selectRest("CREATE " + kind.String() + " AS")}
	}
	p.expectEnd()
	return &ast.CreateSource{Kind: kind, OrReplace: orReplace, IfNotExists: ifNotExists, ReadOnly: readOnly,
		Name: name, Columns: cols, With: with}
}

// selectRest parses the rest of the statement as one SELECT (no UNION: ksqlDB has none).
func (p *parser) selectRest(context string) *ast.Select {
	start := p.peek()
	q := p.queryRest()
	sel, ok := q.(*ast.Select)
	if !ok {
		p.failf(start, "%s needs a single SELECT: set operations (UNION) are not supported here", context)
	}
	return sel
}

func (p *parser) createType() ast.Statement {
	p.expectWord("TYPE")
	st := &ast.CreateType{IfNotExists: p.acceptWord("IF", "NOT", "EXISTS")}
	st.Name = p.ident("a type name")
	p.expectWord("AS")
	st.Type, st.TypeRef = p.dataType()
	p.expectEnd()
	return st
}

// columnDefs reads `(name type [KEY | PRIMARY KEY | HEADERS | HEADER('k')], ...)`.
func (p *parser) columnDefs() []ast.ColumnDef {
	p.expectOp("(")
	var cols []ast.ColumnDef
	for {
		cols = append(cols, p.columnDef())
		if !p.acceptOp(",") {
			break
		}
	}
	if !p.isOp(")") {
		p.failf(p.peek(), "Syntax Error\nExpecting {',', ')'}")
	}
	p.next()
	return cols
}

func (p *parser) columnDef() ast.ColumnDef {
	c := ast.ColumnDef{Name: p.ident("a column name")}
	c.Type, c.TypeRef = p.dataType()
	switch {
	case p.acceptWord("PRIMARY", "KEY"):
		c.PrimaryKey = true
	case p.acceptWord("KEY"):
		c.Key = true
	case p.acceptWord("HEADERS"):
		c.Headers = true
	case p.acceptWord("HEADER"):
		p.expectOp("(")
		c.Headers = true
		c.HeaderKey = p.stringLit("a header key string")
		p.expectOp(")")
	}
	return c
}

// properties reads `WITH (name = literal, ...)`. Names are identifiers or strings and are
// lower-cased; a repeated name is an error, as in ksqlDB.
func (p *parser) properties() ast.Properties {
	p.expectWord("WITH")
	p.expectOp("(")
	props := ast.Properties{}
	for {
		t := p.peek()
		var name string
		switch t.kind {
		case tWord, tQIdent:
			name = identFrom(p.next()).Name
		case tString:
			name = p.next().val
		default:
			p.fail(t, "a property name")
		}
		name = strings.ToLower(name)
		if _, dup := props[name]; dup {
			p.failf(t, "duplicate property %s", name)
		}
		p.expectOp("=")
		props[name] = p.literal()
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return props
}

// insert reads INSERT INTO target [(cols)] VALUES (...) and INSERT INTO target [WITH (...)] SELECT.
func (p *parser) insert() ast.Statement {
	p.expectWord("INSERT", "INTO")
	target := p.ident("a stream or table name")
	var with ast.Properties
	if p.isWord("WITH") {
		with = p.properties()
	}
	var cols []ast.Ident
	if p.isOp("(") && with == nil {
		p.next()
		cols = []ast.Ident{}
		for {
			cols = append(cols, p.ident("a column name"))
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
	}
	if p.isWord("VALUES") {
		if with != nil {
			p.failf(p.peek(), "INSERT ... VALUES takes no WITH clause")
		}
		p.next()
		open := p.expectOp("(")
		end := p.matching(p.i - 1)
		values := p.exprList(p.toks[p.i:end], open)
		p.i = end + 1
		p.expectEnd()
		return &ast.InsertValues{Target: target, Columns: cols, Values: values}
	}
	if cols != nil {
		p.fail(p.peek(), "VALUES")
	}
	if !p.isWord("SELECT") {
		p.fail(p.peek(), "VALUES or SELECT")
	}
	return &ast.InsertSelect{Target: target, With: with, Select: p.selectRest("INSERT INTO")}
}

// matching returns the index of the bracket closing the one at index open.
func (p *parser) matching(open int) int {
	if j := matchClose(p.toks, open); j >= 0 {
		return j
	}
	p.failf(&p.toks[open], "unbalanced %q", p.toks[open].text)
	return 0
}

// matchClose returns the index of the bracket closing toks[open], or -1.
func matchClose(toks []token, open int) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch toks[j].text {
		case "(", "[":
			if toks[j].kind == tOp {
				depth++
			}
		case ")", "]":
			if toks[j].kind == tOp {
				depth--
				if depth == 0 {
					if (toks[open].text == "(") != (toks[j].text == ")") {
						return -1 // ( closed by ], or [ by )
					}
					return j
				}
			}
		}
	}
	return -1
}

func (p *parser) drop() ast.Statement {
	p.expectWord("DROP")
	if p.acceptWord("TYPE") {
		st := &ast.DropType{IfExists: p.acceptWord("IF", "EXISTS")}
		st.Name = p.ident("a type name")
		p.expectEnd()
		return st
	}
	st := &ast.Drop{Kind: p.sourceKind()}
	st.IfExists = p.acceptWord("IF", "EXISTS")
	st.Name = p.ident("a source name")
	st.DeleteTopic = p.acceptWord("DELETE", "TOPIC")
	p.expectEnd()
	return st
}

// alter reads ALTER STREAM|TABLE name ADD [COLUMN] name type [, ADD [COLUMN] name type ...].
func (p *parser) alter() ast.Statement {
	p.expectWord("ALTER")
	st := &ast.AlterSource{Kind: p.sourceKind(), Name: p.ident("a source name")}
	for {
		p.expectWord("ADD")
		p.acceptWord("COLUMN")
		c := ast.ColumnDef{Name: p.ident("a column name")}
		c.Type, c.TypeRef = p.dataType()
		st.Columns = append(st.Columns, c)
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectEnd()
	return st
}

var showTargets = map[string]ast.ShowTarget{
	"STREAMS": ast.ShowStreams, "TABLES": ast.ShowTables, "QUERIES": ast.ShowQueries,
	"TOPICS": ast.ShowTopics, "PROPERTIES": ast.ShowProperties, "FUNCTIONS": ast.ShowFunctions,
	"TYPES": ast.ShowTypes, "VARIABLES": ast.ShowVariables, "CONNECTORS": ast.ShowConnectors,
}

// isKsqlShow reports whether a SHOW is ksqlDB's (SHOW STREAMS) rather than Postgres' (SHOW x).
func (p *parser) isKsqlShow() bool {
	if p.peek().is("LIST") {
		return true
	}
	n := p.peekAt(1)
	if n.is("ALL") && p.peekAt(2).is("TOPICS") {
		return true
	}
	_, ok := showTargets[n.upper()]
	return ok
}

func (p *parser) show() ast.Statement {
	p.next() // SHOW or LIST
	st := &ast.Show{AllTopics: p.acceptWord("ALL")}
	t := p.next()
	st.What = showTargets[t.upper()]
	if st.What == "" || st.AllTopics && st.What != ast.ShowTopics {
		p.fail(t, "STREAMS, TABLES, QUERIES, TOPICS, PROPERTIES, FUNCTIONS or TYPES")
	}
	st.Extended = p.acceptWord("EXTENDED")
	p.expectEnd()
	return st
}

func (p *parser) describe() ast.Statement {
	p.next() // DESCRIBE
	if p.isWord("FUNCTION") && p.peekAt(1).kind != tEOF {
		p.next()
		st := &ast.DescribeFunction{Name: p.ident("a function name")}
		p.expectEnd()
		return st
	}
	if (p.isWord("STREAMS") || p.isWord("TABLES")) && (p.peekAt(1).kind == tEOF || p.peekAt(1).is("EXTENDED")) {
		kind := ast.KindStream
		if p.next().is("TABLES") {
			kind = ast.KindTable
		}
		st := &ast.DescribeSources{Kind: kind, Extended: p.acceptWord("EXTENDED")}
		p.expectEnd()
		return st
	}
	st := &ast.Describe{}
	if p.isWord("EXTENDED") && p.peekAt(1).kind != tEOF {
		p.next()
		st.Extended = true
	}
	st.Name = p.ident("a source name")
	// ksqlDB also accepts the trailing form: DESCRIBE name EXTENDED.
	if !st.Extended && p.isWord("EXTENDED") && p.peekAt(1).kind == tEOF {
		p.next()
		st.Extended = true
	}
	p.expectEnd()
	return st
}

func (p *parser) terminate() ast.Statement {
	p.expectWord("TERMINATE")
	st := &ast.Terminate{}
	if p.isWord("ALL") && p.peekAt(1).kind == tEOF {
		p.next()
		st.All = true
	} else {
		if p.isWord("QUERY") && p.peekAt(1).kind != tEOF {
			p.next()
		}
		st.QueryID = p.ident("a query id or ALL")
	}
	p.expectEnd()
	return st
}

// explain reads EXPLAIN statement | EXPLAIN query_id: a lone identifier is a query id.
func (p *parser) explain() ast.Statement {
	p.expectWord("EXPLAIN")
	if p.isIdent() && p.peekAt(1).kind == tEOF && !p.isWord("SELECT") {
		id := p.ident("a query id")
		return &ast.Explain{QueryID: &id}
	}
	start := p.peek()
	inner := p.statement()
	switch inner.(type) {
	case *ast.Select, *ast.SetOp, *ast.CreateAsSelect, *ast.InsertSelect:
	default:
		p.failf(start, "EXPLAIN takes a query, CREATE ... AS SELECT, INSERT INTO ... SELECT or a query id")
	}
	setSource(inner, start.pos, p.src[start.off:p.eof.end])
	return &ast.Explain{Statement: inner}
}

// print reads PRINT topic [FROM BEGINNING] [INTERVAL|SAMPLE n] [LIMIT n].
func (p *parser) print() ast.Statement {
	p.expectWord("PRINT")
	st := &ast.Print{}
	t := p.peek()
	if t.kind == tString {
		p.next()
		st.Topic = ast.Ident{Name: t.val, Quoted: true, Pos: t.pos}
	} else {
		st.Topic = p.ident("a topic name")
	}
	for !p.atEOF() {
		switch {
		case p.acceptWord("FROM", "BEGINNING"):
			st.FromBeginning = true
		case p.acceptWord("INTERVAL") || p.acceptWord("SAMPLE"):
			v := p.integer("an interval")
			st.Interval = &v
		case p.acceptWord("LIMIT"):
			v := p.integer("a limit")
			st.Limit = &v
		default:
			p.fail(p.peek(), "FROM BEGINNING, INTERVAL or LIMIT")
		}
	}
	return st
}

// setProperty reads ksqlDB's SET 'name' = 'value'.
func (p *parser) setProperty() ast.Statement {
	p.expectWord("SET")
	st := &ast.SetProperty{Name: p.stringLit("a property name")}
	p.expectOp("=")
	st.Value = p.stringLit("a quoted property value")
	p.expectEnd()
	return st
}

func (p *parser) unsetProperty() ast.Statement {
	p.expectWord("UNSET")
	st := &ast.UnsetProperty{Name: p.stringLit("a quoted property name")}
	p.expectEnd()
	return st
}
