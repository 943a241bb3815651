package expr

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

var (
	bigintT = types.BigintType
	doubleT = types.DoubleType
)

// sameAsArg returns the first argument's type: ABS, CEIL, FLOOR and friends keep DECIMAL's
// precision and scale.
func sameAsArg(args []types.Type, _ bindings) (types.Type, error) { return args[0], nil }

// doubleFn declares a DOUBLE → DOUBLE function; INT, BIGINT and DECIMAL arguments reach it
// through implicit casts.
func doubleFn(name, desc, ex string, f func(float64) float64) *Func {
	return fn(name, CategoryMath, desc, ex,
		sig(doubleT, i1(strict1(func(a types.Value) (types.Value, error) { return f(a.(float64)), nil })), P("x", tDouble)))
}

func init() {
	register(
		fn("ABS", CategoryMath, "Returns the absolute value.", "ABS(-1.5) = 1.5",
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) {
				if x := a.(int32); x < 0 {
					return -x, nil
				}
				return a, nil
			})), P("x", tInt)),
			sig(bigintT, i1(strict1(func(a types.Value) (types.Value, error) {
				if x := a.(int64); x < 0 {
					return -x, nil
				}
				return a, nil
			})), P("x", tBigint)),
			sig(doubleT, i1(strict1(func(a types.Value) (types.Value, error) { return math.Abs(a.(float64)), nil })), P("x", tDouble)),
			sigRule("DECIMAL (same precision and scale)", sameAsArg, i1(strict1(func(a types.Value) (types.Value, error) {
				return a.(decimal.Decimal).Abs(), nil
			})), P("x", tDecimal))),
		fn("CEIL", CategoryMath, "Returns the smallest integer value not less than the argument.", "CEIL(1.2) = 2.0",
			sig(intT, i1(identity), P("x", tInt)),
			sig(bigintT, i1(identity), P("x", tBigint)),
			sig(doubleT, i1(strict1(func(a types.Value) (types.Value, error) { return math.Ceil(a.(float64)), nil })), P("x", tDouble)),
			sigRule("DECIMAL (same precision and scale)", sameAsArg, func(args []types.Type, _ types.Type) impl {
				s := args[0].Scale
				return impl{f1: strict1(func(a types.Value) (types.Value, error) { return rescale(a.(decimal.Decimal).Ceil(), s), nil })}
			}, P("x", tDecimal))),
		fn("FLOOR", CategoryMath, "Returns the largest integer value not greater than the argument.", "FLOOR(1.8) = 1.0",
			sig(intT, i1(identity), P("x", tInt)),
			sig(bigintT, i1(identity), P("x", tBigint)),
			sig(doubleT, i1(strict1(func(a types.Value) (types.Value, error) { return math.Floor(a.(float64)), nil })), P("x", tDouble)),
			sigRule("DECIMAL (same precision and scale)", sameAsArg, func(args []types.Type, _ types.Type) impl {
				s := args[0].Scale
				return impl{f1: strict1(func(a types.Value) (types.Value, error) { return rescale(a.(decimal.Decimal).Floor(), s), nil })}
			}, P("x", tDecimal))),
		fn("ROUND", CategoryMath, "Rounds to a number of decimal places (default 0; negative rounds left of the point); halves round up, toward positive infinity, as Java's Math.round.",
			"ROUND(-1.5) = -1",
			sig(bigintT, i1(strict1(func(a types.Value) (types.Value, error) { return int64(a.(int32)), nil })), P("x", tInt)),
			sig(bigintT, i1(identity), P("x", tBigint)),
			sig(bigintT, i1(strict1(func(a types.Value) (types.Value, error) { return javaMathRound(a.(float64)), nil })), P("x", tDouble)),
			sig(doubleT, i2(strict2(func(a, p types.Value) (types.Value, error) {
				return roundDouble(a.(float64), p.(int32), roundHalfUpPositive)
			})), P("x", tDouble), P("places", tInt)),
			sigRule("DECIMAL(p - s, 0)", func(args []types.Type, _ bindings) (types.Type, error) {
				return types.DecimalType(max(1, args[0].Precision-args[0].Scale), 0), nil
			}, i1(strict1(func(a types.Value) (types.Value, error) {
				return roundDecimal(a.(decimal.Decimal), 0, roundHalfUpPositive), nil
			})), P("x", tDecimal)),
			sigRule("DECIMAL (same precision and scale)", sameAsArg, func(args []types.Type, _ types.Type) impl {
				s := args[0].Scale
				return impl{f2: strict2(func(a, p types.Value) (types.Value, error) {
					return rescale(roundDecimal(a.(decimal.Decimal), p.(int32), roundHalfUpPositive), s), nil
				})}
			}, P("x", tDecimal), P("places", tInt))),
		fn("TRUNC", CategoryMath, "Truncates toward zero to a number of decimal places (default 0).", "TRUNC(-1.7) = -1",
			sig(bigintT, i1(strict1(func(a types.Value) (types.Value, error) { return int64(a.(int32)), nil })), P("x", tInt)),
			sig(bigintT, i1(identity), P("x", tBigint)),
			sig(bigintT, i1(strict1(func(a types.Value) (types.Value, error) { return javaD2L(a.(float64)), nil })), P("x", tDouble)),
			sig(doubleT, i2(strict2(func(a, p types.Value) (types.Value, error) {
				return roundDouble(a.(float64), p.(int32), roundDown)
			})), P("x", tDouble), P("places", tInt)),
			sigRule("DECIMAL(p - s, 0)", func(args []types.Type, _ bindings) (types.Type, error) {
				return types.DecimalType(max(1, args[0].Precision-args[0].Scale), 0), nil
			}, i1(strict1(func(a types.Value) (types.Value, error) { return roundDecimal(a.(decimal.Decimal), 0, roundDown), nil })), P("x", tDecimal)),
			sigRule("DECIMAL (same precision and scale)", sameAsArg, func(args []types.Type, _ types.Type) impl {
				s := args[0].Scale
				return impl{f2: strict2(func(a, p types.Value) (types.Value, error) {
					return rescale(roundDecimal(a.(decimal.Decimal), p.(int32), roundDown), s), nil
				})}
			}, P("x", tDecimal), P("places", tInt))),
		fn("SIGN", CategoryMath, "Returns -1, 0 or 1 for the sign of the argument.", "SIGN(-3.5) = -1",
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) { return int32(sign(float64(a.(int32)))), nil })), P("x", tInt)),
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) { return int32(sign(float64(a.(int64)))), nil })), P("x", tBigint)),
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) { return int32(sign(a.(float64))), nil })), P("x", tDouble)),
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) { return int32(a.(decimal.Decimal).Sign()), nil })), P("x", tDecimal))),
		doubleFn("SQRT", "Returns the square root.", "SQRT(4) = 2.0", math.Sqrt),
		doubleFn("CBRT", "Returns the cube root.", "CBRT(27) = 3.0", math.Cbrt),
		doubleFn("EXP", "Returns e raised to the argument.", "EXP(1) = 2.718281828459045", math.Exp),
		doubleFn("LN", "Returns the natural logarithm.", "LN(1) = 0.0", math.Log),
		fn("LOG", CategoryMath, "Returns the natural logarithm, or the logarithm in a given base: LOG(base, value).", "LOG(100, 10000) = 2.0",
			sig(doubleT, i1(strict1(func(a types.Value) (types.Value, error) { return math.Log(a.(float64)), nil })), P("value", tDouble)),
			sig(doubleT, i2(strict2(func(b, v types.Value) (types.Value, error) { return logBase(b.(float64), v.(float64)), nil })), P("base", tDouble), P("value", tDouble))),
		fn("POWER", CategoryMath, "Raises a number to a power.", "POWER(2, 10) = 1024.0",
			sig(doubleT, i2(strict2(func(a, b types.Value) (types.Value, error) { return math.Pow(a.(float64), b.(float64)), nil })), P("base", tDouble), P("exponent", tDouble))),
		doubleFn("ACOS", "Returns the arc cosine, in radians.", "ACOS(1) = 0.0", math.Acos),
		doubleFn("ASIN", "Returns the arc sine, in radians.", "ASIN(0) = 0.0", math.Asin),
		doubleFn("ATAN", "Returns the arc tangent, in radians.", "ATAN(0) = 0.0", math.Atan),
		fn("ATAN2", CategoryMath, "Returns the angle of the point (x, y): ATAN2(y, x), in radians.", "ATAN2(1, 1) = 0.7853981633974483",
			sig(doubleT, i2(strict2(func(y, x types.Value) (types.Value, error) { return math.Atan2(y.(float64), x.(float64)), nil })), P("y", tDouble), P("x", tDouble))),
		doubleFn("COS", "Returns the cosine of an angle in radians.", "COS(0) = 1.0", math.Cos),
		doubleFn("COSH", "Returns the hyperbolic cosine.", "COSH(0) = 1.0", math.Cosh),
		doubleFn("COT", "Returns the cotangent of an angle in radians.", "COT(1) = 0.6420926159343308", func(x float64) float64 { return 1 / math.Tan(x) }),
		doubleFn("SIN", "Returns the sine of an angle in radians.", "SIN(0) = 0.0", math.Sin),
		doubleFn("SINH", "Returns the hyperbolic sine.", "SINH(0) = 0.0", math.Sinh),
		doubleFn("TAN", "Returns the tangent of an angle in radians.", "TAN(0) = 0.0", math.Tan),
		doubleFn("TANH", "Returns the hyperbolic tangent.", "TANH(0) = 0.0", math.Tanh),
		doubleFn("DEGREES", "Converts radians to degrees.", "DEGREES(PI()) = 180.0", func(x float64) float64 { return x * 180 / math.Pi }),
		doubleFn("RADIANS", "Converts degrees to radians.", "RADIANS(180) = 3.141592653589793", func(x float64) float64 { return x / 180 * math.Pi }),
		fn("PI", CategoryMath, "Returns π.", "PI() = 3.141592653589793",
			sig(doubleT, i0(func() (types.Value, error) { return math.Pi, nil }))),
		fn("RANDOM", CategoryMath, "Returns a random DOUBLE in [0, 1).", "RANDOM() = 0.7213...",
			sig(doubleT, i0(func() (types.Value, error) { return rand.Float64(), nil }))),
		greatestLeast("GREATEST", "Returns the largest non-NULL argument (NULL if all are NULL).", "GREATEST(1, NULL, 3) = 3", 1),
		greatestLeast("LEAST", "Returns the smallest non-NULL argument (NULL if all are NULL).", "LEAST(1, NULL, 3) = 1", -1),
		fn("GEO_DISTANCE", CategoryMath, "Returns the great-circle distance between two latitude/longitude points, in KM (default) or MI.",
			"GEO_DISTANCE(37.4439, -122.1663, 51.5257, -0.1122) = 8634.659796579546",
			sig(doubleT, iN(geoDistance), P("lat1", tDouble), P("lon1", tDouble), P("lat2", tDouble), P("lon2", tDouble)),
			sig(doubleT, iN(geoDistance), P("lat1", tDouble), P("lon1", tDouble), P("lat2", tDouble), P("lon2", tDouble), P("unit", tString))),
	)
}

