package expr

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// typeName renders a type the way ksqlDB's messages do: like types.Type.String but with every
// STRUCT field name back-quoted (STRUCT<`F0` STRING>), and NULL for the untyped NULL.
func typeName(t types.Type) string {
	var b strings.Builder
	writeTypeName(&b, t)
	return b.String()
}

func writeTypeName(b *strings.Builder, t types.Type) {
	switch t.Kind {
	case types.Unknown:
		b.WriteString("null")
	case types.Array:
		b.WriteString("ARRAY<")
		writeTypeName(b, *t.Elem)
		b.WriteString(">")
	case types.Map:
		b.WriteString("MAP<")
		writeTypeName(b, *t.Key)
		b.WriteString(", ")
		writeTypeName(b, *t.Elem)
		b.WriteString(">")
	case types.Struct:
		b.WriteString("STRUCT<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("`" + strings.ReplaceAll(f.Name, "`", "``") + "` ")
			writeTypeName(b, f.Type)
		}
		b.WriteString(">")
	default:
		b.WriteString(t.String())
	}
}

// typeList renders argument types for function-resolution messages: (INTEGER, null).
func typeList(ts []types.Type) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = typeName(t)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// quoteString renders a SQL string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// formatLiteral renders a constant as ksqlDB's expression formatter does.
func formatLiteral(v types.Value, t types.Type) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return quoteString(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return javaDouble(x)
	case decimal.Decimal:
		return x.StringFixed(int32(t.Scale))
	case []byte:
		return "X'" + strings.ToUpper(hexOf(x)) + "'"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatLiteral(e, elemType(t))
		}
		return "ARRAY[" + strings.Join(parts, ", ") + "]"
	case types.TimestampMillis:
		return "'" + formatTimestampISO(int64(x)) + "'"
	case types.DateDays:
		return "'" + formatDateISO(int32(x)) + "'"
	case types.TimeMillis:
		return "'" + formatTimeISO(int64(x)) + "'"
	}
	return javaString(v, t)
}

func elemType(t types.Type) types.Type {
	if t.Elem == nil {
		return types.Type{}
	}
	return *t.Elem
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i] = digits[c>>4]
		out[2*i+1] = digits[c&15]
	}
	return string(out)
}

// javaDouble formats f as Java's Double.toString: shortest round-trip digits, plain notation
// with at least one fractional digit for 1e-3 <= |f| < 1e7, computerized scientific notation
// (1.0E7, 4.9E-324) otherwise. CAST(DOUBLE AS STRING) and string concatenation use it.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	var sb strings.Builder
	if f < 0 {
		sb.WriteByte('-')
		f = -f
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.dddde±xx
	mant, expPart, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expPart)
	digits := strings.Replace(mant, ".", "", 1)
	if f >= 1e-3 && f < 1e7 {
		if exp >= 0 {
			intLen := exp + 1
			if intLen >= len(digits) {
				sb.WriteString(digits)
				sb.WriteString(strings.Repeat("0", intLen-len(digits)))
				sb.WriteString(".0")
			} else {
				sb.WriteString(digits[:intLen])
				sb.WriteByte('.')
				sb.WriteString(digits[intLen:])
			}
		} else {
			sb.WriteString("0.")
			sb.WriteString(strings.Repeat("0", -exp-1))
			sb.WriteString(digits)
		}
		return sb.String()
	}
	sb.WriteByte(digits[0])
	sb.WriteByte('.')
	if len(digits) > 1 {
		sb.WriteString(digits[1:])
	} else {
		sb.WriteByte('0')
	}
	sb.WriteByte('E')
	sb.WriteString(strconv.Itoa(exp))
	return sb.String()
}

// javaBigDecimal formats d as BigDecimal.toString: plain unless the adjusted exponent is below
// -6, then scientific (1E-7).
func javaBigDecimal(d decimal.Decimal, scale int) string {
	d = rescale(d, scale)
	coef := d.Coefficient()
	neg := coef.Sign() < 0
	digits := new(big.Int).Abs(coef).String()
	adjusted := len(digits) - 1 - scale
	if scale >= 0 && adjusted >= -6 {
		return d.StringFixed(int32(scale))
	}
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	sb.WriteByte(digits[0])
	if len(digits) > 1 {
		sb.WriteByte('.')
		sb.WriteString(digits[1:])
	}
	sb.WriteByte('E')
	if adjusted >= 0 {
		sb.WriteByte('+')
	}
	sb.WriteString(strconv.Itoa(adjusted))
	return sb.String()
}

// javaString renders v as Java's String.valueOf does for the value ksqlDB holds: what
// CAST(x AS STRING) returns for arrays ([1, 2]), maps ({k=v}) and structs (Struct{A=1,B=2},
// NULL fields left out). Maps keep our insertion order where Java's HashMap order is arbitrary.
func javaString(v types.Value, t types.Type) string {
	var sb strings.Builder
	writeJavaString(&sb, v, t)
	return sb.String()
}

func writeJavaString(sb *strings.Builder, v types.Value, t types.Type) {
	switch x := v.(type) {
	case nil:
		sb.WriteString("null")
	case string:
		sb.WriteString(x)
	case bool:
		sb.WriteString(strconv.FormatBool(x))
	case int32:
		sb.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		sb.WriteString(strconv.FormatInt(x, 10))
	case float64:
		sb.WriteString(javaDouble(x))
	case decimal.Decimal:
		sb.WriteString(javaBigDecimal(x, t.Scale))
	case []byte:
		sb.WriteString("java.nio.HeapByteBuffer[pos=0 lim=" + strconv.Itoa(len(x)) + " cap=" +
			strconv.Itoa(len(x)) + "]")
	case types.TimestampMillis:
		sb.WriteString(javaSQLTimestamp(int64(x)))
	case types.DateDays:
		sb.WriteString(formatDateISO(int32(x)))
	case types.TimeMillis:
		sb.WriteString(time.UnixMilli(int64(x)).UTC().Format("15:04:05"))
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeJavaString(sb, e, elemType(t))
		}
		sb.WriteByte(']')
	case *types.MapValue:
		sb.WriteByte('{')
		var kt types.Type
		if t.Key != nil {
			kt = *t.Key
		}
		for i, k := range x.Keys {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeJavaString(sb, k, kt)
			sb.WriteByte('=')
			writeJavaString(sb, x.Values[i], elemType(t))
		}
		sb.WriteByte('}')
	case types.StructValue:
		sb.WriteString("Struct{")
		first := true
		for i, f := range t.Fields {
			if i >= len(x) || x[i] == nil {
				continue
			}
			if !first {
				sb.WriteByte(',')
			}
			first = false
			sb.WriteString(f.Name)
			sb.WriteByte('=')
			writeJavaString(sb, x[i], f.Type)
		}
		sb.WriteByte('}')
	default:
		sb.WriteString("?")
	}
}

// javaSQLTimestamp is java.sql.Timestamp.toString in UTC: 2020-01-01 00:00:00.0.
func javaSQLTimestamp(ms int64) string {
	tm := time.UnixMilli(ms).UTC()
	s := tm.Format("2006-01-02 15:04:05")
	frac := strings.TrimRight(strconv.Itoa(1000 + tm.Nanosecond()/1e6)[1:], "0")
	if frac == "" {
		frac = "0"
	}
	return s + "." + frac
}

// The ISO renderings ksqlDB uses for CAST of temporal types to STRING.

func formatTimestampISO(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000")
}

func formatDateISO(days int32) string {
	return time.Unix(int64(days)*86400, 0).UTC().Format("2006-01-02")
}

// formatTimeISO is LocalTime.toString: HH:mm, HH:mm:ss or HH:mm:ss.SSS, the shortest that
// loses nothing.
func formatTimeISO(ms int64) string {
	tm := time.UnixMilli(ms).UTC()
	switch {
	case ms%1000 != 0:
		return tm.Format("15:04:05.000")
	case ms%60000 != 0:
		return tm.Format("15:04:05")
	}
	return tm.Format("15:04")
}
