package serde

import (
	"encoding/binary"
	"math"

	"github.com/streamsql/streamsql/types"
)

// KAFKA is one column in Kafka's own primitive serializers: INT as 4 bytes big-endian, BIGINT
// 8, DOUBLE an 8-byte IEEE 754 big-endian, STRING UTF-8, BYTES as is. With no columns (a
// keyless stream's key) the bytes are ignored, as ksqlDB does.

func (c *Codec) decodeKafka(data []byte, dst types.Row, needed []bool) error {
	if len(c.fields) == 0 || (needed != nil && !needed[0]) {
		return nil
	}
	switch c.kinds[0] {
	case types.Int:
		if len(data) != 4 {
			return c.sizeError("Integer", 4, len(data))
		}
		dst[0] = int32(binary.BigEndian.Uint32(data))
	case types.Bigint:
		if len(data) != 8 {
			return c.sizeError("Long", 8, len(data))
		}
		dst[0] = int64(binary.BigEndian.Uint64(data))
	case types.Double:
		if len(data) != 8 {
			return c.sizeError("Double", 8, len(data))
		}
		dst[0] = math.Float64frombits(binary.BigEndian.Uint64(data))
	case types.String:
		dst[0] = validString(data)
	case types.Bytes:
		// The record's buffer may be reused by the consumer: the value must own its bytes.
		dst[0] = append([]byte{}, data...)
	}
	return nil
}

func (c *Codec) sizeError(java string, want, got int) error {
	return types.Errorf(types.CodeInvalidText,
		"Failed to deserialize %s: Size of data received by %sDeserializer is not %d (got %d bytes, column %s %s)",
		c.part(), java, want, got, quoteName(c.fields[0].Name), typeString(c.fields[0].Type))
}

// canonicalNaN is what Java's Double.doubleToLongBits writes for every NaN.
const canonicalNaN = 0x7ff8000000000000

func (c *Codec) encodeKafka(buf []byte, row types.Row) ([]byte, error) {
	if len(c.fields) == 0 || row[0] == nil {
		return nil, nil // Kafka's serializers write null for null
	}
	v := row[0]
	switch c.kinds[0] {
	case types.Int:
		if n, ok := v.(int32); ok {
			return binary.BigEndian.AppendUint32(buf, uint32(n)), nil
		}
	case types.Bigint:
		if n, ok := v.(int64); ok {
			return binary.BigEndian.AppendUint64(buf, uint64(n)), nil
		}
	case types.Double:
		if f, ok := v.(float64); ok {
			bits := math.Float64bits(f)
			if f != f {
				bits = canonicalNaN
			}
			return binary.BigEndian.AppendUint64(buf, bits), nil
		}
	case types.String:
		if s, ok := v.(string); ok {
			return append(nonNil(buf), s...), nil
		}
	case types.Bytes:
		if b, ok := v.([]byte); ok {
			return append(nonNil(buf), b...), nil
		}
	}
	return nil, c.encodeError(&typeMismatch{v, c.fields[0].Type}, c.fields[0].Name)
}

// nonNil keeps an empty STRING or BYTES value distinct from a Kafka null.
func nonNil(buf []byte) []byte {
	if buf == nil {
		return []byte{}
	}
	return buf
}
