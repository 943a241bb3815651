package serde

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/streamsql/streamsql/types"
)

// fuzzJSONCodecs covers the shapes a JSON decoder takes: a wrapped row of every type, bare
// values, and a multi-column key.
func fuzzJSONCodecs(t testing.TB) []*Codec {
	structT := types.StructOf(fld("A", types.IntType), fld("b", types.ArrayOf(types.DecimalType(5, 2))))
	all := []types.Field{
		fld("B", types.BooleanType), fld("I", types.IntType), fld("L", types.BigintType), fld("D", types.DoubleType),
		fld("DEC", types.DecimalType(10, 3)), fld("S", types.StringType), fld("BY", types.BytesType),
		fld("TS", types.TimestampType), fld("DT", types.DateType), fld("TM", types.TimeType),
		fld("ARR", types.ArrayOf(types.StringType)), fld("M", types.MapOf(types.StringType, structT)), fld("ST", structT),
	}
	return []*Codec{
		mustCodec(t, Options{Format: "JSON"}, all...),
		mustCodec(t, Options{Format: "JSON", WrapSingleValue: boolp(false)}, fld("S", types.StringType)),
		mustCodec(t, Options{Format: "JSON", WrapSingleValue: boolp(false)}, fld("A", types.ArrayOf(types.DoubleType))),
		mustCodec(t, Options{Format: "JSON", IsKey: true}, fld("K", types.BigintType), fld("K2", structT)),
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"B": true, "I": 1, "L": 10827272222, "D": 1234.589, "DEC": 10.1, "S": "x", "BY": "ew==", "TS": 10,
		  "DT": -10, "TM": 10, "ARR": ["a", 1, null], "M": {"k": {"a": 1, "B": [1.5]}}, "st": {"A": "7"}}`,
		`{"s": {"nested": [1, 2.0e3, "\u00e9"]}, "i": "42", "d": "NaN"}`, `"abc"`, `[1.5, null, "2"]`, `null`,
		`{"K": 1, "K2": {"a": 1}}`, `{"i": 1, "I": 2, "i": "x"}`, `[[[[]]]]`, `{"a":}`, "\xef\xbb\xbf{}",
		`{"dec": 1e-3, "l": -9223372036854775809, "ts": 1.5e300}`, `{"by": "dmFyaWF0aW9ucw=="}`,
	} {
		f.Add([]byte(s))
	}
	codecs := fuzzJSONCodecs(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range codecs {
			row := make(types.Row, len(c.Fields()))
			err := c.Decode(data, row, nil)
			checkSyntaxAgreement(t, data, err)
			if err != nil {
				continue
			}
			// What we read, we can write, and what we write reads back the same.
			out, err := c.Encode(nil, row)
			if err != nil {
				t.Fatalf("decoded %q as %s but cannot encode: %v", data, renderRow(row), err)
			}
			if out == nil { // an unwrapped NULL: a Kafka null
				if row[0] != nil {
					t.Fatalf("non-NULL %s encoded as null", render(row[0]))
				}
				continue
			}
			if !json.Valid(out) {
				t.Fatalf("encoded invalid JSON %q from %q", out, data)
			}
			back := make(types.Row, len(row))
			if err := c.Decode(out, back, nil); err != nil {
				t.Fatalf("re-decoding %q (from %q): %v", out, data, err)
			}
			for i := range row {
				if !types.Equal(row[i], back[i]) {
					t.Fatalf("field %d: %s became %s via %q", i, render(row[i]), render(back[i]), out)
				}
			}
			// Decoding only some fields gives the same values for those.
			needed := make([]bool, len(row))
			for i := range needed {
				needed[i] = i%2 == 1
			}
			part := make(types.Row, len(row))
			if err := c.Decode(data, part, needed); err != nil && !c.wrapped {
				continue
			} else if err != nil {
				t.Fatalf("partial decode of %q failed: %v", data, err)
			}
			for i := range row {
				if needed[i] && !types.Equal(row[i], part[i]) {
					t.Fatalf("partial decode field %d: %s, full decode %s", i, render(part[i]), render(row[i]))
				}
			}
		}
	})
}

// checkSyntaxAgreement holds our scanner to encoding/json's idea of valid JSON, except where
// we are deliberately stricter (invalid UTF-8, Jackson's depth and number limits) or laxer
// (a UTF-8 byte order mark).
func checkSyntaxAgreement(t *testing.T, data []byte, err error) {
	syntaxErr := err != nil && types.CodeOf(err) == types.CodeInvalidText
	valid := json.Valid(data)
	bom := bytes.HasPrefix(data, []byte("\xef\xbb\xbf"))
	if !valid && err == nil && !bom {
		t.Fatalf("accepted invalid JSON %q", data)
	}
	if valid && syntaxErr && utf8.Valid(data) && !tooDeepOrLong(data) {
		t.Fatalf("rejected valid JSON %q: %v", data, err)
	}
}

func tooDeepOrLong(data []byte) bool {
	depth, run := 0, 0
	for _, c := range data {
		switch c {
		case '[', '{':
			depth++
			if depth > maxJSONDepth {
				return true
			}
		case ']', '}':
			depth--
		}
		if c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+' {
			run++
			if run > maxNumberLength {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func FuzzDecodeDelimited(f *testing.F) {
	for _, s := range []string{
		`1,foo,2.5`, `"22",,"a ""q"""`, `,456,foo`, "0\tzero\t0", `"-12345.12",x,1`, "\n\n1,2,3",
		`"abc`, `"ab"x,c`, "a§b§c", `true,1528224275715,dmFyaWF0aW9ucw==`, `NaN,-0.0,1e400`,
	} {
		f.Add([]byte(s), uint8(0))
	}
	delims := []string{",", "|", "TAB", "§"}
	schemas := [][]types.Field{
		{fld("I", types.IntType), fld("S", types.StringType), fld("D", types.DoubleType)},
		{fld("B", types.BooleanType), fld("TS", types.TimestampType), fld("BY", types.BytesType)},
		{fld("DEC", types.DecimalType(8, 3)), fld("DT", types.DateType), fld("TM", types.TimeType), fld("L", types.BigintType)},
		{fld("S", types.StringType)},
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		d := delims[int(which)%len(delims)]
		for _, fields := range schemas {
			c := mustCodec(t, Options{Format: "DELIMITED", Delimiter: d}, fields...)
			row := make(types.Row, len(fields))
			if err := c.Decode(data, row, nil); err != nil {
				if code := types.CodeOf(err); code != types.CodeInvalidText && code != types.CodeDataException {
					t.Fatalf("%q: error with code %s: %v", data, code, err)
				}
				continue
			}
			out, err := c.Encode(nil, row)
			if err != nil {
				t.Fatalf("decoded %q as %s but cannot encode: %v", data, renderRow(row), err)
			}
			back := make(types.Row, len(row))
			if err := c.Decode(out, back, nil); err != nil {
				if len(fields) == 1 && row[0] == nil {
					continue // a lone NULL is written as an empty record, which has no fields
				}
				t.Fatalf("re-decoding %q (from %q): %v", out, data, err)
			}
			for i := range row {
				if !types.Equal(emptyIsNull(row[i]), back[i]) && !bothNaN(row[i], back[i]) {
					t.Fatalf("field %d: %s became %s via %q", i, render(row[i]), render(back[i]), out)
				}
			}
		}
	})
}

func bothNaN(a, b any) bool {
	x, ok1 := a.(float64)
	y, ok2 := b.(float64)
	return ok1 && ok2 && math.IsNaN(x) && math.IsNaN(y)
}
