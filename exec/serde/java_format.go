package serde

import (
	"math"
	"strconv"
)

// appendJavaDouble appends f as Java's Double.toString writes it (Jackson does the same for
// JSON numbers): shortest round-trip digits, at least one digit after the point, plain
// notation for 1e-3 <= |f| < 1e7 and computerized scientific notation (1.0E7) otherwise.
// NaN and the infinities are NaN, Infinity, -Infinity.
func appendJavaDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	var tmp [32]byte
	digits, exp := decimalDigits(tmp[:0], f, -1)
	if len(digits) == 1 {
		// Java (JDK 19+) picks, among the decimals of one or two digits that round to f, the
		// closest to f: 4.9E-324 rather than 5.0E-324. Only subnormals have such a choice.
		var tmp2 [32]byte
		d2, e2 := decimalDigits(tmp2[:0], f, 1)
		if d2[1] != '0' {
			if g, err := strconv.ParseFloat(string(d2[:1])+"."+string(d2[1:])+"e"+strconv.Itoa(e2), 64); err == nil && g == f {
				digits, exp = d2, e2
			}
		}
	}
	if f >= 1e-3 && f < 1e7 {
		if exp >= 0 {
			intLen := exp + 1
			if intLen >= len(digits) {
				dst = append(dst, digits...)
				for k := len(digits); k < intLen; k++ {
					dst = append(dst, '0')
				}
				return append(dst, ".0"...)
			}
			dst = append(dst, digits[:intLen]...)
			dst = append(dst, '.')
			return append(dst, digits[intLen:]...)
		}
		dst = append(dst, "0."...)
		for k := -1; k > exp; k-- {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[0], '.')
	if len(digits) > 1 {
		dst = append(dst, digits[1:]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}

// decimalDigits returns the significant digits of f > 0 (prec -1: shortest round-trip;
// otherwise prec+1 digits, correctly rounded) and the exponent of the first digit.
func decimalDigits(dst []byte, f float64, prec int) ([]byte, int) {
	s := strconv.AppendFloat(dst, f, 'e', prec, 64) // d.ddddde±XX
	e := 0
	i := len(s) - 1
	for s[i] != 'e' {
		i--
	}
	mant := s[:i]
	expPart := s[i+1:]
	neg := expPart[0] == '-'
	for _, c := range expPart[1:] {
		e = e*10 + int(c-'0')
	}
	if neg {
		e = -e
	}
	// Drop the point: "d.ddd" -> "dddd", in place.
	if len(mant) > 1 {
		copy(mant[1:], mant[2:])
		mant = mant[:len(mant)-1]
	}
	// Shortest digits never end in 0 except for "0"; fixed precision may.
	for len(mant) > 1 && mant[len(mant)-1] == '0' && prec < 0 {
		mant = mant[:len(mant)-1]
	}
	return mant, e
}
