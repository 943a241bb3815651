package serde

import (
	"math/big"
	"strconv"

	"github.com/shopspring/decimal"
)

// bigDec is a parsed decimal literal as Java's BigDecimal holds it: an unscaled magnitude
// (ASCII digits, no leading zeros, empty for zero) and a scale (value = digits × 10^-scale).
type bigDec struct {
	neg    bool
	digits []byte
	scale  int64
}

// maxExponent bounds literal exponents; Java's BigDecimal refuses scales beyond int range.
const maxExponent = 1 << 30

// parseBigDec parses like new BigDecimal(String): [sign] (digits [. [digits]] | . digits)
// [(e|E) [sign] digits]. JSON numbers are a subset. scratch holds the digits when it is
// large enough, so the common case does not allocate.
func parseBigDec(b []byte, scratch []byte) (bigDec, bool) {
	var d bigDec
	i := 0
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		d.neg = b[0] == '-'
		i = 1
	}
	digits := scratch[:0]
	seen := 0
	var fracLen int64
	for i < len(b) && isDigit(b[i]) {
		if len(digits) > 0 || b[i] != '0' {
			digits = append(digits, b[i])
		}
		seen++
		i++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && isDigit(b[i]) {
			if len(digits) > 0 || b[i] != '0' {
				digits = append(digits, b[i])
			}
			seen++
			fracLen++
			i++
		}
	}
	if seen == 0 {
		return d, false
	}
	var exp int64
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		expNeg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			expNeg = b[i] == '-'
			i++
		}
		if i == len(b) {
			return d, false
		}
		for ; i < len(b); i++ {
			if !isDigit(b[i]) {
				return d, false
			}
			exp = exp*10 + int64(b[i]-'0')
			if exp > maxExponent {
				return d, false
			}
		}
		if expNeg {
			exp = -exp
		}
	}
	if i != len(b) {
		return d, false
	}
	d.digits = digits
	d.scale = fracLen - exp
	return d, true
}

func (d bigDec) isZero() bool { return len(d.digits) == 0 }

// precision is BigDecimal.precision(): the number of digits of the unscaled value.
func (d bigDec) precision() int {
	if d.isZero() {
		return 1
	}
	return len(d.digits)
}

// appendString appends BigDecimal.toString() (plain=false) or toPlainString() (plain=true).
func (d bigDec) appendString(dst []byte, plain bool) []byte {
	coeff := d.digits
	if d.isZero() {
		coeff = zeroDigit
	} else if d.neg {
		dst = append(dst, '-')
	}
	adjusted := -d.scale + int64(len(coeff)-1)
	switch {
	case d.scale == 0:
		return append(dst, coeff...)
	case d.scale > 0 && (plain || adjusted >= -6):
		n := int64(len(coeff))
		if n > d.scale {
			dst = append(dst, coeff[:n-d.scale]...)
			dst = append(dst, '.')
			return append(dst, coeff[n-d.scale:]...)
		}
		dst = append(dst, '0', '.')
		dst = appendZeros(dst, d.scale-n)
		return append(dst, coeff...)
	case plain: // negative scale
		if d.isZero() {
			return append(dst, '0')
		}
		dst = append(dst, coeff...)
		return appendZeros(dst, -d.scale)
	}
	dst = append(dst, coeff[0])
	if len(coeff) > 1 {
		dst = append(dst, '.')
		dst = append(dst, coeff[1:]...)
	}
	dst = append(dst, 'E')
	if adjusted > 0 {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, adjusted, 10)
}

var zeroDigit = []byte{'0'}

func appendZeros(dst []byte, n int64) []byte {
	for ; n > 0; n-- {
		dst = append(dst, '0')
	}
	return dst
}

// plainForMessage is toPlainString for error messages, falling back to toString when the
// plain form would be absurdly long (1e999999999).
func (d bigDec) plainForMessage() string {
	if d.scale < -100 || d.scale > 1000 {
		return string(d.appendString(nil, false))
	}
	return string(d.appendString(nil, true))
}

// ensureFit is ksqlDB's DecimalUtil.ensureFit: the value must be below 10^(precision-scale)
// in magnitude and must take the column's scale without rounding (trailing zeros may go).
// It returns the value at the column's scale, or ksqlDB's error text.
func ensureFit(d bigDec, precision, scale int) (decimal.Decimal, string) {
	if d.isZero() {
		return decimal.New(0, -int32(scale)), ""
	}
	if intDigits := int64(len(d.digits)) - d.scale; intDigits > int64(precision-scale) {
		return decimal.Decimal{}, "Numeric field overflow: A field with precision " +
			strconv.Itoa(precision) + " and scale " + strconv.Itoa(scale) +
			" must round to an absolute value less than 10^" + strconv.Itoa(precision-scale) +
			". Got " + d.plainForMessage()
	}
	digits := d.digits
	sc := d.scale
	for len(digits) > 1 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		sc--
	}
	if sc > int64(scale) {
		return decimal.Decimal{}, "Cannot fit decimal '" + d.plainForMessage() + "' into DECIMAL(" +
			strconv.Itoa(precision) + ", " + strconv.Itoa(scale) + ") without rounding. (Requires " +
			strconv.Itoa(d.precision()) + "," + strconv.FormatInt(d.scale, 10) + ")"
	}
	// The overflow check bounds len(digits)+pad by the precision.
	pad := int64(scale) - sc
	if int64(len(digits))+pad <= 18 {
		var v int64
		for _, c := range digits {
			v = v*10 + int64(c-'0')
		}
		for ; pad > 0; pad-- {
			v *= 10
		}
		if d.neg {
			v = -v
		}
		return decimal.New(v, -int32(scale)), ""
	}
	s := make([]byte, 0, int64(len(digits))+pad+1)
	if d.neg {
		s = append(s, '-')
	}
	s = append(s, digits...)
	s = appendZeros(s, pad)
	v, _ := new(big.Int).SetString(string(s), 10)
	return decimal.NewFromBigInt(v, -int32(scale)), ""
}

// appendDecimal appends v at the column's scale (rounding half up if an operator left it
// finer) as BigDecimal.toString() (JSON) or toPlainString() (DELIMITED) prints it.
func appendDecimal(dst []byte, v decimal.Decimal, scale int, plain bool) []byte {
	if v.Exponent() != -int32(scale) {
		v = v.Round(int32(scale))
	}
	c := v.Coefficient()
	var tmp [40]byte
	var digits []byte
	if c.IsInt64() {
		digits = strconv.AppendInt(tmp[:0], c.Int64(), 10)
	} else {
		digits = c.Append(tmp[:0], 10)
	}
	d := bigDec{scale: int64(scale)}
	if digits[0] == '-' {
		d.neg = true
		digits = digits[1:]
	}
	if len(digits) == 1 && digits[0] == '0' {
		digits = nil
	}
	d.digits = digits
	return d.appendString(dst, plain)
}
