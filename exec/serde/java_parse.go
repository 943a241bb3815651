package serde

import (
	"math"
	"strconv"
	"unsafe"
)

// ksqlDB parses with Java (Integer.parseInt, Double.parseDouble, new BigDecimal) and prints
// with Java (Double.toString, BigDecimal.toString). This file and java_format.go and
// bigdec.go reproduce those rules, so that the same bytes give the same values and the same
// values give the same bytes.

// bytesString views b as a string without copying. Only for calls that neither keep the
// string nor see b change while they run (strconv parsing whose error we drop).
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// wrappedInteger is Java's BigDecimal.longValue() of a validated JSON number: the fraction is
// dropped and the integer kept modulo 2^64 (intValue() is the low 32 bits of that). Jackson
// coerces JSON numbers into INT and BIGINT this way, so 1.9 reads as 1 and 2^32 as 0 in INT.
func wrappedInteger(raw []byte) int64 {
	i := 0
	neg := raw[0] == '-'
	if neg {
		i = 1
	}
	digitsStart := i
	for i < len(raw) && isDigit(raw[i]) {
		i++
	}
	intDigits := raw[digitsStart:i]
	var frac []byte
	if i < len(raw) && raw[i] == '.' {
		i++
		fs := i
		for i < len(raw) && isDigit(raw[i]) {
			i++
		}
		frac = raw[fs:i]
	}
	exp := 0
	if i < len(raw) && (raw[i] == 'e' || raw[i] == 'E') {
		i++
		expNeg := false
		if raw[i] == '+' || raw[i] == '-' {
			expNeg = raw[i] == '-'
			i++
		}
		for ; i < len(raw); i++ {
			if exp < 1e7 { // beyond this the answer no longer depends on the exponent
				exp = exp*10 + int(raw[i]-'0')
			}
		}
		if expNeg {
			exp = -exp
		}
	}
	// The integer part is the first len(intDigits)+exp digits of intDigits‖frac, padded
	// with zeros. 10^64 is 0 modulo 2^64, so at most 64 padding zeros matter.
	n := len(intDigits) + exp
	var v uint64
	count := 0
	for _, part := range [2][]byte{intDigits, frac} {
		for _, c := range part {
			if count >= n {
				break
			}
			v = v*10 + uint64(c-'0')
			count++
		}
	}
	for pad := n - count; pad > 0; pad-- {
		if pad >= 64 {
			v = 0
			break
		}
		v *= 10
	}
	if neg {
		v = -v
	}
	return int64(v)
}

// parseJavaInt parses like Integer.parseInt (bits 32) or Long.parseLong (bits 64): an
// optional sign and decimal digits, nothing else, in range.
func parseJavaInt(b []byte, bits int) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	i := 0
	neg := false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	limit := uint64(1)<<(bits-1) - 1
	if neg {
		limit++
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if !isDigit(c) {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (limit-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

// parseJavaDouble parses like Double.parseDouble: surrounding characters <= ' ' trimmed, an
// optional sign, NaN, Infinity, decimal or hexadecimal notation, an optional f/F/d/D suffix.
func parseJavaDouble(b []byte) (float64, bool) {
	for len(b) > 0 && b[0] <= ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] <= ' ' {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return 0, false
	}
	body := b
	neg := false
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	switch string(body) {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	if n := len(body); n > 0 {
		switch body[n-1] {
		case 'f', 'F', 'd', 'D':
			body = body[:n-1]
			b = b[:len(b)-1]
		}
	}
	var ok bool
	if len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') {
		ok = validHexFloat(body[2:])
	} else {
		ok = validDecimalFloat(body)
	}
	if !ok {
		return 0, false
	}
	// Out-of-range values come back as ±Inf or 0 with ErrRange, which is Java's answer too.
	f, _ := strconv.ParseFloat(bytesString(b), 64)
	return f, true
}

// validDecimalFloat: digits [. digits] | . digits, then an optional exponent.
func validDecimalFloat(b []byte) bool {
	i, digits := 0, 0
	for i < len(b) && isDigit(b[i]) {
		i++
		digits++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && isDigit(b[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	return validExponent(b[i:], 'e')
}

// validHexFloat: hexdigits [. hexdigits] p exponent (the exponent is required, as in Java).
func validHexFloat(b []byte) bool {
	i, digits := 0, 0
	for i < len(b) && hexVal(b[i]) >= 0 {
		i++
		digits++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && hexVal(b[i]) >= 0 {
			i++
			digits++
		}
	}
	return digits > 0 && i < len(b) && validExponent(b[i:], 'p')
}

// validExponent accepts "" (only for 'e'), or the marker, an optional sign and digits.
func validExponent(b []byte, marker byte) bool {
	if len(b) == 0 {
		return marker == 'e'
	}
	if b[0]|0x20 != marker {
		return false
	}
	b = b[1:]
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}
