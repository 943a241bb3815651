package ast

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/types"
)

// Dump returns a readable, indented listing of a tree: one node per line with its non-zero
// fields. With positions set, nodes and identifiers carry their @line:column. Golden tests use
// it, and comparing two Dumps without positions is how the round-trip test checks equality.
func Dump(n any, positions bool) string {
	d := dumper{positions: positions}
	d.value(reflect.ValueOf(n), 0)
	return d.String()
}

type dumper struct {
	strings.Builder
	positions bool
}

var (
	posType      = reflect.TypeOf(types.Position{})
	identType    = reflect.TypeOf(Ident{})
	typeType     = reflect.TypeOf(types.Type{})
	durationType = reflect.TypeOf(time.Duration(0))
	stmtBaseType = reflect.TypeOf(StmtBase{})
	exprBaseType = reflect.TypeOf(ExprBase{})
)

func (d *dumper) pos(p types.Position) string {
	if !d.positions || !p.IsValid() {
		return ""
	}
	return " @" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

func (d *dumper) indent(n int) { d.WriteString(strings.Repeat("  ", n)) }

// scalar renders v on one line if it is a leaf value; ok is false for nodes that need lines.
func (d *dumper) scalar(v reflect.Value) (string, bool) {
	switch v.Type() {
	case identType:
		id := v.Interface().(Ident)
		s := id.Name
		if id.Quoted {
			s = strconv.Quote(id.Name)
		}
		return s + d.pos(id.Pos), true
	case typeType:
		return v.Interface().(types.Type).String(), true
	case durationType:
		return v.Interface().(time.Duration).String(), true
	case posType:
		return v.Interface().(types.Position).String(), true
	}
	switch v.Kind() {
	case reflect.String:
		if _, ok := v.Interface().(fmt.Stringer); ok || v.Type().Name() != "string" {
			return v.String(), true
		}
		return strconv.Quote(v.String()), true
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), true
	case reflect.Int, reflect.Int64:
		if s, ok := v.Interface().(fmt.Stringer); ok {
			return s.String(), true
		}
		return strconv.FormatInt(v.Int(), 10), true
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return fmt.Sprintf("%x", v.Bytes()), true
		}
	case reflect.Ptr:
		if v.Type().Elem() == identType || v.Type().Elem().Kind() == reflect.Int64 ||
			v.Type().Elem() == durationType {
			return d.scalar(v.Elem())
		}
	}
	return "", false
}

func (d *dumper) value(v reflect.Value, depth int) {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Ptr {
		if v.IsNil() {
			d.WriteString("nil\n")
			return
		}
		if v.Kind() == reflect.Ptr && v.Elem().Kind() != reflect.Struct {
			break
		}
		v = v.Elem()
	}
	if s, ok := d.scalar(v); ok {
		d.WriteString(s + "\n")
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.structValue(v, depth)
	case reflect.Slice:
		d.WriteString("\n")
		for i := 0; i < v.Len(); i++ {
			d.indent(depth + 1)
			d.WriteString("- ")
			d.value(v.Index(i), depth+2)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		d.WriteString("\n")
		for _, k := range keys {
			d.indent(depth + 1)
			d.WriteString(k.String() + ": ")
			d.value(v.MapIndex(k), depth+2)
		}
	default:
		d.WriteString(fmt.Sprint(v.Interface()) + "\n")
	}
}

func (d *dumper) structValue(v reflect.Value, depth int) {
	t := v.Type()
	d.WriteString(t.Name())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Type == stmtBaseType || f.Type == exprBaseType {
			var p types.Position
			if f.Type == stmtBaseType {
				p = v.Field(i).Interface().(StmtBase).Start
			} else {
				p = v.Field(i).Interface().(ExprBase).At
			}
			d.WriteString(d.pos(p))
		} else if f.Type == posType {
			d.WriteString(d.pos(v.Field(i).Interface().(types.Position)))
		}
	}
	d.WriteString("\n")
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		if !f.IsExported() || f.Type == stmtBaseType || f.Type == exprBaseType || f.Type == posType || fv.IsZero() {
			continue
		}
		d.indent(depth + 1)
		d.WriteString(f.Name + ": ")
		d.value(fv, depth+1)
	}
}
