package types

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Values are plain Go values, one representation per Kind, so that operators, serde and the
// wire agree without conversion:
//
//	NULL       nil (for every type)
//	BOOLEAN    bool
//	INT        int32
//	BIGINT     int64
//	DOUBLE     float64
//	DECIMAL    decimal.Decimal (github.com/shopspring/decimal), scaled to the type's scale
//	STRING     string
//	BYTES      []byte
//	TIMESTAMP  TimestampMillis (milliseconds since the Unix epoch, UTC)
//	DATE       DateDays (days since the Unix epoch)
//	TIME       TimeMillis (milliseconds since midnight)
//	ARRAY      []any
//	MAP        *MapValue (insertion-ordered)
//	STRUCT     StructValue, positional in the order of the type's Fields
type Value = any

// Row is one row: values in the order of its schema's columns.
type Row []Value

// TimestampMillis is a TIMESTAMP value: milliseconds since the Unix epoch.
type TimestampMillis int64

// DateDays is a DATE value: days since the Unix epoch.
type DateDays int32

// TimeMillis is a TIME value: milliseconds since midnight.
type TimeMillis int64

// Time converts a TimestampMillis to a UTC time.Time.
func (ts TimestampMillis) Time() time.Time { return time.UnixMilli(int64(ts)).UTC() }

// StructValue is a STRUCT value: field values in the order of the type's Fields.
type StructValue []Value

// MapValue is a MAP value. Keys are unique; order is insertion order so output is stable.
type MapValue struct {
	Keys   []Value
	Values []Value
}

// Get returns the value for key (compared with Equal) and whether it exists.
func (m *MapValue) Get(key Value) (Value, bool) {
	if m == nil {
		return nil, false
	}
	for i, k := range m.Keys {
		if Equal(k, key) {
			return m.Values[i], true
		}
	}
	return nil, false
}

// Put sets key to v, replacing an existing entry.
func (m *MapValue) Put(key, v Value) {
	for i, k := range m.Keys {
		if Equal(k, key) {
			m.Values[i] = v
			return
		}
	}
	m.Keys = append(m.Keys, key)
	m.Values = append(m.Values, v)
}

// Len is the number of entries.
func (m *MapValue) Len() int {
	if m == nil {
		return 0
	}
	return len(m.Keys)
}

// Equal reports whether two non-nil-typed values are equal (NULLs are equal to each other here;
// SQL's three-valued logic is the evaluator's business).
func Equal(a, b Value) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case decimal.Decimal:
		y, ok := b.(decimal.Decimal)
		return ok && x.Equal(y)
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case StructValue:
		y, ok := b.(StructValue)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case *MapValue:
		y, ok := b.(*MapValue)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.Keys {
			v, found := y.Get(k)
			if !found || !Equal(x.Values[i], v) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (math.IsNaN(x) && math.IsNaN(y)))
	default:
		return a == b
	}
}

// FormatText renders v as Postgres text output for a value of type t: what psql prints and
// what COPY TO STDOUT writes. NULL is reported by the caller (ok == false).
func FormatText(v Value, t Type) (s string, ok bool) {
	if v == nil {
		return "", false
	}
	switch x := v.(type) {
	case bool:
		if x {
			return "t", true
		}
		return "f", true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return formatDouble(x), true
	case decimal.Decimal:
		return x.StringFixed(int32(t.Scale)), true
	case string:
		return x, true
	case []byte:
		return `\x` + hexString(x), true
	case TimestampMillis:
		return x.Time().Format("2006-01-02 15:04:05.000"), true
	case DateDays:
		return time.Unix(int64(x)*86400, 0).UTC().Format("2006-01-02"), true
	case TimeMillis:
		return time.UnixMilli(int64(x)).UTC().Format("15:04:05.000"), true
	default:
		b, err := json.Marshal(ToJSON(v, t))
		if err != nil {
			return "", false
		}
		return string(b), true
	}
}

func formatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	sb.Grow(2 * len(b))
	for _, c := range b {
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&15])
	}
	return sb.String()
}

// ToJSON converts a value of type t to what encoding/json marshals the way ksqlDB's JSON
// format writes it: TIMESTAMP as epoch millis, DATE as epoch days, TIME as millis of day, BYTES
// as base64, DECIMAL as a JSON number, STRUCT as an object keyed by field name.
func ToJSON(v Value, t Type) any {
	switch x := v.(type) {
	case nil:
		return nil
	case decimal.Decimal:
		return json.Number(x.StringFixed(int32(t.Scale)))
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case TimestampMillis:
		return int64(x)
	case DateDays:
		return int32(x)
	case TimeMillis:
		return int64(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return formatDouble(x)
		}
		return x
	case []any:
		out := make([]any, len(x))
		var elem Type
		if t.Elem != nil {
			elem = *t.Elem
		}
		for i, e := range x {
			out[i] = ToJSON(e, elem)
		}
		return out
	case *MapValue:
		out := make(map[string]any, x.Len())
		var elem Type
		if t.Elem != nil {
			elem = *t.Elem
		}
		for i, k := range x.Keys {
			ks, _ := FormatText(k, Type{})
			out[ks] = ToJSON(x.Values[i], elem)
		}
		return out
	case StructValue:
		out := make(map[string]any, len(x))
		for i, f := range t.Fields {
			if i < len(x) {
				out[f.Name] = ToJSON(x[i], f.Type)
			}
		}
		return out
	default:
		return v
	}
}
