package expr

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// coerceList is ksqlDB's CoercionUtil.coerceUserList, used by IN lists and the ARRAY and MAP
// constructors: find the widest common type of the expressions (numbers widen, structs take
// the union of their fields, literals are coerced leniently: '10' can be a number, 10 a
// string), then convert literals to it at construction and wrap other expressions in an
// implicit CAST. ok is false when every element is the untyped NULL.
func coerceList(exprs []Expr) (common types.Type, out []Expr, ok bool, err error) {
	for _, e := range exprs {
		if common, ok, err = resolveCommon(e, common, ok); err != nil {
			return types.Type{}, nil, false, err
		}
	}
	if !ok {
		return types.Type{}, exprs, false, nil
	}
	out = make([]Expr, len(exprs))
	for i, e := range exprs {
		if out[i], err = convertToCommon(e, common); err != nil {
			return types.Type{}, nil, false, err
		}
	}
	return common, out, true, nil
}

func resolveCommon(e Expr, common types.Type, have bool) (types.Type, bool, error) {
	if isNullLiteral(e) {
		return common, have, nil
	}
	if !have {
		return e.Type(), true, nil
	}
	target := common
	switch n := e.(type) {
	case *arrayNode:
		if target.Kind != types.Array {
			return types.Type{}, false, coercionFailure(e, target)
		}
		et, err := resolveStructured(*target.Elem, n.elems)
		if err != nil {
			return types.Type{}, false, wrapCoercion(err, e, target)
		}
		return types.ArrayOf(et), true, nil
	case *mapNode:
		if target.Kind != types.Map {
			return types.Type{}, false, coercionFailure(e, target)
		}
		kt, err := resolveStructured(*target.Key, n.keys)
		if err != nil {
			return types.Type{}, false, wrapCoercion(err, e, target)
		}
		vt, err := resolveStructured(*target.Elem, n.values)
		if err != nil {
			return types.Type{}, false, wrapCoercion(err, e, target)
		}
		return types.MapOf(kt, vt), true, nil
	case *structNode:
		if target.Kind != types.Struct {
			return types.Type{}, false, coercionFailure(e, target)
		}
		t, err := resolveStructStruct(n, target)
		if err != nil {
			return types.Type{}, false, wrapCoercion(err, e, target)
		}
		return t, true, nil
	case *literal:
		if s, isStr := n.v.(string); isStr {
			if target.IsNumeric() {
				t, err := commonNumericFromString(s, target)
				return t, err == nil, err
			}
			if target.Kind == types.Boolean {
				if _, ok := parseBooleanExact(strings.TrimSpace(s)); !ok {
					return types.Type{}, false, invalidSyntax(s, target)
				}
				return common, true, nil
			}
		}
	}
	return commonSimple(e, target)
}

// resolveStructured resolves the element type of a constructor against the target's element
// type: the target first, then every element.
func resolveStructured(target types.Type, elems []Expr) (types.Type, error) {
	common, have := target, true
	var err error
	for _, e := range elems {
		if common, have, err = resolveCommon(e, common, have); err != nil {
			return types.Type{}, err
		}
	}
	return common, nil
}

// resolveStructStruct is the union of a STRUCT constructor's fields and the target's, field
// types resolved pairwise; constructor fields first.
func resolveStructStruct(n *structNode, target types.Type) (types.Type, error) {
	var fields []types.Field
	seen := map[string]bool{}
	add := func(name string) error {
		if seen[name] {
			return nil
		}
		seen[name] = true
		var src Expr
		for i, fn := range n.names {
			if fn == name {
				src = n.values[i]
			}
		}
		var tt *types.Type
		for _, f := range target.Fields {
			if f.Name == name {
				ft := f.Type
				tt = &ft
			}
		}
		switch {
		case tt == nil:
			fields = append(fields, types.Field{Name: name, Type: src.Type()})
		case src == nil:
			fields = append(fields, types.Field{Name: name, Type: *tt})
		default:
			t, _, err := resolveCommon(src, *tt, true)
			if err != nil {
				return err
			}
			fields = append(fields, types.Field{Name: name, Type: t})
		}
		return nil
	}
	for _, name := range n.names {
		if err := add(name); err != nil {
			return types.Type{}, err
		}
	}
	for _, f := range target.Fields {
		if err := add(f.Name); err != nil {
			return types.Type{}, err
		}
	}
	return types.StructOf(fields...), nil
}

type coercionError struct{ err *types.Error }

func (c *coercionError) Error() string { return c.err.Message }
func (c *coercionError) Unwrap() error { return c.err }

func coercionFailure(e Expr, target types.Type) error {
	return &coercionError{types.Errorf(types.CodeDatatypeMismatch,
		"operator does not exist: %s = %s (%s)\nHint: You might need to add explicit type casts.",
		typeName(target), typeName(e.Type()), e.String())}
}

