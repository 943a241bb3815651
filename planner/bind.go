package planner

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/streamsql/streamsql/exec/expr"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// ScopeColumn is a name an expression can refer to, and where its value sits in the row.
type ScopeColumn struct {
	Name  string
	Type  types.Type
	Index int
	// Display, when set, is how the column prints in messages: an aggregate row's synthetic
	// column shows the expression it stands for (SUM(VALUE)).
	Display string
}

// Scope resolves column names of one input row. Qualifier is the source name or alias that a
// qualified reference (`s.col`) may use.
type Scope struct {
	Columns    []ScopeColumn
	Qualifiers []string
	// Width is the number of values in a row of this scope.
	Width int
	// FoldLowerCase lets a lower-case (quoted) name find the upper-case column: set for
	// queries that name their source the Postgres way (see LookupSource).
	FoldLowerCase bool
	// AnyQualifier accepts every qualifier: a stored plan was checked when it was planned,
	// and its expressions may still name the source by the alias the query gave it.
	AnyQualifier bool
	// lambda parameters, innermost last
	params []map[string]expr.Expr
	// tableFuncs, set while a select list with table functions is bound, maps their calls to
	// synthetic columns (tablefuncs.go).
	tableFuncs *tableFuncState
}

func (s *Scope) lookup(name string) (ScopeColumn, bool) {
	for _, c := range s.Columns {
		if c.Name == name {
			return c, true
		}
	}
	if s.FoldLowerCase && name == strings.ToLower(name) {
		upper := strings.ToUpper(name)
		for _, c := range s.Columns {
			if c.Name == upper {
				return c, true
			}
		}
	}
	return ScopeColumn{}, false
}

// functions whose first argument is a bare time unit (MINUTES, DAYS, ...).
var unitFunctions = map[string]bool{
	"TIMESTAMPADD": true, "TIMESTAMPSUB": true, "DATEADD": true, "DATESUB": true, "TIMEADD": true, "TIMESUB": true,
}

// Bind compiles an AST expression against a scope into an executable expression, checking
// names and types. Errors are *types.Error pointing at the offending node.
func Bind(s *Scope, e ast.Expr) (expr.Expr, error) {
	b := binder{s: s}
	return b.bind(e)
}

type binder struct {
	s *Scope
	// codegen is set when the error being returned comes from a check ksqlDB makes only when
	// it generates code for an expression (IN-list coercion, CAST support) rather than in its
	// type checker: such errors carry a different prefix (see BindClause).
	codegen bool
}

// Clauses for BindClause.
const (
	ClauseSelect = "SELECT"
	ClauseWhere  = "WHERE"
	ClauseHaving = "HAVING"
)

// BindClause is Bind for an expression of a clause of a query, with errors worded the way
// ksqlDB words them there:
//
//   - an unknown column: "WHERE column 'X' cannot be resolved." (SELECT column ..., ...);
//   - an error of ksqlDB's code generation (a CAST it cannot do, an IN list that does not
//     coerce): "Invalid Predicate: ..." in WHERE and HAVING, "Invalid Select: ..." in SELECT;
//   - another type error of a WHERE or HAVING condition: "Error in WHERE expression: ...";
//   - a WHERE or HAVING condition that is not BOOLEAN: "Type error in WHERE expression: Should
//     evaluate to boolean but is <expr> (<type>) instead.";
//   - a bare NULL in the select list: "Can't infer a type of null. ...".
func BindClause(s *Scope, e ast.Expr, clause string) (expr.Expr, error) {
	b := binder{s: s}
	out, err := b.bind(e)
	if err != nil {
		return nil, clauseError(err, clause, b.codegen)
	}
	if clause == ClauseSelect && isNullLiteralExpr(e) {
		return nil, types.ErrorAt(types.CodeDatatypeMismatch, e.Pos(),
			"Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).")
	}
	if clause != ClauseSelect {
		if t := out.Type(); t.Kind != types.Boolean && t.Kind != types.Unknown {
			return nil, types.ErrorAt(types.CodeDatatypeMismatch, e.Pos(),
				"Type error in %s expression: Should evaluate to boolean but is %s (%s) instead.", clause, out.String(), t)
		}
	}
	return out, nil
}

func isNullLiteralExpr(e ast.Expr) bool {
	l, ok := e.(*ast.Literal)
	return ok && l.Kind == ast.NullLit
}

