package agg

import (
	"math"
	"math/bits"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// compare orders two non-NULL values of the same comparable kind the way Java's compareTo does
// in ksqlDB's MIN, MAX and TOPK: Double.compare for DOUBLE (-0.0 below 0.0, NaN above
// everything), UTF-16 code units for STRING, signed bytes for BYTES (ByteBuffer.compareTo).
func compare(a, b types.Value) int {
	switch x := a.(type) {
	case int32:
		return cmp3(int64(x), int64(b.(int32)))
	case int64:
		return cmp3(x, b.(int64))
	case float64:
		return javaCompareDouble(x, b.(float64))
	case string:
		return javaCompareString(x, b.(string))
	case decimal.Decimal:
		return x.Cmp(b.(decimal.Decimal))
	case types.TimestampMillis:
		return cmp3(int64(x), int64(b.(types.TimestampMillis)))
	case types.DateDays:
		return cmp3(int64(x), int64(b.(types.DateDays)))
	case types.TimeMillis:
		return cmp3(int64(x), int64(b.(types.TimeMillis)))
	case []byte:
		return javaCompareBytes(x, b.([]byte))
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	panic("agg: values of this type have no order")
}

func cmp3(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// javaCompareDouble is Java's Double.compare.
func javaCompareDouble(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return cmp3(javaDoubleBits(a), javaDoubleBits(b))
}

// javaDoubleBits is Double.doubleToLongBits: every NaN collapses to the canonical one.
func javaDoubleBits(f float64) int64 {
	if f != f {
		return 0x7ff8000000000000
	}
	return int64(math.Float64bits(f))
}

// javaCompareString is String.compareTo: lexicographic over UTF-16 code units. UTF-8 byte
// order equals code point order, which differs from UTF-16 order only between a supplementary
// character (a surrogate pair, below U+E000 in UTF-16) and a BMP character from U+E000 up.
func javaCompareString(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		// The first differing byte starts a character in both strings when the leading
		// bytes differ; 0xF0.. starts a supplementary character, 0xEE/0xEF U+E000..U+FFFF.
		if x >= 0xF0 && (y == 0xEE || y == 0xEF) {
			return -1
		}
		if y >= 0xF0 && (x == 0xEE || x == 0xEF) {
			return 1
		}
		if x < y {
			return -1
		}
		return 1
	}
	return cmp3(int64(len(a)), int64(len(b)))
}

// javaCompareBytes is ByteBuffer.compareTo: lexicographic over signed bytes, then length.
func javaCompareBytes(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return cmp3(int64(int8(a[i])), int64(int8(b[i])))
		}
	}
	return cmp3(int64(len(a)), int64(len(b)))
}

// --- hashing ---------------------------------------------------------------------------------

// hashValue is a 64-bit hash of v consistent with types.Equal (equal values hash alike) and
// stable across processes, since COUNT_DISTINCT persists hashes: FNV-1a over a canonical form,
// finished with a mixer so that every bit is usable by HyperLogLog.
func hashValue(v types.Value) uint64 {
	h := hasher(fnvOffset)
	h.value(v)
	return mix64(uint64(h))
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

type hasher uint64

func (h *hasher) byte1(c byte) { *h = (*h ^ hasher(c)) * fnvPrime }

func (h *hasher) u64(v uint64) {
	for i := 0; i < 8; i++ {
		h.byte1(byte(v >> (8 * i)))
	}
}

func (h *hasher) str(s string) {
	h.u64(uint64(len(s)))
	for i := 0; i < len(s); i++ {
		h.byte1(s[i])
	}
}

func (h *hasher) value(v types.Value) {
	switch x := v.(type) {
	case nil:
		h.byte1(0)
	case bool:
		h.byte1(1)
		if x {
			h.byte1(1)
		} else {
			h.byte1(0)
		}
	case int32:
		h.byte1(2)
		h.u64(uint64(x))
	case int64:
		h.byte1(3)
		h.u64(uint64(x))
	case float64:
		h.byte1(4)
		if x == 0 {
			x = 0 // -0.0 equals 0.0
		}
		h.u64(uint64(javaDoubleBits(x)))
	case decimal.Decimal:
		h.byte1(5)
		h.str(x.String()) // trailing zeros trimmed: 1.50 and 1.5 are equal
	case string:
		h.byte1(6)
		h.str(x)
	case []byte:
		h.byte1(7)
		h.str(string(x))
	case types.TimestampMillis:
		h.byte1(8)
		h.u64(uint64(x))
	case types.DateDays:
		h.byte1(9)
		h.u64(uint64(x))
	case types.TimeMillis:
		h.byte1(10)
		h.u64(uint64(x))
	case []any:
		h.byte1(11)
		h.u64(uint64(len(x)))
		for _, e := range x {
			h.value(e)
		}
	case types.StructValue:
		h.byte1(12)
		h.u64(uint64(len(x)))
		for _, e := range x {
			h.value(e)
		}
	case *types.MapValue:
		// Map equality ignores entry order, so entries combine commutatively.
		h.byte1(13)
		var sum uint64
		for i, k := range x.Keys {
			e := hasher(fnvOffset)
			e.value(k)
			e.value(x.Values[i])
			sum += mix64(uint64(e))
		}
		h.u64(uint64(x.Len()))
		h.u64(sum)
	default:
		h.byte1(255)
	}
}

// mix64 is the SplitMix64 finalizer.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// --- HyperLogLog -----------------------------------------------------------------------------

// hllP is the precision of COUNT_DISTINCT's sketch: 2^14 registers, as ksqlDB's (standard error
// about 0.8%).
const (
	hllP = 14
	hllM = 1 << hllP
)

// hllAdd records hash h in the registers.
func hllAdd(reg []byte, h uint64) {
	idx := h >> (64 - hllP)
	rest := h<<hllP | 1<<(hllP-1) // guard bit: rank at most 64-hllP+1
	rank := byte(bits.LeadingZeros64(rest) + 1)
	if rank > reg[idx] {
		reg[idx] = rank
	}
}

// hllEstimate is the HyperLogLog cardinality estimate with linear counting for small ranges
// (no large-range correction is needed with 64-bit hashes).
func hllEstimate(reg []byte) int64 {
	var sum float64
	zeros := 0
	for _, r := range reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	m := float64(hllM)
	alpha := 0.7213 / (1 + 1.079/m)
	est := alpha * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros))
	}
	return int64(math.Round(est))
}
