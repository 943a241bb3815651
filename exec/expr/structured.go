package expr

import (
	"strings"

	"github.com/streamsql/streamsql/types"
)

const issue4239 = "(see https://github.com/confluentinc/ksql/issues/4239)"

// --- ARRAY[...] ------------------------------------------------------------------------------

type arrayNode struct {
	elems   []Expr // as written, for String and for coercion inside IN lists
	coerced []Expr
	t       types.Type
}

// ArrayOf builds ARRAY[e1, e2, ...]: the element type is the elements' common type (see In for
// the coercion rules). An element that fails to evaluate is NULL in the result.
func ArrayOf(elems []Expr) (Expr, error) {
	if len(elems) == 0 {
		return nil, mismatch("Array constructor cannot be empty. Please supply at least one element %s.", issue4239)
	}
	t, coerced, ok, err := coerceList(elems)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, mismatch("Cannot construct an array with all NULL elements %s. As a workaround, you may cast a NULL value to the desired type.", issue4239)
	}
	return &arrayNode{elems: elems, coerced: coerced, t: types.ArrayOf(t)}, nil
}

func (n *arrayNode) Type() types.Type { return n.t }
func (n *arrayNode) String() string   { return "ARRAY[" + joinExprs(n.elems) + "]" }

func (n *arrayNode) Eval(row types.Row) (types.Value, error) {
	out := make([]any, len(n.coerced))
	for i, e := range n.coerced {
		v, err := e.Eval(row)
		if err == nil {
			out[i] = v
		}
	}
	return out, nil
}

func joinExprs(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

// --- MAP(k := v, ...) ------------------------------------------------------------------------

type mapNode struct {
	keys, values   []Expr
	ckeys, cvalues []Expr
	t              types.Type
}

// MapOf builds MAP(k1 := v1, ...): keys and values are coerced to their common types
// separately. A key or value that fails to evaluate is NULL.
func MapOf(keys, values []Expr) (Expr, error) {
	if len(keys) != len(values) {
		return nil, types.Errorf(types.CodeInternal, "MapOf: %d keys but %d values", len(keys), len(values))
	}
	if len(keys) == 0 {
		return nil, mismatch("Map constructor cannot be empty. Please supply at least one key value pair %s.", issue4239)
	}
	kt, ck, ok, err := coerceList(keys)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, mismatch("Cannot construct a map with all NULL keys %s. As a workaround, you may cast a NULL key to the desired type.", issue4239)
	}
	vt, cv, ok, err := coerceList(values)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, mismatch("Cannot construct a map with all NULL values %s. As a workaround, you may cast a NULL value to the desired type.", issue4239)
	}
	return &mapNode{keys: keys, values: values, ckeys: ck, cvalues: cv, t: types.MapOf(kt, vt)}, nil
}

func (n *mapNode) Type() types.Type { return n.t }
func (n *mapNode) String() string {
	parts := make([]string, len(n.keys))
	for i := range n.keys {
		parts[i] = n.keys[i].String() + ":=" + n.values[i].String()
	}
	return "MAP(" + strings.Join(parts, ", ") + ")"
}

func (n *mapNode) Eval(row types.Row) (types.Value, error) {
	m := &types.MapValue{Keys: make([]any, 0, len(n.ckeys)), Values: make([]any, 0, len(n.ckeys))}
	for i := range n.ckeys {
		k, err := n.ckeys[i].Eval(row)
		if err != nil {
			k = nil
		}
		v, err := n.cvalues[i].Eval(row)
		if err != nil {
			v = nil
		}
		m.Put(k, v)
	}
	return m, nil
}

// --- STRUCT(name := v, ...) ------------------------------------------------------------------

type structNode struct {
	names  []string
	values []Expr
	t      types.Type
}