// wrapCoercion reports a failed element coercion against the whole constructor, as ksqlDB
// does, but lets literal syntax errors through unchanged.
func wrapCoercion(err error, e Expr, target types.Type) error {
	if _, ok := err.(*coercionError); ok {
		return coercionFailure(e, target)
	}
	return err
}

func invalidSyntax(s string, target types.Type) error {
	return types.Errorf(types.CodeInvalidText, "invalid input syntax for type %s: \"%s\".",
		target.Kind.String(), s)
}

// commonNumericFromString types a numeric string literal (INT, BIGINT or DECIMAL) and widens
// it with target.
func commonNumericFromString(s string, target types.Type) (types.Type, error) {
	src, ok := stringNumericType(s)
	if !ok {
		return types.Type{}, invalidSyntax(s, target)
	}
	if target.Kind == types.Double {
		return types.DoubleType, nil
	}
	if src.Kind == types.Decimal || target.Kind == types.Decimal {
		return widenDecimal(src, target), nil
	}
	if numericRank(src.Kind) <= numericRank(target.Kind) {
		return target, nil
	}
	return src, nil
}

func stringNumericType(s string) (types.Type, bool) {
	trimmed := strings.TrimSpace(s)
	d, ok := parseJavaBigDecimal(trimmed)
	if !ok {
		return types.Type{}, false
	}
	if !strings.ContainsAny(s, ".eE") && d.Exponent() >= 0 {
		bi := d.BigInt()
		if bi.Cmp(big.NewInt(-1<<31)) > 0 && bi.Cmp(big.NewInt(1<<31-1)) < 0 {
			return types.IntType, true
		}
		if bi.IsInt64() && bi.Int64() != -1<<63 && bi.Int64() != 1<<63-1 {
			return types.BigintType, true
		}
	}
	return decimalTypeOfValue(d), true
}

// decimalTypeOfValue is DecimalUtil.fromValue: the precision and scale a literal needs.
func decimalTypeOfValue(d decimal.Decimal) types.Type {
	scale := max(0, int(-d.Exponent()))
	if d.IsZero() {
		return types.DecimalType(scale+1, scale)
	}
	digits := len(new(big.Int).Abs(d.Coefficient()).String())
	if d.Exponent() > 0 {
		digits += int(d.Exponent())
	}
	return types.DecimalType(max(digits, scale), scale)
}

// widenDecimal is DecimalUtil.widen.
func widenDecimal(a, b types.Type) types.Type {
	l, _ := decimalTypeOf(a)
	r, _ := decimalTypeOf(b)
	s := max(l.Scale, r.Scale)
	return types.DecimalType(max(l.Precision-l.Scale, r.Precision-r.Scale)+s, s)
}

func commonSimple(e Expr, target types.Type) (types.Type, bool, error) {
	_, lax := e.(*literal)
	src := e.Type()
	if t, ok := canCoerce(src, target, lax); ok {
		return t, true, nil
	}
	if t, ok := canCoerce(target, src, lax); ok {
		return t, true, nil
	}
	return types.Type{}, false, coercionFailure(e, target)
}

// canCoerce reports the common type when values of from can be coerced to to: numbers widen,
// collections coerce element-wise; lax (literals) also turns any scalar into a STRING.
func canCoerce(from, to types.Type, lax bool) (types.Type, bool) {
	if from.Equal(to) {
		return to, true
	}
	if from.IsNumeric() && to.IsNumeric() {
		if numericRank(from.Kind) > numericRank(to.Kind) {
			return types.Type{}, false
		}
		if to.Kind == types.Decimal {
			return widenDecimal(from, to), true
		}
		return to, true
	}
	if lax && to.Kind == types.String && (from.IsNumeric() || from.Kind == types.Boolean) {
		return to, true
	}
	switch {
	case from.Kind == types.Array && to.Kind == types.Array:
		et, ok := canCoerce(*from.Elem, *to.Elem, false)
		return types.ArrayOf(et), ok
	case from.Kind == types.Map && to.Kind == types.Map:
		kt, ok1 := canCoerce(*from.Key, *to.Key, false)
		vt, ok2 := canCoerce(*from.Elem, *to.Elem, false)
		return types.MapOf(kt, vt), ok1 && ok2
	case from.Kind == types.Struct && to.Kind == types.Struct:
		// DefaultSqlValueCoercer.canCoerceToStruct: the union of the fields, from's first;
		// a field both have must coerce.
		var fields []types.Field
		for _, f := range from.Fields {
			ft := f.Type
			if tf, ok := fieldType(to, f.Name); ok {
				if ft, ok = canCoerce(f.Type, tf, false); !ok {
					return types.Type{}, false
				}
			}
			fields = append(fields, types.Field{Name: f.Name, Type: ft})
		}
		for _, f := range to.Fields {
			if _, ok := fieldType(from, f.Name); !ok {
				fields = append(fields, f)
			}
		}
		return types.StructOf(fields...), true
	}
	return types.Type{}, false
}