func identity(a types.Value) (types.Value, error) { return a, nil }

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// javaMathRound is Math.round(double): the closest long, ties toward positive infinity, NaN 0.
func javaMathRound(x float64) int64 {
	if math.IsNaN(x) {
		return 0
	}
	r := math.Floor(x)
	if x-r >= 0.5 {
		r++
	}
	return javaD2L(r)
}

func logBase(b, v float64) float64 {
	if b <= 0 || b == 1 || v < 0 || math.IsNaN(b) || math.IsNaN(v) {
		return math.NaN()
	}
	if v == 0 {
		return math.Inf(-1)
	}
	return math.Log(v) / math.Log(b)
}

type roundMode uint8

const (
	// roundHalfUpPositive is ksqlDB's ROUND: HALF_UP for positive values, HALF_DOWN otherwise,
	// so that halves always go toward positive infinity.
	roundHalfUpPositive roundMode = iota
	roundDown
)

// roundDecimal is BigDecimal.setScale(places, mode). It works on d shifted by places so that
// a negative places (rounding left of the point) works too: shopspring's Truncate ignores a
// negative precision.
func roundDecimal(d decimal.Decimal, places int32, mode roundMode) decimal.Decimal {
	s := d.Shift(places)
	t := s.Truncate(0)
	switch {
	case mode == roundDown:
	case s.Sign() > 0:
		t = s.Round(0)
	case s.Sub(t).Abs().GreaterThan(decimal.New(5, -1)):
		t = t.Sub(decimal.New(1, 0))
	}
	return t.Shift(-places)
}

