package engine

import (
	"context"
	"sort"

	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/exec"
	"github.com/streamsql/streamsql/exec/expr"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/types"
)

// pullQuery answers a SELECT without EMIT over a table from the state of the aggregation
// that materializes it. ok is false when sel is not a pull query over a table.
func (s *Session) pullQuery(ctx context.Context, sel *ast.Select) (*api.Result, bool, error) {
	if sel.Emit != ast.EmitNone {
		return nil, false, nil
	}
	tbl, isTable := sel.From.(*ast.Table)
	if !isTable {
		return nil, false, nil
	}
	src, found := planner.LookupSource(s.e.cat, tbl.Name)
	if !found || src.Kind != catalog.Table {
		return nil, false, nil
	}
	var writer *catalog.Query
	for _, q := range s.e.cat.Queries() {
		if q.Sink == src.Name {
			writer = q
			break
		}
	}
	pp, err := planner.PlanPull(s.planContext(ctx), sel, src, writer)
	if err != nil {
		return nil, true, err
	}
	rows, err := s.e.readMaterialized(pp, writer)
	if err != nil {
		return nil, true, err
	}
	res := &api.Result{Columns: make([]api.Column, len(pp.Columns))}
	for i, c := range pp.Columns {
		res.Columns[i] = api.Column{Name: c.Name, Type: c.Type}
	}
	type sorted struct {
		keys types.Row
		out  types.Row
	}
	var out []sorted
	for _, r := range rows {
		if pp.Filter != nil {
			v, err := pp.Filter.Eval(r)
			if err != nil {
				return nil, true, err
			}
			if b, _ := v.(bool); !b {
				continue
			}
		}
		o := make(types.Row, len(pp.Project))
		for i, p := range pp.Project {
			if o[i], err = p.Eval(r); err != nil {
				return nil, true, err
			}
		}
		var keys types.Row
		for _, k := range pp.OrderBy {
			v, err := k.Eval(r)
			if err != nil {
				return nil, true, err
			}
			keys = append(keys, v)
		}
		out = append(out, sorted{keys, o})
	}
	if len(pp.OrderBy) > 0 {
		sort.SliceStable(out, func(i, j int) bool {
			for k := range pp.OrderBy {
				c := expr.CompareNullsLast(out[i].keys[k], out[j].keys[k])
				if c == 0 {
					continue
				}
				if pp.Desc[k] {
					return c > 0
				}
				return c < 0
			}
			return false
		})
	}
	for _, o := range out {
		if pp.Limit > 0 && int64(len(res.Rows)) >= pp.Limit {
			break
		}
		res.Rows = append(res.Rows, o.out)
	}
	res.Tag = "SELECT " + itoa(len(res.Rows))
	return res, true, nil
}

// readMaterialized reads a table's rows from the state of every task of the aggregation that
// maintains it, with WINDOWSTART and WINDOWEND appended for a windowed table.
func (e *Engine) readMaterialized(pp *planner.PullPlan, writer *catalog.Query) ([]types.Row, error) {
	var rows []types.Row
	if pp.Materialized {
		// A table query's rows, latest per key (no key-ordered lookup: WHERE filters).
		for p := 0; p < pp.Partitions; p++ {
			err := exec.ReadMaterialized(e.state.Store(exec.MaterializedNamespace(pp.QueryID, p)), func(r types.Row) bool {
				rows = append(rows, r)
				return true
			})
			if err != nil {
				return nil, types.Wrap(types.CodeIO, err, "reading table %s", pp.Table.Name)
			}
		}
		return rows, nil
	}
	spec, err := compileStored(writer)
	if err != nil {
		return nil, err
	}
	for _, ns := range exec.StoreNamespaces(pp.QueryID, pp.Partitions) {
		err := exec.ReadTable(e.state.Store(ns), spec, pp.KeyEquals, func(r types.Row, start, end int64) bool {
			if pp.Windowed {
				r = append(r, start, end)
			}
			rows = append(rows, r)
			return true
		})
		if err != nil {
			return nil, types.Wrap(types.CodeIO, err, "reading table %s", pp.Table.Name)
		}
	}
	return rows, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
