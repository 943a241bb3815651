package pgcatalog

import (
	"strings"

	"github.com/streamsql/streamsql/types"
)

// SessionKind is the kind of a session statement.
type SessionKind int

const (
	SessSet SessionKind = iota
	SessReset
	SessShow
	SessBegin
	SessCommit
	SessRollback
	SessSavepoint
	SessRelease
	SessRollbackTo
	SessDiscard
	SessDeallocate
	SessNoop // LISTEN, UNLISTEN, NOTIFY, SET ROLE ...: accepted and ignored
)

// SessionStmt is a parsed session statement.
type SessionStmt struct {
	Kind SessionKind
	// Name is the setting (lower case, canonical for the multi-word forms), the savepoint
	// or the prepared statement.
	Name string
	// Value is what SET assigns (list values joined with ", ").
	Value string
	// Default: SET x TO DEFAULT (a reset). All: SHOW ALL, RESET ALL, DEALLOCATE ALL,
	// DISCARD ALL. Local: SET LOCAL.
	Default, All, Local bool
	// Settings are extra assignments a statement makes (BEGIN ISOLATION LEVEL ..., SET
	// TRANSACTION ...), name to value.
	Settings [][2]string
	// Tag is the command tag to answer with.
	Tag string
}

type sessParser struct {
	sql  string
	toks []token
	i    int
}

func (p *sessParser) peek() token { return p.toks[p.i] }
func (p *sessParser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *sessParser) accept(words ...string) bool {
	for k, w := range words {
		if p.i+k >= len(p.toks) || !p.toks[p.i+k].is(w) {
			return false
		}
	}
	p.i += len(words)
	return true
}

func (p *sessParser) fail() error {
	t := p.peek()
	if t.kind == tEOF {
		return syntaxErr(p.sql, t.pos, "syntax error at end of input")
	}
	return syntaxErr(p.sql, t.pos, "syntax error at or near \"%s\"", t.val)
}

func (p *sessParser) end() error {
	p.acceptOp(";")
	if p.peek().kind != tEOF {
		return p.fail()
	}
	return nil
}

func (p *sessParser) acceptOp(op string) bool {
	if p.peek().isOp(op) {
		p.i++
		return true
	}
	return false
}

// ParseSession parses a statement Classify routed to RouteSession.
func ParseSession(sql string) (*SessionStmt, error) {
	toks, err := lex(sql)
	if err != nil {
		return nil, err
	}
	p := &sessParser{sql: sql, toks: toks}
	verb := p.next()
	var st *SessionStmt
	switch verb.val {
	case "set":
		st, err = p.set()
	case "reset":
		st, err = p.reset()
	case "show":
		st, err = p.show()
	case "begin":
		_ = p.accept("work") || p.accept("transaction")
		st = &SessionStmt{Kind: SessBegin, Tag: "BEGIN"}
		st.Settings, err = p.modes("transaction_")
	case "start":
		if !p.accept("transaction") {
			return nil, p.fail()
		}
		st = &SessionStmt{Kind: SessBegin, Tag: "START TRANSACTION"}
		st.Settings, err = p.modes("transaction_")
	case "commit", "end":
		_ = p.accept("work") || p.accept("transaction")
		if p.accept("and") {
			p.accept("no")
			if !p.accept("chain") {
				return nil, p.fail()
			}
		}
		st = &SessionStmt{Kind: SessCommit, Tag: "COMMIT"}
	case "rollback", "abort":
		_ = p.accept("work") || p.accept("transaction")
		if p.accept("to") {
			p.accept("savepoint")
			t := p.next()
			if t.kind != tIdent && t.kind != tQIdent {
				return nil, p.fail()
			}
			st = &SessionStmt{Kind: SessRollbackTo, Name: t.val, Tag: "ROLLBACK"}
			break
		}
		if p.accept("and") {
			p.accept("no")
			if !p.accept("chain") {
				return nil, p.fail()
			}
		}
		st = &SessionStmt{Kind: SessRollback, Tag: "ROLLBACK"}
	case "savepoint":
		t := p.next()
		if t.kind != tIdent && t.kind != tQIdent {
			return nil, p.fail()
		}
		st = &SessionStmt{Kind: SessSavepoint, Name: t.val, Tag: "SAVEPOINT"}
	case "release":
		p.accept("savepoint")
		t := p.next()
		if t.kind != tIdent && t.kind != tQIdent {
			return nil, p.fail()
		}
		st = &SessionStmt{Kind: SessRelease, Name: t.val, Tag: "RELEASE"}
	case "discard":
		t := p.next()
		switch t.val {
		case "all", "plans", "sequences", "temp", "temporary":
		default:
			return nil, syntaxErr(sql, t.pos, "syntax error at or near \"%s\"", t.val)
		}
		what := strings.ToUpper(t.val)
		if what == "TEMPORARY" {
			what = "TEMP"
		}
		st = &SessionStmt{Kind: SessDiscard, All: what == "ALL", Name: strings.ToLower(what), Tag: "DISCARD " + what}
	case "deallocate":
		p.accept("prepare")
		if p.accept("all") {
			st = &SessionStmt{Kind: SessDeallocate, All: true, Tag: "DEALLOCATE ALL"}
			break
		}
		t := p.next()
		if t.kind != tIdent && t.kind != tQIdent {
			return nil, p.fail()
		}
		st = &SessionStmt{Kind: SessDeallocate, Name: t.val, Tag: "DEALLOCATE"}
	case "listen", "unlisten", "notify":
		for p.peek().kind != tEOF {
			p.next()
		}
		st = &SessionStmt{Kind: SessNoop, Tag: strings.ToUpper(verb.val)}
	default:
		return nil, syntaxErr(sql, verb.pos, "syntax error at or near \"%s\"", verb.val)
	}
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return st, nil
}

