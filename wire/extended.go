package wire

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/pgcatalog"
	"github.com/streamsql/streamsql/types"
)

// maxParams is the most parameters a Bind can carry (its count is 16 bits).
const maxParams = 65535

// statement is a prepared statement (Parse).
type statement struct {
	name      string
	sql       string
	paramOIDs []uint32 // one per $n; 0 where the client left the type unspecified

	described bool
	enc       rowEncoder // nil: the statement returns no rows
}

// portal is a bound statement (Bind). It runs on its first Describe or Execute; its rows are
// then sent by one or more Executes (maxRows), a push query's stream staying open in between.
type portal struct {
	name    string
	stmt    *statement
	sql     string  // with parameters substituted
	pm      *posMap // from sql back to stmt.sql
	formats []int16 // result format codes
	ctx     context.Context
	cancel  context.CancelCauseFunc

	ran      bool
	res      *result // nil after running: an empty query
	src      rowSource
	notified bool // the result's notices were sent

	cursor bool // declared with DECLARE (cursor.go)
	hold   bool // WITH HOLD: outlives the transaction block
}

func (p *portal) close() {
	p.cancel(causeConnDone)
	if p.src != nil {
		p.src.close()
		p.src = nil
	}
}

// Describer may be implemented by a Session that can tell a statement's result columns without
// running it (the SQL still has its $n placeholders). Without it, Describe of a prepared
// statement runs the statement with NULL parameters, and only when its first keyword says it
// is a query (SELECT, WITH, VALUES, SHOW, DESCRIBE, EXPLAIN ...), so nothing else runs twice.
type Describer interface {
	// Describe returns the columns the statement would produce; nil means no rows.
	Describe(ctx context.Context, sql string) ([]api.Column, error)
}

func (c *conn) parse(m *pgproto3.Parse) bool {
	if _, exists := c.stmts[m.Name]; exists && m.Name != "" {
		return c.extendedFailed(c.ctx, types.Errorf(codeDuplicatePreparedStatement, "prepared statement %q already exists", m.Name))
	}
	n := maxParam(m.Query)
	if n > maxParams {
		return c.extendedFailed(c.ctx, types.Errorf(types.CodeProgramLimitExceeded, "statements may take at most %d parameters; $%d is out of range", maxParams, n))
	}
	oids := make([]uint32, max(n, len(m.ParameterOIDs)))
	copy(oids, m.ParameterOIDs)
	c.inferParams(m.Query, oids)
	c.stmts[m.Name] = &statement{name: m.Name, sql: m.Query, paramOIDs: oids}
	c.send(&pgproto3.ParseComplete{})
	return true
}

// inferParams fills the parameter types the client left unspecified where the statement shows
// them (see inferParamTypes).
func (c *conn) inferParams(sql string, oids []uint32) {
	unknown := false
	for _, oid := range oids {
		unknown = unknown || oid == 0
	}
	if !unknown {
		return
	}
	cr, ok := c.sess.(api.CatalogReader)
	if !ok {
		return
	}
	rels, err := cr.Relations(c.ctx)
	if err != nil {
		return
	}
	inferParamTypes(sql, oids, rels)
}

func (c *conn) bind(m *pgproto3.Bind) bool {
	st, err := c.statement(m.PreparedStatement)
	if err != nil {
		return c.extendedFailed(c.ctx, err)
	}
	if old := c.portals[m.DestinationPortal]; old != nil {
		if m.DestinationPortal != "" {
			return c.extendedFailed(c.ctx, types.Errorf(codeDuplicateCursor, "portal %q already exists", m.DestinationPortal))
		}
		old.close()
		delete(c.portals, "")
	}
	if len(m.Parameters) != len(st.paramOIDs) {
		return c.extendedFailed(c.ctx, types.Errorf(codeProtocolViolation, "bind message supplies %d parameters, but prepared statement %q requires %d", len(m.Parameters), st.name, len(st.paramOIDs)))
	}
	if err := checkFormats(m.ParameterFormatCodes, len(m.Parameters), "parameter"); err != nil {
		return c.extendedFailed(c.ctx, err)
	}
	if err := checkFormats(m.ResultFormatCodes, -1, "result"); err != nil {
		return c.extendedFailed(c.ctx, err)
	}
	literals := make([]string, len(m.Parameters))
	for i, raw := range m.Parameters {
		lit, err := paramLiteral(st.paramOIDs[i], formatFor(m.ParameterFormatCodes, i), raw)
		if err != nil {
			return c.extendedFailed(c.ctx, fmt.Errorf("parameter $%d: %w", i+1, err))
		}
		literals[i] = lit
	}
	sql, pm := substitute(st.sql, literals)
	ctx, cancel := context.WithCancelCause(c.ctx)
	c.portals[m.DestinationPortal] = &portal{
		name: m.DestinationPortal, stmt: st, sql: sql, pm: pm, formats: m.ResultFormatCodes,
		ctx: ctx, cancel: cancel,
	}
	c.send(&pgproto3.BindComplete{})
	return true
}

