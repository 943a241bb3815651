package parser

import (
	"strings"

	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// Postgres session statements: a small hand-written grammar, never TiDB. Names are lower-cased
// as Postgres folds them; the multi-word forms map to the setting they change.

// settingName reads a setting name: word[.word] or a quoted identifier.
func (p *parser) settingName() string {
	var b strings.Builder
	for {
		t := p.peek()
		switch t.kind {
		case tWord:
			b.WriteString(strings.ToLower(t.text))
		case tQIdent:
			b.WriteString(t.val)
		default:
			p.fail(t, "a setting name")
		}
		p.next()
		if !p.acceptOp(".") {
			return b.String()
		}
		b.WriteByte('.')
	}
}

// settingValue reads one value: a string, a (signed) number, or a word (lower-cased).
func (p *parser) settingValue() string {
	t := p.peek()
	switch {
	case t.kind == tString || t.kind == tQIdent:
		p.next()
		return t.val
	case t.kind == tNumber:
		p.next()
		return t.text
	case (t.isOp("-") || t.isOp("+")) && p.peekAt(1).kind == tNumber:
		p.next()
		n := p.next()
		if t.isOp("-") {
			return "-" + n.text
		}
		return n.text
	case t.kind == tWord:
		p.next()
		return strings.ToLower(t.text)
	}
	p.fail(t, "a value")
	return ""
}

// isolationLevel reads the words after ISOLATION LEVEL.
func (p *parser) isolationLevel() string {
	switch {
	case p.acceptWord("SERIALIZABLE"):
		return "serializable"
	case p.acceptWord("REPEATABLE", "READ"):
		return "repeatable read"
	case p.acceptWord("READ", "COMMITTED"):
		return "read committed"
	case p.acceptWord("READ", "UNCOMMITTED"):
		return "read uncommitted"
	}
	p.fail(p.peek(), "SERIALIZABLE, REPEATABLE READ, READ COMMITTED or READ UNCOMMITTED")
	return ""
}

// transactionModes reads [ISOLATION LEVEL x] [READ ONLY|READ WRITE] [[NOT] DEFERRABLE], in any
// order, optionally comma-separated.
func (p *parser) transactionModes() (isolation string, readOnly, readWrite bool) {
	for !p.atEOF() {
		switch {
		case p.acceptWord("ISOLATION", "LEVEL"):
			isolation = p.isolationLevel()
		case p.acceptWord("READ", "ONLY"):
			readOnly = true
		case p.acceptWord("READ", "WRITE"):
			readWrite = true
		case p.acceptWord("NOT", "DEFERRABLE"), p.acceptWord("DEFERRABLE"):
		default:
			p.fail(p.peek(), "a transaction mode")
		}
		p.acceptOp(",")
	}
	return
}

// setSession reads the Postgres forms of SET.
func (p *parser) setSession() ast.Statement {
	p.expectWord("SET")
	st := &ast.SetSession{}
	if p.acceptWord("LOCAL") {
		st.Local = true
	} else if !p.isWord("SESSION", "CHARACTERISTICS") && !p.isWord("SESSION", "AUTHORIZATION") {
		p.acceptWord("SESSION")
	}
	// SET role TO x is the generic form; SET ROLE x the special one.
	generic := p.peekAt(1).is("TO") || p.peekAt(1).isOp("=")
	switch {
	case generic:
	case p.acceptWord("SESSION", "CHARACTERISTICS", "AS", "TRANSACTION"), p.acceptWord("TRANSACTION"):
		session := p.peekAt(-1).is("TRANSACTION") && p.peekAt(-2).is("AS")
		iso, ro, rw := p.transactionModes()
		prefix := "transaction_"
		if session {
			prefix = "default_transaction_"
		}
		switch {
		case iso != "":
			st.Name, st.Values = prefix+"isolation", []string{iso}
			if ro || rw {
				p.failf(p.peekAt(-1), "set one transaction characteristic at a time")
			}
		case ro || rw:
			st.Name, st.Values = prefix+"read_only", []string{map[bool]string{true: "on", false: "off"}[ro]}
		default:
			p.fail(p.peek(), "a transaction mode")
		}
		return st
	case p.acceptWord("TIME", "ZONE"):
		st.Name = "timezone"
		switch {
		case p.acceptWord("LOCAL"), p.acceptWord("DEFAULT"):
			st.Default = true
		case p.isWord("INTERVAL"):
			p.failf(p.peek(), "SET TIME ZONE INTERVAL is not supported: use a zone name or offset")
		default:
			st.Values = []string{p.settingValue()}
		}
	case p.acceptWord("NAMES"):
		st.Name = "client_encoding"
		if p.acceptWord("DEFAULT") {
			st.Default = true
		} else {
			st.Values = []string{p.settingValue()}
		}
	case p.acceptWord("ROLE"), p.acceptWord("SESSION", "AUTHORIZATION"):
		st.Name = "role"
		if p.peekAt(-1).is("AUTHORIZATION") {
			st.Name = "session_authorization"
		}
		if p.acceptWord("DEFAULT") || p.acceptWord("NONE") {
			st.Default = true
		} else {
			st.Values = []string{p.settingValue()}
		}
	case p.acceptWord("SCHEMA"):
		st.Name, st.Values = "search_path", []string{p.settingValue()}
	}
	if st.Name == "" {
		st.Name = p.settingName()
		if !p.acceptWord("TO") && !p.acceptOp("=") {
			p.fail(p.peek(), "TO or =")
		}
		if p.acceptWord("DEFAULT") {
			st.Default = true
		} else {
			for {
				st.Values = append(st.Values, p.settingValue())
				if !p.acceptOp(",") {
					break
				}
			}
		}
	}
	p.expectEnd()
	return st
}

func (p *parser) showSession() ast.Statement {
	p.expectWord("SHOW")
	st := &ast.ShowSession{}
	switch {
	case p.acceptWord("ALL"):
		st.All = true
	case p.acceptWord("TRANSACTION", "ISOLATION", "LEVEL"):
		st.Name = "transaction_isolation"
	case p.acceptWord("TIME", "ZONE"):
		st.Name = "timezone"
	case p.acceptWord("SESSION", "AUTHORIZATION"):
		st.Name = "session_authorization"
	default:
		st.Name = p.settingName()
	}
	p.expectEnd()
	return st
}

func (p *parser) resetSession() ast.Statement {
	p.expectWord("RESET")
	st := &ast.ResetSession{}
	switch {
	case p.acceptWord("ALL"):
		st.All = true
	case p.acceptWord("TIME", "ZONE"):
		st.Name = "timezone"
	case p.acceptWord("SESSION", "AUTHORIZATION"):
		st.Name = "session_authorization"
	case p.acceptWord("ROLE"):
		st.Name = "role"
	default:
		st.Name = p.settingName()
	}
	p.expectEnd()
	return st
}

// transaction reads BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK and ABORT.
func (p *parser) transaction() ast.Statement {
	t := p.next()
	var st ast.Statement
	switch t.upper() {
	case "BEGIN", "START":
		if t.is("START") {
			p.expectWord("TRANSACTION")
		} else if !p.acceptWord("WORK") {
			p.acceptWord("TRANSACTION")
		}
		b := &ast.Begin{}
		b.Isolation, b.ReadOnly, _ = p.transactionModes()
		return b
	case "COMMIT", "END":
		st = &ast.Commit{}
	default: // ROLLBACK, ABORT
		st = &ast.Rollback{}
		if p.isWord("TO") || p.isWord("PREPARED") {
			p.unsupported(p.peek(), "savepoints and prepared transactions")
		}
	}
	if !p.acceptWord("WORK") {
		p.acceptWord("TRANSACTION")
	}
	if p.acceptWord("AND", "CHAIN") {
		p.unsupported(p.peekAt(-1), "AND CHAIN")
	}
	p.acceptWord("AND", "NO", "CHAIN")
	if t.is("COMMIT") && p.isWord("PREPARED") {
		p.unsupported(p.peek(), "prepared transactions")
	}
	p.expectEnd()
	return st
}

func (p *parser) unsupported(t *token, what string) {
	panic(bailout{types.ErrorAt(types.CodeFeatureNotSupported, t.pos, "%s are not supported", what)})
}

// declare reads DECLARE name [BINARY] [ASENSITIVE|INSENSITIVE] [[NO] SCROLL] CURSOR
// [WITH|WITHOUT HOLD] FOR query.
func (p *parser) declare() ast.Statement {
	p.expectWord("DECLARE")
	st := &ast.Declare{Cursor: p.ident("a cursor name")}
	for {
		switch {
		case p.acceptWord("BINARY"):
			st.Binary = true
			continue
		case p.acceptWord("ASENSITIVE"), p.acceptWord("INSENSITIVE"), p.acceptWord("NO", "SCROLL"):
			continue
		case p.isWord("SCROLL"):
			p.unsupported(p.peek(), "scrollable cursors")
		}
		break
	}
	p.expectWord("CURSOR")
	if p.acceptWord("WITH", "HOLD") {
		st.Hold = true
	} else {
		p.acceptWord("WITHOUT", "HOLD")
	}
	p.expectWord("FOR")
	st.Query = p.queryRest()
	return st
}

// fetch reads FETCH|MOVE [NEXT | FORWARD [n|ALL] | n | ALL] [FROM|IN] cursor.
func (p *parser) fetch() ast.Statement {
	st := &ast.Fetch{Move: p.next().is("MOVE"), Count: 1}
	count := func() {
		switch t := p.peek(); {
		case p.acceptWord("ALL"):
			st.All = true
		case t.kind == tNumber:
			st.Count = p.integer("a row count")
		}
	}
	switch {
	case p.acceptWord("NEXT"):
	case p.acceptWord("FORWARD"):
		count()
	case p.isWord("PRIOR") || p.isWord("FIRST") || p.isWord("LAST") || p.isWord("ABSOLUTE") ||
		p.isWord("RELATIVE") || p.isWord("BACKWARD"):
		p.unsupported(p.peek(), "scrolling FETCH directions")
	default:
		count()
	}
	if !p.acceptWord("FROM") {
		p.acceptWord("IN")
	}
	st.Cursor = p.ident("a cursor name")
	p.expectEnd()
	return st
}

func (p *parser) closeCursor() ast.Statement {
	p.expectWord("CLOSE")
	st := &ast.Close{}
	if p.isWord("ALL") && p.peekAt(1).kind == tEOF {
		p.next()
		st.All = true
	} else {
		st.Cursor = p.ident("a cursor name or ALL")
	}
	p.expectEnd()
	return st
}

func (p *parser) discard() ast.Statement {
	p.expectWord("DISCARD")
	t := p.next()
	switch w := t.upper(); w {
	case "ALL", "PLANS", "SEQUENCES", "TEMP":
		p.expectEnd()
		return &ast.Discard{What: w}
	case "TEMPORARY":
		p.expectEnd()
		return &ast.Discard{What: "TEMP"}
	}
	p.fail(t, "ALL, PLANS, SEQUENCES or TEMP")
	return nil
}

func (p *parser) deallocate() ast.Statement {
	p.expectWord("DEALLOCATE")
	p.acceptWord("PREPARE")
	st := &ast.Deallocate{}
	if p.isWord("ALL") && p.peekAt(1).kind == tEOF {
		p.next()
		st.All = true
	} else {
		st.Name = p.ident("a prepared statement name or ALL")
	}
	p.expectEnd()
	return st
}

func (p *parser) listen() ast.Statement {
	if p.next().is("LISTEN") {
		st := &ast.Listen{Channel: p.ident("a channel name")}
		p.expectEnd()
		return st
	}
	st := &ast.Unlisten{}
	if p.acceptOp("*") {
		st.All = true
	} else {
		st.Channel = p.ident("a channel name or *")
	}
	p.expectEnd()
	return st
}
