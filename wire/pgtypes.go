package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/streamsql/streamsql/types"
)

// Built-in Postgres type OIDs (pg_type.oid). streamsql emits only built-in OIDs: Grafana's pgx
// type map and pgjdbc fail on OIDs they do not know.
const (
	oidBool           uint32 = 16
	oidBytea          uint32 = 17
	oidNameType       uint32 = 19
	oidInt8           uint32 = 20
	oidInt2           uint32 = 21
	oidInt4           uint32 = 23
	oidText           uint32 = 25
	oidOID            uint32 = 26
	oidJSON           uint32 = 114
	oidFloat4         uint32 = 700
	oidFloat8         uint32 = 701
	oidUnknown        uint32 = 705
	oidBoolArray      uint32 = 1000
	oidByteaArray     uint32 = 1001
	oidInt4Array      uint32 = 1007
	oidTextArray      uint32 = 1009
	oidInt8Array      uint32 = 1016
	oidFloat8Array    uint32 = 1022
	oidBpchar         uint32 = 1042
	oidVarchar        uint32 = 1043
	oidDate           uint32 = 1082
	oidTime           uint32 = 1083
	oidTimestamp      uint32 = 1114
	oidTimestampArray uint32 = 1115
	oidDateArray      uint32 = 1182
	oidTimeArray      uint32 = 1183
	oidTimestamptz    uint32 = 1184
	oidNumeric        uint32 = 1700
	oidNumericArray   uint32 = 1231
	oidUUID           uint32 = 2950
	oidJSONB          uint32 = 3802
	oidJSONBArray     uint32 = 3807
)

// pgType is how a streamsql type appears in a RowDescription.
type pgType struct {
	oid   uint32
	size  int16  // pg_type.typlen; -1 for variable length
	array uint32 // the OID of the array type whose elements are this type
}

var (
	pgBool      = pgType{oidBool, 1, oidBoolArray}
	pgInt4      = pgType{oidInt4, 4, oidInt4Array}
	pgInt8      = pgType{oidInt8, 8, oidInt8Array}
	pgFloat8    = pgType{oidFloat8, 8, oidFloat8Array}
	pgNumeric   = pgType{oidNumeric, -1, oidNumericArray}
	pgText      = pgType{oidText, -1, oidTextArray}
	pgBytea     = pgType{oidBytea, -1, oidByteaArray}
	pgTimestamp = pgType{oidTimestamp, 8, oidTimestampArray}
	pgDate      = pgType{oidDate, 4, oidDateArray}
	pgTime      = pgType{oidTime, 8, oidTimeArray}
	pgJSONB     = pgType{oidJSONB, -1, oidJSONBArray}
)

// pgTypeOf maps a SQL type to its Postgres type:
//
//	BOOLEAN bool, INT int4, BIGINT int8, DOUBLE float8, DECIMAL numeric, STRING text,
//	BYTES bytea, TIMESTAMP timestamp, DATE date, TIME time, ARRAY<T> T[],
//	MAP, STRUCT and ARRAY<ARRAY<T>> jsonb, the type of an untyped NULL text.
//
// Nested arrays go out as jsonb because ksqlDB arrays may be jagged and a Postgres
// multi-dimensional array may not.
func pgTypeOf(t types.Type) pgType {
	switch t.Kind {
	case types.Boolean:
		return pgBool
	case types.Int:
		return pgInt4
	case types.Bigint:
		return pgInt8
	case types.Double:
		return pgFloat8
	case types.Decimal:
		return pgNumeric
	case types.Bytes:
		return pgBytea
	case types.Timestamp:
		return pgTimestamp
	case types.Date:
		return pgDate
	case types.Time:
		return pgTime
	case types.Map, types.Struct:
		return pgJSONB
	case types.Array:
		elem := arrayElem(t)
		if elem.Kind == types.Array {
			return pgJSONB
		}
		return pgType{oid: pgTypeOf(elem).array, size: -1}
	default: // String, Unknown
		return pgText
	}
}

// typmodOf is the RowDescription type modifier: numeric(p,s) carries ((p<<16)|s)+4 so that
// JDBC's metadata reports precision and scale; everything else has none (-1).
func typmodOf(t types.Type) int32 {
	if t.Kind == types.Decimal && t.Precision > 0 {
		return int32(t.Precision<<16|t.Scale) + 4
	}
	return -1
}