// StructOf builds STRUCT(name1 := v1, ...). Field names are used as given (case-sensitive). A
// field value that fails to evaluate is NULL.
func StructOf(names []string, values []Expr) (Expr, error) {
	if len(names) != len(values) {
		return nil, types.Errorf(types.CodeInternal, "StructOf: %d names but %d values", len(names), len(values))
	}
	fields := make([]types.Field, len(names))
	seen := map[string]bool{}
	for i, name := range names {
		if seen[name] {
			return nil, types.Errorf(types.CodeDuplicateColumn, "Duplicate field names found in STRUCT: '%s'", name)
		}
		seen[name] = true
		if values[i].Type().Kind == types.Unknown {
			return nil, mismatch("Can't infer a type of null for STRUCT field %s. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).", name)
		}
		fields[i] = types.Field{Name: name, Type: values[i].Type()}
	}
	return &structNode{names: names, values: values, t: types.StructOf(fields...)}, nil
}

func (n *structNode) Type() types.Type { return n.t }
func (n *structNode) String() string {
	parts := make([]string, len(n.names))
	for i := range n.names {
		parts[i] = n.names[i] + ":=" + n.values[i].String()
	}
	return "STRUCT(" + strings.Join(parts, ", ") + ")"
}

func (n *structNode) Eval(row types.Row) (types.Value, error) {
	out := make(types.StructValue, len(n.values))
	for i, e := range n.values {
		v, err := e.Eval(row)
		if err == nil {
			out[i] = v
		}
	}
	return out, nil
}

// --- a->b ------------------------------------------------------------------------------------

type fieldNode struct {
	e    Expr
	name string
	idx  int
	t    types.Type
}

// Field builds the STRUCT dereference e->name. The field name matches exactly, or
// case-insensitively when that is unambiguous. A NULL struct gives NULL.
func Field(e Expr, name string) (Expr, error) {
	t := e.Type()
	if t.Kind != types.Struct {
		return nil, mismatch("Expected STRUCT type, got: %s for %s->%s", typeName(t), e.String(), name)
	}
	idx := -1
	for i, f := range t.Fields {
		if f.Name == name {
			idx = i
			break
		}
	}
	if idx < 0 {
		for i, f := range t.Fields {
			if strings.EqualFold(f.Name, name) {
				if idx >= 0 {
					idx = -1
					break
				}
				idx = i
			}
		}
	}
	if idx < 0 {
		return nil, types.Errorf(types.CodeUndefinedColumn, "Could not find field '%s' in '%s'.", name, e.String())
	}
	return &fieldNode{e: e, name: t.Fields[idx].Name, idx: idx, t: t.Fields[idx].Type}, nil
}

func (n *fieldNode) Type() types.Type { return n.t }
func (n *fieldNode) String() string   { return n.e.String() + "->" + n.name }

func (n *fieldNode) Eval(row types.Row) (types.Value, error) {
	v, err := n.e.Eval(row)
	if err != nil || v == nil {
		return nil, err
	}
	s, ok := v.(types.StructValue)
	if !ok {
		return nil, internalTypeError(v, n.e.Type())
	}
	if n.idx >= len(s) {
		return nil, nil
	}
	return s[n.idx], nil
}

// --- a[i] ------------------------------------------------------------------------------------

type subscriptNode struct {
	e, idx Expr
	t      types.Type
	isMap  bool
	index  bigintEval
}

// Subscript builds e[idx]: for an ARRAY, idx is 1-based, negative counts from the end and out
// of range gives NULL (a NULL index fails, as in ksqlDB); for a MAP, idx is the key (coerced
// to the key type) and a missing key gives NULL.
func Subscript(e, idx Expr) (Expr, error) {
	t := e.Type()
	switch t.Kind {
	case types.Array:
		if k := idx.Type().Kind; k != types.Int && k != types.Bigint && k != types.Unknown {
			return nil, mismatch("Array index must be INTEGER, got %s", describe(idx))
		}
		return &subscriptNode{e: e, idx: idx, t: *t.Elem, index: bigintOf(idx)}, nil
	case types.Map:
		key, err := convertToCommon(idx, *t.Key)
		if err != nil {
			return nil, mismatch("Map key must be %s, got %s", typeName(*t.Key), describe(idx))
		}
		return &subscriptNode{e: e, idx: key, t: *t.Elem, isMap: true}, nil
	}
	hint := ""
	if t.Kind == types.Struct {
		hint = " Use the dereference operator for STRUCTS: " + e.String() + "->" + strings.Trim(idx.String(), "'")
	}
	return nil, mismatch("Subscript expression (%s[%s]) do not apply to %s.%s", e.String(), idx.String(), typeName(t), hint)
}

