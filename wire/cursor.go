package wire

import (
	"context"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/pgcatalog"
	"github.com/streamsql/streamsql/types"
)

// Cursors: DECLARE name [NO SCROLL] CURSOR [WITH HOLD | WITHOUT HOLD] FOR query, FETCH and MOVE
// [FORWARD] [n | ALL | NEXT] [FROM | IN] name, CLOSE name | ALL. A cursor is a named portal (the
// extended protocol can Execute it by name too). Its query runs when it is declared; a push
// query's rows then wait in the stream until FETCHed, so psql with FETCH_COUNT and any client
// that reads a cursor in batches can consume an endless result. FETCH n returns n rows, fewer
// only when the result has ended: on a push query it waits for them, as Postgres does for a slow
// query. Cursors scan forward only.
//
// Cursors without HOLD live until the transaction block ends (and may only be declared in one);
// WITH HOLD cursors until CLOSE or the end of the session.

// SQLSTATEs of cursors.
const (
	codeInvalidCursorState      types.Code = "24000"
	codeInvalidCursorDefinition types.Code = "42P11"
	codeObjectNotInState        types.Code = "55000"
)

// cursorStatement runs DECLARE, FETCH, MOVE or CLOSE. ctx is the statement's context (FETCH
// waits for rows under it); the cursor's query runs under a context of its own that lasts as long
// as the cursor.
func (c *conn) cursorStatement(ctx context.Context, sql string) (*result, error) {
	toks := lexForInference(sql)
	if len(toks) == 0 {
		return nil, types.Errorf(types.CodeSyntaxError, "syntax error: empty cursor statement")
	}
	switch toks[0].val {
	case "DECLARE":
		return c.declareCursor(ctx, sql, toks)
	case "FETCH", "MOVE":
		return c.fetchCursor(ctx, toks)
	case "CLOSE":
		return c.closeCursor(toks)
	}
	return nil, types.Errorf(types.CodeSyntaxError, "syntax error at or near %q", toks[0].val)
}

// cursorName is a cursor's name as Postgres folds it: unquoted lower-cased, quoted as written.
func cursorName(t ptok) (string, bool) {
	switch t.kind {
	case 'i':
		return strings.ToLower(t.val), true
	case 'q':
		return t.val, true
	}
	return "", false
}

func cursorSyntaxError(toks []ptok, i int) error {
	if i >= len(toks) {
		return types.Errorf(types.CodeSyntaxError, "syntax error at end of input")
	}
	return types.Errorf(types.CodeSyntaxError, "syntax error at or near %q", toks[i].val)
}

