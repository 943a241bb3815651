package ast

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/types"
)

func TestIdent(t *testing.T) {
	id := NewIdent("readings")
	if id.Name != "READINGS" || id.Quoted {
		t.Fatalf("NewIdent: %+v", id)
	}
	if !id.EqualFold("readings") || !(Ident{Name: "ts", Quoted: true}).EqualFold("ts") || (Ident{Name: "ts", Quoted: true}).EqualFold("TS") {
		t.Error("EqualFold: quoted names match exactly, unquoted ignoring case")
	}
	if got := (Ident{Name: "a`b", Quoted: true}).String(); got != "`a``b`" {
		t.Errorf("quoted String: %s", got)
	}
}

func TestTypeRefResolve(t *testing.T) {
	addr := types.StructOf(types.Field{Name: "CITY", Type: types.StringType})
	ref := &TypeRef{Kind: types.Array, Elem: &TypeRef{Kind: types.Map, Key: &TypeRef{Kind: types.String}, Elem: &TypeRef{Name: "ADDRESS"}}}
	if !ref.HasNames() {
		t.Fatal("HasNames")
	}
	got, err := ref.Resolve(func(n string) (types.Type, bool) { return addr, n == "ADDRESS" })
	if err != nil || !got.Equal(types.ArrayOf(types.MapOf(types.StringType, addr))) {
		t.Fatalf("Resolve: %v %v", got, err)
	}
	_, err = ref.Resolve(nil)
	if types.CodeOf(err) != types.CodeUndefinedObject || !strings.Contains(err.Error(), "ADDRESS") {
		t.Errorf("unknown type: %v", err)
	}
	if s := ref.String(); s != "ARRAY<MAP<STRING, ADDRESS>>" {
		t.Errorf("String: %s", s)
	}
}

func TestLiteralType(t *testing.T) {
	for _, tt := range []struct {
		l    Literal
		want string
	}{
		{Literal{Kind: IntegerLit, FitsInt: true}, "INTEGER"},
		{Literal{Kind: IntegerLit}, "BIGINT"},
		{Literal{Kind: DecimalLit, Precision: 3, Scale: 2}, "DECIMAL(3, 2)"},
		{Literal{Kind: DoubleLit}, "DOUBLE"},
		{Literal{Kind: NullLit}, "NULL"},
	} {
		if got := tt.l.Type().String(); got != tt.want {
			t.Errorf("%v: %s, want %s", tt.l.Kind, got, tt.want)
		}
	}
}

func TestFormatBuiltNodes(t *testing.T) {
	// Nodes built by code (no positions) format too.
	e := &Binary{Op: OpAdd, Left: &ColumnRef{Name: NewIdent("a")}, Right: &Unary{Op: OpNeg, Expr: &Literal{Kind: IntegerLit, Text: "-1"}}}
	if got := Format(e); got != "A + (- -1)" {
		t.Errorf("Format: %s", got)
	}
}
