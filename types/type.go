package types

import (
	"strconv"
	"strings"
)

// Kind is the base of a SQL type.
type Kind uint8

const (
	Unknown Kind = iota // the type of an untyped NULL literal
	Boolean
	Int    // 32-bit
	Bigint // 64-bit
	Double
	Decimal // Precision, Scale
	String
	Bytes
	Timestamp // millisecond precision, no zone (ksqlDB)
	Date
	Time
	Array  // Elem
	Map    // Key, Elem
	Struct // Fields
)

var kindNames = [...]string{
	Unknown: "NULL", Boolean: "BOOLEAN", Int: "INTEGER", Bigint: "BIGINT", Double: "DOUBLE",
	Decimal: "DECIMAL", String: "STRING", Bytes: "BYTES", Timestamp: "TIMESTAMP", Date: "DATE",
	Time: "TIME", Array: "ARRAY", Map: "MAP", Struct: "STRUCT",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "KIND(" + strconv.Itoa(int(k)) + ")"
}

// Type is a SQL type. Types are values; composite parts are pointers so that a Type stays small.
type Type struct {
	Kind      Kind
	Precision int // DECIMAL
	Scale     int // DECIMAL
	Key       *Type
	Elem      *Type
	Fields    []Field
}

// Field is one STRUCT field.
type Field struct {
	Name string
	Type Type
}

// Simple types, for convenience.
var (
	BooleanType   = Type{Kind: Boolean}
	IntType       = Type{Kind: Int}
	BigintType    = Type{Kind: Bigint}
	DoubleType    = Type{Kind: Double}
	StringType    = Type{Kind: String}
	BytesType     = Type{Kind: Bytes}
	TimestampType = Type{Kind: Timestamp}
	DateType      = Type{Kind: Date}
	TimeType      = Type{Kind: Time}
)

// DecimalType returns DECIMAL(p, s).
func DecimalType(precision, scale int) Type {
	return Type{Kind: Decimal, Precision: precision, Scale: scale}
}

// ArrayOf returns ARRAY<elem>.
func ArrayOf(elem Type) Type { return Type{Kind: Array, Elem: &elem} }

// MapOf returns MAP<key, elem>.
func MapOf(key, elem Type) Type { return Type{Kind: Map, Key: &key, Elem: &elem} }

// StructOf returns STRUCT<fields...>.
func StructOf(fields ...Field) Type { return Type{Kind: Struct, Fields: fields} }

// String renders the type as ksqlDB's DESCRIBE does: INTEGER, DECIMAL(4, 2),
// ARRAY<STRING>, MAP<STRING, BIGINT>, STRUCT<A INTEGER, `b` STRING>.
func (t Type) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t Type) write(b *strings.Builder) {
	switch t.Kind {
	case Decimal:
		b.WriteString("DECIMAL(")
		b.WriteString(strconv.Itoa(t.Precision))
		b.WriteString(", ")
		b.WriteString(strconv.Itoa(t.Scale))
		b.WriteString(")")
	case Array:
		b.WriteString("ARRAY<")
		t.Elem.write(b)
		b.WriteString(">")
	case Map:
		b.WriteString("MAP<")
		t.Key.write(b)
		b.WriteString(", ")
		t.Elem.write(b)
		b.WriteString(">")
	case Struct:
		b.WriteString("STRUCT<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(QuoteIdentIfNeeded(f.Name))
			b.WriteString(" ")
			f.Type.write(b)
		}
		b.WriteString(">")
	default:
		b.WriteString(t.Kind.String())
	}
}

// Equal reports whether two types are identical (struct field names and order included).
func (t Type) Equal(u Type) bool {
	if t.Kind != u.Kind {
		return false
	}
	switch t.Kind {
	case Decimal:
		return t.Precision == u.Precision && t.Scale == u.Scale
	case Array:
		return t.Elem.Equal(*u.Elem)
	case Map:
		return t.Key.Equal(*u.Key) && t.Elem.Equal(*u.Elem)
	case Struct:
		if len(t.Fields) != len(u.Fields) {
			return false
		}
		for i := range t.Fields {
			if t.Fields[i].Name != u.Fields[i].Name || !t.Fields[i].Type.Equal(u.Fields[i].Type) {
				return false
			}
		}
	}
	return true
}

// IsNumeric reports whether values of t take part in arithmetic.
func (t Type) IsNumeric() bool {
	switch t.Kind {
	case Int, Bigint, Double, Decimal:
		return true
	}
	return false
}

// QuoteIdentIfNeeded returns name as is when it is an upper-case identifier ksqlDB would print
// bare, and back-quoted otherwise.
func QuoteIdentIfNeeded(name string) string {
	if name == "" {
		return "``"
	}
	for i, r := range name {
		if !(r >= 'A' && r <= 'Z' || r == '_' || (i > 0 && r >= '0' && r <= '9')) {
			return "`" + strings.ReplaceAll(name, "`", "``") + "`"
		}
	}
	if reservedWords[name] {
		return "`" + name + "`"
	}
	return name
}

// reservedWords cannot be bare identifiers: text built from column names must quote them to
// parse back (a column called SELECT).
var reservedWords = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "AND": true, "OR": true, "NOT": true, "NULL": true,
	"TRUE": true, "FALSE": true, "AS": true, "BY": true, "CASE": true, "WHEN": true, "THEN": true,
	"ELSE": true, "END": true, "IN": true, "IS": true, "LIKE": true, "BETWEEN": true, "CAST": true,
	"GROUP": true, "ORDER": true, "HAVING": true, "LIMIT": true, "JOIN": true, "ON": true,
	"PARTITION": true, "WINDOW": true, "EMIT": true, "CREATE": true, "INSERT": true, "INTO": true,
	"VALUES": true, "TABLE": true, "STREAM": true, "DISTINCT": true, "UNION": true, "ALL": true,
	"EXISTS": true, "INTERVAL": true, "ESCAPE": true, "WITH": true, "ARRAY": true, "MAP": true,
	"STRUCT": true, "LEFT": true, "RIGHT": true, "FULL": true, "INNER": true, "OUTER": true,
	"CROSS": true, "DIV": true, "MOD": true, "XOR": true, "REGEXP": true, "RLIKE": true,
}
