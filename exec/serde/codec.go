package serde

import (
	"errors"

	"github.com/streamsql/streamsql/types"
)

// Options select a format and its settings, as the WITH clause of a CREATE statement does.
type Options struct {
	// Format is JSON, DELIMITED, KAFKA or NONE, in any case.
	Format string
	// IsKey says the codec serializes record keys: a single JSON key column is written bare
	// and WRAP_SINGLE_VALUE does not apply.
	IsKey bool
	// Delimiter is DELIMITED's VALUE_DELIMITER / KEY_DELIMITER: one character, or TAB or
	// SPACE; "" means a comma. Other formats reject it.
	Delimiter string
	// WrapSingleValue is WRAP_SINGLE_VALUE; nil means the format's default (JSON wraps a single
	// value column in an object, DELIMITED and KAFKA never do).
	WrapSingleValue *bool
}

// ErrNullRecord is returned by Decode when the bytes are a serialized NULL record rather than
// a row: nil bytes, or the JSON literal null where the schema expects an object. ksqlDB reads
// both as a null row, so a stream skips the record and a table deletes the key. Key codecs
// never return it: a null key is a row of NULL key columns.
var ErrNullRecord = errors.New("serde: null record")

type format uint8

const (
	formatJSON format = iota
	formatDelimited
	formatKafka
	formatNone
)

var formatNames = [...]string{
	formatJSON: "JSON", formatDelimited: "DELIMITED", formatKafka: "KAFKA", formatNone: "NONE",
}

func (f format) String() string { return formatNames[f] }

// Codec decodes and encodes the key or the value part of records for one list of columns.
// It is immutable after NewCodec and safe for concurrent use.
type Codec struct {
	format format
	isKey  bool
	fields []types.Field
	// JSON: wrapped means one object member per column; otherwise the record is the bare
	// value of the only column.
	wrapped bool
	cols    *objectPlan // JSON, wrapped
	single  *node       // JSON, unwrapped
	delim   []byte      // DELIMITED, the delimiter as UTF-8
	kinds   []types.Kind
}

// Fields returns the columns the codec was built for.
func (c *Codec) Fields() []types.Field { return c.fields }

// Format returns the format's canonical name (JSON, DELIMITED, KAFKA, NONE).
func (c *Codec) Format() string { return c.format.String() }

// Decode parses data into dst, which has one slot per field. Only the fields with needed[i]
// (all when needed is nil) are set; a needed field absent from the record is set to nil, and
// the others are left as they are. A record that cannot be read is an error naming the field
// and the offending text; nil data (and JSON null for a wrapped value) is ErrNullRecord for
// values and a row of NULLs for keys.
func (c *Codec) Decode(data []byte, dst types.Row, needed []bool) error {
	if len(dst) != len(c.fields) || (needed != nil && len(needed) != len(c.fields)) {
		return types.Errorf(types.CodeInternal,
			"serde: Decode got %d slots and %d needed flags for %d fields", len(dst), len(needed), len(c.fields))
	}
	if data == nil {
		return c.nullRecord(dst, needed)
	}
	switch c.format {
	case formatJSON:
		return c.decodeJSON(data, dst, needed)
	case formatDelimited:
		return c.decodeDelimited(data, dst, needed)
	case formatKafka:
		return c.decodeKafka(data, dst, needed)
	}
	return nil // NONE: the bytes are not ours to read
}

// nullRecord fills the needed fields with NULL and reports a null value record.
func (c *Codec) nullRecord(dst types.Row, needed []bool) error {
	for i := range dst {
		if needed == nil || needed[i] {
			dst[i] = nil
		}
	}
	if c.isKey || len(c.fields) == 0 {
		return nil
	}
	return ErrNullRecord
}

// Encode appends the serialized form of row (one value per field) to buf and returns the
// extended slice. It returns nil when the row serializes to a Kafka null: an unwrapped NULL
// (a single JSON key or WRAP_SINGLE_VALUE=false value, a KAFKA field), and for NONE or no
// fields. Every other result is non-nil, even when empty.
func (c *Codec) Encode(buf []byte, row types.Row) ([]byte, error) {
	if len(row) != len(c.fields) {
		return nil, types.Errorf(types.CodeInternal,
			"serde: Encode got %d values for %d fields", len(row), len(c.fields))
	}
	var out []byte
	var err error
	switch c.format {
	case formatJSON:
		out, err = c.encodeJSON(buf, row)
	case formatDelimited:
		out, err = c.encodeDelimited(buf, row)
	case formatKafka:
		out, err = c.encodeKafka(buf, row)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if out == nil && c.format == formatDelimited {
		// A DELIMITED row of one NULL is an empty string, not a Kafka null.
		out = []byte{}
	}
	return out, nil
}
