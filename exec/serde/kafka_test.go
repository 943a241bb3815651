package serde

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/types"
)

func TestKafkaFormat(t *testing.T) {
	tests := []struct {
		typ   types.Type
		value any
		bytes []byte
	}{
		{types.IntType, int32(10), []byte{0, 0, 0, 10}},
		{types.IntType, int32(-1), []byte{0xff, 0xff, 0xff, 0xff}},
		{types.BigintType, int64(1) << 40, []byte{0, 0, 1, 0, 0, 0, 0, 0}},
		{types.DoubleType, 1.1, []byte{0x3f, 0xf1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a}},
		{types.StringType, "Hello", []byte("Hello")},
		{types.StringType, "", []byte{}},
		{types.BytesType, []byte("variations"), []byte("variations")},
		{types.BytesType, []byte{}, []byte{}},
	}
	for _, tt := range tests {
		for _, isKey := range []bool{false, true} {
			c := mustCodec(t, Options{Format: "KAFKA", IsKey: isKey}, fld("V", tt.typ))
			out, err := c.Encode(nil, types.Row{tt.value})
			if err != nil || out == nil || !bytes.Equal(out, tt.bytes) {
				t.Errorf("%s %v encodes as %v (%v), want %v", tt.typ, tt.value, out, err, tt.bytes)
			}
			row, err := decodeRow(c, tt.bytes)
			if err != nil || !types.Equal(row[0], tt.value) {
				t.Errorf("%s %v decodes as %s (%v)", tt.typ, tt.bytes, render(row[0]), err)
			}
		}
	}
}

func TestKafkaEdges(t *testing.T) {
	i := mustCodec(t, Options{Format: "KAFKA"}, fld("V", types.IntType))
	_, err := decodeRow(i, []byte{1, 2, 3})
	if err == nil || !strings.Contains(err.Error(), "Size of data received by IntegerDeserializer is not 4") ||
		types.CodeOf(err) != types.CodeInvalidText {
		t.Errorf("short INT: %v", err)
	}
	d := mustCodec(t, Options{Format: "KAFKA"}, fld("V", types.DoubleType))
	if _, err := decodeRow(d, []byte{1}); err == nil || !strings.Contains(err.Error(), "DoubleDeserializer is not 8") {
		t.Errorf("short DOUBLE: %v", err)
	}
	// Java writes the canonical NaN whatever the payload.
	out, _ := d.Encode(nil, types.Row{math.Float64frombits(0x7ff8000000000001)})
	if !bytes.Equal(out, []byte{0x7f, 0xf8, 0, 0, 0, 0, 0, 0}) {
		t.Errorf("NaN encodes as %x", out)
	}
	// NULL is a Kafka null; a nil record is a null row for values and a NULL key for keys.
	if out, err := i.Encode(nil, types.Row{nil}); out != nil || err != nil {
		t.Errorf("NULL encodes as %v, %v", out, err)
	}
	if err := i.Decode(nil, types.Row{nil}, nil); !errors.Is(err, ErrNullRecord) {
		t.Errorf("nil value: %v", err)
	}
	k := mustCodec(t, Options{Format: "KAFKA", IsKey: true}, fld("K", types.StringType))
	row := types.Row{"x"}
	if err := k.Decode(nil, row, nil); err != nil || row[0] != nil {
		t.Errorf("nil key: %v %v", row, err)
	}
	// Decoded BYTES do not alias the record's buffer.
	b := mustCodec(t, Options{Format: "KAFKA"}, fld("V", types.BytesType))
	buf := []byte("abc")
	row, _ = decodeRow(b, buf)
	buf[0] = 'X'
	if string(row[0].([]byte)) != "abc" {
		t.Errorf("BYTES alias the input: %q", row[0])
	}
	// STRING is UTF-8; invalid bytes become U+FFFD as in Java.
	s := mustCodec(t, Options{Format: "KAFKA"}, fld("V", types.StringType))
	if row, _ := decodeRow(s, []byte("a\xc3")); row[0] != "a\uFFFD" {
		t.Errorf("invalid UTF-8: %q", row[0])
	}
	// A keyless stream's key bytes are ignored (corpus: "stream without key column").
	none := mustCodec(t, Options{Format: "KAFKA", IsKey: true})
	if err := none.Decode([]byte("should be ignored"), types.Row{}, nil); err != nil {
		t.Errorf("keyless KAFKA key: %v", err)
	}
	if _, err := i.Encode(nil, types.Row{"10"}); err == nil {
		t.Errorf("a string encoded as INT")
	}
	// Encode appends.
	if out, _ := i.Encode([]byte{9}, types.Row{int32(1)}); !bytes.Equal(out, []byte{9, 0, 0, 0, 1}) {
		t.Errorf("append: %v", out)
	}
}

func TestNoneFormat(t *testing.T) {
	c := mustCodec(t, Options{Format: "none", IsKey: true})
	if err := c.Decode([]byte("data that should be ignored"), types.Row{}, nil); err != nil {
		t.Fatal(err)
	}
	if out, err := c.Encode([]byte("buf"), types.Row{}); out != nil || err != nil {
		t.Fatalf("NONE encodes as %q, %v", out, err)
	}
	if c.Format() != "NONE" {
		t.Fatalf("Format() = %s", c.Format())
	}
}
