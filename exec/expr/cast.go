package expr

import (
	"encoding/base64"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// convFunc converts a non-NULL value between two types; an error is a per-record failure.
type convFunc func(v types.Value) (types.Value, error)

type castNode struct {
	e    Expr
	t    types.Type
	conv convFunc // nil: identity
	// implicit casts (inserted for function arguments and list coercion) print as their operand.
	implicit bool
}

// Cast returns CAST(e AS to) with ksqlDB's conversion table (CastEvaluator): numbers convert
// among themselves (DOUBLE→INT truncates toward zero and saturates, BIGINT→INT keeps the low
// 32 bits, →DECIMAL rounds HALF_UP after checking the integer digits fit), everything converts
// to STRING (Java's toString forms), STRING parses to every scalar type (trimmed), TIMESTAMP,
// DATE and TIME convert among themselves where meaningful, and ARRAY, MAP and STRUCT convert
// element-wise. Anything else is refused here with "Cast of X to Y is not supported".
//
// A failure while evaluating the operand or converting the value yields NULL, as ksqlDB's
// nested error handling does for CAST.
func Cast(e Expr, to types.Type) (Expr, error) {
	from := e.Type()
	if from.Kind == types.Unknown {
		return &castNode{e: e, t: to}, nil
	}
	conv, ok := converter(from, to)
	if !ok {
		return nil, types.Errorf(codeCannotCoerce, "Cast of %s to %s is not supported",
			typeName(from), typeName(to))
	}
	return &castNode{e: e, t: to, conv: conv}, nil
}

// implicitCast converts e to t for function arguments and list coercion; the caller has
// checked that the conversion exists.
func implicitCast(e Expr, t types.Type) Expr {
	if e.Type().Equal(t) {
		return e
	}
	if l, ok := e.(*literal); ok && l.v == nil {
		return &literal{t: t}
	}
	c, err := Cast(e, t)
	if err != nil {
		panic("expr: implicit cast not supported: " + err.Error())
	}
	c.(*castNode).implicit = true
	return c
}

func (c *castNode) Type() types.Type { return c.t }

func (c *castNode) String() string {
	if c.implicit {
		return c.e.String()
	}
	return "CAST(" + c.e.String() + " AS " + typeName(c.t) + ")"
}

func (c *castNode) Eval(row types.Row) (types.Value, error) {
	v, err := c.e.Eval(row)
	if err != nil || v == nil {
		return nil, nil
	}
	if c.conv == nil {
		return v, nil
	}
	out, err := c.conv(v)
	if err != nil {
		return nil, nil
	}
	return out, nil
}

// converter finds the conversion between two types; ok is false when ksqlDB does not support
// the cast.
func converter(from, to types.Type) (convFunc, bool) {
	if from.Equal(to) {
		return nil, true
	}
	switch from.Kind {
	case types.Boolean:
		if to.Kind == types.String {
			return func(v types.Value) (types.Value, error) { return strconv.FormatBool(v.(bool)), nil }, true
		}
	case types.Int, types.Bigint:
		return fromInteger(from, to)
	case types.Decimal:
		return fromDecimal(from, to)
	case types.Double:
		return fromDouble(to)
	case types.String:
		return fromString(to)
	case types.Array:
		switch to.Kind {
		case types.String:
			return toJavaString(from), true
		case types.Array:
			ec, ok := converter(*from.Elem, *to.Elem)
			if !ok {
				return nil, false
			}
			return func(v types.Value) (types.Value, error) {
				in := v.([]any)
				out := make([]any, len(in))
				for i, e := range in {
					x, err := convertOrNull(ec, e)
					if err != nil {
						return nil, err
					}
					out[i] = x
				}
				return out, nil
			}, true
		}
	case types.Map:
		switch to.Kind {
		case types.String:
			return toJavaString(from), true
		case types.Map:
			kc, ok1 := converter(*from.Key, *to.Key)
			vc, ok2 := converter(*from.Elem, *to.Elem)
			if !ok1 || !ok2 {
				return nil, false
			}
			return func(v types.Value) (types.Value, error) {
				in := v.(*types.MapValue)
				out := &types.MapValue{}
				for i, k := range in.Keys {
					k2, err := convertOrNull(kc, k)
					if err != nil {
						return nil, err
					}
					v2, err := convertOrNull(vc, in.Values[i])
					if err != nil {
						return nil, err
					}
					out.Put(k2, v2)
				}
				return out, nil
			}, true
		}
	case types.Struct:
		switch to.Kind {
		case types.String:
			return toJavaString(from), true
		case types.Struct:
			return structConverter(from, to)
		}
	case types.Timestamp:
		switch to.Kind {
		case types.String:
			return func(v types.Value) (types.Value, error) {
				return formatTimestampISO(int64(v.(types.TimestampMillis))), nil
			}, true
		case types.Time:
			return func(v types.Value) (types.Value, error) {
				return types.TimeMillis(floorMod(int64(v.(types.TimestampMillis)), msPerDay)), nil
			}, true
		case types.Date:
			return func(v types.Value) (types.Value, error) {
				return types.DateDays(floorDiv(int64(v.(types.TimestampMillis)), msPerDay)), nil
			}, true
		}
	case types.Date:
		switch to.Kind {
		case types.String:
			return func(v types.Value) (types.Value, error) { return formatDateISO(int32(v.(types.DateDays))), nil }, true
		case types.Timestamp:
			return func(v types.Value) (types.Value, error) {
				return types.TimestampMillis(int64(v.(types.DateDays)) * msPerDay), nil
			}, true
		}
	case types.Time:
		if to.Kind == types.String {
			return func(v types.Value) (types.Value, error) { return formatTimeISO(int64(v.(types.TimeMillis))), nil }, true
		}
	}
	return nil, false
}

const msPerDay = 86400000

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

func convertOrNull(c convFunc, v types.Value) (types.Value, error) {
	if v == nil || c == nil {
		return v, nil
	}
	return c(v)
}

func toJavaString(t types.Type) convFunc {
	return func(v types.Value) (types.Value, error) { return javaString(v, t), nil }
}

// structConverter maps fields by name: source fields the target lacks are dropped, target
// fields the source lacks are NULL (CastEvaluator.castStruct).
func structConverter(from, to types.Type) (convFunc, bool) {
	src := make([]int, len(to.Fields))
	convs := make([]convFunc, len(to.Fields))
	for i, tf := range to.Fields {
		src[i] = -1
		for j, ff := range from.Fields {
			if ff.Name == tf.Name {
				c, ok := converter(ff.Type, tf.Type)
				if !ok {
					return nil, false
				}
				src[i], convs[i] = j, c
				break
			}
		}
	}
	return func(v types.Value) (types.Value, error) {
		in := v.(types.StructValue)
		out := make(types.StructValue, len(src))
		for i, j := range src {
			if j < 0 || j >= len(in) {
				continue
			}
			x, err := convertOrNull(convs[i], in[j])
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}, true
}

func fromInteger(from, to types.Type) (convFunc, bool) {
	asInt64 := func(v types.Value) int64 {
		if x, ok := v.(int32); ok {
			return int64(x)
		}
		return v.(int64)
	}
	switch to.Kind {
	case types.Int:
		return func(v types.Value) (types.Value, error) { return int32(asInt64(v)), nil }, true
	case types.Bigint:
		return func(v types.Value) (types.Value, error) { return asInt64(v), nil }, true
	case types.Double:
		return func(v types.Value) (types.Value, error) { return float64(asInt64(v)), nil }, true
	case types.Decimal:
		return func(v types.Value) (types.Value, error) { return decimalFromLong(asInt64(v), to.Precision, to.Scale) }, true
	case types.String:
		return func(v types.Value) (types.Value, error) { return strconv.FormatInt(asInt64(v), 10), nil }, true
	}
	return nil, false
}

func fromDecimal(from, to types.Type) (convFunc, bool) {
	switch to.Kind {
	case types.Int:
		return func(v types.Value) (types.Value, error) { return int32(decimalLowBits(v.(decimal.Decimal))), nil }, true
	case types.Bigint:
		return func(v types.Value) (types.Value, error) { return decimalLowBits(v.(decimal.Decimal)), nil }, true
	case types.Double:
		return func(v types.Value) (types.Value, error) { return v.(decimal.Decimal).InexactFloat64(), nil }, true
	case types.Decimal:
		return func(v types.Value) (types.Value, error) {
			return decimalFit(v.(decimal.Decimal), to.Precision, to.Scale)
		}, true
	case types.String:
		return func(v types.Value) (types.Value, error) {
			return v.(decimal.Decimal).StringFixed(int32(from.Scale)), nil
		}, true
	}
	return nil, false
}

func fromDouble(to types.Type) (convFunc, bool) {
	switch to.Kind {
	case types.Int:
		return func(v types.Value) (types.Value, error) { return javaD2I(v.(float64)), nil }, true
	case types.Bigint:
		return func(v types.Value) (types.Value, error) { return javaD2L(v.(float64)), nil }, true
	case types.Decimal:
		return func(v types.Value) (types.Value, error) {
			return decimalFromDouble(v.(float64), to.Precision, to.Scale)
		}, true
	case types.String:
		return func(v types.Value) (types.Value, error) { return javaDouble(v.(float64)), nil }, true
	}
	return nil, false
}

func fromString(to types.Type) (convFunc, bool) {
	var f func(s string) (types.Value, error)
	switch to.Kind {
	case types.Boolean:
		f = func(s string) (types.Value, error) { return parseBooleanLenient(s), nil }
	case types.Int:
		f = func(s string) (types.Value, error) {
			n, err := strconv.ParseInt(s, 10, 32)
			if err != nil {
				return nil, evalErrorf(types.CodeInvalidText, "For input string: \"%s\"", s)
			}
			return int32(n), nil
		}
	case types.Bigint:
		f = func(s string) (types.Value, error) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, evalErrorf(types.CodeInvalidText, "For input string: \"%s\"", s)
			}
			return n, nil
		}
	case types.Double:
		f = func(s string) (types.Value, error) {
			d, ok := parseJavaDouble(s)
			if !ok {
				return nil, evalErrorf(types.CodeInvalidText, "For input string: \"%s\"", s)
			}
			return d, nil
		}
	case types.Decimal:
		f = func(s string) (types.Value, error) { return decimalFromString(s, to.Precision, to.Scale) }
	case types.Timestamp:
		f = func(s string) (types.Value, error) {
			ms, err := ParseTimestampString(s)
			if err != nil {
				return nil, err
			}
			return types.TimestampMillis(ms), nil
		}
	case types.Time:
		f = func(s string) (types.Value, error) {
			ms, err := parseTimeISO(s)
			if err != nil {
				return nil, err
			}
			return types.TimeMillis(ms), nil
		}
	case types.Date:
		f = func(s string) (types.Value, error) {
			d, err := parseDateISO(s)
			if err != nil {
				return nil, err
			}
			return types.DateDays(d), nil
		}
	case types.Bytes:
		f = func(s string) (types.Value, error) {
			b, err := decodeBase64(s)
			if err != nil {
				return nil, evalErrorf(types.CodeInvalidText, "invalid base64 %q", s)
			}
			return b, nil
		}
	default:
		return nil, false
	}
	return func(v types.Value) (types.Value, error) { return f(strings.TrimSpace(v.(string))) }, true
}

