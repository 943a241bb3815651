package ast

import (
	"github.com/streamsql/streamsql/types"
)

// ExprBase carries an expression's position: where its first token is.
type ExprBase struct {
	At types.Position
}

// Pos returns where the expression starts.
func (e *ExprBase) Pos() types.Position { return e.At }
func (*ExprBase) expr()                 {}

// LiteralKind is the syntactic kind of a literal; the type follows from it (see Literal.Type).
type LiteralKind int

// Literal kinds.
const (
	NullLit LiteralKind = iota
	BoolLit
	IntegerLit
	DecimalLit
	DoubleLit
	StringLit
	BytesLit
)

var literalKindNames = [...]string{"NULL", "BOOLEAN", "INTEGER", "DECIMAL", "DOUBLE", "STRING", "BYTES"}

func (k LiteralKind) String() string {
	if int(k) < len(literalKindNames) {
		return literalKindNames[k]
	}
	return "LITERAL"
}

// Literal is a constant. Text is the number exactly as written for numeric kinds (so `1.50`
// stays DECIMAL(3, 2) as in ksqlDB) and the decoded value for strings.
type Literal struct {
	ExprBase
	Kind LiteralKind
	Text string
	// Int is the value of an IntegerLit; FitsInt says it fits a 32-bit INT (ksqlDB types such
	// a literal INTEGER, a larger one BIGINT). An integer beyond BIGINT is a DecimalLit.
	Int     int64
	FitsInt bool
	// Precision and Scale give a DecimalLit's type.
	Precision, Scale int
	Bool             bool
	Bytes            []byte
}

// Type returns the ksqlDB type of the literal (types.Unknown for NULL).
func (l *Literal) Type() types.Type {
	switch l.Kind {
	case BoolLit:
		return types.BooleanType
	case IntegerLit:
		if l.FitsInt {
			return types.IntType
		}
		return types.BigintType
	case DecimalLit:
		return types.DecimalType(l.Precision, l.Scale)
	case DoubleLit:
		return types.DoubleType
	case StringLit:
		return types.StringType
	case BytesLit:
		return types.BytesType
	}
	return types.Type{}
}

// ColumnRef is a column name, optionally qualified by a source (and, for Postgres clients, a
// schema: "public"."readings"."ts").
type ColumnRef struct {
	ExprBase
	Schema    *Ident
	Qualifier *Ident
	Name      Ident
}

// Deref is struct field access: ksqlDB's `a->b` and Postgres' `(composite).field`.
type Deref struct {
	ExprBase
	Expr  Expr
	Field Ident
}

// StructStar is ksqlDB's `s->*` in a select list: every field of a struct as its own column.
type StructStar struct {
	ExprBase
	Expr Expr
}

// Subscript is `arr[i]` (1-based in ksqlDB and Postgres, negative counts from the end in
// ksqlDB) or `map['k']`.
type Subscript struct {
	ExprBase
	Expr  Expr
	Index Expr
}

// WindowSpec is the OVER (...) of a window function call (catalog queries use row_number()).
type WindowSpec struct {
	PartitionBy []Expr
	OrderBy     []OrderItem
}

// FuncCall is a function or aggregate call. Name is upper-cased like any unquoted identifier;
// Schema is set for Postgres-qualified calls (pg_catalog.format_type). Star is COUNT(*).
// Postgres' special forms are normalized: EXTRACT(field FROM x) is EXTRACT('FIELD', x) and
// TRIM(BOTH c FROM x) is BTRIM(x, c) (LTRIM/RTRIM for LEADING/TRAILING).
type FuncCall struct {
	ExprBase
	Schema   *Ident
	Name     Ident
	Args     []Expr
	Distinct bool
	Star     bool
	Over     *WindowSpec
}

// Lambda is a ksqlDB lambda, `x => x * 2` or `(acc, x) => acc + x`, as an argument of
// TRANSFORM, FILTER or REDUCE.
type Lambda struct {
	ExprBase
	Params []Ident
	Body   Expr
}

// BinaryOp is a binary operator.
type BinaryOp string

// Binary operators. `^` is MySQL's XOR as TiDB reads it (Postgres' power operator is written
// POWER() by the clients we know); bitwise | is not supported (the rewrite uses it for ||).
// The regex operators are Postgres'.
const (
	OpAdd        BinaryOp = "+"
	OpSub        BinaryOp = "-"
	OpMul        BinaryOp = "*"
	OpDiv        BinaryOp = "/"
	OpMod        BinaryOp = "%"
	OpConcat     BinaryOp = "||"
	OpEq         BinaryOp = "="
	OpNe         BinaryOp = "<>"
	OpLt         BinaryOp = "<"
	OpLe         BinaryOp = "<="
	OpGt         BinaryOp = ">"
	OpGe         BinaryOp = ">="
	OpAnd        BinaryOp = "AND"
	OpOr         BinaryOp = "OR"
	OpRegex      BinaryOp = "~"
	OpNotRegex   BinaryOp = "!~"
	OpIRegex     BinaryOp = "~*"
	OpNotIRegex  BinaryOp = "!~*"
	OpBitAnd     BinaryOp = "&"
	OpBitOr      BinaryOp = "|"
	OpBitXor     BinaryOp = "^"
	OpShiftLeft  BinaryOp = "<<"
	OpShiftRight BinaryOp = ">>"
	OpIntegerDiv BinaryOp = "DIV"
	OpLogicalXor BinaryOp = "XOR"
)