// checkFormats validates format codes: each 0 (text) or 1 (binary), and as many as the values
// they describe when more than one (n < 0: not known yet).
func checkFormats(formats []int16, n int, what string) error {
	for _, f := range formats {
		if f != 0 && f != 1 {
			return types.Errorf(codeProtocolViolation, "unsupported %s format code: %d", what, f)
		}
	}
	if len(formats) > 1 && n >= 0 && len(formats) != n {
		return types.Errorf(codeProtocolViolation, "bind message has %d %s formats but %d %ss", len(formats), what, n, what)
	}
	return nil
}

func (c *conn) describe(m *pgproto3.Describe) bool {
	switch m.ObjectType {
	case 'S':
		st, err := c.statement(m.Name)
		if err != nil {
			return c.extendedFailed(c.ctx, err)
		}
		if !st.described {
			if ok, alive := c.describeStatement(st); !ok {
				return alive
			}
		}
		c.send(&pgproto3.ParameterDescription{ParameterOIDs: st.paramOIDs})
		if st.enc == nil {
			c.send(&pgproto3.NoData{})
		} else {
			c.send(st.enc.describe(nil)) // formats are not known before Bind: text
		}
	case 'P':
		p, err := c.portal(m.Name)
		if err != nil {
			return c.extendedFailed(c.ctx, err)
		}
		if ok, alive := c.runPortal(p); !ok {
			return alive
		}
		if p.res == nil || !p.res.isQuery() || p.res.CopyOut && p.res.cat == nil {
			c.send(&pgproto3.NoData{})
			break
		}
		enc := p.res.encoder()
		if err := checkFormats(p.formats, enc.width(), "result"); err != nil {
			return c.extendedFailed(c.ctx, err)
		}
		c.send(enc.describe(p.formats))
	default:
		c.setProtocolError(fmt.Errorf("invalid Describe type %q", m.ObjectType))
		return false
	}
	return true
}

// describeStatement learns a prepared statement's columns. When it fails (!ok) it has reported
// the error, and alive tells whether the connection goes on.
func (c *conn) describeStatement(st *statement) (ok, alive bool) {
	ctx, end := c.beginStatement(c.ctx)
	defer end()
	nulls := make([]string, len(st.paramOIDs))
	for i := range nulls {
		nulls[i] = "NULL"
	}
	// Statements the wire answers itself are described by running them with NULL
	// parameters: catalog queries and SHOW change nothing.
	if stmts := pgcatalog.SplitStatements(st.sql); len(stmts) == 1 {
		switch route := pgcatalog.Classify(stmts[0].Text); {
		case route == pgcatalog.RouteCatalog || route == pgcatalog.RouteSession && firstKeyword(st.sql) == "SHOW":
			sql, pm := substitute(st.sql, nulls)
			var enc rowEncoder
			err := c.run(ctx, sql, func(r *result) error {
				if enc == nil && r.isQuery() {
					enc = r.encoder()
				}
				return nil
			})
			if err != nil {
				return false, c.extendedFailedAt(ctx, err, st.sql, pm)
			}
			st.enc, st.described = enc, true
			return true, true
		case route != pgcatalog.RouteEngine:
			st.described = true
			return true, true
		}
	}
	if d, ok := c.sess.(Describer); ok {
		cols, err := d.Describe(ctx, st.sql)
		if err != nil {
			return false, c.extendedFailedAt(ctx, err, st.sql, nil)
		}
		st.described = true
		if cols != nil {
			st.enc = engineEncoder(cols)
		}
		return true, true
	}
	st.described = true
	if !returnsRows(st.sql) {
		return true, true
	}
	typed := make([]string, len(st.paramOIDs))
	for i, oid := range st.paramOIDs {
		typed[i] = describeLiteral(oid)
	}
	sql, pm := substitute(st.sql, typed)
	err := c.run(ctx, sql, func(r *result) error {
		if r.Stream != nil {
			c.safely("closing a row stream", r.Stream.Close)
		}
		if st.enc == nil && r.isQuery() && !(r.CopyOut && r.cat == nil) {
			if r.cat != nil {
				st.enc = r.encoder()
			} else {
				st.enc = engineEncoder(append([]api.Column{}, r.Columns...))
			}
		}
		return nil
	})
	if err != nil {
		st.described, st.enc = false, nil
		return false, c.extendedFailedAt(ctx, err, st.sql, pm)
	}
	return true, true
}