// roundDouble rounds BigDecimal.valueOf(x) (its Double.toString form) and converts back.
func roundDouble(x float64, places int32, mode roundMode) (types.Value, error) {
	d, err := bigDecimalOf(x)
	if err != nil {
		return nil, err
	}
	return roundDecimal(d, places, mode).InexactFloat64(), nil
}

// greatestLeast declares GREATEST/LEAST: one overload per comparable type, each
// (T, T...), as ksqlDB has; NULLs are ignored.
func greatestLeast(name, desc, ex string, want int) *Func {
	pick := func(cmp func(a, b types.Value) int) func(args []types.Value) (types.Value, error) {
		return func(args []types.Value) (types.Value, error) {
			var best types.Value
			for _, a := range args {
				if a != nil && (best == nil || cmp(a, best)*want > 0) {
					best = a
				}
			}
			return best, nil
		}
	}
	simple := func(p ParamType, cmp func(a, b types.Value) int) *Signature {
		return variadic(sig(p.t, iN(pick(cmp)), P("val", p), P("vals", p)))
	}
	num := func(a, b types.Value) int {
		switch x := a.(type) {
		case int32:
			return cmpOrdered(x, b.(int32))
		case int64:
			return cmpOrdered(x, b.(int64))
		case float64:
			return cmpOrdered(x, b.(float64))
		case types.TimestampMillis:
			return cmpOrdered(x, b.(types.TimestampMillis))
		case types.DateDays:
			return cmpOrdered(x, b.(types.DateDays))
		case types.TimeMillis:
			return cmpOrdered(x, b.(types.TimeMillis))
		}
		return 0
	}
	dec := variadic(sigRule("DECIMAL (widest of the arguments)", func(args []types.Type, _ bindings) (types.Type, error) {
		t := args[0]
		for _, a := range args[1:] {
			if a.Kind == types.Decimal {
				t = widenDecimal(t, a)
			}
		}
		return t, nil
	}, func(_ []types.Type, ret types.Type) impl {
		f := pick(func(a, b types.Value) int { return a.(decimal.Decimal).Cmp(b.(decimal.Decimal)) })
		return impl{fn: func(args []types.Value) (types.Value, error) {
			v, err := f(args)
			if v == nil || err != nil {
				return v, err
			}
			return rescale(v.(decimal.Decimal), ret.Scale), nil
		}}
	}, P("val", tDecimal), P("vals", tDecimal)))
	return fn(name, CategoryMath, desc, ex,
		simple(tInt, num), simple(tBigint, num), simple(tDouble, num), dec,
		simple(tString, func(a, b types.Value) int { return javaCompareStrings(a.(string), b.(string)) }),
		simple(tBytes, func(a, b types.Value) int { return javaCompareBytes(a.([]byte), b.([]byte)) }),
		simple(tDate, num), simple(tTime, num), simple(tTimestamp, num))
}