// Binary is `left op right`.
type Binary struct {
	ExprBase
	Op          BinaryOp
	Left, Right Expr
}

// UnaryOp is a prefix operator.
type UnaryOp string

// Unary operators.
const (
	OpNeg    UnaryOp = "-"
	OpPlus   UnaryOp = "+"
	OpNot    UnaryOp = "NOT"
	OpBitNot UnaryOp = "~"
)

// Unary is `op expr`.
type Unary struct {
	ExprBase
	Op   UnaryOp
	Expr Expr
}

// Cast is CAST(expr AS type) and Postgres' expr::type. TypeRef is set (and Type is zero) when the
// type is a custom ksqlDB type or a Postgres type with no ksqlDB equivalent (regclass, oid, json).
type Cast struct {
	ExprBase
	Expr    Expr
	Type    types.Type
	TypeRef *TypeRef
}

// When is one WHEN cond THEN result of a CASE.
type When struct {
	Cond, Result Expr
}

// Case is CASE [operand] WHEN ... [ELSE ...] END.
type Case struct {
	ExprBase
	Operand Expr
	Whens   []When
	Else    Expr
}

// In is `expr [NOT] IN (list)` or `expr [NOT] IN (query)`.
type In struct {
	ExprBase
	Expr  Expr
	List  []Expr
	Query Query
	Not   bool
}

// Between is `expr [NOT] BETWEEN lo AND hi`.
type Between struct {
	ExprBase
	Expr, Lo, Hi Expr
	Not          bool
}

// Like is `expr [NOT] LIKE|ILIKE pattern [ESCAPE escape]`; Escape is nil for the default (\).
type Like struct {
	ExprBase
	Expr, Pattern Expr
	Escape        Expr
	Not           bool
	ILike         bool
}

// IsNull is `expr IS [NOT] NULL`.
type IsNull struct {
	ExprBase
	Expr Expr
	Not  bool
}

// IsBool is `expr IS [NOT] TRUE|FALSE`.
type IsBool struct {
	ExprBase
	Expr  Expr
	Value bool
	Not   bool
}

// IsDistinctFrom is `left IS [NOT] DISTINCT FROM right`.
type IsDistinctFrom struct {
	ExprBase
	Left, Right Expr
	Not         bool
}

// Param is a bind parameter: Postgres `$n`, or `?` numbered from 1 in order of appearance.
type Param struct {
	ExprBase
	N int
}

// Star is `*` or `t.*` in a select list.
type Star struct {
	ExprBase
	Qualifier *QualifiedName
}

// ArrayLit is ARRAY[e, ...].
type ArrayLit struct {
	ExprBase
	Elems []Expr
}

// MapEntry is one `key := value` of a MAP constructor.
type MapEntry struct {
	Key, Value Expr
}

// MapLit is MAP(k := v, ...).
type MapLit struct {
	ExprBase
	Entries []MapEntry
}

// StructField is one `name := value` of a STRUCT constructor.
type StructField struct {
	Name  Ident
	Value Expr
}

// StructLit is STRUCT(name := value, ...).
type StructLit struct {
	ExprBase
	Fields []StructField
}

// IntervalLit is INTERVAL 'value' [unit] (Postgres and MySQL forms); Unit is upper-cased or empty.
type IntervalLit struct {
	ExprBase
	Value string
	Unit  string
}

// Subquery is a parenthesized query used as a value, or Postgres' ARRAY(query) when Array is set.
type Subquery struct {
	ExprBase
	Query Query
	Array bool
}

// Exists is [NOT] EXISTS (query).
type Exists struct {
	ExprBase
	Query Query
	Not   bool
}

// Quantified is `left op ANY|ALL (right)`, where right is an array expression (Postgres) or a
// *Subquery.
type Quantified struct {
	ExprBase
	Left  Expr
	Op    BinaryOp
	All   bool
	Right Expr
}

// Collate is `expr COLLATE name`; Collation is the name as written (`pg_catalog.default`).
type Collate struct {
	ExprBase
	Expr      Expr
	Collation string
}

// Row is a row constructor `(a, b)` or ROW(a, b).
type Row struct {
	ExprBase
	Exprs []Expr
}
