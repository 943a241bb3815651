package expr

import (
	"cmp"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

type cmpOp uint8

const (
	cmpEQ cmpOp = iota
	cmpNE
	cmpLT
	cmpLE
	cmpGT
	cmpGE
	cmpDistinct
)

var (
	cmpSymbols = [...]string{cmpEQ: "=", cmpNE: "<>", cmpLT: "<", cmpLE: "<=", cmpGT: ">",
		cmpGE: ">=", cmpDistinct: "IS DISTINCT FROM"}
	cmpNames = [...]string{cmpEQ: "EQUAL", cmpNE: "NOT_EQUAL", cmpLT: "LESS_THAN",
		cmpLE: "LESS_THAN_OR_EQUAL", cmpGT: "GREATER_THAN", cmpGE: "GREATER_THAN_OR_EQUAL",
		cmpDistinct: "IS_DISTINCT_FROM"}
)

func (op cmpOp) equality() bool { return op == cmpEQ || op == cmpNE || op == cmpDistinct }

// holds turns a three-way comparison result into the operator's answer.
func (op cmpOp) holds(c int) bool {
	switch op {
	case cmpEQ:
		return c == 0
	case cmpNE, cmpDistinct:
		return c != 0
	case cmpLT:
		return c < 0
	case cmpLE:
		return c <= 0
	case cmpGT:
		return c > 0
	}
	return c >= 0
}

func isTemporal(k types.Kind) bool {
	return k == types.Timestamp || k == types.Date || k == types.Time
}

// validComparison is ksqlDB's ComparisonUtil: the left type decides what it may be compared
// with; BOOLEAN, ARRAY, MAP and STRUCT only with equality operators; STRING with temporal types
// (the string is parsed).
func validComparison(lt types.Type, op cmpOp, rt types.Type) bool {
	l, r := lt.Kind, rt.Kind
	switch {
	case lt.IsNumeric():
		return rt.IsNumeric()
	case l == types.String:
		return r == types.String || isTemporal(r)
	case l == types.Boolean || l == types.Array || l == types.Map || l == types.Struct:
		return r == l && op.equality()
	case l == types.Time:
		return r == types.Time || r == types.String
	case l == types.Date || l == types.Timestamp:
		return r == types.Date || r == types.Timestamp || r == types.String
	case l == types.Bytes:
		return r == types.Bytes
	}
	return false
}

func checkComparison(op cmpOp, l, r Expr) error {
	lt, rt := l.Type(), r.Type()
	if lt.Kind == types.Unknown || rt.Kind == types.Unknown {
		return mismatch("Comparison with NULL not supported: %s %s %s\nUse 'IS NULL' or 'IS NOT NULL' instead.",
			nullName(lt), cmpSymbols[op], nullName(rt))
	}
	if !validComparison(lt, op, rt) {
		return mismatch("Cannot compare %s to %s with %s.", describe(l), describe(r), cmpNames[op])
	}
	return nil
}

func nullName(t types.Type) string {
	if t.Kind == types.Unknown {
		return "NULL"
	}
	return t.Kind.String()
}

// compare builds a comparison. As in ksqlDB, a NULL on either side makes it FALSE (never NULL).
func compare(op cmpOp, l, r Expr) (Expr, error) {
	if err := checkComparison(op, l, r); err != nil {
		return nil, err
	}
	base := cmpBase{op: op, l: l, r: r}
	lk, rk := l.Type().Kind, r.Type().Kind
	switch {
	case lk == types.Int && rk == types.Int:
		return &cmpInt{cmpBase: base, lf: intOf(l), rf: intOf(r)}, nil
	case (lk == types.Int || lk == types.Bigint) && (rk == types.Int || rk == types.Bigint):
		return &cmpBigint{cmpBase: base, lf: bigintOf(l), rf: bigintOf(r)}, nil
	case l.Type().IsNumeric() && r.Type().IsNumeric() && lk != types.Decimal && rk != types.Decimal:
		return &cmpDouble{cmpBase: base, lf: doubleOf(l), rf: doubleOf(r)}, nil
	}
	c, err := valueComparer(l.Type(), r.Type(), op)
	if err != nil {
		return nil, err
	}
	return &cmpValue{cmpBase: base, cmp: c}, nil
}

type cmpBase struct {
	op   cmpOp
	l, r Expr
}

func (c *cmpBase) Type() types.Type { return types.BooleanType }
func (c *cmpBase) String() string {
	return "(" + c.l.String() + " " + cmpSymbols[c.op] + " " + c.r.String() + ")"
}

func boolResult(b, ok bool, err error) (types.Value, error) {
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	return b, nil
}

type cmpInt struct {
	cmpBase
	lf, rf intEval
}

func (c *cmpInt) evalBool(row types.Row) (bool, bool, error) {
	a, aok, err := c.lf(row)
	if err != nil {
		return false, false, err
	}
	b, bok, err := c.rf(row)
	if err != nil {
		return false, false, err
	}
	if !aok || !bok {
		return c.op == cmpDistinct && aok != bok, true, nil
	}
	return c.op.holds(cmp.Compare(a, b)), true, nil
}

func (c *cmpInt) Eval(row types.Row) (types.Value, error) { return boolResult(c.evalBool(row)) }

type cmpBigint struct {
	cmpBase
	lf, rf bigintEval
}

func (c *cmpBigint) evalBool(row types.Row) (bool, bool, error) {
	a, aok, err := c.lf(row)
	if err != nil {
		return false, false, err
	}
	b, bok, err := c.rf(row)
	if err != nil {
		return false, false, err
	}
	if !aok || !bok {
		return c.op == cmpDistinct && aok != bok, true, nil
	}
	return c.op.holds(cmp.Compare(a, b)), true, nil
}

func (c *cmpBigint) Eval(row types.Row) (types.Value, error) { return boolResult(c.evalBool(row)) }

type cmpDouble struct {
	cmpBase
	lf, rf doubleEval
}

func (c *cmpDouble) evalBool(row types.Row) (bool, bool, error) {
	a, aok, err := c.lf(row)
	if err != nil {
		return false, false, err
	}
	b, bok, err := c.rf(row)
	if err != nil {
		return false, false, err
	}
	if !aok || !bok {
		return c.op == cmpDistinct && aok != bok, true, nil
	}
	return doubleHolds(c.op, a, b), true, nil
}

func (c *cmpDouble) Eval(row types.Row) (types.Value, error) { return boolResult(c.evalBool(row)) }

// doubleHolds is Java's primitive comparison, which ksqlDB spells (a <= b) && (a >= b) for
// equality and (a < b) || (a > b) for inequality: every comparison with NaN is false.
func doubleHolds(op cmpOp, a, b float64) bool {
	switch op {
	case cmpEQ:
		return a <= b && a >= b
	case cmpNE, cmpDistinct:
		return a < b || a > b
	case cmpLT:
		return a < b
	case cmpLE:
		return a <= b
	case cmpGT:
		return a > b
	}
	return a >= b
}

// valueCmp decides a comparison of two non-NULL values.
type valueCmp func(a, b types.Value) (bool, error)

type cmpValue struct {
	cmpBase
	cmp valueCmp
}

func (c *cmpValue) evalBool(row types.Row) (bool, bool, error) {
	a, err := c.l.Eval(row)
	if err != nil {
		return false, false, err
	}
	b, err := c.r.Eval(row)
	if err != nil {
		return false, false, err
	}
	if a == nil || b == nil {
		return c.op == cmpDistinct && (a == nil) != (b == nil), true, nil
	}
	res, err := c.cmp(a, b)
	return res, err == nil, err
}

func (c *cmpValue) Eval(row types.Row) (types.Value, error) { return boolResult(c.evalBool(row)) }

// valueComparer resolves, at construction, how two values of the given types compare.
func valueComparer(lt, rt types.Type, op cmpOp) (valueCmp, error) {
	lk, rk := lt.Kind, rt.Kind
	switch {
	case lk == types.Decimal || rk == types.Decimal:
		return func(a, b types.Value) (bool, error) {
			x, err := bigDecimalOf(a)
			if err != nil {
				return false, err
			}
			y, err := bigDecimalOf(b)
			if err != nil {
				return false, err
			}
			return op.holds(x.Cmp(y)), nil
		}, nil
	case isTemporal(lk) || isTemporal(rk):
		return temporalComparer(lt, rt, op), nil
	case lk == types.String:
		return func(a, b types.Value) (bool, error) {
			return op.holds(javaCompareStrings(a.(string), b.(string))), nil
		}, nil
	case lk == types.Boolean:
		return func(a, b types.Value) (bool, error) { return op.holds(boolCmp(a.(bool), b.(bool))), nil }, nil
	case lk == types.Bytes:
		return func(a, b types.Value) (bool, error) { return op.holds(javaCompareBytes(a.([]byte), b.([]byte))), nil }, nil
	case lk == types.Array || lk == types.Map || lk == types.Struct:
		sameShape := !(lk == types.Struct && !sameFieldNames(lt, rt))
		return func(a, b types.Value) (bool, error) {
			eq := sameShape && types.Equal(a, b)
			return eq == (op == cmpEQ), nil
		}, nil
	}
	return nil, mismatch("Cannot compare %s to %s", typeName(lt), typeName(rt))
}

func sameFieldNames(a, b types.Type) bool {
	if len(a.Fields) != len(b.Fields) {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i].Name != b.Fields[i].Name {
			return false
		}
	}
	return true
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// bigDecimalOf converts a numeric value for a comparison with a DECIMAL: integers exactly,
// doubles as BigDecimal.valueOf does (through Double.toString).
func bigDecimalOf(v types.Value) (decimal.Decimal, error) {
	if f, ok := v.(float64); ok {
		d, ok := parseJavaBigDecimal(javaDouble(f))
		if !ok {
			return decimal.Decimal{}, evalErrorf(types.CodeInvalidText, "Character %s is neither a decimal digit number, decimal point, nor \"e\" notation exponential mark.", javaDouble(f))
		}
		return d, nil
	}
	return decimalOf(v), nil
}

// temporalComparer compares TIME with TIME, DATE/TIMESTAMP with each other, and any of them
// with a STRING parsed into the other side's type.
func temporalComparer(lt, rt types.Type, op cmpOp) valueCmp {
	toMillis := func(v types.Value, target types.Kind) (int64, error) {
		switch x := v.(type) {
		case types.TimestampMillis:
			return int64(x), nil
		case types.DateDays:
			if target == types.Date {
				return int64(x), nil
			}
			return int64(x) * msPerDay, nil
		case types.TimeMillis:
			return int64(x), nil
		case string:
			switch target {
			case types.Time:
				return parseTimeISO(x)
			case types.Date:
				d, err := parseDateISO(x)
				return int64(d), err
			}
			return ParseTimestampString(x)
		}
		return 0, internalTypeError(v, types.TimestampType)
	}
	target := types.Date
	switch {
	case lt.Kind == types.Time || rt.Kind == types.Time:
		target = types.Time
	case lt.Kind == types.Timestamp || rt.Kind == types.Timestamp:
		target = types.Timestamp
	}
	return func(a, b types.Value) (bool, error) {
		x, err := toMillis(a, target)
		if err != nil {
			return false, err
		}
		y, err := toMillis(b, target)
		if err != nil {
			return false, err
		}
		return op.holds(cmp.Compare(x, y)), nil
	}
}

// javaCompareStrings is String.compareTo: UTF-16 code unit order, which differs from Go's byte
// order only between supplementary characters and U+E000..U+FFFF.
func javaCompareStrings(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return cmp.Compare(len(a), len(b))
	}
	if a[i] < 0x80 && b[i] < 0x80 {
		return cmp.Compare(a[i], b[i])
	}
	for i > 0 && !utf8.RuneStart(a[i]) {
		i--
	}
	ra, _ := utf8.DecodeRuneInString(a[i:])
	rb, _ := utf8.DecodeRuneInString(b[i:])
	return cmp.Compare(utf16Key(ra), utf16Key(rb))
}

