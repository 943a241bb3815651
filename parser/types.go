package parser

import (
	"strings"

	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// dataType reads a type: ksqlDB's (STRING, ARRAY<T>, MAP<K, V>, STRUCT<f T>, DECIMAL(p, s), bare
// VARCHAR, custom names) and the Postgres spellings clients use in casts (text, int4, float8,
// double precision, timestamp with time zone, regclass, int2[]). It returns the resolved type,
// or a TypeRef when a named type is involved.
func (p *parser) dataType() (types.Type, *ast.TypeRef) {
	ref := p.typeRef()
	if ref.HasNames() {
		return types.Type{}, ref
	}
	t, _ := ref.Resolve(nil) // cannot fail: no names
	return t, nil
}

// builtinTypes maps type words (ksqlDB and Postgres) to kinds.
var builtinTypes = map[string]types.Kind{
	"BOOLEAN": types.Boolean, "BOOL": types.Boolean,
	"INT": types.Int, "INTEGER": types.Int, "INT4": types.Int, "INT2": types.Int, "SMALLINT": types.Int,
	"TINYINT": types.Int,
	"BIGINT":  types.Bigint, "INT8": types.Bigint,
	"DOUBLE": types.Double, "FLOAT": types.Double, "FLOAT8": types.Double, "FLOAT4": types.Double,
	"REAL":   types.Double,
	"STRING": types.String, "VARCHAR": types.String, "TEXT": types.String, "CHAR": types.String,
	"CHARACTER": types.String, "BPCHAR": types.String, "NAME": types.String,
	"BYTES": types.Bytes, "BYTEA": types.Bytes,
	"TIMESTAMP": types.Timestamp, "TIMESTAMPTZ": types.Timestamp,
	"DATE": types.Date,
	"TIME": types.Time, "TIMETZ": types.Time,
}

func (p *parser) typeRef() *ast.TypeRef {
	start := p.peek()
	ref := p.baseType()
	ref.At = start.pos
	// Postgres array suffixes: int2[], text[][], int[3].
	for p.isOp("[") {
		p.next()
		if p.peek().kind == tNumber {
			p.next()
		}
		p.expectOp("]")
		ref = &ast.TypeRef{Kind: types.Array, Elem: ref, At: start.pos}
	}
	return ref
}

// closeAngle consumes a `>`, reading `>>` (ARRAY<ARRAY<INT>>) as two.
func (p *parser) closeAngle() {
	t := p.peek()
	if t.isOp(">>") {
		if p.halfShift {
			p.next()
		}
		p.halfShift = !p.halfShift
		return
	}
	if t.isOp(">=") { // MAP<STRING, INT>=... never valid, but split for a clear error
		p.fail(t, "\">\"")
	}
	p.expectOp(">")
}

func (p *parser) baseType() *ast.TypeRef {
	t := p.peek()
	if !p.isIdent() {
		p.fail(t, "a type")
	}
	if t.kind == tWord {
		switch w := t.upper(); w {
		case "NULL":
			// A reserved word in ksqlDB, never a type name.
			p.fail(t, "a type")
		case "ARRAY":
			p.next()
			p.expectOp("<")
			elem := p.typeRef()
			p.closeAngle()
			return &ast.TypeRef{Kind: types.Array, Elem: elem}
		case "MAP":
			p.next()
			p.expectOp("<")
			key := p.typeRef()
			p.expectOp(",")
			val := p.typeRef()
			p.closeAngle()
			return &ast.TypeRef{Kind: types.Map, Key: key, Elem: val}
		case "STRUCT":
			p.next()
			p.expectOp("<")
			ref := &ast.TypeRef{Kind: types.Struct}
			if !p.isOp(">") && !(p.isOp(">>") && !p.halfShift) {
				for {
					name := p.ident("a struct field name")
					ref.Fields = append(ref.Fields, ast.TypeRefField{Name: name.Name, Type: p.typeRef()})
					if !p.acceptOp(",") {
						break
					}
				}
			}
			p.closeAngle()
			return ref
		case "DECIMAL", "NUMERIC":
			p.next()
			if !p.acceptOp("(") {
				// Postgres' unconstrained numeric has no ksqlDB equivalent: leave it named.
				return &ast.TypeRef{Name: "NUMERIC"}
			}
			prec := p.integer("a precision")
			scale := int64(0)
			if p.acceptOp(",") {
				scale = p.integer("a scale")
			}
			p.expectOp(")")
			if prec < 1 || prec > 1000 || scale < 0 || scale > prec {
				p.failf(t, "invalid DECIMAL(%d, %d): precision must be 1 to 1000 and scale 0 to precision", prec, scale)
			}
			return &ast.TypeRef{Kind: types.Decimal, Precision: int(prec), Scale: int(scale)}
		case "DOUBLE":
			p.next()
			p.acceptWord("PRECISION")
			p.optLength()
			return &ast.TypeRef{Kind: types.Double}
		case "CHARACTER", "CHAR", "VARCHAR":
			p.next()
			p.acceptWord("VARYING")
			p.optLength()
			return &ast.TypeRef{Kind: types.String}
		case "TIMESTAMP", "TIME":
			p.next()
			p.optLength()
			if p.acceptWord("WITH") || p.acceptWord("WITHOUT") {
				p.expectWord("TIME", "ZONE")
			}
			return &ast.TypeRef{Kind: builtinTypes[w]}
		default:
			if k, ok := builtinTypes[w]; ok {
				p.next()
				p.optLength()
				return &ast.TypeRef{Kind: k}
			}
		}
	}
	// A named type: a custom ksqlDB type, or a Postgres one (pg_catalog.regclass → REGCLASS).
	name := p.ident("a type")
	if p.acceptOp(".") {
		next := p.ident("a type name")
		if strings.EqualFold(name.Name, "pg_catalog") && !name.Quoted {
			// Re-read the name so that pg_catalog.int4 is the built-in int4.
			p.i--
			return p.baseType()
		}
		name = ast.Ident{Name: name.Name + "." + next.Name, Quoted: name.Quoted || next.Quoted}
	}
	return &ast.TypeRef{Name: name.Name, Quoted: name.Quoted}
}

// optLength skips a length or precision modifier, `(n)`, that ksqlDB ignores (VARCHAR(10)).
// Anything else inside the parentheses is a syntax error at that token, worded as ksqlDB's
// grammar reports it (a type parameter is a number or STRING).
func (p *parser) optLength() {
	if !p.isOp("(") {
		return
	}
	if (p.peekAt(1).kind == tNumber || p.peekAt(1).kind == tWord && p.peekAt(1).upper() == "STRING") && p.peekAt(2).isOp(")") {
		p.i += 3
		return
	}
	p.next()
	p.failf(p.peek(), "Syntax Error\nExpecting {'STRING', INTEGER_VALUE}")
}