func cmpOrdered[T ~int32 | ~int64 | ~float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// geoDistance is ksqlDB's GeoDistance: the haversine formula on a sphere of radius 6371 km or
// 3959 miles.
func geoDistance(args []types.Value) (types.Value, error) {
	for _, a := range args[:4] {
		if a == nil {
			return nil, nil
		}
	}
	radius := 6371.0
	if len(args) == 5 {
		// A NULL or blank unit means kilometers.
		u, _ := args[4].(string)
		switch strings.ToLower(strings.TrimSpace(u)) {
		case "", "km", "kilometer", "kilometers", "kilometre", "kilometres":
		case "mi", "mile", "miles":
			radius = 3959
		default:
			return nil, fnError("GEO_DISTANCE", "GeoDistance function units parameter must be one of mi, mile, miles, km, kilometer, kilometers, kilometre or kilometres. Values are case-insensitive.")
		}
	}
	lat1, lon1, lat2, lon2 := args[0].(float64), args[1].(float64), args[2].(float64), args[3].(float64)
	for _, lat := range []float64{lat1, lat2} {
		if lat < -90 || lat > 90 {
			return nil, fnError("GEO_DISTANCE", "valid latitude values for GeoDistance function are in the range of -90 to 90 decimal degrees")
		}
	}
	for _, lon := range []float64{lon1, lon2} {
		if lon < -180 || lon > 180 {
			return nil, fnError("GEO_DISTANCE", "valid longitude values for GeoDistance function are in the range of -180 to +180 decimal degrees")
		}
	}
	dLat := toRadians(lat2 - lat1)
	dLon := toRadians(lon2 - lon1)
	a := math.Pow(math.Sin(dLat/2), 2) +
		math.Pow(math.Sin(dLon/2), 2)*math.Cos(toRadians(lat1))*math.Cos(toRadians(lat2))
	c := 2 * math.Asin(math.Sqrt(a))
	return radius * c, nil
}

// toRadians is Math.toRadians (JDK 9+): a multiplication by the rounded constant.
func toRadians(x float64) float64 { return x * 0.017453292519943295 }
