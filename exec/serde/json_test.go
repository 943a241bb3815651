package serde

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// TestJSONCoercionGolden decodes each JSON value into a column of each type, as ksqlDB's
// KsqlJsonDeserializer coerces it, then writes the value back. The expectations live in
// testdata/json_coercions.golden, one line per case: type, input, value or error, output.
func TestJSONCoercionGolden(t *testing.T) {
	structT := types.StructOf(fld("F0", types.IntType), fld("f1", types.StringType))
	cases := []struct {
		typ    types.Type
		inputs []string
	}{
		{types.IntType, []string{`1`, `-1`, `1.9`, `-1.7`, `2147483648`, `1e2`, `9999999999999999999999`,
			`"42"`, `"+42"`, `"4.2"`, `" 42"`, `"x"`, `true`, `[]`, `{}`, `null`}},
		{types.BigintType, []string{`10827272222`, `1.5`, `"10827272222"`, `"1e3"`, `1e20`, `-9223372036854775809`}},
		{types.DoubleType, []string{`1234.589`, `1`, `-0.0`, `1e400`, `4.9E-324`, `"1.5"`, `" 1.5 "`, `"NaN"`,
			`"-Infinity"`, `"1e"`, `true`, `[1]`}},
		{types.DecimalType(4, 2), []string{`10.1`, `10`, `-0.0`, `1e1`, `"10.1"`, `"1E1"`, `10.123`, `100`,
			`"abc"`, `" 1"`, `true`}},
		{types.StringType, []string{`"abc"`, `""`, `"\u00e9\n\/"`, `1`, `-0`, `1.50`, `1e3`, `0.0000001`, `true`,
			`false`, `{"b": 1, "a": [1, 2.0, "x\"y"], "c": {}}`, `[1, "a", null, [2, 3], {"k": "v"}, true, 1.0]`, `[]`}},
		{types.BooleanType, []string{`true`, `false`, `"true"`, `1`}},
		{types.BytesType, []string{`"dmFyaWF0aW9ucw=="`, `"ew=="`, `""`, `"ew"`, `"not base64!"`, `1`}},
		{types.TimestampType, []string{`10`, `"10"`, `1.5`, `-1`, `"2020-01-01T00:00:00"`, `true`}},
		{types.DateType, []string{`10`, `-10`, `"10"`, `3000000000`, `"x"`}},
		{types.TimeType, []string{`10`, `86399999`, `86400000`, `-1`, `"10"`}},
		{types.ArrayOf(types.IntType), []string{`[1, 2, null]`, `[]`, `1`, `"[1]"`, `["7", 1.5]`, `[1, "x"]`, `{}`}},
		{types.ArrayOf(types.StringType), []string{`[1, 2, 3]`, `["a", "b", null]`}},
		{types.MapOf(types.StringType, types.IntType), []string{`{"a": 1, "b": null}`, `{"a": 1, "b": 2, "a": 3}`,
			`{}`, `[]`, `{"a": "x"}`, `{"\u00e9": 1}`}},
		{structT, []string{`{"f0": 1, "f1": "x"}`, `{"F0": 1, "f1": "x", "F1": "y"}`, `{"F1": "y"}`,
			`{"F0": "bad"}`, `{"f0": 1, "F0": 2}`, `{"F0": 2, "f0": 1}`, `{}`, `1`, `"{}"`}},
		{types.ArrayOf(structT), []string{`[{"F0": 1}, null, {"F0": "x"}]`}},
	}
	var out strings.Builder
	for _, tc := range cases {
		c := mustCodec(t, Options{Format: "JSON"}, fld("V", tc.typ))
		for _, in := range tc.inputs {
			fmt.Fprintf(&out, "%s <- {\"V\": %s}\n", typeString(tc.typ), in)
			row, err := decodeRow(c, []byte(`{"V": `+in+`}`))
			if err != nil {
				fmt.Fprintf(&out, "\terror [%s]: %v\n", types.CodeOf(err), err)
				continue
			}
			enc, err := c.Encode(nil, row)
			if err != nil {
				t.Fatalf("%s <- %s: decoded %s but cannot encode it: %v", typeString(tc.typ), in, render(row[0]), err)
			}
			fmt.Fprintf(&out, "\t%s\n\t-> %s\n", render(row[0]), enc)
		}
	}
	checkGolden(t, "json_coercions.golden", []byte(out.String()))
}

