package serde

import (
	"encoding/base64"
	"strconv"

	"github.com/streamsql/streamsql/types"
)

// Coercions of JSON scalars into column types, as ksqlDB's KsqlJsonDeserializer and
// JsonSerdeUtils do them: numbers truncate into INT/BIGINT/TIMESTAMP (Java's intValue and
// longValue), strings parse with Java's parsers, anything becomes STRING, BOOLEAN takes only
// true and false, BYTES only base64 strings.

// coerceScalar converts one scalar JSON token (string, number, true, false), or reports a
// composite that does not fit n.
func coerceScalar(raw []byte, n *node) (any, *decodeErr) {
	var buf [128]byte
	switch raw[0] {
	case '"':
		text := stringBody(raw, buf[:0])
		return coerceString(raw, text, n)
	case 't', 'f':
		switch n.kind {
		case types.Boolean:
			return raw[0] == 't', nil
		case types.String:
			if raw[0] == 't' {
				return "true", nil
			}
			return "false", nil
		}
		return nil, convErr(raw, typeString(n.typ))
	case '{', '[':
		return nil, convErr(raw, typeString(n.typ))
	}
	return coerceNumber(raw, n)
}

// coerceNumber: Jackson reads integers as int/long/BigInteger and, with USE_BIG_DECIMAL_FOR_FLOATS,
// the rest as BigDecimal; ksqlDB then takes intValue()/longValue()/doubleValue() of them.
func coerceNumber(raw []byte, n *node) (any, *decodeErr) {
	if hugeExponent(raw) {
		// Jackson reads such a number as a BigDecimal, whose scale must fit a Java int.
		return nil, &decodeErr{msg: "Number exponent out of range", raw: raw}
	}
	switch n.kind {
	case types.Int:
		return int32(wrappedInteger(raw)), nil
	case types.Bigint:
		return wrappedInteger(raw), nil
	case types.Double:
		return parseFloatBytes(raw), nil
	case types.Decimal:
		var scratch [64]byte
		d, _ := parseBigDec(raw, scratch[:0])
		v, msg := ensureFit(d, n.typ.Precision, n.typ.Scale)
		if msg != "" {
			return nil, &decodeErr{msg: msg, raw: raw}
		}
		return v, nil
	case types.String:
		return numberText(raw), nil
	case types.Timestamp:
		return types.TimestampMillis(wrappedInteger(raw)), nil
	case types.Date:
		return dateDays(wrappedInteger(raw), raw)
	case types.Time:
		return timeMillis(wrappedInteger(raw), raw)
	}
	return nil, convErr(raw, typeString(n.typ))
}

// hugeExponent reports an exponent beyond maxExponent in a validated JSON number.
func hugeExponent(raw []byte) bool {
	i := len(raw) - 1
	for i >= 0 && raw[i] != 'e' && raw[i] != 'E' {
		i--
	}
	if i < 0 {
		return false
	}
	exp := 0
	for _, c := range raw[i+1:] {
		if isDigit(c) {
			if exp = exp*10 + int(c-'0'); exp > maxExponent {
				return true
			}
		}
	}
	return false
}

