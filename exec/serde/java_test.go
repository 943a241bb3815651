package serde

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestAppendJavaDouble(t *testing.T) {
	// Expected strings are Java's Double.toString.
	tests := []struct {
		f    float64
		want string
	}{
		{1, "1.0"}, {100, "100.0"}, {0.1, "0.1"}, {-2.5, "-2.5"}, {1234.589, "1234.589"},
		{1e7, "1.0E7"}, {9999999, "9999999.0"}, {12345678.9, "1.23456789E7"},
		{0.001, "0.001"}, {0.0001, "1.0E-4"}, {123456789012, "1.23456789012E11"},
		{0.30000000000000004, "0.30000000000000004"}, {0.7455284088780169, "0.7455284088780169"},
		{math.MaxFloat64, "1.7976931348623157E308"}, {-math.MaxFloat64, "-1.7976931348623157E308"},
		{math.SmallestNonzeroFloat64, "4.9E-324"}, {-math.SmallestNonzeroFloat64, "-4.9E-324"},
		{2.2250738585072014e-308, "2.2250738585072014E-308"}, {1e23, "1.0E23"}, {1e-5, "1.0E-5"},
		{0, "0.0"}, {math.Copysign(0, -1), "-0.0"},
		{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"},
	}
	for _, tt := range tests {
		if got := string(appendJavaDouble(nil, tt.f)); got != tt.want {
			t.Errorf("appendJavaDouble(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

// Whatever the notation, Java's text must read back as the same double.
func TestAppendJavaDoubleRoundTrips(t *testing.T) {
	for _, f := range []float64{3.141592653589793, 1e-300, 6.02214076e23, 5e-324, 1.5e-323, 123e-310, 0.1 + 0.2} {
		s := string(appendJavaDouble(nil, f))
		g, err := strconv.ParseFloat(s, 64)
		if err != nil || g != f {
			t.Errorf("%v printed as %q reads back as %v (%v)", f, s, g, err)
		}
	}
}

func TestBigDecString(t *testing.T) {
	tests := []struct{ in, str, plain string }{
		{"1.50", "1.50", "1.50"},
		{"1e3", "1E+3", "1000"},
		{"1.5E+3", "1.5E+3", "1500"},
		{"0.0000001", "1E-7", "0.0000001"},
		{"0.000001", "0.000001", "0.000001"},
		{"0.00000123", "0.00000123", "0.00000123"},
		{"0.000000123", "1.23E-7", "0.000000123"},
		{"-0.0", "0.0", "0.0"},
		{"0.000000000", "0E-9", "0.000000000"},
		{"0e3", "0E+3", "0"},
		{"123.456e2", "12345.6", "12345.6"},
		{"-12345.12", "-12345.12", "-12345.12"},
		{".12", "0.12", "0.12"},
		{"12.", "12", "12"},
		{"+7", "7", "7"},
	}
	for _, tt := range tests {
		d, ok := parseBigDec([]byte(tt.in), nil)
		if !ok {
			t.Errorf("parseBigDec(%q) failed", tt.in)
			continue
		}
		if got := string(d.appendString(nil, false)); got != tt.str {
			t.Errorf("toString(%q) = %q, want %q", tt.in, got, tt.str)
		}
		if got := string(d.appendString(nil, true)); got != tt.plain {
			t.Errorf("toPlainString(%q) = %q, want %q", tt.in, got, tt.plain)
		}
	}
	for _, bad := range []string{"", ".", "-", "1e", "1e+", "a", "1.2.3", "1 ", " 1", "0x10", "1e99999999999", "--1", "1,5"} {
		if _, ok := parseBigDec([]byte(bad), nil); ok {
			t.Errorf("parseBigDec(%q) accepted", bad)
		}
	}
}

func TestEnsureFit(t *testing.T) {
	tests := []struct {
		in         string
		p, s       int
		want, errs string
	}{
		{"10.1", 4, 2, "10.10", ""},
		{"1.230", 4, 2, "1.23", ""},
		{"1e1", 4, 2, "10.00", ""},
		{"0.5", 2, 2, "0.50", ""},
		{"-0.000", 3, 1, "0.0", ""},
		{"12345678987654321.2345678987654321", 33, 16, "12345678987654321.2345678987654321", ""},
		{"-99.99", 4, 2, "-99.99", ""},
		{"100", 4, 2, "", "Numeric field overflow: A field with precision 4 and scale 2 must round to an absolute value less than 10^2. Got 100"},
		{"1", 2, 2, "", "must round to an absolute value less than 10^0. Got 1"},
		{"1.234", 4, 2, "", "Cannot fit decimal '1.234' into DECIMAL(4, 2) without rounding. (Requires 4,3)"},
		{"1e-400", 4, 2, "", "Cannot fit decimal"},
		{"1e400", 4, 2, "", "Numeric field overflow"},
	}
	for _, tt := range tests {
		d, _ := parseBigDec([]byte(tt.in), nil)
		v, msg := ensureFit(d, tt.p, tt.s)
		if tt.errs != "" {
			if msg == "" || !strings.Contains(msg, tt.errs) {
				t.Errorf("ensureFit(%s, %d, %d) = %v, %q; want error %q", tt.in, tt.p, tt.s, v, msg, tt.errs)
			}
			continue
		}
		if msg != "" || v.StringFixed(int32(tt.s)) != tt.want || v.Exponent() != -int32(tt.s) {
			t.Errorf("ensureFit(%s, %d, %d) = %v (exp %d), %q; want %s", tt.in, tt.p, tt.s, v, v.Exponent(), msg, tt.want)
		}
	}
}

func TestAppendDecimal(t *testing.T) {
	tests := []struct {
		v           decimal.Decimal
		scale       int
		json, plain string
	}{
		{decimal.New(1000, -2), 2, "10.00", "10.00"},
		{decimal.New(10, 0), 4, "10.0000", "10.0000"},
		{decimal.RequireFromString("1.005"), 2, "1.01", "1.01"}, // half up
		{decimal.RequireFromString("-1.005"), 2, "-1.01", "-1.01"},
		{decimal.New(0, 0), 9, "0E-9", "0.000000000"},
		{decimal.New(100, -9), 9, "1.00E-7", "0.000000100"},
		{decimal.RequireFromString("12345678987654321.2345678987654321"), 16,
			"12345678987654321.2345678987654321", "12345678987654321.2345678987654321"},
	}
	for _, tt := range tests {
		if got := string(appendDecimal(nil, tt.v, tt.scale, false)); got != tt.json {
			t.Errorf("appendDecimal(%v, %d) = %q, want %q", tt.v, tt.scale, got, tt.json)
		}
		if got := string(appendDecimal(nil, tt.v, tt.scale, true)); got != tt.plain {
			t.Errorf("appendDecimal(%v, %d, plain) = %q, want %q", tt.v, tt.scale, got, tt.plain)
		}
	}
}

func TestWrappedInteger(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"-0", 0}, {"42", 42}, {"-42", -42}, {"1.9", 1}, {"-1.7", -1}, {"1e2", 100},
		{"1.5e1", 15}, {"1e-1", 0}, {"123.456e1", 1234}, {"9223372036854775807", math.MaxInt64},
		{"9223372036854775808", math.MinInt64}, {"18446744073709551617", 1},
		{"1e20", 7766279631452241920}, {"1e64", 0}, {"1E+63", int64(pow10mod64(63))}, {"0.000e5", 0},
	}
	for _, tt := range tests {
		if got := wrappedInteger([]byte(tt.in)); got != tt.want {
			t.Errorf("wrappedInteger(%s) = %d, want %d", tt.in, got, tt.want)
		}
	}
	// INT keeps the low 32 bits, as Java's intValue().
	if got := int32(wrappedInteger([]byte("2147483648"))); got != math.MinInt32 {
		t.Errorf("int32 of 2^31 = %d", got)
	}
	if got := int32(wrappedInteger([]byte("4294967297.5"))); got != 1 {
		t.Errorf("int32 of 2^32+1.5 = %d", got)
	}
}

// pow10mod64 is 10^n modulo 2^64, computed independently of wrappedInteger.
func pow10mod64(n int) uint64 {
	v := uint64(1)
	for i := 0; i < n; i++ {
		v *= 10
	}
	return v
}

func TestParseJavaInt(t *testing.T) {
	ok := map[string]int64{"0": 0, "+5": 5, "-5": -5, "2147483647": 2147483647, "-2147483648": -2147483648, "007": 7}
	for in, want := range ok {
		if got, good := parseJavaInt([]byte(in), 32); !good || got != want {
			t.Errorf("parseJavaInt(%q, 32) = %d, %v", in, got, good)
		}
	}
	for _, in := range []string{"", "-", "+", "2147483648", "-2147483649", "1 ", " 1", "1.0", "0x1", "1e3", "١"} {
		if _, good := parseJavaInt([]byte(in), 32); good {
			t.Errorf("parseJavaInt(%q, 32) accepted", in)
		}
	}
	if v, good := parseJavaInt([]byte("-9223372036854775808"), 64); !good || v != math.MinInt64 {
		t.Errorf("min long: %d %v", v, good)
	}
	if _, good := parseJavaInt([]byte("9223372036854775808"), 64); good {
		t.Errorf("2^63 accepted as long")
	}
}

func TestParseJavaDouble(t *testing.T) {
	ok := map[string]float64{" 1.5 ": 1.5, "1.5d": 1.5, "2F": 2, "1.": 1, ".5": 0.5, "-Infinity": math.Inf(-1),
		"+Infinity": math.Inf(1), "0x1p3": 8, "0x1.8p1": 3, "1e5f": 1e5, "1E-2": 0.01, "1e400": math.Inf(1), "-0": math.Copysign(0, -1)}
	for in, want := range ok {
		got, good := parseJavaDouble([]byte(in))
		if !good || got != want || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("parseJavaDouble(%q) = %v, %v; want %v", in, got, good, want)
		}
	}
	if got, good := parseJavaDouble([]byte("NaN")); !good || !math.IsNaN(got) {
		t.Errorf("NaN: %v %v", got, good)
	}
	for _, in := range []string{"", " ", "inf", "nan", "Inf", "1e", "1_0", "e5", "0x1", "0x", "1.5dd", "1,5", "infinity", "."} {
		if _, good := parseJavaDouble([]byte(in)); good {
			t.Errorf("parseJavaDouble(%q) accepted", in)
		}
	}
}
