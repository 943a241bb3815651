package exec

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"github.com/streamsql/streamsql/types"
)

// The row codec writes values self-described (a tag byte, then the value) for state keys and
// values: group keys, source rows of tables, buffered results. Equal values encode to equal
// bytes, which is what a group key needs.
const (
	tagNull byte = iota
	tagFalse
	tagTrue
	tagInt32
	tagInt64
	tagFloat64
	tagDecimal
	tagString
	tagBytes
	tagTimestamp
	tagDate
	tagTime
	tagArray
	tagMap
	tagStruct
)

// appendValues encodes a row.
func appendValues(dst []byte, vals []types.Value) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(vals)))
	for _, v := range vals {
		dst = appendValue(dst, v)
	}
	return dst
}

func appendValue(dst []byte, v types.Value) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, tagNull)
	case bool:
		if x {
			return append(dst, tagTrue)
		}
		return append(dst, tagFalse)
	case int32:
		return binary.AppendVarint(append(dst, tagInt32), int64(x))
	case int64:
		return binary.AppendVarint(append(dst, tagInt64), x)
	case float64:
		return binary.BigEndian.AppendUint64(append(dst, tagFloat64), math.Float64bits(x))
	case decimal.Decimal:
		return appendBytes(append(dst, tagDecimal), []byte(x.String()))
	case string:
		return appendBytes(append(dst, tagString), []byte(x))
	case []byte:
		return appendBytes(append(dst, tagBytes), x)
	case types.TimestampMillis:
		return binary.AppendVarint(append(dst, tagTimestamp), int64(x))
	case types.DateDays:
		return binary.AppendVarint(append(dst, tagDate), int64(x))
	case types.TimeMillis:
		return binary.AppendVarint(append(dst, tagTime), int64(x))
	case []any:
		dst = binary.AppendUvarint(append(dst, tagArray), uint64(len(x)))
		for _, e := range x {
			dst = appendValue(dst, e)
		}
		return dst
	case *types.MapValue:
		dst = binary.AppendUvarint(append(dst, tagMap), uint64(len(x.Keys)))
		for i := range x.Keys {
			dst = appendValue(dst, x.Keys[i])
			dst = appendValue(dst, x.Values[i])
		}
		return dst
	case types.StructValue:
		dst = binary.AppendUvarint(append(dst, tagStruct), uint64(len(x)))
		for _, e := range x {
			dst = appendValue(dst, e)
		}
		return dst
	}
	panic(fmt.Sprintf("exec: cannot encode a value of type %T", v))
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// decodeValues reads a row written by appendValues; it returns the rest of b.
func decodeValues(b []byte) ([]types.Value, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, nil, errCorruptState
	}
	b = b[k:]
	out := make([]types.Value, n)
	for i := range out {
		var err error
		if out[i], b, err = decodeValue(b); err != nil {
			return nil, nil, err
		}
	}
	return out, b, nil
}

var errCorruptState = types.Errorf(types.CodeInternal, "exec: corrupt state value")

func decodeValue(b []byte) (types.Value, []byte, error) {
	if len(b) == 0 {
		return nil, nil, errCorruptState
	}
	tag, b := b[0], b[1:]
	varint := func() (int64, []byte, error) {
		v, k := binary.Varint(b)
		if k <= 0 {
			return 0, nil, errCorruptState
		}
		return v, b[k:], nil
	}
	bytesOf := func() ([]byte, []byte, error) {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return nil, nil, errCorruptState
		}
		return b[k : k+int(n)], b[k+int(n):], nil
	}
	switch tag {
	case tagNull:
		return nil, b, nil
	case tagFalse:
		return false, b, nil
	case tagTrue:
		return true, b, nil
	case tagInt32:
		v, rest, err := varint()
		return int32(v), rest, err
	case tagInt64:
		v, rest, err := varint()
		return v, rest, err
	case tagTimestamp:
		v, rest, err := varint()
		return types.TimestampMillis(v), rest, err
	case tagDate:
		v, rest, err := varint()
		return types.DateDays(v), rest, err
	case tagTime:
		v, rest, err := varint()
		return types.TimeMillis(v), rest, err
	case tagFloat64:
		if len(b) < 8 {
			return nil, nil, errCorruptState
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), b[8:], nil
	case tagDecimal:
		s, rest, err := bytesOf()
		if err != nil {
			return nil, nil, err
		}
		d, err := decimal.NewFromString(string(s))
		return d, rest, err
	case tagString:
		s, rest, err := bytesOf()
		return string(s), rest, err
	case tagBytes:
		s, rest, err := bytesOf()
		return append([]byte{}, s...), rest, err
	case tagArray, tagStruct, tagMap:
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)) {
			return nil, nil, errCorruptState
		}
		b = b[k:]
		if tag == tagMap {
			m := &types.MapValue{}
			for i := uint64(0); i < n; i++ {
				var kv, vv types.Value
				var err error
				if kv, b, err = decodeValue(b); err != nil {
					return nil, nil, err
				}
				if vv, b, err = decodeValue(b); err != nil {
					return nil, nil, err
				}
				m.Put(kv, vv)
			}
			return m, b, nil
		}
		out := make([]any, n)
		for i := range out {
			var err error
			if out[i], b, err = decodeValue(b); err != nil {
				return nil, nil, err
			}
		}
		if tag == tagStruct {
			return types.StructValue(out), b, nil
		}
		return out, b, nil
	}
	return nil, nil, errCorruptState
}