func TestJSONFieldMatching(t *testing.T) {
	fields := []types.Field{fld("ID", types.IntType), fld("NAME", types.StringType), fld("lower", types.StringType)}
	tests := []struct {
		in   string
		want string
	}{
		{`{"ID": 1, "NAME": "a", "lower": "b"}`, `[int32(1) string("a") string("b")]`},
		{`{"id": 1, "name": "a"}`, `[int32(1) string("a") NULL]`},
		{`{"Id": 1, "nAmE": "a"}`, `[int32(1) string("a") NULL]`},
		// A quoted lower-case column takes only its exact name.
		{`{"LOWER": "x", "Lower": "y"}`, `[NULL NULL NULL]`},
		// Exact beats folded, whatever the order; among equals the last wins.
		{`{"ID": 1, "id": 2}`, `[int32(1) NULL NULL]`},
		{`{"id": 2, "ID": 1}`, `[int32(1) NULL NULL]`},
		{`{"id": 1, "Id": 2}`, `[int32(2) NULL NULL]`},
		{`{"ID": 1, "ID": 3}`, `[int32(3) NULL NULL]`},
		// Members in any order, unknown members skipped whatever they hold.
		{`{"x": {"deep": [1, {"a": null}]}, "name": "n", "y": "\u0041", "id": 7}`, `[int32(7) string("n") NULL]`},
		{`{}`, `[NULL NULL NULL]`},
		// Escaped member names are decoded before matching.
		{`{"\u0069d": 5, "na\u006de": "e"}`, `[int32(5) string("e") NULL]`},
		// A bad value replaced by a later duplicate is not an error (Jackson keeps the last).
		{`{"id": "bad", "ID": 4}`, `[int32(4) NULL NULL]`},
		// Java upper-cases the dotless i to I.
		{`{"ıd": 6}`, `[int32(6) NULL NULL]`},
	}
	c := mustCodec(t, Options{Format: "JSON"}, fields...)
	for _, tt := range tests {
		row, err := decodeRow(c, []byte(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if got := renderRow(row); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func renderRow(row types.Row) string {
	parts := make([]string, len(row))
	for i, v := range row {
		parts[i] = render(v)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// Many columns take the map path of the matcher rather than the hint.
func TestJSONManyColumns(t *testing.T) {
	var fields []types.Field
	var in strings.Builder
	in.WriteString("{")
	for i := 39; i >= 0; i-- {
		fields = append(fields, fld(fmt.Sprintf("C%d", 39-i), types.IntType))
		if i < 39 {
			in.WriteString(",")
		}
		fmt.Fprintf(&in, `"c%d": %d`, i, i)
	}
	in.WriteString("}")
	c := mustCodec(t, Options{Format: "JSON"}, fields...)
	row, err := decodeRow(c, []byte(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range row {
		if v != int32(i) {
			t.Fatalf("C%d = %v", i, render(v))
		}
	}
}

func TestJSONNeeded(t *testing.T) {
	c := mustCodec(t, Options{Format: "JSON"}, fld("A", types.IntType), fld("B", types.IntType), fld("C", types.IntType))
	row := types.Row{"keep", "keep", "keep"}
	// B is not needed: its bad value is skipped unread, and the slot is left alone.
	err := c.Decode([]byte(`{"a": 1, "b": "not a number"}`), row, []bool{true, false, true})
	if err != nil {
		t.Fatal(err)
	}
	if got := renderRow(row); got != `[int32(1) string("keep") NULL]` {
		t.Fatalf("got %s", got)
	}
	// Syntax is still checked everywhere: the record is not JSON.
	err = c.Decode([]byte(`{"a": 1, "b": [1,}`), row, []bool{true, false, false})
	if types.CodeOf(err) != types.CodeInvalidText {
		t.Fatalf("want a syntax error, got %v", err)
	}
	// Unwrapped single column, not needed: only validated.
	u := mustCodec(t, Options{Format: "JSON", WrapSingleValue: boolp(false)}, fld("A", types.IntType))
	one := types.Row{"keep"}
	if err := u.Decode([]byte(`"x"`), one, []bool{false}); err != nil || one[0] != "keep" {
		t.Fatalf("got %v, %v", one, err)
	}
}

func TestJSONSyntaxErrors(t *testing.T) {
	c := mustCodec(t, Options{Format: "JSON"}, fld("A", types.IntType), fld("B", types.StringType))
	bad := []string{
		``, ` `, `{`, `{"a"`, `{"a":`, `{"a": 1`, `{"a": 1,}`, `{"a" 1}`, `{a: 1}`, `{'a': 1}`,
		`{"a": 01}`, `{"a": 1.}`, `{"a": .5}`, `{"a": +1}`, `{"a": 1e}`, `{"a": -}`, `{"a": NaN}`,
		`{"a": tru}`, `{"a": nul}`, `{"a": [1, 2}`, `{"a": [1,]}`, `{"b": "x` + "\n" + `"}`,
		`{"b": "\x"}`, `{"b": "\u12"}`, "{\"b\": \"\xff\"}", `{"a": 1} {}`, `{"a": 1}x`, `{"a": 12abc}`,
		`{"a": 1}}`, `[}`, `{"a": 1 /* c */}`,
		strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1),
		`{"x": ` + strings.Repeat(`{"y": `, maxJSONDepth) + `1` + strings.Repeat(`}`, maxJSONDepth) + `}`,
		`{"a": 1` + strings.Repeat("0", maxNumberLength) + `}`,
	}
	for _, in := range bad {
		_, err := decodeRow(c, []byte(in))
		if err == nil {
			t.Errorf("%q decoded", in)
			continue
		}
		if types.CodeOf(err) != types.CodeInvalidText {
			t.Errorf("%q: code %s: %v", in, types.CodeOf(err), err)
		}
	}
	ok := []string{"\xEF\xBB\xBF{\"a\": 1}", " \t\r\n{\"a\": 1} \n", `{"b": "\ud83d\ude00 \ud800"}`,
		`{"x": ` + strings.Repeat(`[`, maxJSONDepth-1) + strings.Repeat(`]`, maxJSONDepth-1) + `}`}
	for _, in := range ok {
		if _, err := decodeRow(c, []byte(in)); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	row, _ := decodeRow(c, []byte(`{"b": "\ud83d\ude00 \ud800"}`))
	if row[1] != "😀 \uFFFD" {
		t.Errorf("surrogates decoded as %q", row[1])
	}
}

func TestJSONErrorMessages(t *testing.T) {
	c := mustCodec(t, Options{Format: "JSON"}, fld("V", types.IntType), fld("S", types.StructOf(fld("A", types.ArrayOf(types.IntType)))))
	tests := []struct{ in, want string }{
		{`{"v": "abc"}`, "Failed to deserialize value. Can't coerce string to type. targetType: INTEGER, path: $.V (column `V`, JSON: \"abc\")"},
		{`{"v": true}`, "Can't convert type. sourceType: BooleanNode, requiredType: INTEGER, path: $.V"},
		{`{"s": {"a": [1, {}]}}`, "Can't convert type. sourceType: ObjectNode, requiredType: INTEGER, path: $.S.A[1] (column `S`, JSON: {})"},
		{`[1]`, "Can't convert type. sourceType: ArrayNode, requiredType: STRUCT<`V` INTEGER, `S` STRUCT<`A` ARRAY<INTEGER>>>, path: $"},
		{`{"v": 1,}`, "Failed to deserialize value: invalid JSON at offset 8: unexpected character '}'"},
	}
	for _, tt := range tests {
		_, err := decodeRow(c, []byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\n got %v\nwant %s", tt.in, err, tt.want)
		}
	}
	k := mustCodec(t, Options{Format: "JSON", IsKey: true}, fld("K", types.BigintType))
	_, err := decodeRow(k, []byte(`"x"`))
	if want := "Failed to deserialize key. Can't coerce string to type. targetType: BIGINT, path: $ (column `K`"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("key error %v", err)
	}
}

func TestJSONNullRecords(t *testing.T) {
	wrapped := mustCodec(t, Options{Format: "JSON"}, fld("A", types.IntType))
	row := types.Row{int32(1)}
	if err := wrapped.Decode([]byte(" null "), row, nil); !errors.Is(err, ErrNullRecord) || row[0] != nil {
		t.Fatalf("wrapped null: %v %v", row, err)
	}
	if err := wrapped.Decode(nil, row, nil); !errors.Is(err, ErrNullRecord) {
		t.Fatalf("nil value: %v", err)
	}
	// Unwrapped, null is a row whose column is NULL.
	unwrapped := mustCodec(t, Options{Format: "JSON", WrapSingleValue: boolp(false)}, fld("A", types.IntType))
	row[0] = int32(1)
	if err := unwrapped.Decode([]byte("null"), row, nil); err != nil || row[0] != nil {
		t.Fatalf("unwrapped null: %v %v", row, err)
	}
	if out, err := unwrapped.Encode(nil, types.Row{nil}); out != nil || err != nil {
		t.Fatalf("unwrapped NULL encodes as %q, %v; want a Kafka null", out, err)
	}
	// Keys: null is the null key.
	key := mustCodec(t, Options{Format: "JSON", IsKey: true}, fld("K", types.IntType), fld("K2", types.IntType))
	krow := types.Row{int32(1), int32(2)}
	if err := key.Decode([]byte("null"), krow, nil); err != nil || krow[0] != nil || krow[1] != nil {
		t.Fatalf("null key: %v %v", krow, err)
	}
	if err := key.Decode(nil, krow, nil); err != nil {
		t.Fatalf("nil key: %v", err)
	}
}

func TestJSONKeys(t *testing.T) {
	single := mustCodec(t, Options{Format: "JSON", IsKey: true}, fld("K", types.StringType))
	for in, want := range map[string]any{`"Hey"`: "Hey", `33`: "33", `null`: nil, ` "a" `: "a"} {
		row, err := decodeRow(single, []byte(in))
		if err != nil || row[0] != want {
			t.Errorf("key %s: %v %v", in, render(row[0]), err)
		}
	}
	if out, _ := single.Encode(nil, types.Row{"Hey"}); string(out) != `"Hey"` {
		t.Errorf("single key encodes as %s", out)
	}
	st := mustCodec(t, Options{Format: "JSON", IsKey: true}, fld("K", types.StructOf(fld("F", types.DoubleType))))
	row, err := decodeRow(st, []byte(`{"f": 45.67}`))
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := st.Encode(nil, row); string(out) != `{"F":45.67}` {
		t.Errorf("struct key round trip: %s", out)
	}
	multi := mustCodec(t, Options{Format: "JSON", IsKey: true}, fld("K", types.IntType), fld("K2", types.IntType))
	row, err = decodeRow(multi, []byte(`{"K": null, "K2": 2}`))
	if err != nil || row[0] != nil || row[1] != int32(2) {
		t.Fatalf("multi key: %v %v", row, err)
	}
	if out, _ := multi.Encode(nil, row); string(out) != `{"K":null,"K2":2}` {
		t.Errorf("multi key encodes as %s", out)
	}
	none := mustCodec(t, Options{Format: "JSON", IsKey: true})
	if err := none.Decode([]byte("whatever, not even JSON"), types.Row{}, nil); err != nil {
		t.Errorf("keyless JSON key: %v", err)
	}
	if out, _ := none.Encode(nil, types.Row{}); out != nil {
		t.Errorf("keyless encodes as %q", out)
	}
}

func TestJSONEncode(t *testing.T) {
	structT := types.StructOf(fld("F0", types.IntType), fld("f1", types.StringType))
	m := &types.MapValue{}
	m.Put("b", 2.5)
	m.Put("a", nil)
	tests := []struct {
		typ  types.Type
		v    any
		want string
	}{
		{types.BooleanType, true, `true`},
		{types.IntType, int32(-7), `-7`},
		{types.BigintType, int64(998877665544332211), `998877665544332211`},
		{types.DoubleType, 1.0, `1.0`},
		{types.DoubleType, 1e7, `1.0E7`},
		{types.DoubleType, 0.7455284088780169, `0.7455284088780169`},
		{types.DoubleType, math.NaN(), `"NaN"`},
		{types.DoubleType, math.Inf(-1), `"-Infinity"`},
		{types.DecimalType(6, 4), decimal.New(10, 0), `10.0000`},
		{types.DecimalType(21, 19), decimal.RequireFromString("10.123451234512345"), `10.1234512345123450000`},
		{types.StringType, "a\"b\\c\n\t\x01\x1f/é€😀<>&\u2028", `"a\"b\\c\n\t\u0001\u001F/é€😀<>&` + "\u2028" + `"`},
		{types.StringType, "bad \xff utf8", `"bad ` + "\uFFFD" + ` utf8"`},
		{types.BytesType, []byte("variations"), `"dmFyaWF0aW9ucw=="`},
		{types.BytesType, []byte{}, `""`},
		{types.TimestampType, types.TimestampMillis(1528224275715), `1528224275715`},
		{types.DateType, types.DateDays(-10), `-10`},
		{types.TimeType, types.TimeMillis(10), `10`},
		{types.ArrayOf(types.BigintType), []any{int64(12), nil}, `[12,null]`},
		{types.ArrayOf(types.IntType), []any{}, `[]`},
		{types.MapOf(types.StringType, types.DoubleType), m, `{"b":2.5,"a":null}`},
		{structT, types.StructValue{int32(1), nil}, `{"F0":1,"f1":null}`},
	}
	for _, tt := range tests {
		c := mustCodec(t, Options{Format: "JSON"}, fld("V", tt.typ))
		out, err := c.Encode(nil, types.Row{tt.v})
		if err != nil {
			t.Errorf("%s %v: %v", typeString(tt.typ), tt.v, err)
			continue
		}
		if want := `{"V":` + tt.want + `}`; string(out) != want {
			t.Errorf("%s %v:\n got %s\nwant %s", typeString(tt.typ), tt.v, out, want)
		}
	}
	// Columns keep their names exactly, all present; Encode appends to buf.
	c := mustCodec(t, Options{Format: "JSON"}, fld("ID", types.IntType), fld("lower", types.StringType), fld("a\"b", types.IntType))
	out, err := c.Encode([]byte("prefix:"), types.Row{int32(1), nil, nil})
	if err != nil || string(out) != `prefix:{"ID":1,"lower":null,"a\"b":null}` {
		t.Errorf("got %s, %v", out, err)
	}
}

func TestJSONEncodeTypeMismatch(t *testing.T) {
	c := mustCodec(t, Options{Format: "JSON"}, fld("V", types.IntType))
	_, err := c.Encode(nil, types.Row{int64(1)})
	if err == nil || !strings.Contains(err.Error(), "Failed to serialize value column `V` as JSON: a Go int64 cannot be written as INTEGER") {
		t.Fatalf("got %v", err)
	}
	if _, err := c.Encode(nil, types.Row{}); types.CodeOf(err) != types.CodeInternal {
		t.Fatalf("short row: %v", err)
	}
	if err := c.Decode([]byte(`{}`), types.Row{}, nil); types.CodeOf(err) != types.CodeInternal {
		t.Fatalf("short dst: %v", err)
	}
}

// Every value ksqlDB can hold survives encode then decode.
func TestJSONRoundTrip(t *testing.T) {
	structT := types.StructOf(fld("X", types.DecimalType(10, 3)), fld("y", types.ArrayOf(types.BytesType)))
	fields := []types.Field{
		fld("B", types.BooleanType), fld("I", types.IntType), fld("L", types.BigintType), fld("D", types.DoubleType),
		fld("DEC", types.DecimalType(10, 3)), fld("S", types.StringType), fld("BY", types.BytesType),
		fld("TS", types.TimestampType), fld("DT", types.DateType), fld("TM", types.TimeType),
		fld("A", types.ArrayOf(types.StringType)), fld("M", types.MapOf(types.StringType, structT)), fld("ST", structT),
	}
	m := &types.MapValue{}
	m.Put("k", types.StructValue{decimal.New(-1234567, -3), []any{[]byte{0, 1, 2}, nil}})
	m.Put("é", nil)
	rows := []types.Row{
		{true, int32(math.MinInt32), int64(math.MaxInt64), 5e-324, decimal.New(9999999999, -3), "tab\tquote\"é",
			[]byte{0xff, 0}, types.TimestampMillis(-1), types.DateDays(19000), types.TimeMillis(86399999),
			[]any{"a", nil, ""}, m, types.StructValue{nil, []any{}}},
		make(types.Row, 13),
		{false, int32(0), int64(0), math.Copysign(0, -1), decimal.New(0, -3), "", []byte{}, types.TimestampMillis(0),
			types.DateDays(0), types.TimeMillis(0), []any{}, &types.MapValue{}, types.StructValue{nil, nil}},
		{nil, nil, nil, math.Inf(1), nil, nil, nil, nil, nil, nil, nil, nil, nil},
	}
	for _, wrap := range []bool{true} {
		c := mustCodec(t, Options{Format: "JSON"}, fields...)
		for _, row := range rows {
			out, err := c.Encode(nil, row)
			if err != nil {
				t.Fatal(err)
			}
			back, err := decodeRow(c, out)
			if err != nil {
				t.Fatalf("%s: %v", out, err)
			}
			for i := range row {
				if !types.Equal(row[i], back[i]) || math.Signbit(asFloat(row[i])) != math.Signbit(asFloat(back[i])) {
					t.Errorf("wrap=%v %s: %s became %s (via %s)", wrap, fields[i].Name, render(row[i]), render(back[i]), out)
				}
			}
		}
	}
}

func asFloat(v any) float64 {
	f, _ := v.(float64)
	return f
}

func TestJSONHugeExponent(t *testing.T) {
	for _, typ := range []types.Type{types.DecimalType(4, 2), types.StringType, types.IntType, types.DoubleType} {
		c := mustCodec(t, Options{Format: "JSON"}, fld("V", typ))
		for _, in := range []string{`{"V": 1e9999999999}`, `{"V": 1E-9999999999}`} {
			if _, err := decodeRow(c, []byte(in)); err == nil || !strings.Contains(err.Error(), "Number exponent out of range") {
				t.Errorf("%s %s: %v", typeString(typ), in, err)
			}
		}
		// Large but representable exponents are fine.
		if _, err := decodeRow(c, []byte(`{"V": 0e999999}`)); err != nil {
			t.Errorf("%s 0e999999: %v", typeString(typ), err)
		}
	}
}
