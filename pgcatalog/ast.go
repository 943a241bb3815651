package pgcatalog

// The AST of the Postgres SELECT dialect the catalog evaluator runs. Names are folded to
// lower case by the lexer unless quoted; schema qualifiers of functions and types are dropped
// (the catalog has one function and type namespace).

// Expr is an expression.
type Expr interface{ pos() int }

type (
	// Const is a literal; a string literal has type unknown until its context decides.
	Const struct {
		V   Value
		T   uint32
		Pos int
	}
	// ColRef is a column reference: col, rel.col or schema.rel.col.
	ColRef struct {
		Parts []string
		Pos   int
	}
	// Star is * or rel.* in a select list.
	Star struct {
		Qual string
		Pos  int
	}
	// Param is $n.
	Param struct {
		N   int
		Pos int
	}
	UnaryExpr struct {
		Op  string // "-", "+", "not", "~"
		X   Expr
		Pos int
	}
	BinaryExpr struct {
		Op   string // and, or, =, <>, <, <=, >, >=, +, -, *, /, %, ^, ||, ~, !~, ~*, !~*, ~~, !~~, ~~*, !~~*, &, |, #, <<, >>, @>, <@, &&, ->, ->>
		L, R Expr
		Pos  int
	}
	// FuncCall is a function, aggregate or window function call.
	FuncCall struct {
		Name     string
		Args     []Expr
		Star     bool // count(*)
		Distinct bool
		OrderBy  []OrderItem // string_agg(x, ',' ORDER BY y)
		Over     *WindowSpec
		Pos      int
	}
	WindowSpec struct {
		PartitionBy []Expr
		OrderBy     []OrderItem
	}
	CastExpr struct {
		X   Expr
		T   TypeName
		Pos int
	}
	CaseExpr struct {
		Operand Expr
		Whens   []WhenClause
		Else    Expr
		Pos     int
	}
	// InExpr is x [NOT] IN (list) or x [NOT] IN (subquery).
	InExpr struct {
		X    Expr
		List []Expr
		Sub  *Query
		Not  bool
		Pos  int
	}
	ExistsExpr struct {
		Sub *Query
		Pos int
	}
	// SubqueryExpr is a scalar subquery.
	SubqueryExpr struct {
		Sub *Query
		Pos int
	}
	// ArraySubquery is ARRAY(subquery).
	ArraySubquery struct {
		Sub *Query
		Pos int
	}
	// ArrayExpr is ARRAY[e, ...].
	ArrayExpr struct {
		Elems []Expr
		Pos   int
	}
	// QuantExpr is x op ANY|SOME|ALL (array or subquery).
	QuantExpr struct {
		Op  string
		X   Expr
		All bool
		Arr Expr
		Sub *Query
		Pos int
	}
	BetweenExpr struct {
		X, Lo, Hi Expr
		Not       bool
		Pos       int
	}
	// IsExpr is x IS [NOT] NULL|TRUE|FALSE|UNKNOWN or x IS [NOT] DISTINCT FROM y.
	IsExpr struct {
		X    Expr
		Not  bool
		What string // "null", "true", "false", "unknown", "distinct"
		From Expr
		Pos  int
	}
	// LikeExpr is x [NOT] LIKE|ILIKE pattern [ESCAPE e]; SIMILAR TO is treated as a regex.
	LikeExpr struct {
		X, Pat  Expr
		Esc     Expr
		Not     bool
		Fold    bool // ILIKE
		Similar bool
		Pos     int
	}
	// IndexExpr is x[i] or x[lo:hi].
	IndexExpr struct {
		X, Idx, Hi Expr
		Slice      bool
		Pos        int
	}
	// FieldExpr is (x).name.
	FieldExpr struct {
		X    Expr
		Name string
		Pos  int
	}
	// RowExpr is (a, b, ...) or ROW(a, b).
	RowExpr struct {
		Elems []Expr
		Pos   int
	}
	// ParenExpr keeps track of parentheses for (x).field.
	ParenExpr struct {
		X   Expr
		Pos int
	}
)

func (e *Const) pos() int         { return e.Pos }
func (e *ColRef) pos() int        { return e.Pos }
func (e *Star) pos() int          { return e.Pos }
func (e *Param) pos() int         { return e.Pos }
func (e *UnaryExpr) pos() int     { return e.Pos }
func (e *BinaryExpr) pos() int    { return e.Pos }
func (e *FuncCall) pos() int      { return e.Pos }
func (e *CastExpr) pos() int      { return e.Pos }
func (e *CaseExpr) pos() int      { return e.Pos }
func (e *InExpr) pos() int        { return e.Pos }
func (e *ExistsExpr) pos() int    { return e.Pos }
func (e *SubqueryExpr) pos() int  { return e.Pos }
func (e *ArraySubquery) pos() int { return e.Pos }
func (e *ArrayExpr) pos() int     { return e.Pos }
func (e *QuantExpr) pos() int     { return e.Pos }
func (e *BetweenExpr) pos() int   { return e.Pos }
func (e *IsExpr) pos() int        { return e.Pos }
func (e *LikeExpr) pos() int      { return e.Pos }
func (e *IndexExpr) pos() int     { return e.Pos }
func (e *FieldExpr) pos() int     { return e.Pos }
func (e *RowExpr) pos() int       { return e.Pos }
func (e *ParenExpr) pos() int     { return e.Pos }

type WhenClause struct{ Cond, Then Expr }

// TypeName is a cast target: a base type OID, possibly an array of it.
type TypeName struct {
	Name  string // canonical name, as format_type prints it
	OID   uint32 // the type's OID (the array type's when Array)
	Array bool
}

type OrderItem struct {
	X          Expr
	Desc       bool
	NullsFirst *bool
}

// Query is a full query expression: WITH, a body, ORDER BY and LIMIT/OFFSET.
type Query struct {
	With    []CTE
	Body    QueryBody
	OrderBy []OrderItem
	Limit   Expr
	Offset  Expr
	Pos     int
}

type CTE struct {
	Name string
	Cols []string
	Q    *Query
}

// QueryBody is *Select, *SetOp, *Values or a parenthesized *Query.
type QueryBody interface{ bodyNode() }

type Select struct {
	Distinct   bool
	DistinctOn []Expr
	Items      []SelectItem
	From       []FromItem
	Where      Expr
	GroupBy    []Expr
	Having     Expr
	Pos        int
}

type SelectItem struct {
	X     Expr
	Alias string // "" when none was given
}

type SetOp struct {
	Op   string // union, intersect, except
	All  bool
	L, R QueryBody
}

type Values struct{ Rows [][]Expr }

func (*Select) bodyNode() {}
func (*SetOp) bodyNode()  {}
func (*Values) bodyNode() {}
func (*Query) bodyNode()  {}

// FromItem is *TableRef, *SubqueryRef, *FuncRef or *JoinRef.
type FromItem interface{ fromNode() }

type TableRef struct {
	Schema, Name string
	Alias        string
	Cols         []string
	Pos          int
}

type SubqueryRef struct {
	Q     *Query
	Alias string
	Cols  []string
}

type FuncRef struct {
	F     *FuncCall
	Alias string
	Cols  []string
	Ord   bool // WITH ORDINALITY
}

type JoinRef struct {
	L, R    FromItem
	Kind    string // inner, left, right, full, cross
	On      Expr
	Using   []string
	Natural bool
}

func (*TableRef) fromNode()    {}
func (*SubqueryRef) fromNode() {}
func (*FuncRef) fromNode()     {}
func (*JoinRef) fromNode()     {}
