package ast

import (
	"time"

	"github.com/streamsql/streamsql/types"
)

// Query is a SELECT or a set operation over SELECTs. Both are also statements.
type Query interface {
	Statement
	query()
}

// Emit is the EMIT clause of a ksqlDB query.
type Emit int

// EMIT values. EmitNone is a query without EMIT: a pull query on a table.
const (
	EmitNone Emit = iota
	EmitChanges
	EmitFinal
)

func (e Emit) String() string {
	switch e {
	case EmitChanges:
		return "CHANGES"
	case EmitFinal:
		return "FINAL"
	}
	return ""
}

// CTE is one common table expression of WITH.
type CTE struct {
	Name    Ident
	Columns []Ident
	Query   Query
}

// With is the WITH [RECURSIVE] clause of a query.
type With struct {
	Recursive bool
	CTEs      []CTE
}

// Select is one SELECT block with ksqlDB's clauses.
type Select struct {
	StmtBase
	With        *With
	Distinct    bool
	Items       []SelectItem
	From        TableExpr // nil for SELECT without FROM
	Window      *Window
	Where       Expr
	GroupBy     []Expr
	Having      Expr
	PartitionBy []Expr
	Emit        Emit
	OrderBy     []OrderItem
	// Limit and Offset are literal counts; a parameter count ($n) is in LimitParam/OffsetParam.
	Limit       *int64
	Offset      *int64
	LimitParam  int
	OffsetParam int
}

func (*Select) query() {}

// SetOpKind is UNION, EXCEPT or INTERSECT.
type SetOpKind string

// Set operations.
const (
	Union     SetOpKind = "UNION"
	Except    SetOpKind = "EXCEPT"
	Intersect SetOpKind = "INTERSECT"
)

// SetOp is `left UNION [ALL] right` (or EXCEPT, INTERSECT), with ORDER BY/LIMIT applying to the
// combined result. Chains are left-deep.
type SetOp struct {
	StmtBase
	With        *With
	Op          SetOpKind
	All         bool
	Left, Right Query
	OrderBy     []OrderItem
	Limit       *int64
	Offset      *int64
}

func (*SetOp) query() {}

// SelectItem is one entry of the select list. Expr is *Star for `*` and `t.*`, and *StructStar
// for ksqlDB's `s->*`.
type SelectItem struct {
	Expr  Expr
	Alias *Ident
}

// OrderItem is one ORDER BY entry. NullsFirst follows Postgres: true by default for DESC, false
// for ASC, unless NULLS FIRST/LAST says otherwise.
type OrderItem struct {
	Expr       Expr
	Desc       bool
	NullsFirst bool
}

// TableExpr is an item of FROM: *Table, *Join, *DerivedTable or *TableFunc.
type TableExpr interface {
	Node
	tableExpr()
}

// Table is a named source (a stream, a table, or a catalog relation) with an optional alias.
type Table struct {
	Name  QualifiedName
	Alias *Ident
}

// Pos returns where the table name starts.
func (t *Table) Pos() types.Position { return t.Name.Pos() }
func (*Table) tableExpr()            {}

// JoinKind is the kind of a join.
type JoinKind string

// Join kinds. Cross is a comma join or CROSS JOIN (no condition).
const (
	InnerJoin JoinKind = "INNER"
	LeftJoin  JoinKind = "LEFT"
	RightJoin JoinKind = "RIGHT"
	FullJoin  JoinKind = "FULL"
	CrossJoin JoinKind = "CROSS"
)

// Join is `left KIND JOIN right [WITHIN ...] ON cond | USING (cols)`.
type Join struct {
	Kind   JoinKind
	Left   TableExpr
	Right  TableExpr
	On     Expr
	Using  []Ident
	Within *Within
	At     types.Position
}

// Pos returns where the JOIN keyword is.
func (j *Join) Pos() types.Position { return j.At }
func (*Join) tableExpr()            {}

// DerivedTable is `(query) [AS] alias [(columns)]`.
type DerivedTable struct {
	Query   Query
	Alias   *Ident
	Columns []Ident
	At      types.Position
}

// Pos returns where the subquery starts.
func (d *DerivedTable) Pos() types.Position { return d.At }
func (*DerivedTable) tableExpr()            {}

// TableFunc is a set-returning function in FROM (`generate_series(1, 32) pos(n)`,
// `unnest(arr) x`), used by catalog queries.
type TableFunc struct {
	Call    *FuncCall
	Alias   *Ident
	Columns []Ident
}

// Pos returns where the call starts.
func (t *TableFunc) Pos() types.Position { return t.Call.Pos() }
func (*TableFunc) tableExpr()            {}

// Within is a stream-stream join's WITHIN: WITHIN d means Before = After = d;
// WITHIN (before, after) sets them apart. Grace is GRACE PERIOD, nil when not given.
type Within struct {
	Before, After time.Duration
	Grace         *time.Duration
}

// WindowKind is the kind of a ksqlDB window.
type WindowKind string

// Window kinds.
const (
	Tumbling WindowKind = "TUMBLING"
	Hopping  WindowKind = "HOPPING"
	Session  WindowKind = "SESSION"
)

// Window is the WINDOW clause: TUMBLING (SIZE s), HOPPING (SIZE s, ADVANCE BY a) or
// SESSION (gap), each with optional RETENTION and GRACE PERIOD (nil when not given).
type Window struct {
	Kind      WindowKind
	Size      time.Duration
	AdvanceBy time.Duration
	Gap       time.Duration
	Retention *time.Duration
	Grace     *time.Duration
	At        types.Position
}
