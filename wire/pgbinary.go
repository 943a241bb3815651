package wire

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/streamsql/streamsql/types"
)

// Binary formats. pgx's default (extended) mode asks for binary results for every OID it has a
// binary codec for, and pgjdbc does after a statement is prepared, so each type we emit has a
// binary encoder. Parameters sent in binary are decoded back to their text form: the engine
// API takes SQL text, so they are substituted as literals like text parameters.

// pgEpochMicros is 2000-01-01 00:00:00 UTC (Postgres' binary epoch) in Unix microseconds.
const (
	pgEpochMicros = 946684800 * 1e6
	pgEpochDays   = 10957
)

// appendBinary appends v (not NULL) in the binary format of pgTypeOf(t). Unlike the text
// path, a Go value that does not match t fails: the client decodes by OID and would misread it.
func appendBinary(buf []byte, v types.Value, t types.Type) ([]byte, error) {
	switch t.Kind {
	case types.Boolean:
		if b, ok := v.(bool); ok {
			if b {
				return append(buf, 1), nil
			}
			return append(buf, 0), nil
		}
	case types.Int:
		if n, ok := asInt64(v); ok && n >= math.MinInt32 && n <= math.MaxInt32 {
			return binary.BigEndian.AppendUint32(buf, uint32(int32(n))), nil
		}
	case types.Bigint:
		if n, ok := asInt64(v); ok {
			return binary.BigEndian.AppendUint64(buf, uint64(n)), nil
		}
	case types.Double:
		if f, ok := v.(float64); ok {
			return binary.BigEndian.AppendUint64(buf, math.Float64bits(f)), nil
		}
	case types.Decimal:
		if d, ok := v.(decimal.Decimal); ok {
			return appendNumeric(buf, decimalText(d, t)), nil
		}
	case types.String:
		if s, ok := v.(string); ok {
			return append(buf, s...), nil
		}
	case types.Bytes:
		if b, ok := v.([]byte); ok {
			return append(buf, b...), nil
		}
	case types.Timestamp:
		if ts, ok := v.(types.TimestampMillis); ok {
			return binary.BigEndian.AppendUint64(buf, uint64(int64(ts)*1000-pgEpochMicros)), nil
		}
	case types.Date:
		if d, ok := v.(types.DateDays); ok {
			return binary.BigEndian.AppendUint32(buf, uint32(int32(d)-pgEpochDays)), nil
		}
	case types.Time:
		if ms, ok := v.(types.TimeMillis); ok {
			return binary.BigEndian.AppendUint64(buf, uint64(int64(ms)*1000)), nil
		}
	case types.Array:
		if a, ok := v.([]any); ok {
			if elem := arrayElem(t); elem.Kind != types.Array {
				return appendArrayBinary(buf, a, elem)
			}
			return appendJSON(append(buf, 1), v, t), nil
		}
	case types.Map, types.Struct:
		return appendJSON(append(buf, 1), v, t), nil // jsonb version 1, then the text
	default:
		s, _ := types.FormatText(v, t)
		return append(buf, s...), nil
	}
	return buf, types.Errorf(types.CodeInternal, "cannot send a %T value as %s in binary format", v, t)
}

// appendArrayBinary writes a one-dimensional array: ndim, has-null flag, element OID, then
// (length, lower bound 1) and length-prefixed elements. Postgres sends an empty array with no
// dimensions.
func appendArrayBinary(buf []byte, a []any, elem types.Type) ([]byte, error) {
	hasNull := uint32(0)
	for _, e := range a {
		if e == nil {
			hasNull = 1
		}
	}
	ndim := uint32(1)
	if len(a) == 0 {
		ndim = 0
	}
	buf = binary.BigEndian.AppendUint32(buf, ndim)
	buf = binary.BigEndian.AppendUint32(buf, hasNull)
	buf = binary.BigEndian.AppendUint32(buf, pgTypeOf(elem).oid)
	if ndim == 0 {
		return buf, nil
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(a)))
	buf = binary.BigEndian.AppendUint32(buf, 1)
	for _, e := range a {
		if e == nil {
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32) // -1: NULL
			continue
		}
		at := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		if buf, err = appendBinary(buf, e, elem); err != nil {
			return buf, err
		}
		binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	}
	return buf, nil
}

// appendNumeric writes a decimal string ("-12.3400") as Postgres' binary numeric: base-10000
// digits with a weight (the power of 10000 of the first digit), a sign and the display scale.
func appendNumeric(buf []byte, s string) []byte {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	dscale := len(frac)
	intPart = strings.TrimLeft(intPart, "0")
	if r := len(intPart) % 4; r != 0 {
		intPart = strings.Repeat("0", 4-r) + intPart
	}
	if r := len(frac) % 4; r != 0 {
		frac += strings.Repeat("0", 4-r)
	}
	weight := len(intPart)/4 - 1
	all := intPart + frac
	digits := make([]int16, 0, len(all)/4)
	for i := 0; i+4 <= len(all); i += 4 {
		d, _ := strconv.Atoi(all[i : i+4])
		digits = append(digits, int16(d))
	}
	for len(digits) > 0 && digits[0] == 0 {
		digits = digits[1:]
		weight--
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	sign := uint16(0)
	if len(digits) == 0 {
		weight = 0
	} else if neg {
		sign = 0x4000
	}
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(digits)))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, uint16(dscale))
	for _, d := range digits {
		buf = binary.BigEndian.AppendUint16(buf, uint16(d))
	}
	return buf
}

