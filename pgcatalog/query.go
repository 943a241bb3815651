package pgcatalog

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/streamsql/streamsql/types"
)

// Run answers one catalog query (a statement Classify routed to RouteCatalog) against env.
// It stops with ctx's error when ctx ends.
func Run(goctx context.Context, sql string, env *Env) (res *Result, err error) {
	defer func() {
		// The evaluator must never take the connection down: a bug is an internal error.
		if r := recover(); r != nil {
			res, err = nil, &types.Error{Code: types.CodeInternal, Message: fmt.Sprintf("internal error in catalog query: %v", r), Detail: string(debug.Stack())}
		}
	}()
	q, err := Parse(sql)
	if err != nil {
		return nil, err
	}
	st := newState(env)
	plan, err := compileQuery(q, &scope{st: st, qc: &qcomp{ctes: map[string]*cteDef{}}})
	if err != nil {
		return nil, err
	}
	qs := &qstate{ctx: goctx, st: st, memo: map[*queryPlan][][]Value{}}
	rows, err := plan.eval(&ctx{q: qs})
	if err != nil {
		return nil, err
	}
	return &Result{Columns: columnsOf(plan.cols), Rows: rows}, nil
}
