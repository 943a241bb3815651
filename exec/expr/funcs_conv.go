package expr

import (
	"encoding/binary"
	"math"
	"strings"

	"github.com/streamsql/streamsql/types"
)

// ksqlDB's CONVERSIONS functions: numbers read from their binary representation.
func init() {
	register(
		fn("INT_FROM_BYTES", CategoryBytes, "Reads a 4-byte INT, big-endian unless the byte order says LITTLE_ENDIAN.", "INT_FROM_BYTES(X'000007E5') = 2021",
			sig(intT, i1(numFromBytes(4, nil, decodeInt)), P("value", tBytes)),
			sig(intT, i2(fromBytesOrdered(4, decodeInt)), P("value", tBytes), P("byteOrder", tString))),
		fn("BIGINT_FROM_BYTES", CategoryBytes, "Reads an 8-byte BIGINT, big-endian unless the byte order says LITTLE_ENDIAN.", "BIGINT_FROM_BYTES(X'000000012A05F200') = 5000000000",
			sig(bigintT, i1(numFromBytes(8, nil, decodeBigint)), P("value", tBytes)),
			sig(bigintT, i2(fromBytesOrdered(8, decodeBigint)), P("value", tBytes), P("byteOrder", tString))),
		fn("DOUBLE_FROM_BYTES", CategoryBytes, "Reads an 8-byte IEEE 754 DOUBLE, big-endian unless the byte order says LITTLE_ENDIAN.", "DOUBLE_FROM_BYTES(X'4000000000000000') = 2.0",
			sig(doubleT, i1(numFromBytes(8, nil, decodeDouble)), P("value", tBytes)),
			sig(doubleT, i2(fromBytesOrdered(8, decodeDouble)), P("value", tBytes), P("byteOrder", tString))),
		fn("INT_FROM_BOOLEAN", CategoryOther, "Converts a BOOLEAN to 1 (true) or 0 (false).", "INT_FROM_BOOLEAN(true) = 1",
			sig(intT, i1(strict1(func(b types.Value) (types.Value, error) {
				if b.(bool) {
					return int32(1), nil
				}
				return int32(0), nil
			})), P("bool", tBool))),
	)
}

func decodeInt(b []byte, o binary.ByteOrder) types.Value    { return int32(o.Uint32(b)) }
func decodeBigint(b []byte, o binary.ByteOrder) types.Value { return int64(o.Uint64(b)) }
func decodeDouble(b []byte, o binary.ByteOrder) types.Value {
	return math.Float64frombits(o.Uint64(b))
}

// numFromBytes checks the length the way ksqlDB's BytesUtils.checkBytesSize does.
func numFromBytes(size int, order binary.ByteOrder, dec func([]byte, binary.ByteOrder) types.Value) valueFn1 {
	if order == nil {
		order = binary.BigEndian
	}
	return func(v types.Value) (types.Value, error) {
		if v == nil {
			return nil, nil
		}
		b := v.([]byte)
		if len(b) != size {
			return nil, evalErrorf(types.CodeInvalidParameter, "Number of bytes must be equal to %d, but found %d", size, len(b))
		}
		return dec(b, order), nil
	}
}

// fromBytesOrdered resolves the byte order first (ksqlDB rejects a bad or NULL order even for
// a NULL value), then decodes.
func fromBytesOrdered(size int, dec func([]byte, binary.ByteOrder) types.Value) valueFn2 {
	return func(v, o types.Value) (types.Value, error) {
		s, _ := o.(string)
		var order binary.ByteOrder
		switch {
		case o != nil && strings.EqualFold(s, "BIG_ENDIAN"):
			order = binary.BigEndian
		case o != nil && strings.EqualFold(s, "LITTLE_ENDIAN"):
			order = binary.LittleEndian
		default:
			text := "null"
			if o != nil {
				text = s
			}
			return nil, evalErrorf(types.CodeInvalidParameter, "Byte order must be BIG_ENDIAN or LITTLE_ENDIAN. Unknown byte order '%s'.", text)
		}
		return numFromBytes(size, order, dec)(v)
	}
}
