package wire

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/pgcatalog"
	"github.com/streamsql/streamsql/types"
)

// result is one statement's outcome: the engine's (Result), or one the wire answered itself
// (catalog queries and SHOW: cat holds the rows; session statements: only a tag).
type result struct {
	*api.Result
	cat *pgcatalog.Result
	// txManaged: the session handler already moved the transaction status, so the tag must
	// not be read for it (ROLLBACK TO SAVEPOINT stays in the block).
	txManaged bool
	// src and enc, when set, are where the rows come from and how they are encoded: a FETCH
	// reads from its cursor's rows.
	src rowSource
	enc rowEncoder
}

func engineResult(r *api.Result) *result { return &result{Result: r} }

func (r *result) isQuery() bool { return r.enc != nil || r.cat != nil || isQuery(r.Result) }

// encoder returns how the result's values are described and encoded.
func (r *result) encoder() rowEncoder {
	if r.enc != nil {
		return r.enc
	}
	if r.cat != nil {
		return catalogEncoder(r.cat.Columns)
	}
	return engineEncoder(r.Columns)
}

// SQLSTATEs of the session handler.
const (
	codeInFailedTransaction  types.Code = "25P02"
	codeNoActiveTransaction  types.Code = "25P01"
	codeActiveTransaction    types.Code = "25001"
	codeSavepointException   types.Code = "3B001"
	codeCantChangeRuntimeErr types.Code = "55P02"
)