func clauseError(err error, clause string, codegen bool) error {
	var te *types.Error
	if !errors.As(err, &te) {
		return err
	}
	c := *te
	if c.Err == nil && error(te) != err {
		c.Err = err
	}
	switch {
	case te.Code == types.CodeUndefinedColumn && strings.HasPrefix(te.Message, "Column '"):
		c.Message = clause + " column '" + strings.TrimPrefix(te.Message, "Column '")
	case codegen && clause == ClauseSelect:
		c.Message = "Invalid Select: " + te.Message
	case codegen:
		c.Message = "Invalid Predicate: " + te.Message
	case clause != ClauseSelect:
		c.Message = "Error in " + clause + " expression: " + te.Message
	default:
		return err
	}
	return &c
}

func at(err error, n ast.Node) error {
	if te, ok := err.(*types.Error); ok && !te.Pos.IsValid() && n != nil {
		c := *te
		c.Pos = n.Pos()
		return &c
	}
	return err
}

func (b *binder) bind(e ast.Expr) (expr.Expr, error) {
	out, err := b.bind1(e)
	if err != nil {
		return nil, at(err, e)
	}
	return out, nil
}

func (b *binder) bindAll(es []ast.Expr) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		x, err := b.bind(e)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

func (b *binder) bind1(e ast.Expr) (expr.Expr, error) {
	switch n := e.(type) {
	case *ast.Literal:
		return bindLiteral(n)
	case *ast.ColumnRef:
		return b.column(n)
	case *ast.Binary:
		l, err := b.bind(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := b.bind(n.Right)
		if err != nil {
			return nil, err
		}
		op := string(n.Op)
		if isComparison(n.Op) {
			if l, r, err = magicTimestamps(n.Left, l, n.Right, r); err != nil {
				return nil, err
			}
		}
		if n.Op == ast.OpConcat {
			return expr.Call("CONCAT", []expr.Expr{l, r})
		}
		return expr.Binary(op, l, r)
	case *ast.Unary:
		x, err := b.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		if n.Op == ast.OpPlus {
			return x, nil
		}
		return expr.Unary(string(n.Op), x)
	case *ast.Cast:
		x, err := b.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		if n.TypeRef != nil {
			return nil, types.Errorf(types.CodeUndefinedObject, "unknown type %s", n.TypeRef.Name)
		}
		out, err := expr.Cast(x, n.Type)
		b.codegen = err != nil
		return out, err
	case *ast.Case:
		var operand expr.Expr
		var err error
		if n.Operand != nil {
			if operand, err = b.bind(n.Operand); err != nil {
				return nil, err
			}
		}
		whens := make([]expr.Expr, len(n.Whens))
		thens := make([]expr.Expr, len(n.Whens))
		for i, w := range n.Whens {
			if whens[i], err = b.bind(w.Cond); err != nil {
				return nil, err
			}
			if thens[i], err = b.bind(w.Result); err != nil {
				return nil, err
			}
		}
		var els expr.Expr
		if n.Else != nil {
			if els, err = b.bind(n.Else); err != nil {
				return nil, err
			}
		}
		return expr.Case(operand, whens, thens, els)
	case *ast.In:
		if n.Query != nil {
			return nil, types.Errorf(types.CodeFeatureNotSupported, "subqueries are not supported in IN")
		}
		x, err := b.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		list, err := b.bindAll(n.List)
		if err != nil {
			return nil, err
		}
		// ksqlDB coerces an IN list when it generates the expression's code.
		out, err := expr.In(x, list, n.Not)
		b.codegen = err != nil
		return out, err
	case *ast.Between:
		x, err := b.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		lo, err := b.bind(n.Lo)
		if err != nil {
			return nil, err
		}
		hi, err := b.bind(n.Hi)
		if err != nil {
			return nil, err
		}
		if isPseudoTimestamp(n.Expr) {
			if lo, err = magicTimestamp(n.Lo, lo); err != nil {
				return nil, err
			}
			if hi, err = magicTimestamp(n.Hi, hi); err != nil {
				return nil, err
			}
		}
		return expr.Between(x, lo, hi, n.Not)
	case *ast.Like:
		if n.ILike {
			return nil, types.Errorf(types.CodeFeatureNotSupported, "ILIKE is not supported; use LIKE with LCASE")
		}
		x, err := b.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		p, err := b.bind(n.Pattern)
		if err != nil {
			return nil, err
		}
		var esc *string
		if n.Escape != nil {
			l, ok := n.Escape.(*ast.Literal)
			if !ok || l.Kind != ast.StringLit {
				return nil, types.ErrorAt(types.CodeSyntaxError, n.Escape.Pos(), "ESCAPE must be a string literal")
			}
			s := l.Text
			esc = &s
		}
		return expr.Like(x, p, esc, n.Not)
	case *ast.IsNull:
		x, err := b.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		return expr.IsNull(x, n.Not), nil
	case *ast.IsBool:
		x, err := b.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		// x IS TRUE is x IS NOT DISTINCT FROM TRUE.
		return expr.IsDistinctFrom(x, expr.Literal(n.Value, types.BooleanType), !n.Not)
	case *ast.IsDistinctFrom:
		l, err := b.bind(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := b.bind(n.Right)
		if err != nil {
			return nil, err
		}
		return expr.IsDistinctFrom(l, r, n.Not)
	case *ast.FuncCall:
		return b.call(n)
	case *ast.Deref:
		x, err := b.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		return expr.Field(x, n.Field.Name)
	case *ast.Subscript:
		x, err := b.bind(n.Expr)
		if err != nil {
			return nil, err
		}
		i, err := b.bind(n.Index)
		if err != nil {
			return nil, err
		}
		return expr.Subscript(x, i)
	case *ast.ArrayLit:
		elems, err := b.bindAll(n.Elems)
		if err != nil {
			return nil, err
		}
		return expr.ArrayOf(elems)
	case *ast.MapLit:
		keys := make([]expr.Expr, len(n.Entries))
		vals := make([]expr.Expr, len(n.Entries))
		for i, en := range n.Entries {
			var err error
			if keys[i], err = b.bind(en.Key); err != nil {
				return nil, err
			}
			if vals[i], err = b.bind(en.Value); err != nil {
				return nil, err
			}
		}
		return expr.MapOf(keys, vals)
	case *ast.StructLit:
		names := make([]string, len(n.Fields))
		vals := make([]expr.Expr, len(n.Fields))
		for i, f := range n.Fields {
			names[i] = f.Name.Name
			var err error
			if vals[i], err = b.bind(f.Value); err != nil {
				return nil, err
			}
		}
		return expr.StructOf(names, vals)
	case *ast.Lambda:
		return nil, types.Errorf(types.CodeSyntaxError, "a lambda is only allowed as an argument of TRANSFORM, FILTER or REDUCE")
	case *ast.Param:
		return nil, types.Errorf(types.CodeFeatureNotSupported, "parameters ($%d) are not supported here", n.N)
	case *ast.Star, *ast.StructStar:
		return nil, types.Errorf(types.CodeSyntaxError, "* is only allowed in the select list")
	}
	return nil, types.Errorf(types.CodeFeatureNotSupported, "expression %s is not supported", ast.Format(e))
}

func isComparison(op ast.BinaryOp) bool {
	switch op {
	case ast.OpEq, ast.OpNe, ast.OpLt, ast.OpLe, ast.OpGt, ast.OpGe:
		return true
	}
	return false
}

// isPseudoTimestamp reports whether e is a reference to ROWTIME, WINDOWSTART or WINDOWEND,
// the columns ksqlDB's "magic timestamp" rewrite applies to.
func isPseudoTimestamp(e ast.Expr) bool {
	c, ok := e.(*ast.ColumnRef)
	if !ok {
		return false
	}
	switch strings.ToUpper(c.Name.Name) {
	case "ROWTIME", "WINDOWSTART", "WINDOWEND":
		return true
	}
	return false
}

// magicTimestamps applies ksqlDB's StatementRewriteForMagicPseudoTimestamp to a comparison:
// when one side is ROWTIME or a window bound and the other a string literal, the literal is
// parsed as a (partial) ISO-8601 timestamp and becomes a BIGINT of epoch milliseconds, so
// `ROWTIME > '2020-01-01T00:00:00'` compares numbers.
func magicTimestamps(la ast.Expr, l expr.Expr, ra ast.Expr, r expr.Expr) (expr.Expr, expr.Expr, error) {
	var err error
	switch {
	case isPseudoTimestamp(la):
		r, err = magicTimestamp(ra, r)
	case isPseudoTimestamp(ra):
		l, err = magicTimestamp(la, l)
	}
	return l, r, err
}

// magicTimestamp converts a bound string literal to its epoch milliseconds; other expressions
// are returned unchanged.
func magicTimestamp(a ast.Expr, x expr.Expr) (expr.Expr, error) {
	lit, ok := a.(*ast.Literal)
	if !ok || lit.Kind != ast.StringLit {
		return x, nil
	}
	ms, err := expr.ParseTimestampString(lit.Text)
	if err != nil {
		return nil, at(types.Errorf(types.CodeInvalidDatetime, "Failed to parse timestamp '%s': %v", lit.Text, err), a)
	}
	return expr.Literal(ms, types.BigintType), nil
}

func (b *binder) column(n *ast.ColumnRef) (expr.Expr, error) {
	name := n.Name.Name
	if n.Qualifier == nil {
		for i := len(b.s.params) - 1; i >= 0; i-- {
			if p, ok := b.s.params[i][name]; ok {
				return p, nil
			}
		}
	} else if !b.s.AnyQualifier && !b.qualifierKnown(n.Qualifier.Name) {
		return nil, types.ErrorAt(types.CodeUndefinedTable, n.Qualifier.Pos, "'%s' is not a valid stream/table name or alias.", n.Qualifier.Name)
	}
	c, ok := b.s.lookup(name)
	if !ok {
		full := name
		if n.Qualifier != nil {
			full = n.Qualifier.Name + "." + name
		}
		return nil, types.ErrorAt(types.CodeUndefinedColumn, n.Name.Pos, "Column '%s' cannot be resolved.", full)
	}
	if c.Display != "" {
		return expr.Column(c.Index, c.Type, c.Display), nil
	}
	return expr.Column(c.Index, c.Type, c.Name), nil
}

func (b *binder) qualifierKnown(q string) bool {
	for _, k := range b.s.Qualifiers {
		if k == q {
			return true
		}
	}
	return false
}

func (b *binder) call(n *ast.FuncCall) (expr.Expr, error) {
	name := strings.ToUpper(n.Name.Name)
	if expr.IsTableFunction(name) {
		return b.tableFunction(n)
	}
	if n.Star || n.Distinct || n.Over != nil {
		return nil, types.Errorf(types.CodeGroupingError, "aggregate function %s is not allowed here: the query has no GROUP BY", name)
	}
	if _, ok := expr.Lookup(name); !ok {
		return nil, types.ErrorAt(types.CodeUndefinedFunction, n.Name.Pos, "Can't find any functions with the name '%s'", name)
	}
	args := make([]expr.Expr, len(n.Args))
	for i, a := range n.Args {
		if i == 0 && unitFunctions[name] {
			// A bare word naming a time unit is the unit; anything else (a column such as
			// `date`) binds as an ordinary argument, and the call then fails to resolve
			// with ksqlDB's "does not accept parameters" error.
			if c, ok := a.(*ast.ColumnRef); ok && c.Qualifier == nil {
				if u, err := expr.IntervalUnit(c.Name.Name); err == nil {
					args[i] = u
					continue
				}
			}
		}
		if l, ok := a.(*ast.Lambda); ok {
			args[i] = b.lambda(l)
			continue
		}
		x, err := b.bind(a)
		if err != nil {
			return nil, err
		}
		args[i] = x
	}
	out, err := expr.Call(name, args)
	if err != nil {
		return nil, at(err, n)
	}
	return out, nil
}

func (b *binder) lambda(l *ast.Lambda) expr.Expr {
	names := make([]string, len(l.Params))
	for i, p := range l.Params {
		names[i] = p.Name
	}
	width := b.s.Width
	for _, p := range b.s.params {
		width += len(p)
	}
	return expr.NewLambda(width, names, func(params []expr.Expr) (expr.Expr, error) {
		frame := make(map[string]expr.Expr, len(params))
		for i, p := range params {
			frame[names[i]] = p
		}
		b.s.params = append(b.s.params, frame)
		defer func() { b.s.params = b.s.params[:len(b.s.params)-1] }()
		return b.bind(l.Body)
	})
}

func bindLiteral(n *ast.Literal) (expr.Expr, error) {
	switch n.Kind {
	case ast.NullLit:
		return expr.Null(), nil
	case ast.BoolLit:
		return expr.Literal(n.Bool, types.BooleanType), nil
	case ast.IntegerLit:
		if n.FitsInt {
			return expr.Literal(int32(n.Int), types.IntType), nil
		}
		return expr.Literal(n.Int, types.BigintType), nil
	case ast.DecimalLit:
		if !strings.ContainsAny(n.Text, ".eE") {
			// Digits alone beyond BIGINT: ksqlDB's parser rejects the literal.
			return nil, types.Errorf(types.CodeNumericOutOfRange, "Invalid numeric literal: %s", n.Text)
		}
		d, err := decimal.NewFromString(n.Text)
		if err != nil {
			return nil, types.Errorf(types.CodeInvalidText, "invalid decimal literal %s", n.Text)
		}
		return expr.Literal(d, types.DecimalType(n.Precision, n.Scale)), nil
	case ast.DoubleLit:
		f, err := strconv.ParseFloat(n.Text, 64)
		if err != nil {
			return nil, types.Errorf(types.CodeInvalidText, "invalid number %s", n.Text)
		}
		return expr.Literal(f, types.DoubleType), nil
	case ast.StringLit:
		return expr.Literal(n.Text, types.StringType), nil
	case ast.BytesLit:
		bs := n.Bytes
		if bs == nil {
			var err error
			if bs, err = base64.StdEncoding.DecodeString(n.Text); err != nil {
				bs = []byte(n.Text)
			}
		}
		return expr.Literal(bs, types.BytesType), nil
	}
	return nil, types.Errorf(types.CodeInternal, "unknown literal kind %s", n.Kind)
}
