package serde

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// Cases marked "corpus" come from ksqlDB's query-validation tests.
func TestDelimitedDecode(t *testing.T) {
	str, i32, i64 := types.StringType, types.IntType, types.BigintType
	tests := []struct {
		name   string
		delim  string
		fields []types.Type
		in     string
		want   string // rendered row, or "error: <substring>"
	}{
		{"corpus boolean", "", []types.Type{types.BooleanType}, `true`, `[bool(true)]`},
		{"corpus quoted boolean", "", []types.Type{types.BooleanType}, `"true"`, `[bool(true)]`},
		{"boolean is Java's parseBoolean", "", []types.Type{types.BooleanType, types.BooleanType}, `TRUE,yes`, `[bool(true) bool(false)]`},
		{"corpus int", "", []types.Type{i32}, `33`, `[int32(33)]`},
		{"corpus quoted int", "", []types.Type{i32}, `"22"`, `[int32(22)]`},
		{"corpus bigint", "", []types.Type{i64}, `998877665544332211`, `[int64(998877665544332211)]`},
		{"corpus double", "", []types.Type{types.DoubleType}, `"123.456"`, `[float64(123.456)]`},
		{"double Java syntax", "", []types.Type{types.DoubleType, types.DoubleType, types.DoubleType}, `NaN, 1.5 ,2d`,
			`[float64(NaN) float64(1.5) float64(2.0)]`},
		{"corpus multi-column key", "", []types.Type{str, str}, `"foo","bar"`, `[string("foo") string("bar")]`},
		{"corpus key delimiter", ";", []types.Type{str, str}, `foo,bar;baz`, `[string("foo,bar") string("baz")]`},
		{"corpus value delimiter", "-", []types.Type{i32, i32}, `0-1`, `[int32(0) int32(1)]`},
		{"corpus pipe", "|", []types.Type{i64, str, i32}, `0|zero|0`, `[int64(0) string("zero") int32(0)]`},
		{"corpus SPACE", "SPACE", []types.Type{i64, str, i32}, `100 100 500`, `[int64(100) string("100") int32(500)]`},
		{"corpus TAB", "TAB", []types.Type{i64, str, i32}, "0\tzero\t0", `[int64(0) string("zero") int32(0)]`},
		{"unicode delimiter", "§", []types.Type{str, str}, "a§b", `[string("a") string("b")]`},
		{"corpus decimal", "", []types.Type{types.DecimalType(33, 16)}, `12345678987654321.2345678987654321`,
			`[decimal(12345678987654321.2345678987654321)]`},
		{"corpus decimal .12", "", []types.Type{types.DecimalType(33, 16)}, `.12`, `[decimal(0.1200000000000000)]`},
		{"corpus decimal quoted", "", []types.Type{types.DecimalType(33, 16)}, `"-12345.12"`, `[decimal(-12345.1200000000000000)]`},
		{"decimal no rounding", "", []types.Type{types.DecimalType(4, 2)}, `1.234`, "error: Cannot fit decimal '1.234' into DECIMAL(4, 2) without rounding"},
		{"decimal text", "", []types.Type{types.DecimalType(4, 2)}, `abc`, `error: Invalid DECIMAL text: "abc" (column ` + "`C0`" + ` DECIMAL(4, 2), field 1)`},
		{"corpus date", "", []types.Type{types.DateType}, `-10`, `[date(-10)]`},
		{"corpus bytes", "", []types.Type{types.BytesType}, `dmFyaWF0aW9ucw==`, `[bytes("variations")]`},
		{"bytes without padding", "", []types.Type{types.BytesType}, `ew`, `[bytes("{")]`},
		{"bad bytes", "", []types.Type{types.BytesType}, `e!==`, "error: Value is not a valid Base64 encoded string: e!=="},
		{"bytes with a line end", "", []types.Type{types.BytesType}, "\"ew\r==\"", "error: Value is not a valid Base64"},
		{"time and timestamp", "", []types.Type{types.TimeType, types.TimestampType}, `10,1528224275715`, `[time(10) timestamp(1528224275715)]`},
		{"time out of range", "", []types.Type{types.TimeType}, `86400000`, "error: Time values must use"},
		{"corpus leading NULL", "", []types.Type{i32, i32, str}, `,456,foo`, `[NULL int32(456) string("foo")]`},
		{"corpus trailing NULL", "", []types.Type{str, str}, `x,`, `[string("x") NULL]`},
		{"corpus all NULL", "", []types.Type{i32, i32}, `,`, `[NULL NULL]`},
		{"empty string is NULL", "", []types.Type{str, str}, `"",`, `[NULL NULL]`},
		{"quoted delimiter", "", []types.Type{str, str}, `"a,b",c`, `[string("a,b") string("c")]`},
		{"doubled quotes", "", []types.Type{str, str}, `"a""b",c`, `[string("a\"b") string("c")]`},
		{"blanks after closing quote", "", []types.Type{str, str}, "\"ab\" \t,c", `[string("ab") string("c")]`},
		{"quote inside a plain field", "", []types.Type{str, str}, `a"b,c`, `[string("a\"b") string("c")]`},
		{"blank before a quote keeps it", "", []types.Type{str, str}, ` "a",b`, `[string(" \"a\"") string("b")]`},
		{"newline inside quotes", "", []types.Type{i32, str}, "1,\"x\ny\"", `[int32(1) string("x\ny")]`},
		{"only the first record", "", []types.Type{i32, i32}, "1,2\n3,4", `[int32(1) int32(2)]`},
		{"leading blank lines", "", []types.Type{i32, i32}, "\r\n\n1,2\r\n", `[int32(1) int32(2)]`},
		{"empty last field before a line end", "", []types.Type{i32, i32}, "1,\n", `[int32(1) NULL]`},
		{"invalid UTF-8 replaced", "", []types.Type{str}, "a\xffb", "[string(\"a\uFFFDb\")]"},
		{"too few fields", "", []types.Type{i32, i32, i32}, `1,2`, "error: Column count mismatch on deserialization. expected: 3, got: 2"},
		{"too many fields", "", []types.Type{i32, i32}, `1,2,3,4`, "error: expected: 2, got: 4"},
		{"empty record", "", []types.Type{str}, ``, "error: No fields in record"},
		{"blank lines only", "", []types.Type{str}, "\n\r\n", "error: No fields in record"},
		{"unterminated quote", "", []types.Type{str}, `"abc`, "error: EOF reached before encapsulated token finished"},
		{"text after closing quote", "", []types.Type{str, str}, `"ab"x,c`, "error: invalid char between encapsulated token and delimiter"},
		{"bad int", "", []types.Type{i32, i32}, `1,x`, "error: For input string: \"x\" (column `C1` INTEGER, field 2)"},
		{"int with blanks", "", []types.Type{i32}, ` 1`, `error: For input string: " 1"`},
		{"int overflow", "", []types.Type{i32}, `2147483648`, `error: For input string: "2147483648"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fields []types.Field
			for i, typ := range tt.fields {
				fields = append(fields, fld(fmt.Sprintf("C%d", i), typ))
			}
			c := mustCodec(t, Options{Format: "DELIMITED", Delimiter: tt.delim}, fields...)
			row, err := decodeRow(c, []byte(tt.in))
			if want, isErr := strings.CutPrefix(tt.want, "error: "); isErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("got %s, %v; want error %q", renderRow(row), err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := renderRow(row); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDelimitedEncode(t *testing.T) {
	str, i32, i64, dbl := types.StringType, types.IntType, types.BigintType, types.DoubleType
	tests := []struct {
		name   string
		delim  string
		fields []types.Type
		row    types.Row
		want   string
	}{
		{"corpus NULL first", "", []types.Type{i32, i32, str}, types.Row{nil, int32(456), "foo"}, `,456,foo`},
		{"corpus NULLs", "", []types.Type{i32, i32, i32, str, i32}, types.Row{nil, nil, int32(100), "newblah", int32(150)}, `,,100,newblah,150`},
		{"corpus symbols are quoted", "", []types.Type{str, types.BytesType, str}, types.Row{"!", []byte("!"), "!"}, `"!",IQ==,"!"`},
		{"corpus hash", "", []types.Type{str, types.BytesType, str}, types.Row{"#", []byte("#"), "#"}, `"#",Iw==,"#"`},
		{"corpus leading minus is quoted first", "", []types.Type{i32, str, i32}, types.Row{int32(-1), "a", int32(1)}, `"-1",a,1`},
		{"corpus minus later is not", "", []types.Type{i32, i64, i64}, types.Row{int32(0), int64(-9223372036854775807), int64(math.MaxInt64)},
			`0,-9223372036854775807,9223372036854775807`},
		{"corpus doubles", "", []types.Type{i64, dbl, dbl, dbl, dbl, dbl, dbl},
			types.Row{int64(0), 4.9e-324, -4.9e-324, 2.2250738585072014e-308, -2.2250738585072014e-308, math.MaxFloat64, -math.MaxFloat64},
			`0,4.9E-324,-4.9E-324,2.2250738585072014E-308,-2.2250738585072014E-308,1.7976931348623157E308,-1.7976931348623157E308`},
		{"corpus little endian", "", []types.Type{i32, i64, dbl}, types.Row{int32(2021), int64(5000000000), 532.8738323}, `2021,5000000000,532.8738323`},
		{"corpus embedded code", "", []types.Type{str},
			types.Row{`" + new java.util.function.Supplier<String>(){public String get() {return "boom";}}.get() + "`},
			`""" + new java.util.function.Supplier<String>(){public String get() {return ""boom"";}}.get() + """`},
		{"corpus decimal plain", "", []types.Type{types.DecimalType(33, 16)}, types.Row{decimal.RequireFromString("-12345.12")},
			`"-12345.1200000000000000"`},
		{"corpus decimal zeros", "", []types.Type{types.DecimalType(6, 4)}, types.Row{decimal.New(10, 0)}, `10.0000`},
		{"corpus date", "", []types.Type{types.DateType}, types.Row{types.DateDays(-10)}, `"-10"`},
		{"corpus pipe", "|", []types.Type{i64, str, i32}, types.Row{int64(0), "zero", int32(0)}, `0|zero|0`},
		{"corpus tab", "TAB", []types.Type{i64, str, i32}, types.Row{int64(0), "zero", int32(0)}, "0\tzero\t0"},
		{"empty string first is quoted", "", []types.Type{str, str}, types.Row{"", ""}, `"",`},
		{"delimiter inside", "", []types.Type{str, str}, types.Row{"a", "b,c"}, `a,"b,c"`},
		{"tab delimiter inside", "TAB", []types.Type{str, str}, types.Row{"a", "b\tc"}, "a\t\"b\tc\""},
		{"line ends inside", "", []types.Type{str, str}, types.Row{"a", "b\nc\rd"}, "a,\"b\nc\rd\""},
		{"quote inside", "", []types.Type{str, str}, types.Row{"a", `say "hi"`}, `a,"say ""hi"""`},
		{"leading and trailing blanks", "", []types.Type{str, str, str}, types.Row{"a", " b", "c "}, `a," b","c "`},
		{"first field must start alphanumeric", "", []types.Type{str, str}, types.Row{"$x", "$x"}, `"$x",$x`},
		{"non-ASCII first", "", []types.Type{str, str}, types.Row{"été", "été"}, `"été",été`},
		{"booleans and times", "", []types.Type{types.BooleanType, types.TimestampType, types.TimeType}, types.Row{true, types.TimestampMillis(10), types.TimeMillis(5)}, `true,10,5`},
		{"NaN and infinity", "", []types.Type{dbl, dbl, dbl}, types.Row{math.NaN(), math.Inf(1), math.Inf(-1)}, `NaN,Infinity,-Infinity`},
		{"single NULL is empty, not null", "", []types.Type{str}, types.Row{nil}, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fields []types.Field
			for i, typ := range tt.fields {
				fields = append(fields, fld(fmt.Sprintf("C%d", i), typ))
			}
			c := mustCodec(t, Options{Format: "DELIMITED", Delimiter: tt.delim}, fields...)
			out, err := c.Encode(nil, tt.row)
			if err != nil {
				t.Fatal(err)
			}
			if out == nil || string(out) != tt.want {
				t.Fatalf("got %q (nil: %v), want %q", out, out == nil, tt.want)
			}
			// What we write, we read back.
			back, err := decodeRow(c, out)
			if err != nil && tt.want != "" {
				t.Fatalf("reading back %q: %v", out, err)
			}
			for i := range tt.row {
				if err == nil && !types.Equal(emptyIsNull(tt.row[i]), back[i]) {
					t.Errorf("field %d: %s read back as %s", i, render(tt.row[i]), render(back[i]))
				}
			}
		})
	}
}

// DELIMITED cannot tell an empty string from NULL: both read back as NULL.
func emptyIsNull(v any) any {
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	return v
}

func TestDelimitedNeeded(t *testing.T) {
	c := mustCodec(t, Options{Format: "DELIMITED"}, fld("A", types.IntType), fld("B", types.IntType))
	row := types.Row{"keep", "keep"}
	// B is not needed: its bad text is not parsed, but the field count is still checked.
	if err := c.Decode([]byte(`1,x`), row, []bool{true, false}); err != nil || row[0] != int32(1) || row[1] != "keep" {
		t.Fatalf("got %v, %v", row, err)
	}
	if err := c.Decode([]byte(`1`), row, []bool{true, false}); err == nil {
		t.Fatal("field count not checked")
	}
}