func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// parseBooleanLenient is SqlBooleans.parseBoolean: TRUE for a non-empty case-insensitive prefix
// of "true" or "yes", FALSE for anything else.
func parseBooleanLenient(s string) bool {
	b, ok := parseBooleanExact(s)
	return ok && b
}

// parseBooleanExact is SqlBooleans.parseBooleanExact: prefixes of true/yes and false/no.
func parseBooleanExact(s string) (value, ok bool) {
	if s == "" {
		return false, false
	}
	l := strings.ToLower(s)
	if strings.HasPrefix("true", l) || strings.HasPrefix("yes", l) {
		return true, true
	}
	if strings.HasPrefix("false", l) || strings.HasPrefix("no", l) {
		return false, true
	}
	return false, false
}

// parseJavaDouble accepts what Java's Double.parseDouble accepts in decimal form: an optional
// sign, NaN, Infinity, or digits with an optional point and exponent and an optional f/F/d/D
// suffix. Out-of-range values become ±Infinity or 0 as in Java.
func parseJavaDouble(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	switch body {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		if s[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	if n := len(s); n > 0 && strings.ContainsRune("fFdD", rune(s[n-1])) {
		s = s[:n-1]
		body = body[:len(body)-1]
	}
	if !validJavaDecimal(body) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// validJavaDecimal checks digits [. digits] [e [sign] digits] with at least one digit in the
// mantissa (no sign: the caller strips it).
func validJavaDecimal(s string) bool {
	i, digits := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

// parseJavaBigDecimal parses Java's BigDecimal(String) syntax.
func parseJavaBigDecimal(s string) (decimal.Decimal, bool) {
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	if !validJavaDecimal(body) {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	return d, err == nil
}

// javaD2I and javaD2L are Java's (int) and (long) casts of a double: truncation toward zero,
// saturation at the type's bounds, NaN to 0.
func javaD2I(f float64) int32 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return int32(f)
}

func javaD2L(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

var mask64 = new(big.Int).SetUint64(math.MaxUint64)

// decimalLowBits is BigDecimal.longValue: the integer part's low 64 bits (intValue takes the
// low 32 of those).
func decimalLowBits(d decimal.Decimal) int64 {
	bi := d.Truncate(0).BigInt()
	if bi.IsInt64() {
		return bi.Int64()
	}
	return int64(new(big.Int).And(bi, mask64).Uint64())
}

// --- DECIMAL conversions (DecimalUtil.cast) ---

func overflowError(d decimal.Decimal, p, s int) error {
	return evalErrorf(types.CodeNumericOutOfRange,
		"Numeric field overflow: A field with precision %d and scale %d must round to an absolute value less than 10^%d. Got %s",
		p, s, p-s, d.String())
}

// ensureMax refuses values whose integer digits do not fit DECIMAL(p, s).
func ensureMax(d decimal.Decimal, p, s int) error {
	limit := decimal.New(1, int32(p-s))
	if d.Abs().Cmp(limit) >= 0 {
		return overflowError(d, p, s)
	}
	return nil
}

// roundSignificant rounds d to p significant digits, HALF_UP (Java's MathContext(p)).
func roundSignificant(d decimal.Decimal, p int) decimal.Decimal {
	if d.IsZero() {
		return d
	}
	n := len(new(big.Int).Abs(d.Coefficient()).String())
	if n <= p {
		return d
	}
	return d.Round(-d.Exponent() - int32(n-p))
}

func decimalFit(d decimal.Decimal, p, s int) (types.Value, error) {
	if err := ensureMax(d, p, s); err != nil {
		return nil, err
	}
	return rescale(d, s), nil
}

func decimalFromLong(x int64, p, s int) (types.Value, error) {
	return decimalFit(roundSignificant(decimal.NewFromInt(x), p), p, s)
}

func decimalFromDouble(f float64, p, s int) (types.Value, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, evalErrorf(types.CodeInvalidText, "Infinite or NaN")
	}
	// new BigDecimal(double, MathContext) starts from the exact binary value.
	exact, err := decimal.NewFromString(strconv.FormatFloat(f, 'e', 800, 64))
	if err != nil {
		return nil, evalErrorf(types.CodeInvalidText, "%v", err)
	}
	return decimalFit(roundSignificant(exact, p), p, s)
}

func decimalFromString(str string, p, s int) (types.Value, error) {
	d, ok := parseJavaBigDecimal(str)
	if !ok {
		return nil, evalErrorf(types.CodeInvalidText, "Character array is missing \"exponent\" mark 'e' or 'E': %q", str)
	}
	return decimalFit(d, p, s)
}

// decimalOf converts an INT, BIGINT or DECIMAL value to a decimal (DecimalUtil.toSqlDecimal's
// exact widening).
func decimalOf(v types.Value) decimal.Decimal {
	switch x := v.(type) {
	case int32:
		return decimal.NewFromInt32(x)
	case int64:
		return decimal.NewFromInt(x)
	case decimal.Decimal:
		return x
	}
	return decimal.Decimal{}
}

// decimalTypeOf is DecimalUtil.toSqlDecimal: INT is DECIMAL(10, 0), BIGINT DECIMAL(19, 0).
func decimalTypeOf(t types.Type) (types.Type, bool) {
	switch t.Kind {
	case types.Decimal:
		return t, true
	case types.Int:
		return types.DecimalType(10, 0), true
	case types.Bigint:
		return types.DecimalType(19, 0), true
	}
	return types.Type{}, false
}