var errInFailedTransaction = types.Errorf(codeInFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")

// run executes every statement of sql, handing each result to emit. Statements are routed:
// session statements (SET, SHOW, BEGIN ...) and catalog queries (pg_catalog,
// information_schema, SELECT without FROM) are answered here; everything else goes to the
// engine. A string the engine answers entirely goes to it unchanged, as one call.
func (c *conn) run(ctx context.Context, sql string, emit func(*result) error) error {
	stmts := pgcatalog.SplitStatements(sql)
	routes := make([]pgcatalog.Route, len(stmts))
	allEngine := true
	for i, st := range stmts {
		routes[i] = pgcatalog.Classify(st.Text)
		allEngine = allEngine && routes[i] == pgcatalog.RouteEngine
	}
	if allEngine && c.tx != 'E' {
		return c.sess.Run(ctx, sql, func(r *api.Result) error { return emit(engineResult(r)) })
	}
	for i, st := range stmts {
		var res *result
		var err error
		if c.tx == 'E' && !endsFailedBlock(routes[i], st.Text) {
			return errInFailedTransaction
		}
		switch routes[i] {
		case pgcatalog.RouteEmpty:
			continue
		case pgcatalog.RouteSession:
			res, err = c.sessionStatement(st.Text)
		case pgcatalog.RouteCatalog:
			res, err = c.catalogQuery(ctx, st.Text)
		case pgcatalog.RouteCursor:
			res, err = c.cursorStatement(ctx, st.Text)
		case pgcatalog.RouteCopyIn:
			res, err = c.copyFrom(ctx, st.Text, lexForInference(st.Text))
		default:
			err = c.sess.Run(ctx, st.Text, func(r *api.Result) error { return emit(engineResult(r)) })
			if err != nil {
				return shiftError(err, st.Offset)
			}
			continue
		}
		if err != nil {
			return shiftError(err, st.Offset)
		}
		if res != nil {
			if err := emit(res); err != nil {
				return err
			}
		}
	}
	return nil
}

// endsFailedBlock reports whether a statement may run in a failed transaction block:
// ROLLBACK (to a savepoint too) and COMMIT, which then rolls back.
func endsFailedBlock(route pgcatalog.Route, sql string) bool {
	if route != pgcatalog.RouteSession {
		return route == pgcatalog.RouteEmpty
	}
	st, err := pgcatalog.ParseSession(sql)
	if err != nil {
		return false
	}
	switch st.Kind {
	case pgcatalog.SessRollback, pgcatalog.SessRollbackTo, pgcatalog.SessCommit:
		return true
	}
	return false
}

// shiftError moves an error position from a statement's text to the whole query string.
func shiftError(err error, off int) error {
	var te *types.Error
	if off == 0 || !errors.As(err, &te) || !te.Pos.IsValid() {
		return err
	}
	cp := *te
	cp.Pos.Offset += off
	return &cp
}

// catalogQuery answers a query over pg_catalog / information_schema from the engine's live
// catalog.
func (c *conn) catalogQuery(ctx context.Context, sql string) (*result, error) {
	env := &pgcatalog.Env{Settings: c.settings, User: c.user, Database: c.database, PID: int32(c.pid), Version: c.srv.versionString()}
	if cr, ok := c.sess.(api.CatalogReader); ok {
		rels, err := cr.Relations(ctx)
		if err != nil {
			return nil, err
		}
		env.Relations = rels
	}
	res, err := pgcatalog.Run(ctx, sql, env)
	if err != nil {
		return nil, err
	}
	return &result{Result: &api.Result{Tag: "SELECT"}, cat: res}, nil
}

// versionString is what version() answers: SQLAlchemy reads the Postgres version from it.
func (s *Server) versionString() string {
	v := s.cfg.ServerVersion
	if parts := strings.Split(v, "."); len(parts) >= 2 {
		v = parts[0] + "." + parts[1]
	}
	return "PostgreSQL " + v + " (streamsql) on x86_64-pc-linux-gnu, compiled by Go, 64-bit"
}

// sessionStatement runs SET, RESET, SHOW, transaction control, DISCARD, DEALLOCATE and the
// statements accepted as no-ops (LISTEN, SET ROLE ...).
func (c *conn) sessionStatement(sql string) (*result, error) {
	st, err := pgcatalog.ParseSession(sql)
	if err != nil {
		return nil, err
	}
	res := &result{Result: &api.Result{Tag: st.Tag}, txManaged: true}
	switch st.Kind {
	case pgcatalog.SessShow:
		cat, err := pgcatalog.Show(c.settings, st)
		if err != nil {
			return nil, err
		}
		res.cat = cat
	case pgcatalog.SessSet:
		if st.Local && c.tx == 'I' {
			res.Notices = append(res.Notices, "SET LOCAL can only be used in transaction blocks")
			return res, nil
		}
		for _, kv := range st.Settings {
			if err := c.setSetting(kv[0], kv[1], false, st.Local); err != nil {
				return nil, err
			}
		}
		if st.Name != "" {
			if err := c.setSetting(st.Name, st.Value, st.Default, st.Local); err != nil {
				return nil, err
			}
		}
	case pgcatalog.SessReset:
		if st.All {
			for _, name := range c.settings.ResetAll() {
				c.reportSetting(name)
			}
			break
		}
		if err := c.setSetting(st.Name, "", true, false); err != nil {
			return nil, err
		}
	case pgcatalog.SessBegin:
		if c.tx != 'I' {
			res.Notices = append(res.Notices, "there is already a transaction in progress")
		} else {
			c.tx = 'T'
		}
		for _, kv := range st.Settings {
			if err := c.setSetting(kv[0], kv[1], false, true); err != nil {
				return nil, err
			}
		}
	case pgcatalog.SessCommit:
		switch c.tx {
		case 'I':
			res.Notices = append(res.Notices, "there is no transaction in progress")
		case 'E':
			res.Tag = "ROLLBACK"
		}
		c.endTransaction()
	case pgcatalog.SessRollback:
		if c.tx == 'I' {
			res.Notices = append(res.Notices, "there is no transaction in progress")
		}
		c.endTransaction()
	case pgcatalog.SessSavepoint:
		if c.tx == 'I' {
			return nil, types.Errorf(codeNoActiveTransaction, "SAVEPOINT can only be used in transaction blocks")
		}
		c.savepoints = append(c.savepoints, st.Name)
	case pgcatalog.SessRelease, pgcatalog.SessRollbackTo:
		if c.tx == 'I' {
			verb := "RELEASE SAVEPOINT"
			if st.Kind == pgcatalog.SessRollbackTo {
				verb = "ROLLBACK TO SAVEPOINT"
			}
			return nil, types.Errorf(codeNoActiveTransaction, "%s can only be used in transaction blocks", verb)
		}
		i := len(c.savepoints) - 1
		for i >= 0 && c.savepoints[i] != st.Name {
			i--
		}
		if i < 0 {
			return nil, types.Errorf(codeSavepointException, "savepoint \"%s\" does not exist", st.Name)
		}
		if st.Kind == pgcatalog.SessRelease {
			c.savepoints = c.savepoints[:i]
		} else {
			c.savepoints = c.savepoints[:i+1]
			c.tx = 'T'
		}
	case pgcatalog.SessDiscard:
		if st.All {
			if c.tx != 'I' {
				return nil, types.Errorf(codeActiveTransaction, "DISCARD ALL cannot run inside a transaction block")
			}
			for _, name := range c.settings.ResetAll() {
				c.reportSetting(name)
			}
			c.closePortals(true)
			c.stmts = map[string]*statement{}
		}
	case pgcatalog.SessDeallocate:
		if st.All {
			c.stmts = map[string]*statement{}
			break
		}
		if _, ok := c.stmts[st.Name]; !ok || st.Name == "" {
			return nil, types.Errorf(codeInvalidStatementName, "prepared statement \"%s\" does not exist", st.Name)
		}
		c.dropStatement(st.Name)
	}
	return res, nil
}

// setSetting changes (or, with reset, restores) a setting and tells the client when it is a
// reported one. A local change is undone when the transaction block ends.
func (c *conn) setSetting(name, value string, reset, local bool) error {
	before, had := c.settings.Get(name)
	var err error
	if reset {
		err = c.settings.Reset(name)
	} else {
		_, err = c.settings.Set(name, value)
	}
	if err != nil {
		return err
	}
	if local && c.tx != 'I' {
		c.localUndo = append(c.localUndo, localSetting{name: name, value: before, had: had})
	}
	if after, _ := c.settings.Get(name); after != before {
		c.reportSetting(name)
	}
	return nil
}

type localSetting struct {
	name, value string
	had         bool
}

// endTransaction leaves the transaction block: local settings are undone, savepoints dropped.
func (c *conn) endTransaction() {
	for i := len(c.localUndo) - 1; i >= 0; i-- {
		u := c.localUndo[i]
		before, _ := c.settings.Get(u.name)
		if u.had {
			_, _ = c.settings.Set(u.name, u.value)
		} else {
			_ = c.settings.Reset(u.name)
		}
		if after, _ := c.settings.Get(u.name); after != before {
			c.reportSetting(u.name)
		}
	}
	c.localUndo, c.savepoints = nil, nil
	c.tx = 'I'
	c.closePortals(false) // cursors (and portals) of the block end with it
}

// reportSetting sends ParameterStatus for a reported setting.
func (c *conn) reportSetting(name string) {
	if !pgcatalog.IsReported(name) {
		return
	}
	v, _ := c.settings.Get(name)
	c.send(&pgproto3.ParameterStatus{Name: pgcatalog.CanonicalName(name), Value: v})
}

// dropStatement removes a prepared statement and the portals made from it.
func (c *conn) dropStatement(name string) {
	st := c.stmts[name]
	if st == nil {
		return
	}
	delete(c.stmts, name)
	for pname, p := range c.portals {
		if p.stmt == st {
			p.close()
			delete(c.portals, pname)
		}
	}
}