func utf16Key(r rune) int32 {
	if r >= 0x10000 {
		return 0xD800 + (r-0x10000)>>10 // the high surrogate sorts it
	}
	return r
}

// javaCompareBytes is ByteBuffer.compareTo: signed bytes, then length.
func javaCompareBytes(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return cmp.Compare(int8(a[i]), int8(b[i]))
		}
	}
	return cmp.Compare(len(a), len(b))
}

// --- IS NULL, IS DISTINCT FROM, BETWEEN ------------------------------------------------------

// IsNull builds e IS [NOT] NULL.
func IsNull(e Expr, negate bool) Expr { return &isNullNode{e: e, negate: negate} }

type isNullNode struct {
	e      Expr
	negate bool
}

func (n *isNullNode) Type() types.Type { return types.BooleanType }
func (n *isNullNode) String() string {
	if n.negate {
		return "(" + n.e.String() + " IS NOT NULL)"
	}
	return "(" + n.e.String() + " IS NULL)"
}
func (n *isNullNode) evalBool(row types.Row) (bool, bool, error) {
	v, err := n.e.Eval(row)
	if err != nil {
		return false, false, err
	}
	return (v == nil) != n.negate, true, nil
}
func (n *isNullNode) Eval(row types.Row) (types.Value, error) { return boolResult(n.evalBool(row)) }