// arrayElem is the element type of an array type; a missing one is treated as STRING.
func arrayElem(t types.Type) types.Type {
	if t.Elem == nil {
		return types.StringType
	}
	return *t.Elem
}

// appendText appends v (not NULL) in the Postgres text output format of pgTypeOf(t). A Go value
// that does not match t's kind falls back to types.FormatText rather than failing the row.
func appendText(buf []byte, v types.Value, t types.Type) []byte {
	switch t.Kind {
	case types.Boolean:
		if b, ok := v.(bool); ok {
			if b {
				return append(buf, 't')
			}
			return append(buf, 'f')
		}
	case types.Int, types.Bigint:
		if n, ok := asInt64(v); ok {
			return strconv.AppendInt(buf, n, 10)
		}
	case types.Double:
		if f, ok := v.(float64); ok {
			return appendFloat8(buf, f)
		}
	case types.Decimal:
		if d, ok := v.(decimal.Decimal); ok {
			return append(buf, decimalText(d, t)...)
		}
	case types.String:
		if s, ok := v.(string); ok {
			return append(buf, s...)
		}
	case types.Bytes:
		if b, ok := v.([]byte); ok {
			return appendHexBytea(buf, b)
		}
	case types.Timestamp:
		if ts, ok := v.(types.TimestampMillis); ok {
			return appendTimestamp(buf, ts.Time())
		}
	case types.Date:
		if d, ok := v.(types.DateDays); ok {
			return appendDate(buf, time.Unix(int64(d)*86400, 0).UTC())
		}
	case types.Time:
		if ms, ok := v.(types.TimeMillis); ok {
			return appendTimeOfDay(buf, int64(ms)*1000)
		}
	case types.Array:
		if a, ok := v.([]any); ok {
			if elem := arrayElem(t); elem.Kind != types.Array {
				return appendArrayText(buf, a, elem)
			}
			return appendJSON(buf, v, t)
		}
	case types.Map, types.Struct:
		return appendJSON(buf, v, t)
	}
	s, _ := types.FormatText(v, t)
	return append(buf, s...)
}

func asInt64(v types.Value) (int64, bool) {
	switch n := v.(type) {
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

// decimalText keeps the column's scale (numeric(10,2) prints 1.50) when the type has one.
func decimalText(d decimal.Decimal, t types.Type) string {
	if t.Precision > 0 || t.Scale > 0 {
		return d.StringFixed(int32(t.Scale))
	}
	return d.String()
}

// appendFloat8 formats like Postgres 12+ float8out: the shortest exact digits, in positional
// notation for decimal exponents -4..14 and in exponent notation otherwise (1e+15, 1e-05).
func appendFloat8(buf []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(buf, "-0"...)
		}
		return append(buf, '0')
	}
	e := strconv.AppendFloat(nil, f, 'e', -1, 64)
	i := bytes.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(string(e[i+1:]))
	if exp < -4 || exp >= 15 {
		return append(buf, e...)
	}
	return strconv.AppendFloat(buf, f, 'f', -1, 64)
}

func appendHexBytea(buf []byte, b []byte) []byte {
	const digits = "0123456789abcdef"
	buf = append(buf, '\\', 'x')
	for _, c := range b {
		buf = append(buf, digits[c>>4], digits[c&15])
	}
	return buf
}

// appendDate writes an ISO date; years before 1 AD use Postgres' " BC" suffix.
func appendDate(buf []byte, t time.Time) []byte {
	buf = appendYMD(buf, t)
	if t.Year() <= 0 {
		buf = append(buf, " BC"...)
	}
	return buf
}

// appendTimestamp writes "2006-01-02 15:04:05[.ffffff]" with trailing zero digits dropped, as
// Postgres does.
func appendTimestamp(buf []byte, t time.Time) []byte {
	buf = appendYMD(buf, t)
	buf = append(buf, ' ')
	micros := int64(t.Hour())*3600e6 + int64(t.Minute())*60e6 + int64(t.Second())*1e6 + int64(t.Nanosecond()/1000)
	buf = appendTimeOfDay(buf, micros)
	if t.Year() <= 0 {
		buf = append(buf, " BC"...)
	}
	return buf
}

