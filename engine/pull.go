package engine

import (
	"context"
	"encoding/binary"
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
	src, found := s.e.cat.Source(tbl.Name.Name.Name)
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
	rows, err := s.e.readMaterialized(pp)
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

// readMaterialized reads a table's rows from every partition's store, with WINDOWSTART and
// WINDOWEND appended for a windowed table.
func (e *Engine) readMaterialized(pp *planner.PullPlan) ([]types.Row, error) {
	var rows []types.Row
	lo := []byte{exec.MaterializedPrefix}
	if pp.KeyEquals != nil {
		lo = exec.AppendGroupKey(lo, pp.KeyEquals)
	}
	hi := append(append([]byte(nil), lo...), 0xff)
	if pp.KeyEquals == nil {
		hi = []byte{exec.MaterializedPrefix + 1}
	}
	for _, ns := range exec.StoreNamespaces(pp.QueryID, pp.Partitions) {
		var derr error
		err := e.state.Store(ns).Scan(lo, hi, func(k, v []byte) bool {
			r, err := exec.DecodeRow(v)
			if err != nil {
				derr = err
				return false
			}
			if pp.KeyEquals != nil && !pp.Windowed && len(k) != len(lo) {
				return true // a longer group key that shares the prefix
			}
			if pp.Windowed {
				if len(k) < 17 {
					return true
				}
				r = append(r, int64(binary.BigEndian.Uint64(k[len(k)-16:])), int64(binary.BigEndian.Uint64(k[len(k)-8:])))
			}
			rows = append(rows, r)
			return true
		})
		if err == nil {
			err = derr
		}
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