// IsDistinctFrom builds l IS [NOT] DISTINCT FROM r: a null-safe comparison with the same type
// rules as =.
func IsDistinctFrom(l, r Expr, negate bool) (Expr, error) {
	c, err := compare(cmpDistinct, l, r)
	if err != nil {
		return nil, err
	}
	if !negate {
		return c, nil
	}
	return &notNode{e: c, f: boolOf(c), text: "(" + l.String() + " IS NOT DISTINCT FROM " + r.String() + ")"}, nil
}

// Between builds e [NOT] BETWEEN lo AND hi as ksqlDB does: (e >= lo AND e <= hi), each
// comparison FALSE on NULL, so NOT BETWEEN is TRUE for a NULL e.
func Between(e, lo, hi Expr, negate bool) (Expr, error) {
	ge, err := compare(cmpGE, e, lo)
	if err != nil {
		return nil, err
	}
	le, err := compare(cmpLE, e, hi)
	if err != nil {
		return nil, err
	}
	text := "(" + e.String() + " BETWEEN " + lo.String() + " AND " + hi.String() + ")"
	if negate {
		text = "(" + e.String() + " NOT BETWEEN " + lo.String() + " AND " + hi.String() + ")"
	}
	return &betweenNode{ge: boolOf(ge), le: boolOf(le), negate: negate, text: text}, nil
}

type betweenNode struct {
	ge, le boolEval
	negate bool
	text   string
}

func (n *betweenNode) Type() types.Type { return types.BooleanType }
func (n *betweenNode) String() string   { return n.text }
func (n *betweenNode) evalBool(row types.Row) (bool, bool, error) {
	a, _, err := n.ge(row)
	if err != nil {
		return false, false, err
	}
	res := a
	if a {
		b, _, err := n.le(row)
		if err != nil {
			return false, false, err
		}
		res = b
	}
	return res != n.negate, true, nil
}
func (n *betweenNode) Eval(row types.Row) (types.Value, error) { return boolResult(n.evalBool(row)) }
