package serde

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// ksqlDB writes JSON through Kafka Connect's JsonConverter (schemas off, decimals NUMERIC)
// and Jackson: every column present (null when NULL), doubles as Double.toString (NaN and the
// infinities as strings), DECIMAL as a number at the column's scale (BigDecimal.toString),
// BYTES as base64, TIMESTAMP/DATE/TIME as epoch millis / epoch days / millis of the day.

func (c *Codec) encodeJSON(buf []byte, row types.Row) ([]byte, error) {
	if !c.wrapped {
		if c.single == nil || row[0] == nil {
			return nil, nil // a Kafka null, as ksqlDB writes an unwrapped NULL
		}
		out, err := appendJSONValue(buf, row[0], c.single)
		if err != nil {
			return nil, c.encodeError(err, c.fields[0].Name)
		}
		return out, nil
	}
	buf = append(buf, '{')
	for i, v := range row {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, c.cols.prefixes[i]...)
		var err error
		if buf, err = appendJSONValue(buf, v, c.cols.nodes[i]); err != nil {
			return nil, c.encodeError(err, c.fields[i].Name)
		}
	}
	return append(buf, '}'), nil
}

// typeMismatch is a value whose Go type does not represent its column's SQL type: a bug
// upstream, reported rather than written as something ksqlDB would not write.
type typeMismatch struct {
	value any
	typ   types.Type
}

func (e *typeMismatch) Error() string {
	return "a Go " + goTypeName(e.value) + " cannot be written as " + typeString(e.typ)
}

func (c *Codec) encodeError(err error, column string) error {
	return types.Wrap(types.CodeInternal, err, "Failed to serialize %s column %s as %s",
		c.part(), quoteName(column), c.format)
}

func (c *Codec) part() string {
	if c.isKey {
		return "key"
	}
	return "value"
}

func appendJSONValue(dst []byte, v any, n *node) ([]byte, error) {
	if v == nil {
		return append(dst, "null"...), nil
	}
	switch n.kind {
	case types.Boolean:
		if b, ok := v.(bool); ok {
			return strconv.AppendBool(dst, b), nil
		}
	case types.Int:
		if i, ok := v.(int32); ok {
			return strconv.AppendInt(dst, int64(i), 10), nil
		}
	case types.Bigint:
		if i, ok := v.(int64); ok {
			return strconv.AppendInt(dst, i, 10), nil
		}
	case types.Double:
		if f, ok := v.(float64); ok {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				dst = append(dst, '"')
				dst = appendJavaDouble(dst, f)
				return append(dst, '"'), nil
			}
			return appendJavaDouble(dst, f), nil
		}
	case types.Decimal:
		if d, ok := v.(decimal.Decimal); ok {
			return appendDecimal(dst, d, n.typ.Scale, false), nil
		}
	case types.String:
		if s, ok := v.(string); ok {
			return appendJSONString(dst, s), nil
		}
	case types.Bytes:
		if b, ok := v.([]byte); ok {
			dst = append(dst, '"')
			dst = base64.StdEncoding.AppendEncode(dst, b)
			return append(dst, '"'), nil
		}
	case types.Timestamp:
		if t, ok := v.(types.TimestampMillis); ok {
			return strconv.AppendInt(dst, int64(t), 10), nil
		}
	case types.Date:
		if d, ok := v.(types.DateDays); ok {
			return strconv.AppendInt(dst, int64(d), 10), nil
		}
	case types.Time:
		if t, ok := v.(types.TimeMillis); ok {
			return strconv.AppendInt(dst, int64(t), 10), nil
		}
	case types.Array:
		if a, ok := v.([]any); ok {
			dst = append(dst, '[')
			for i, e := range a {
				if i > 0 {
					dst = append(dst, ',')
				}
				var err error
				if dst, err = appendJSONValue(dst, e, n.elem); err != nil {
					return nil, err
				}
			}
			return append(dst, ']'), nil
		}
	case types.Map:
		if m, ok := v.(*types.MapValue); ok {
			dst = append(dst, '{')
			for i, k := range m.Keys {
				if i > 0 {
					dst = append(dst, ',')
				}
				// Connect writes a NULL key as the text of a null node.
				ks, _ := k.(string)
				if k == nil {
					ks = "null"
				} else if _, isStr := k.(string); !isStr {
					return nil, &typeMismatch{k, types.StringType}
				}
				dst = appendJSONString(dst, ks)
				dst = append(dst, ':')
				var err error
				if dst, err = appendJSONValue(dst, m.Values[i], n.elem); err != nil {
					return nil, err
				}
			}
			return append(dst, '}'), nil
		}
	case types.Struct:
		if sv, ok := v.(types.StructValue); ok && len(sv) == len(n.obj.nodes) {
			dst = append(dst, '{')
			for i, fv := range sv {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, n.obj.prefixes[i]...)
				var err error
				if dst, err = appendJSONValue(dst, fv, n.obj.nodes[i]); err != nil {
					return nil, err
				}
			}
			return append(dst, '}'), nil
		}
	}
	return nil, &typeMismatch{v, n.typ}
}

func goTypeName(v any) string { return fmt.Sprintf("%T", v) }
