package ast

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/types"
)

// TypeRef is a declared type that the parser cannot turn into a types.Type on its own, because
// it names a custom type (CREATE TYPE ADDRESS AS STRUCT<...>; STRUCT<home ADDRESS>) or a
// Postgres type with no ksqlDB equivalent (regclass, oid, jsonb). It mirrors types.Type, with
// Name set on the named leaves.
type TypeRef struct {
	// Name is the type's name for a named leaf (upper-cased unless Quoted; a schema other than
	// pg_catalog is kept as a prefix, "MYSCHEMA.T"), empty for built-in kinds.
	Name             string
	Quoted           bool
	Kind             types.Kind
	Precision, Scale int
	Key, Elem        *TypeRef
	Fields           []TypeRefField
	At               types.Position
}

// TypeRefField is one STRUCT field of a TypeRef.
type TypeRefField struct {
	Name string
	Type *TypeRef
}

// Pos returns where the type starts.
func (t *TypeRef) Pos() types.Position { return t.At }

// Resolve builds the types.Type, asking lookup for each named leaf. Unknown names give a
// 42704 error that points at the name.
func (t *TypeRef) Resolve(lookup func(name string) (types.Type, bool)) (types.Type, error) {
	if t.Name != "" {
		if lookup != nil {
			if r, ok := lookup(t.Name); ok {
				return r, nil
			}
		}
		if t.Name == "NULL" && !t.Quoted {
			// NULL is a keyword, never a type: ksqlDB's grammar rejects it as a syntax error.
			return types.Type{}, types.ErrorAt(types.CodeSyntaxError, t.At, "Syntax Error: NULL is not a type")
		}
		return types.Type{}, types.ErrorAt(types.CodeUndefinedObject, t.At, "type %s does not exist", t.String())
	}
	switch t.Kind {
	case types.Decimal:
		return types.DecimalType(t.Precision, t.Scale), nil
	case types.Array:
		e, err := t.Elem.Resolve(lookup)
		if err != nil {
			return types.Type{}, err
		}
		return types.ArrayOf(e), nil
	case types.Map:
		k, err := t.Key.Resolve(lookup)
		if err != nil {
			return types.Type{}, err
		}
		v, err := t.Elem.Resolve(lookup)
		if err != nil {
			return types.Type{}, err
		}
		return types.MapOf(k, v), nil
	case types.Struct:
		fs := make([]types.Field, len(t.Fields))
		for i, f := range t.Fields {
			ft, err := f.Type.Resolve(lookup)
			if err != nil {
				return types.Type{}, err
			}
			fs[i] = types.Field{Name: f.Name, Type: ft}
		}
		return types.StructOf(fs...), nil
	}
	return types.Type{Kind: t.Kind}, nil
}

// String renders the type as SQL the parser reads back.
func (t *TypeRef) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t *TypeRef) write(b *strings.Builder) {
	if t.Name != "" {
		if t.Quoted {
			b.WriteString(quoteIdent(Ident{Name: t.Name, Quoted: true}))
		} else {
			b.WriteString(t.Name)
		}
		return
	}
	switch t.Kind {
	case types.Decimal:
		b.WriteString("DECIMAL(" + strconv.Itoa(t.Precision) + ", " + strconv.Itoa(t.Scale) + ")")
	case types.Array:
		b.WriteString("ARRAY<")
		t.Elem.write(b)
		b.WriteString(">")
	case types.Map:
		b.WriteString("MAP<")
		t.Key.write(b)
		b.WriteString(", ")
		t.Elem.write(b)
		b.WriteString(">")
	case types.Struct:
		b.WriteString("STRUCT<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(types.QuoteIdentIfNeeded(f.Name))
			b.WriteString(" ")
			f.Type.write(b)
		}
		b.WriteString(">")
	default:
		b.WriteString(t.Kind.String())
	}
}

// HasNames reports whether any leaf of t is named, that is whether t needs resolving.
func (t *TypeRef) HasNames() bool {
	if t == nil {
		return false
	}
	if t.Name != "" {
		return true
	}
	if t.Key.HasNames() || t.Elem.HasNames() {
		return true
	}
	for _, f := range t.Fields {
		if f.Type.HasNames() {
			return true
		}
	}
	return false
}