func (c *conn) declareCursor(ctx context.Context, sql string, toks []ptok) (*result, error) {
	if len(toks) < 2 {
		return nil, cursorSyntaxError(toks, 1)
	}
	name, ok := cursorName(toks[1])
	if !ok {
		return nil, cursorSyntaxError(toks, 1)
	}
	hold, i := false, 2
	for ; i < len(toks) && !toks[i].isKw("FOR"); i++ {
		switch t := toks[i]; {
		case t.isKw("BINARY"):
			return nil, types.Errorf(types.CodeFeatureNotSupported, "BINARY cursors are not supported")
		case t.isKw("SCROLL") && !(i > 2 && toks[i-1].isKw("NO")):
			return nil, types.Errorf(types.CodeFeatureNotSupported, "scrollable cursors are not supported: cursors scan forward only")
		case t.isKw("HOLD"):
			hold = i > 2 && toks[i-1].isKw("WITH")
		case t.isKw("NO"), t.isKw("SCROLL"), t.isKw("ASENSITIVE"), t.isKw("INSENSITIVE"), t.isKw("CURSOR"), t.isKw("WITH"), t.isKw("WITHOUT"):
		default:
			return nil, cursorSyntaxError(toks, i)
		}
	}
	if i+1 >= len(toks) {
		return nil, cursorSyntaxError(toks, i+1)
	}
	query := strings.TrimRight(strings.TrimSpace(sql[toks[i+1].pos:]), "; \t\r\n")
	if !hold && c.tx == 'I' {
		return nil, types.Errorf(codeNoActiveTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, exists := c.portals[name]; exists {
		return nil, types.Errorf(codeDuplicateCursor, "cursor \"%s\" already exists", name)
	}
	switch pgcatalog.Classify(query) {
	case pgcatalog.RouteEngine, pgcatalog.RouteCatalog:
	default:
		if firstKeyword(query) != "SHOW" {
			return nil, types.Errorf(codeInvalidCursorDefinition, "cannot open %s query as cursor", firstKeyword(query))
		}
	}

	pctx, cancel := context.WithCancelCause(c.ctx)
	p := &portal{name: name, sql: query, ctx: pctx, cancel: cancel, ran: true, hold: hold, cursor: true}
	// While DECLARE runs, cancelling the statement (CancelRequest) cancels the cursor's query.
	stop := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
	var res *result
	err := c.run(pctx, query, func(r *result) error {
		if res != nil {
			if r.Stream != nil {
				c.safely("closing a row stream", r.Stream.Close)
			}
			return types.Errorf(codeInvalidCursorDefinition, "a cursor's query must be one statement")
		}
		res = r
		return nil
	})
	stop()
	if err == nil && res != nil && (!res.isQuery() || res.CopyOut && res.cat == nil) {
		err = types.Errorf(codeInvalidCursorDefinition, "cannot open %s query as cursor", firstKeyword(query))
	}
	if res != nil {
		p.res = res
		p.src = newRowSource(pctx, res, c)
	}
	if err != nil || res == nil {
		p.close()
		if err == nil {
			err = types.Errorf(codeInvalidCursorDefinition, "cannot open an empty query as cursor")
		}
		return nil, err
	}
	c.portals[name] = p
	return &result{Result: &api.Result{Tag: "DECLARE CURSOR", Notices: res.Notices}, txManaged: true}, nil
}

// fetchCursor runs FETCH or MOVE [direction] [FROM | IN] name.
func (c *conn) fetchCursor(ctx context.Context, toks []ptok) (*result, error) {
	verb := toks[0].val
	count, i := 1, 1
	backward := func() error {
		e := types.Errorf(codeObjectNotInState, "cursor can only scan forward")
		e.Hint = "Declare it with SCROLL option to enable backward scan."
		return e
	}
	parseCount := func(j int) (int, bool) {
		if j < len(toks) && toks[j].isOp("-") {
			return -1, j+1 < len(toks) && toks[j+1].kind == 'n'
		}
		if j < len(toks) && toks[j].kind == 'n' {
			n, err := strconv.Atoi(toks[j].val)
			if err != nil {
				return math.MaxInt, true
			}
			return n, true
		}
		return 0, false
	}
	if i < len(toks) {
		switch t := toks[i]; {
		case t.isKw("NEXT"):
			i++
		case t.isKw("ALL"):
			count, i = math.MaxInt, i+1
		case t.isKw("FORWARD"):
			i++
			if i < len(toks) && toks[i].isKw("ALL") {
				count, i = math.MaxInt, i+1
			} else if n, ok := parseCount(i); ok {
				if n < 0 {
					return nil, backward()
				}
				count, i = n, i+1
			}
		case t.isKw("RELATIVE"):
			n, ok := parseCount(i + 1)
			if !ok {
				return nil, cursorSyntaxError(toks, i+1)
			}
			if n < 0 {
				return nil, backward()
			}
			if n == 0 {
				return nil, types.Errorf(types.CodeFeatureNotSupported, "FETCH RELATIVE 0 (the current row again) is not supported")
			}
			// RELATIVE n skips n-1 rows and returns the nth.
			return c.fetchRelative(ctx, toks, verb, n, i+2)
		case t.isKw("PRIOR"), t.isKw("FIRST"), t.isKw("LAST"), t.isKw("ABSOLUTE"), t.isKw("BACKWARD"):
			return nil, backward()
		default:
			if n, ok := parseCount(i); ok {
				if n < 0 {
					return nil, backward()
				}
				count, i = n, i+1
			}
		}
	}
	p, err := c.cursorAt(toks, i)
	if err != nil {
		return nil, err
	}
	src := &limitSource{src: p.src, n: count}
	if verb == "MOVE" {
		n, err := src.skip(ctx, count)
		if err != nil {
			return nil, err
		}
		return &result{Result: &api.Result{Tag: "MOVE " + strconv.Itoa(n)}, txManaged: true}, nil
	}
	return &result{Result: &api.Result{Tag: "FETCH"}, src: src, enc: p.res.encoder(), txManaged: true}, nil
}

// fetchRelative is FETCH/MOVE RELATIVE n: n-1 rows skipped, then one.
func (c *conn) fetchRelative(ctx context.Context, toks []ptok, verb string, n, i int) (*result, error) {
	p, err := c.cursorAt(toks, i)
	if err != nil {
		return nil, err
	}
	skip := &limitSource{src: p.src, n: n - 1}
	if got, err := skip.skip(ctx, n-1); err != nil || got < n-1 {
		if err != nil {
			return nil, err
		}
		return c.emptyFetch(verb, p), nil
	}
	if verb == "MOVE" {
		got, err := (&limitSource{src: p.src, n: 1}).skip(ctx, 1)
		if err != nil {
			return nil, err
		}
		return &result{Result: &api.Result{Tag: "MOVE " + strconv.Itoa(got)}, txManaged: true}, nil
	}
	return &result{Result: &api.Result{Tag: "FETCH"}, src: &limitSource{src: p.src, n: 1}, enc: p.res.encoder(), txManaged: true}, nil
}

func (c *conn) emptyFetch(verb string, p *portal) *result {
	if verb == "MOVE" {
		return &result{Result: &api.Result{Tag: "MOVE 0"}, txManaged: true}
	}
	return &result{Result: &api.Result{Tag: "FETCH"}, src: &limitSource{src: p.src}, enc: p.res.encoder(), txManaged: true}
}

// cursorAt reads [FROM | IN] name at toks[i:] and finds the cursor.
func (c *conn) cursorAt(toks []ptok, i int) (*portal, error) {
	if i < len(toks) && (toks[i].isKw("FROM") || toks[i].isKw("IN")) {
		i++
	}
	if i >= len(toks) {
		return nil, cursorSyntaxError(toks, i)
	}
	name, ok := cursorName(toks[i])
	if !ok || i+1 < len(toks) && !toks[i+1].isOp(";") {
		return nil, cursorSyntaxError(toks, i+1)
	}
	p := c.portals[name]
	if p == nil || p.res == nil {
		return nil, types.Errorf(codeInvalidCursorName, "cursor \"%s\" does not exist", name)
	}
	return p, nil
}

func (c *conn) closeCursor(toks []ptok) (*result, error) {
	res := &result{Result: &api.Result{Tag: "CLOSE CURSOR"}, txManaged: true}
	if len(toks) >= 2 && toks[1].isKw("ALL") {
		for name, p := range c.portals {
			if p.cursor {
				p.close()
				delete(c.portals, name)
			}
		}
		return res, nil
	}
	if len(toks) < 2 {
		return nil, cursorSyntaxError(toks, 1)
	}
	name, ok := cursorName(toks[1])
	if !ok || len(toks) > 2 && !toks[2].isOp(";") {
		return nil, cursorSyntaxError(toks, 2)
	}
	p := c.portals[name]
	if p == nil {
		return nil, types.Errorf(codeInvalidCursorName, "cursor \"%s\" does not exist", name)
	}
	p.close()
	delete(c.portals, name)
	return res, nil
}

// limitSource yields at most n rows of a cursor's rows; closing it leaves the cursor open.
type limitSource struct {
	src rowSource
	n   int
}

func (l *limitSource) next(ctx context.Context) (types.Row, error) {
	if l.n <= 0 || l.src == nil {
		return nil, io.EOF
	}
	row, err := l.src.next(ctx)
	if err == nil {
		l.n--
	}
	return row, err
}

func (l *limitSource) ready() bool { return l.n <= 0 || l.src == nil || l.src.ready() }
func (l *limitSource) close()      {}

// skip reads and drops up to n rows, for MOVE.
func (l *limitSource) skip(ctx context.Context, n int) (int, error) {
	l.n = n
	got := 0
	for {
		_, err := l.next(ctx)
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		got++
	}
}