// coerceString converts a JSON string (raw token, decoded text) to type n.
func coerceString(raw, text []byte, n *node) (any, *decodeErr) {
	switch n.kind {
	case types.String:
		return string(text), nil // validated UTF-8
	case types.Int:
		v, ok := parseJavaInt(text, 32)
		if !ok {
			return nil, coerceErr(raw, "INTEGER")
		}
		return int32(v), nil
	case types.Bigint:
		v, ok := parseJavaInt(text, 64)
		if !ok {
			return nil, coerceErr(raw, "BIGINT")
		}
		return v, nil
	case types.Double:
		f, ok := parseJavaDouble(text)
		if !ok {
			return nil, coerceErr(raw, "DOUBLE")
		}
		return f, nil
	case types.Decimal:
		var scratch [64]byte
		d, ok := parseBigDec(text, scratch[:0])
		if !ok {
			return nil, &decodeErr{msg: "Invalid DECIMAL text: " + strconv.Quote(string(text)), raw: raw}
		}
		v, msg := ensureFit(d, n.typ.Precision, n.typ.Scale)
		if msg != "" {
			return nil, &decodeErr{msg: msg, raw: raw}
		}
		return v, nil
	case types.Bytes:
		b, err := base64.StdEncoding.DecodeString(bytesString(text))
		if err != nil {
			return nil, &decodeErr{msg: "Value is not a valid Base64 encoded string: " + string(text), raw: raw}
		}
		return b, nil
	case types.Timestamp:
		v, ok := parseJavaInt(text, 64)
		if !ok {
			return nil, coerceErr(raw, "TIMESTAMP")
		}
		return types.TimestampMillis(v), nil
	case types.Date:
		v, ok := parseJavaInt(text, 64)
		if !ok {
			return nil, coerceErr(raw, "DATE")
		}
		return dateDays(v, raw)
	case types.Time:
		v, ok := parseJavaInt(text, 64)
		if !ok {
			return nil, coerceErr(raw, "TIME")
		}
		return timeMillis(v, raw)
	}
	return nil, convErr(raw, typeString(n.typ))
}

func dateDays(v int64, raw []byte) (any, *decodeErr) {
	if v < -1<<31 || v >= 1<<31 {
		return nil, &decodeErr{msg: "DATE out of range: " + strconv.FormatInt(v, 10) + " days", raw: raw}
	}
	return types.DateDays(v), nil
}

func timeMillis(v int64, raw []byte) (any, *decodeErr) {
	if v < 0 || v >= 86400000 {
		return nil, &decodeErr{msg: "Time values must use number of milliseconds greater than 0 " +
			"and less than 86400000.", raw: raw}
	}
	return types.TimeMillis(v), nil
}

// numberText is Jackson's asText() of a number node: integers print as themselves (-0 as 0),
// other numbers as BigDecimal.toString() (1.50 stays 1.50, 1e3 becomes 1E+3).
func numberText(raw []byte) string {
	isFloat := false
	for _, c := range raw {
		if c == '.' || c == 'e' || c == 'E' {
			isFloat = true
			break
		}
	}
	if !isFloat {
		if string(raw) == "-0" {
			return "0"
		}
		return string(raw)
	}
	var scratch [64]byte
	var out [80]byte
	d, _ := parseBigDec(raw, scratch[:0])
	return string(d.appendString(out[:0], false))
}

// parseFloatBytes parses a validated JSON number. Only ErrRange can occur, and its value
// (±Inf or 0) is Java's answer too; the error is dropped as it holds the aliased string.
func parseFloatBytes(b []byte) float64 {
	f, _ := strconv.ParseFloat(bytesString(b), 64)
	return f
}

// jsonNodeType names a JSON token the way Jackson's node classes appear in ksqlDB's messages.
func jsonNodeType(raw []byte) string {
	switch raw[0] {
	case '"':
		return "TextNode"
	case 't', 'f':
		return "BooleanNode"
	case '{':
		return "ObjectNode"
	case '[':
		return "ArrayNode"
	case 'n':
		return "NullNode"
	}
	for _, c := range raw {
		if c == '.' || c == 'e' || c == 'E' {
			return "DecimalNode"
		}
	}
	if _, ok := parseJavaInt(raw, 32); ok {
		return "IntNode"
	}
	if _, ok := parseJavaInt(raw, 64); ok {
		return "LongNode"
	}
	return "BigIntegerNode"
}

func convErr(raw []byte, required string) *decodeErr {
	return &decodeErr{
		msg: "Can't convert type. sourceType: " + jsonNodeType(raw) + ", requiredType: " + required,
		raw: raw,
	}
}

func coerceErr(raw []byte, target string) *decodeErr {
	return &decodeErr{msg: "Can't coerce string to type. targetType: " + target, raw: raw}
}