func appendYMD(buf []byte, t time.Time) []byte {
	y := t.Year()
	if y <= 0 {
		y = 1 - y // 1 BC is year 0
	}
	buf = appendPadded(buf, y, 4)
	buf = append(buf, '-')
	buf = appendPadded(buf, int(t.Month()), 2)
	buf = append(buf, '-')
	return appendPadded(buf, t.Day(), 2)
}

// appendTimeOfDay writes microseconds since midnight as "15:04:05[.ffffff]".
func appendTimeOfDay(buf []byte, micros int64) []byte {
	if micros < 0 {
		micros = 0
	}
	secs := micros / 1e6
	frac := micros % 1e6
	buf = appendPadded(buf, int(secs/3600), 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, int(secs/60%60), 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, int(secs%60), 2)
	if frac > 0 {
		f := []byte(fmt.Sprintf("%06d", frac))
		buf = append(buf, '.')
		buf = append(buf, bytes.TrimRight(f, "0")...)
	}
	return buf
}

func appendPadded(buf []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		buf = append(buf, '0')
	}
	return append(buf, s...)
}

// appendArrayText writes a one-dimensional Postgres array literal: {1,2,NULL,"a b"}. An element
// is double-quoted when it is empty, looks like NULL, or holds a delimiter, brace, quote,
// backslash or whitespace; inside quotes, " and \ are backslash-escaped.
func appendArrayText(buf []byte, a []any, elem types.Type) []byte {
	buf = append(buf, '{')
	var scratch []byte
	for i, e := range a {
		if i > 0 {
			buf = append(buf, ',')
		}
		if e == nil {
			buf = append(buf, "NULL"...)
			continue
		}
		scratch = appendText(scratch[:0], e, elem)
		buf = appendArrayElem(buf, scratch)
	}
	return append(buf, '}')
}

func appendArrayElem(buf, s []byte) []byte {
	if !arrayElemNeedsQuotes(s) {
		return append(buf, s...)
	}
	buf = append(buf, '"')
	for _, c := range s {
		if c == '"' || c == '\\' {
			buf = append(buf, '\\')
		}
		buf = append(buf, c)
	}
	return append(buf, '"')
}

func arrayElemNeedsQuotes(s []byte) bool {
	if len(s) == 0 || bytes.EqualFold(s, []byte("NULL")) {
		return true
	}
	for _, c := range s {
		switch c {
		case '{', '}', ',', '"', '\\', ' ', '\t', '\n', '\r', '\v', '\f':
			return true
		}
	}
	return false
}

// appendJSON writes v as JSON in the shape types.ToJSON gives, but keeps STRUCT fields in
// declaration order and MAP entries in insertion order (ToJSON's Go maps would sort them), with
// the ", " and ": " separators Postgres' jsonb output uses.
func appendJSON(buf []byte, v types.Value, t types.Type) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...)
	case types.StructValue:
		buf = append(buf, '{')
		for i, f := range t.Fields {
			if i >= len(x) {
				break
			}
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = appendJSONScalar(buf, f.Name)
			buf = append(buf, ": "...)
			buf = appendJSON(buf, x[i], f.Type)
		}
		return append(buf, '}')
	case *types.MapValue:
		var key, elem types.Type
		if t.Key != nil {
			key = *t.Key
		}
		if t.Elem != nil {
			elem = *t.Elem
		}
		buf = append(buf, '{')
		for i := 0; i < x.Len(); i++ {
			if i > 0 {
				buf = append(buf, ", "...)
			}
			k, _ := types.FormatText(x.Keys[i], key)
			buf = appendJSONScalar(buf, k)
			buf = append(buf, ": "...)
			buf = appendJSON(buf, x.Values[i], elem)
		}
		return append(buf, '}')
	case []any:
		elem := arrayElem(t)
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = appendJSON(buf, e, elem)
		}
		return append(buf, ']')
	default:
		return appendJSONScalar(buf, types.ToJSON(v, t))
	}
}

// appendJSONScalar marshals without HTML escaping (Postgres prints < and & as they are).
func appendJSONScalar(buf []byte, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return append(buf, "null"...)
	}
	return append(buf, bytes.TrimRight(b.Bytes(), "\n")...)
}