// modes reads transaction modes: ISOLATION LEVEL x, READ ONLY|WRITE, [NOT] DEFERRABLE.
func (p *sessParser) modes(prefix string) ([][2]string, error) {
	var out [][2]string
	for p.peek().kind == tIdent {
		switch {
		case p.accept("isolation", "level"):
			var level string
			switch {
			case p.accept("serializable"):
				level = "serializable"
			case p.accept("repeatable", "read"):
				level = "repeatable read"
			case p.accept("read", "committed"):
				level = "read committed"
			case p.accept("read", "uncommitted"):
				level = "read uncommitted"
			default:
				return nil, p.fail()
			}
			out = append(out, [2]string{prefix + "isolation", level})
		case p.accept("read", "only"):
			out = append(out, [2]string{prefix + "read_only", "on"})
		case p.accept("read", "write"):
			out = append(out, [2]string{prefix + "read_only", "off"})
		case p.accept("not", "deferrable"):
			out = append(out, [2]string{prefix + "deferrable", "off"})
		case p.accept("deferrable"):
			out = append(out, [2]string{prefix + "deferrable", "on"})
		default:
			return nil, p.fail()
		}
		p.acceptOp(",")
	}
	return out, nil
}

// settingName reads name[.name...] or a quoted name.
func (p *sessParser) settingName() (string, error) {
	var parts []string
	for {
		t := p.next()
		if t.kind != tIdent && t.kind != tQIdent {
			p.i--
			return "", p.fail()
		}
		parts = append(parts, strings.ToLower(t.val))
		if !p.acceptOp(".") {
			return strings.Join(parts, "."), nil
		}
	}
}