// runPortal runs a portal's statement once, keeping its result for Describe and Execute.
// When it fails (!ok) it has reported the error, and alive tells whether the connection goes on.
func (c *conn) runPortal(p *portal) (ok, alive bool) {
	if p.ran {
		return true, true
	}
	p.ran = true
	if isEmptyQuery(p.sql) {
		return true, true
	}
	c.setRunning(p.cancel)
	defer c.setRunning(nil)
	var res *result
	err := c.run(p.ctx, p.sql, func(r *result) error {
		if res != nil {
			if r.Stream != nil {
				c.safely("closing a row stream", r.Stream.Close)
			}
			return types.Errorf(types.CodeSyntaxError, "cannot insert multiple commands into a prepared statement")
		}
		res = r
		return nil
	})
	if res != nil {
		p.res = res
		p.src = newRowSource(p.ctx, res, c) // owns the stream from here: closing p closes it
	}
	if err != nil {
		return false, c.extendedFailedAt(p.ctx, err, p.stmt.sql, p.pm)
	}
	return true, true
}

func (c *conn) execute(m *pgproto3.Execute) bool {
	p, err := c.portal(m.Portal)
	if err != nil {
		return c.extendedFailed(c.ctx, err)
	}
	if ok, alive := c.runPortal(p); !ok {
		return alive
	}
	r := p.res
	if r == nil {
		c.send(&pgproto3.EmptyQueryResponse{})
		return true
	}
	if !p.notified {
		c.sendNotices(r.Result)
		p.notified = true
	}
	c.setRunning(p.cancel)
	defer c.setRunning(nil)
	switch {
	case r.CopyOut && r.cat == nil:
		if _, err := c.sendCopyOut(p.ctx, r.Columns, p.src); err != nil {
			return c.extendedFailedAt(p.ctx, err, "", nil)
		}
	case r.isQuery():
		enc := r.encoder()
		if err := checkFormats(p.formats, enc.width(), "result"); err != nil {
			return c.extendedFailed(c.ctx, err)
		}
		n, more, err := c.sendRows(p.ctx, enc, p.formats, p.src, int(min(m.MaxRows, 1<<31-1)))
		if err != nil {
			return c.extendedFailedAt(p.ctx, err, "", nil)
		}
		if more {
			c.send(&pgproto3.PortalSuspended{})
		} else {
			c.commandCompleteFor(r, completeTag(r.Tag, n))
		}
	default:
		c.commandCompleteFor(r, r.Tag)
	}
	return c.writeErr == nil
}

func (c *conn) closeMsg(m *pgproto3.Close) bool {
	switch m.ObjectType {
	case 'S':
		if st := c.stmts[m.Name]; st != nil {
			delete(c.stmts, m.Name)
			// Postgres: closing a statement closes the portals made from it.
			for name, p := range c.portals {
				if p.stmt == st {
					p.close()
					delete(c.portals, name)
				}
			}
		}
	case 'P':
		if p := c.portals[m.Name]; p != nil {
			p.close()
			delete(c.portals, m.Name)
		}
	default:
		c.setProtocolError(fmt.Errorf("invalid Close type %q", m.ObjectType))
		return false
	}
	c.send(&pgproto3.CloseComplete{})
	return true
}

// sync ends an extended-protocol batch: error skipping stops, the implicit transaction (if
// not in a block) ends and takes its portals with it, and the client gets ReadyForQuery.
func (c *conn) sync() bool {
	c.skipping = false
	if c.txStatus() == 'I' {
		c.closePortals(false)
	}
	return c.ready()
}

func (c *conn) statement(name string) (*statement, error) {
	if st := c.stmts[name]; st != nil {
		return st, nil
	}
	if name == "" {
		return nil, types.Errorf(codeInvalidStatementName, "unnamed prepared statement does not exist")
	}
	return nil, types.Errorf(codeInvalidStatementName, "prepared statement %q does not exist", name)
}

func (c *conn) portal(name string) (*portal, error) {
	if p := c.portals[name]; p != nil {
		return p, nil
	}
	if name == "" {
		return nil, types.Errorf(codeInvalidCursorName, "unnamed portal does not exist")
	}
	return nil, types.Errorf(codeInvalidCursorName, "portal %q does not exist", name)
}

// closePortals closes the portals of the transaction; all also closes WITH HOLD cursors.
func (c *conn) closePortals(all bool) {
	for name, p := range c.portals {
		if all || !p.hold {
			p.close()
			delete(c.portals, name)
		}
	}
}

func (c *conn) dropUnnamed() {
	delete(c.stmts, "")
	if p := c.portals[""]; p != nil {
		p.close()
		delete(c.portals, "")
	}
}

// extendedFailed reports an error in an extended-protocol message: the batch is abandoned
// (messages are skipped until Sync) and, the transaction having failed, its portals close.
func (c *conn) extendedFailed(ctx context.Context, err error) bool {
	return c.extendedFailedAt(ctx, err, "", nil)
}

// The failure is classified (fail) before the portals close, since closing cancels their
// contexts and would make every failure look like a disconnect.
func (c *conn) extendedFailedAt(ctx context.Context, err error, sql string, pm *posMap) bool {
	alive := c.fail(ctx, err, sql, pm)
	c.skipping = true
	c.closePortals(false)
	return alive
}