func fieldType(t types.Type, name string) (types.Type, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f.Type, true
		}
	}
	return types.Type{}, false
}

func convertToCommon(e Expr, common types.Type) (Expr, error) {
	if isNullLiteral(e) || e.Type().Equal(common) {
		return e, nil
	}
	if l, ok := e.(*literal); ok && l.v != nil {
		if v, ok := coerceLiteralValue(l.v, l.t, common); ok {
			return Literal(v, common), nil
		}
	}
	if _, ok := converter(e.Type(), common); !ok {
		return nil, coercionFailure(e, common)
	}
	return implicitCast(e, common), nil
}

// coerceLiteralValue converts a literal's value to t leniently (DefaultSqlValueCoercer.LAX).
func coerceLiteralValue(v types.Value, from, to types.Type) (types.Value, bool) {
	if s, ok := v.(string); ok && to.Kind != types.String {
		s = strings.TrimSpace(s)
		if to.Kind == types.Boolean {
			b, ok := parseBooleanExact(s)
			return b, ok
		}
		if to.IsNumeric() {
			d, ok := parseJavaBigDecimal(s)
			if !ok {
				return nil, false
			}
			return decimalToNumeric(d, to)
		}
		return nil, false
	}
	if to.Kind == types.String {
		switch x := v.(type) {
		case decimal.Decimal:
			return javaBigDecimal(x, from.Scale), true
		case bool, int32, int64, float64:
			return javaString(x, from), true
		}
		return nil, false
	}
	if from.IsNumeric() && to.IsNumeric() {
		switch x := v.(type) {
		case float64:
			if to.Kind == types.Double {
				return x, true
			}
			return nil, false
		default:
			return decimalToNumeric(decimalOf(x), to)
		}
	}
	return nil, false
}

func decimalToNumeric(d decimal.Decimal, to types.Type) (types.Value, bool) {
	switch to.Kind {
	case types.Int, types.Bigint:
		if !d.Equal(d.Truncate(0)) {
			return nil, false
		}
		bi := d.BigInt()
		if !bi.IsInt64() {
			return nil, false
		}
		n := bi.Int64()
		if to.Kind == types.Int {
			if n != int64(int32(n)) {
				return nil, false
			}
			return int32(n), true
		}
		return n, true
	case types.Double:
		f, err := strconv.ParseFloat(d.String(), 64)
		return f, err == nil
	case types.Decimal:
		if ensureMax(d, to.Precision, to.Scale) != nil {
			return nil, false
		}
		return rescale(d, to.Scale), true
	}
	return nil, false
}

// --- IN --------------------------------------------------------------------------------------

// In builds e [NOT] IN (list) as ksqlDB does: NULL literals are dropped from the list, the rest
// are coerced with e to a common type (string literals may stand for numbers or booleans,
// number literals for strings), and a NULL e matches nothing, so e IN (...) is FALSE and
// NOT IN TRUE for a NULL e.
func In(e Expr, list []Expr, negate bool) (Expr, error) {
	exprs := []Expr{e}
	for _, x := range list {
		if !isNullLiteral(x) {
			exprs = append(exprs, x)
		}
	}
	_, coerced, ok, err := coerceList(exprs)
	if err != nil {
		return nil, err
	}
	if !ok {
		coerced = exprs
	}
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = x.String()
	}
	text := "(" + e.String() + " IN (" + strings.Join(parts, ", ") + "))"
	if negate {
		text = "(" + e.String() + " NOT IN (" + strings.Join(parts, ", ") + "))"
	}
	return &inNode{value: coerced[0], items: coerced[1:], negate: negate, text: text}, nil
}

type inNode struct {
	value  Expr
	items  []Expr
	negate bool
	text   string
}

func (n *inNode) Type() types.Type { return types.BooleanType }
func (n *inNode) String() string   { return n.text }

func (n *inNode) evalBool(row types.Row) (bool, bool, error) {
	v, err := n.value.Eval(row)
	if err != nil {
		return false, false, err
	}
	found := false
	if v != nil {
		for _, it := range n.items {
			x, err := it.Eval(row)
			if err != nil {
				return false, false, err
			}
			if x != nil && types.Equal(v, x) {
				found = true
				break
			}
		}
	}
	return found != n.negate, true, nil
}

func (n *inNode) Eval(row types.Row) (types.Value, error) { return boolResult(n.evalBool(row)) }