// values reads one value or a comma-separated list.
func (p *sessParser) values() (string, error) {
	var vals []string
	quoted := false
	for {
		t := p.next()
		switch {
		case t.kind == tString:
			vals = append(vals, t.val)
		case t.kind == tQIdent:
			vals = append(vals, `"`+t.val+`"`)
			quoted = true
		case t.kind == tNumber:
			vals = append(vals, t.val)
		case (t.isOp("-") || t.isOp("+")) && p.peek().kind == tNumber:
			n := p.next()
			vals = append(vals, strings.TrimPrefix(t.val, "+")+n.val)
		case t.kind == tIdent:
			vals = append(vals, t.val)
		default:
			p.i--
			return "", p.fail()
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if len(vals) == 1 && quoted {
		return strings.Trim(vals[0], `"`), nil
	}
	return strings.Join(vals, ", "), nil
}

func (p *sessParser) set() (*SessionStmt, error) {
	st := &SessionStmt{Kind: SessSet, Tag: "SET"}
	if p.accept("local") {
		st.Local = true
	} else if !p.peekIs("session", "characteristics") && !p.peekIs("session", "authorization") {
		p.accept("session")
	}
	generic := p.i+1 < len(p.toks) && (p.toks[p.i+1].is("to") || p.toks[p.i+1].isOp("=") || p.toks[p.i+1].isOp("."))
	switch {
	case generic:
	case p.accept("session", "characteristics", "as", "transaction"):
		var err error
		st.Settings, err = p.modes("default_transaction_")
		return st, err
	case p.accept("transaction"):
		if p.accept("snapshot") {
			p.next()
			return &SessionStmt{Kind: SessNoop, Tag: "SET"}, nil
		}
		var err error
		st.Settings, err = p.modes("transaction_")
		return st, err
	case p.accept("time", "zone"):
		st.Name = "timezone"
		if p.accept("local") || p.accept("default") {
			st.Default = true
			return st, nil
		}
		if p.accept("interval") {
			t := p.next()
			st.Value = t.val
			for p.peek().kind == tIdent {
				p.next()
			}
			return st, nil
		}
		v, err := p.values()
		st.Value = v
		return st, err
	case p.accept("names"):
		st.Name = "client_encoding"
		if p.accept("default") {
			st.Default = true
			return st, nil
		}
		v, err := p.values()
		st.Value = v
		return st, err
	case p.accept("schema"):
		st.Name = "search_path"
		v, err := p.values()
		st.Value = v
		return st, err
	case p.accept("role"), p.accept("session", "authorization"):
		for p.peek().kind != tEOF && !p.peek().isOp(";") {
			p.next()
		}
		return &SessionStmt{Kind: SessNoop, Tag: "SET"}, nil
	case p.accept("constraints"):
		for p.peek().kind != tEOF && !p.peek().isOp(";") {
			p.next()
		}
		return &SessionStmt{Kind: SessNoop, Tag: "SET CONSTRAINTS"}, nil
	}
	name, err := p.settingName()
	if err != nil {
		return nil, err
	}
	st.Name = name
	if !p.accept("to") && !p.acceptOp("=") {
		return nil, p.fail()
	}
	if p.peek().is("default") && (p.peekAt(1).kind == tEOF || p.peekAt(1).isOp(";")) {
		p.next()
		st.Default = true
		return st, nil
	}
	st.Value, err = p.values()
	return st, err
}

func (p *sessParser) peekIs(words ...string) bool {
	for k, w := range words {
		if p.i+k >= len(p.toks) || !p.toks[p.i+k].is(w) {
			return false
		}
	}
	return true
}

func (p *sessParser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *sessParser) reset() (*SessionStmt, error) {
	st := &SessionStmt{Kind: SessReset, Tag: "RESET"}
	switch {
	case p.accept("all"):
		st.All = true
	case p.accept("time", "zone"):
		st.Name = "timezone"
	case p.accept("session", "authorization"), p.accept("role"):
		return &SessionStmt{Kind: SessNoop, Tag: "RESET"}, nil
	case p.accept("transaction", "isolation", "level"):
		st.Name = "transaction_isolation"
	default:
		name, err := p.settingName()
		if err != nil {
			return nil, err
		}
		st.Name = name
	}
	return st, nil
}

func (p *sessParser) show() (*SessionStmt, error) {
	st := &SessionStmt{Kind: SessShow, Tag: "SHOW"}
	switch {
	case p.accept("all"):
		st.All = true
	case p.accept("time", "zone"):
		st.Name = "timezone"
	case p.accept("transaction", "isolation", "level"):
		st.Name = "transaction_isolation"
	case p.accept("session", "authorization"):
		st.Name = "session_authorization"
	default:
		name, err := p.settingName()
		if err != nil {
			return nil, err
		}
		st.Name = name
	}
	return st, nil
}

// Show answers SHOW name / SHOW ALL from the settings.
func Show(s *Settings, st *SessionStmt) (*Result, error) {
	if st.All {
		res := &Result{Columns: []Column{{Name: "name", OID: oidText, Typmod: -1, Size: -1}, {Name: "setting", OID: oidText, Typmod: -1, Size: -1}, {Name: "description", OID: oidText, Typmod: -1, Size: -1}}}
		for _, r := range s.All() {
			res.Rows = append(res.Rows, []Value{r.Name, r.Value, r.Desc})
		}
		return res, nil
	}
	v, ok := s.Get(st.Name)
	if !ok {
		return nil, types.Errorf(types.CodeUndefinedObject, "unrecognized configuration parameter \"%s\"", st.Name)
	}
	return &Result{Columns: []Column{{Name: CanonicalName(st.Name), OID: oidText, Typmod: -1, Size: -1}}, Rows: [][]Value{{v}}}, nil
}