// binaryParamText decodes a binary-format parameter of type oid into the text a client would
// have sent in text format.
func binaryParamText(oid uint32, b []byte) (string, error) {
	bad := func() (string, error) {
		return "", types.Errorf(codeInvalidBinaryRepresentation, "incorrect binary data format in bind parameter of type %s", oidName(oid))
	}
	fixed := func(n int) bool { return len(b) == n }
	switch oid {
	case 0, oidText, oidVarchar, oidBpchar, oidNameType, oidUnknown, oidJSON:
		return string(b), nil
	case oidJSONB:
		if len(b) == 0 || b[0] != 1 {
			return bad()
		}
		return string(b[1:]), nil
	case oidBool:
		if !fixed(1) {
			return bad()
		}
		return strconv.FormatBool(b[0] != 0), nil
	case oidInt2:
		if !fixed(2) {
			return bad()
		}
		return strconv.Itoa(int(int16(binary.BigEndian.Uint16(b)))), nil
	case oidInt4:
		if !fixed(4) {
			return bad()
		}
		return strconv.Itoa(int(int32(binary.BigEndian.Uint32(b)))), nil
	case oidOID:
		if !fixed(4) {
			return bad()
		}
		return strconv.FormatUint(uint64(binary.BigEndian.Uint32(b)), 10), nil
	case oidInt8:
		if !fixed(8) {
			return bad()
		}
		return strconv.FormatInt(int64(binary.BigEndian.Uint64(b)), 10), nil
	case oidFloat4:
		if !fixed(4) {
			return bad()
		}
		f := math.Float32frombits(binary.BigEndian.Uint32(b))
		if math.IsInf(float64(f), 0) || math.IsNaN(float64(f)) {
			return string(appendFloat8(nil, float64(f))), nil
		}
		return strconv.FormatFloat(float64(f), 'g', -1, 32), nil
	case oidFloat8:
		if !fixed(8) {
			return bad()
		}
		return string(appendFloat8(nil, math.Float64frombits(binary.BigEndian.Uint64(b)))), nil
	case oidBytea:
		return string(appendHexBytea(nil, b)), nil
	case oidDate:
		if !fixed(4) {
			return bad()
		}
		switch d := int32(binary.BigEndian.Uint32(b)); d {
		case math.MaxInt32:
			return "infinity", nil
		case math.MinInt32:
			return "-infinity", nil
		default:
			return string(appendDate(nil, time.Unix((int64(d)+pgEpochDays)*86400, 0).UTC())), nil
		}
	case oidTimestamp, oidTimestamptz:
		if !fixed(8) {
			return bad()
		}
		switch us := int64(binary.BigEndian.Uint64(b)); us {
		case math.MaxInt64:
			return "infinity", nil
		case math.MinInt64:
			return "-infinity", nil
		default:
			s := string(appendTimestamp(nil, time.UnixMicro(us+pgEpochMicros).UTC()))
			if oid == oidTimestamptz {
				s += "+00"
			}
			return s, nil
		}
	case oidTime:
		if !fixed(8) {
			return bad()
		}
		return string(appendTimeOfDay(nil, int64(binary.BigEndian.Uint64(b)))), nil
	case oidUUID:
		if !fixed(16) {
			return bad()
		}
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
	case oidNumeric:
		s, ok := numericText(b)
		if !ok {
			return bad()
		}
		return s, nil
	}
	return "", types.Errorf(types.CodeFeatureNotSupported, "binary format is not supported for parameters of type %s; send it in text format", oidName(oid))
}

// numericText decodes Postgres' binary numeric into its text form.
func numericText(b []byte) (string, bool) {
	if len(b) < 8 {
		return "", false
	}
	ndigits := int(int16(binary.BigEndian.Uint16(b)))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(int16(binary.BigEndian.Uint16(b[6:])))
	switch sign {
	case 0xC000:
		return "NaN", true
	case 0xD000:
		return "Infinity", true
	case 0xF000:
		return "-Infinity", true
	case 0, 0x4000:
	default:
		return "", false
	}
	if ndigits < 0 || dscale < 0 || len(b) != 8+2*ndigits {
		return "", false
	}
	digits := make([]int, ndigits)
	for i := range digits {
		digits[i] = int(binary.BigEndian.Uint16(b[8+2*i:]))
		if digits[i] > 9999 {
			return "", false
		}
	}
	at := func(i int) int {
		if i < 0 || i >= len(digits) {
			return 0
		}
		return digits[i]
	}
	var sb strings.Builder
	if sign == 0x4000 {
		sb.WriteByte('-')
	}
	if weight < 0 {
		sb.WriteByte('0')
	} else {
		sb.WriteString(strconv.Itoa(at(0)))
		for i := 1; i <= weight; i++ {
			fmt.Fprintf(&sb, "%04d", at(i))
		}
	}
	if dscale > 0 {
		var frac strings.Builder
		for k := weight + 1; frac.Len() < dscale; k++ {
			fmt.Fprintf(&frac, "%04d", at(k))
		}
		sb.WriteByte('.')
		sb.WriteString(frac.String()[:dscale])
	}
	return sb.String(), true
}

// oidName names the parameter types we know, for error messages.
func oidName(oid uint32) string {
	switch oid {
	case oidBool:
		return "boolean"
	case oidInt2:
		return "smallint"
	case oidInt4:
		return "integer"
	case oidInt8:
		return "bigint"
	case oidOID:
		return "oid"
	case oidFloat4:
		return "real"
	case oidFloat8:
		return "double precision"
	case oidNumeric:
		return "numeric"
	case oidText:
		return "text"
	case oidVarchar:
		return "character varying"
	case oidBytea:
		return "bytea"
	case oidDate:
		return "date"
	case oidTime:
		return "time without time zone"
	case oidTimestamp:
		return "timestamp without time zone"
	case oidTimestamptz:
		return "timestamp with time zone"
	case oidJSONB:
		return "jsonb"
	case oidUUID:
		return "uuid"
	}
	return "oid " + strconv.FormatUint(uint64(oid), 10)
}