func (n *subscriptNode) Type() types.Type { return n.t }
func (n *subscriptNode) String() string   { return n.e.String() + "[" + n.idx.String() + "]" }

func (n *subscriptNode) Eval(row types.Row) (types.Value, error) {
	v, err := n.e.Eval(row)
	if err != nil || v == nil {
		return nil, err
	}
	if n.isMap {
		m, ok := v.(*types.MapValue)
		if !ok {
			return nil, internalTypeError(v, n.e.Type())
		}
		k, err := n.idx.Eval(row)
		if err != nil {
			return nil, err
		}
		val, _ := m.Get(k)
		return val, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, internalTypeError(v, n.e.Type())
	}
	i, ok, err := n.index(row)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNullOperand
	}
	return arrayAccess(arr, int64(int32(i))), nil
}

// arrayAccess is ksqlDB's ArrayAccess: 1-based, negative from the end, NULL out of range.
func arrayAccess(arr []any, i int64) any {
	if i < 0 {
		i += int64(len(arr))
	} else {
		i--
	}
	if i < 0 || i >= int64(len(arr)) {
		return nil
	}
	return arr[i]
}

// --- CASE ------------------------------------------------------------------------------------

type caseNode struct {
	conds []boolEval
	whens []Expr
	thens []Expr
	els   Expr
	t     types.Type
	text  string
}

// Case builds a searched CASE (operand nil: each when is a BOOLEAN condition) or a simple CASE
// (each when is compared with operand by =). ksqlDB requires every non-NULL result to have the
// same type; results are evaluated lazily. A NULL condition fails, as in ksqlDB.
func Case(operand Expr, whens, thens []Expr, els Expr) (Expr, error) {
	if len(whens) == 0 || len(whens) != len(thens) {
		return nil, types.Errorf(types.CodeSyntaxError, "CASE needs at least one WHEN ... THEN")
	}
	n := &caseNode{whens: whens, thens: thens, els: els}
	var sb strings.Builder
	sb.WriteString("(CASE")
	if operand != nil {
		sb.WriteString(" " + operand.String())
	}
	for i, w := range whens {
		cond := w
		if operand != nil {
			c, err := compare(cmpEQ, operand, w)
			if err != nil {
				return nil, err
			}
			cond = c
		} else if k := w.Type().Kind; k != types.Boolean {
			return nil, mismatch("WHEN operand type should be boolean.\nType for '%s' is %s", w.String(), typeName(w.Type()))
		}
		n.conds = append(n.conds, boolOf(cond))
		sb.WriteString(" WHEN " + w.String() + " THEN " + thens[i].String())
	}
	var first Expr
	for _, th := range thens {
		if th.Type().Kind == types.Unknown {
			continue
		}
		if first == nil {
			first = th
			continue
		}
		if !th.Type().Equal(first.Type()) {
			return nil, mismatch("Invalid Case expression. Type for all 'THEN' clauses should be the same.\nTHEN expression '%s' has type: %s.\nTHEN expression '%s' has type: %s.",
				first.String(), typeName(first.Type()), th.String(), typeName(th.Type()))
		}
	}
	if els != nil {
		sb.WriteString(" ELSE " + els.String())
		if et := els.Type(); et.Kind != types.Unknown {
			if first != nil && !et.Equal(first.Type()) {
				return nil, mismatch("Invalid Case expression. Type for the default clause should be the same as for 'THEN' clauses.\nTHEN type: %s.\nDEFAULT type: %s.",
					typeName(first.Type()), typeName(et))
			}
			if first == nil {
				first = els
			}
		}
	}
	if first == nil {
		return nil, mismatch("Invalid Case expression. All case branches have NULL type")
	}
	sb.WriteString(" END)")
	n.t, n.text = first.Type(), sb.String()
	return n, nil
}

func (n *caseNode) Type() types.Type { return n.t }
func (n *caseNode) String() string   { return n.text }

func (n *caseNode) Eval(row types.Row) (types.Value, error) {
	for i, c := range n.conds {
		b, ok, err := c(row)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrNullOperand
		}
		if b {
			return n.thens[i].Eval(row)
		}
	}
	if n.els == nil {
		return nil, nil
	}
	return n.els.Eval(row)
}
