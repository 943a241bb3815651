package agg

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// State encoding: every aggregator knows its argument types, so values are written by type,
// without tags: a presence byte (0 = NULL, 1 = value) then
//
//	BOOLEAN    one byte
//	INT, BIGINT, DATE, TIME, TIMESTAMP   zig-zag varint
//	DOUBLE     8 bytes, IEEE 754 bits little-endian
//	DECIMAL    zig-zag varint exponent, then the coefficient (see appendDecimal)
//	STRING, BYTES   uvarint length, bytes
//	ARRAY      uvarint count, elements
//	MAP        uvarint count, key and value pairs
//	STRUCT     the fields in order
//
// Counts are uvarints. The encodings are exact: decoding and re-encoding gives the same bytes.

func appendUvarint(dst []byte, v uint64) []byte { return binary.AppendUvarint(dst, v) }
func appendVarint(dst []byte, v int64) []byte   { return binary.AppendVarint(dst, v) }

func appendFloat(dst []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

func appendString(dst []byte, s string) []byte {
	dst = appendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendDecimal writes the exponent, then the coefficient as a varint when it fits in an int64
// (the common case) or, flagged by a 1 in the low bit of a leading uvarint, as sign and
// magnitude bytes.
func appendDecimal(dst []byte, d decimal.Decimal) []byte {
	dst = appendVarint(dst, int64(d.Exponent()))
	c := d.Coefficient()
	if c.IsInt64() {
		dst = appendUvarint(dst, 0)
		return appendVarint(dst, c.Int64())
	}
	mag := c.Bytes()
	head := uint64(len(mag))<<2 | 1
	if c.Sign() < 0 {
		head |= 2
	}
	dst = appendUvarint(dst, head)
	return append(dst, mag...)
}

// appendValue writes v, a value of type t (or NULL).
func appendValue(dst []byte, t types.Type, v types.Value) []byte {
	if v == nil {
		return append(dst, 0)
	}
	dst = append(dst, 1)
	return appendPresent(dst, t, v)
}

// appendPresent writes a non-NULL v of type t without the presence byte.
func appendPresent(dst []byte, t types.Type, v types.Value) []byte {
	switch t.Kind {
	case types.Boolean:
		return appendBool(dst, v.(bool))
	case types.Int, types.Bigint, types.Timestamp, types.Date, types.Time:
		i, ok := asInt64(v)
		if !ok {
			panic(fmt.Sprintf("agg: value %T is not of type %s", v, t))
		}
		return appendVarint(dst, i)
	case types.Double:
		return appendFloat(dst, v.(float64))
	case types.Decimal:
		return appendDecimal(dst, v.(decimal.Decimal))
	case types.String:
		return appendString(dst, v.(string))
	case types.Bytes:
		b := v.([]byte)
		dst = appendUvarint(dst, uint64(len(b)))
		return append(dst, b...)
	case types.Array:
		a := v.([]any)
		dst = appendUvarint(dst, uint64(len(a)))
		for _, e := range a {
			dst = appendValue(dst, *t.Elem, e)
		}
		return dst
	case types.Map:
		m := v.(*types.MapValue)
		dst = appendUvarint(dst, uint64(m.Len()))
		for i, k := range m.Keys {
			dst = appendValue(dst, *t.Key, k)
			dst = appendValue(dst, *t.Elem, m.Values[i])
		}
		return dst
	case types.Struct:
		s := v.(types.StructValue)
		for i, f := range t.Fields {
			var fv types.Value
			if i < len(s) {
				fv = s[i]
			}
			dst = appendValue(dst, f.Type, fv)
		}
		return dst
	}
	panic(fmt.Sprintf("agg: cannot encode a value of type %s", t))
}

// decoder reads an encoded state; the first failure sticks and later reads return zero values.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) fail() { d.bad = true; d.b = nil }

func (d *decoder) byte1() byte {
	if d.bad || len(d.b) < 1 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) bool1() bool {
	switch d.byte1() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail()
	return false
}

func (d *decoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.bad {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) u64() uint64 {
	if d.bad || len(d.b) < 8 {
		d.fail()
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) float() float64 { return math.Float64frombits(d.u64()) }

func (d *decoder) raw(n uint64) []byte {
	if d.bad || n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	r := d.b[:n:n]
	d.b = d.b[n:]
	return r
}

func (d *decoder) str() string { return string(d.raw(d.uvarint())) }

// count reads a collection size, refusing sizes the remaining input cannot hold (each element
// takes at least min bytes), so a corrupt state cannot make us allocate wildly.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)/min) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) decimal() decimal.Decimal {
	exp := d.varint()
	head := d.uvarint()
	if d.bad || exp < math.MinInt32 || exp > math.MaxInt32 {
		d.fail()
		return decimal.Decimal{}
	}
	if head == 0 {
		return decimal.New(d.varint(), int32(exp))
	}
	if head&1 == 0 {
		d.fail()
		return decimal.Decimal{}
	}
	c := new(big.Int).SetBytes(d.raw(head >> 2))
	if head&2 != 0 {
		c.Neg(c)
	}
	return decimal.NewFromBigInt(c, int32(exp))
}

// value reads a value of type t (with its presence byte).
func (d *decoder) value(t types.Type) types.Value {
	switch d.byte1() {
	case 0:
		return nil
	case 1:
		return d.present(t)
	}
	d.fail()
	return nil
}

// present reads a non-NULL value of type t.
func (d *decoder) present(t types.Type) types.Value {
	switch t.Kind {
	case types.Boolean:
		return d.bool1()
	case types.Int:
		v := d.varint()
		if v < math.MinInt32 || v > math.MaxInt32 {
			d.fail()
		}
		return int32(v)
	case types.Bigint:
		return d.varint()
	case types.Timestamp:
		return types.TimestampMillis(d.varint())
	case types.Date:
		v := d.varint()
		if v < math.MinInt32 || v > math.MaxInt32 {
			d.fail()
		}
		return types.DateDays(v)
	case types.Time:
		return types.TimeMillis(d.varint())
	case types.Double:
		return d.float()
	case types.Decimal:
		return d.decimal()
	case types.String:
		return d.str()
	case types.Bytes:
		r := d.raw(d.uvarint())
		return append(make([]byte, 0, len(r)), r...)
	case types.Array:
		n := d.count(1)
		out := make([]any, n)
		for i := range out {
			out[i] = d.value(*t.Elem)
		}
		return out
	case types.Map:
		n := d.count(2)
		m := &types.MapValue{Keys: make([]types.Value, n), Values: make([]types.Value, n)}
		for i := 0; i < n; i++ {
			m.Keys[i] = d.value(*t.Key)
			m.Values[i] = d.value(*t.Elem)
		}
		return m
	case types.Struct:
		s := make(types.StructValue, len(t.Fields))
		for i, f := range t.Fields {
			s[i] = d.value(f.Type)
		}
		return s
	}
	d.fail()
	return nil
}

// done reports whether the whole input decoded cleanly.
func (d *decoder) done() bool { return !d.bad && len(d.b) == 0 }

// asInt64 reads any integer-like value.
func asInt64(v types.Value) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case types.TimestampMillis:
		return int64(x), true
	case types.DateDays:
		return int64(x), true
	case types.TimeMillis:
		return int64(x), true
	}
	return 0, false
}

// asFloat reads a numeric value as a DOUBLE (ksqlDB's implicit cast of a function argument).
func asFloat(v types.Value) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case decimal.Decimal:
		return x.InexactFloat64(), true
	}
	return 0, false
}

// boxKind converts an int64 held for a value of kind k back to its Go representation.
func boxKind(k types.Kind, i int64) types.Value {
	switch k {
	case types.Int:
		return int32(i)
	case types.Timestamp:
		return types.TimestampMillis(i)
	case types.Date:
		return types.DateDays(i)
	case types.Time:
		return types.TimeMillis(i)
	}
	return i
}
