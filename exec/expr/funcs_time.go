package expr

import (
	"strings"
	"time"

	"github.com/streamsql/streamsql/types"
)

// --- interval units (TIMESTAMPADD(SECONDS, 5, ts)) -------------------------------------------

type unitNode struct {
	name string
	ms   int64 // milliseconds per unit; 0 for sub-millisecond units
	div  int64 // units per millisecond, for NANOSECONDS and MICROSECONDS
}

var timeUnits = map[string]unitNode{
	"NANOSECONDS": {div: 1000000}, "MICROSECONDS": {div: 1000}, "MILLISECONDS": {ms: 1},
	"SECONDS": {ms: 1000}, "MINUTES": {ms: 60000}, "HOURS": {ms: 3600000}, "DAYS": {ms: msPerDay},
}

// IntervalUnit is the unit argument of TIMESTAMPADD, TIMESTAMPSUB, DATEADD, DATESUB, TIMEADD
// and TIMESUB: a bare identifier naming a java.util.concurrent.TimeUnit (NANOSECONDS ...
// DAYS, singular accepted). The planner passes it where such an argument is a bare word.
func IntervalUnit(name string) (Expr, error) {
	n := strings.ToUpper(name)
	u, ok := timeUnits[n]
	if !ok {
		u, ok = timeUnits[n+"S"]
		n += "S"
	}
	if !ok {
		return nil, types.Errorf(types.CodeInvalidParameter, "Unknown time unit: '%s'", name)
	}
	u.name = n
	return &u, nil
}

func (u *unitNode) Type() types.Type                    { return types.Type{} }
func (u *unitNode) String() string                      { return u.name }
func (u *unitNode) Eval(types.Row) (types.Value, error) { return u.name, nil }
func (u *unitNode) toMillis(n int64) int64 {
	if u.div != 0 {
		return n / u.div
	}
	return n * u.ms
}

var (
	timestampT = types.TimestampType
	dateT      = types.DateType
	timeT      = types.TimeType
)

func init() {
	fmtTS := func(name string, toTime func(types.Value) time.Time) implBuilder {
		return iN(func(args []types.Value) (types.Value, error) {
			if args[0] == nil || args[1] == nil {
				return nil, nil
			}
			loc := time.UTC
			if len(args) == 3 {
				z, ok := args[2].(string)
				if !ok {
					return nil, nil
				}
				l, err := loadZone(z)
				if err != nil {
					return nil, fnError(name, "%v", err)
				}
				loc = l
			}
			jp, err := compileJavaPattern(args[1].(string))
			if err != nil {
				return nil, fnError(name, "%v", err)
			}
			return jp.format(toTime(args[0]).In(loc)), nil
		})
	}
	parseTS := func(name string, wrap func(int64) types.Value) implBuilder {
		return iN(func(args []types.Value) (types.Value, error) {
			if args[0] == nil || args[1] == nil {
				return nil, nil
			}
			loc := time.UTC
			if len(args) == 3 {
				z, ok := args[2].(string)
				if !ok {
					return nil, nil
				}
				l, err := loadZone(z)
				if err != nil {
					return nil, fnError(name, "%v", err)
				}
				loc = l
			}
			t, err := parseWith(name, args[0].(string), args[1].(string), loc)
			if err != nil {
				return nil, err
			}
			return wrap(t.UnixMilli()), nil
		})
	}
	tsOf := func(v types.Value) time.Time { return time.UnixMilli(int64(v.(types.TimestampMillis))) }
	msOf := func(v types.Value) time.Time { return time.UnixMilli(v.(int64)) }
	asTS := func(ms int64) types.Value { return types.TimestampMillis(ms) }
	asMS := func(ms int64) types.Value { return ms }
	fmtParams := func(first Param, zone bool) []Param {
		ps := []Param{first, P("formatPattern", tString)}
		if zone {
			ps = append(ps, P("timeZone", tString))
		}
		return ps
	}
	register(
		fn("FORMAT_TIMESTAMP", CategoryDateTime, "Formats a TIMESTAMP with a java.time DateTimeFormatter pattern, in UTC or the given time zone.",
			"FORMAT_TIMESTAMP(ts, 'yyyy-MM-dd HH:mm:ss') = '2018-05-11 21:58:33'",
			sig(stringT, fmtTS("FORMAT_TIMESTAMP", tsOf), fmtParams(P("timestamp", tTimestamp), false)...),
			sig(stringT, fmtTS("FORMAT_TIMESTAMP", tsOf), fmtParams(P("timestamp", tTimestamp), true)...)),
		fn("PARSE_TIMESTAMP", CategoryDateTime, "Parses a string with a DateTimeFormatter pattern into a TIMESTAMP, in UTC or the given time zone unless the text has its own.",
			"PARSE_TIMESTAMP('2018-05-11 21:58:33', 'yyyy-MM-dd HH:mm:ss') = 1526075913000",
			sig(timestampT, parseTS("PARSE_TIMESTAMP", asTS), fmtParams(P("formattedTimestamp", tString), false)...),
			sig(timestampT, parseTS("PARSE_TIMESTAMP", asTS), fmtParams(P("formattedTimestamp", tString), true)...)),
		fn("TIMESTAMPTOSTRING", CategoryDateTime, "Formats epoch milliseconds (BIGINT) with a DateTimeFormatter pattern, in UTC or the given time zone.",
			"TIMESTAMPTOSTRING(1526075913000, 'yyyy-MM-dd HH:mm:ss zzz', 'America/Los_Angeles') = '2018-05-11 14:58:33 PDT'",
			sig(stringT, fmtTS("TIMESTAMPTOSTRING", msOf), fmtParams(P("epochMilli", tBigint), false)...),
			sig(stringT, fmtTS("TIMESTAMPTOSTRING", msOf), fmtParams(P("epochMilli", tBigint), true)...)),
		fn("STRINGTOTIMESTAMP", CategoryDateTime, "Parses a string with a DateTimeFormatter pattern into epoch milliseconds (BIGINT).",
			"STRINGTOTIMESTAMP('2018-05-11T21:58:33Z', 'yyyy-MM-dd''T''HH:mm:ssX') = 1526075913000",
			sig(bigintT, parseTS("STRINGTOTIMESTAMP", asMS), fmtParams(P("formattedTimestamp", tString), false)...),
			sig(bigintT, parseTS("STRINGTOTIMESTAMP", asMS), fmtParams(P("formattedTimestamp", tString), true)...)),
		fn("FORMAT_DATE", CategoryDateTime, "Formats a DATE with a DateTimeFormatter pattern.", "FORMAT_DATE(d, 'dd/MM/yyyy') = '11/05/2018'",
			sig(stringT, i2(strict2(func(d, p types.Value) (types.Value, error) {
				return formatDays("FORMAT_DATE", int64(d.(types.DateDays)), p.(string))
			})), P("date", tDate), P("formatPattern", tString))),
		fn("PARSE_DATE", CategoryDateTime, "Parses a string with a DateTimeFormatter pattern into a DATE; the pattern must not have time fields.",
			"PARSE_DATE('2018-05-11', 'yyyy-MM-dd') = 17662",
			sig(dateT, i2(strict2(func(s, p types.Value) (types.Value, error) {
				d, err := parseDays("PARSE_DATE", s.(string), p.(string))
				if err != nil {
					return nil, err
				}
				return types.DateDays(d), nil
			})), P("formattedDate", tString), P("formatPattern", tString))),
		fn("DATETOSTRING", CategoryDateTime, "Formats days since the epoch (INT) with a DateTimeFormatter pattern.", "DATETOSTRING(17662, 'yyyy-MM-dd') = '2018-05-11'",
			sig(stringT, i2(strict2(func(d, p types.Value) (types.Value, error) {
				return formatDays("DATETOSTRING", int64(d.(int32)), p.(string))
			})), P("epochDays", tInt), P("formatPattern", tString))),
		fn("STRINGTODATE", CategoryDateTime, "Parses a string with a DateTimeFormatter pattern into days since the epoch (INT).", "STRINGTODATE('2018-05-11', 'yyyy-MM-dd') = 17662",
			sig(intT, i2(strict2(func(s, p types.Value) (types.Value, error) {
				d, err := parseDays("STRINGTODATE", s.(string), p.(string))
				if err != nil {
					return nil, err
				}
				return int32(d), nil
			})), P("formattedDate", tString), P("formatPattern", tString))),
		fn("FORMAT_TIME", CategoryDateTime, "Formats a TIME with a DateTimeFormatter pattern.", "FORMAT_TIME(t, 'HH:mm') = '10:30'",
			sig(stringT, i2(strict2(func(t, p types.Value) (types.Value, error) {
				jp, err := compileJavaPattern(p.(string))
				if err != nil {
					return nil, fnError("FORMAT_TIME", "%v", err)
				}
				if jp.hasDate {
					return nil, fnError("FORMAT_TIME", "Time format contains date field.")
				}
				return jp.format(time.UnixMilli(int64(t.(types.TimeMillis))).UTC()), nil
			})), P("time", tTime), P("formatPattern", tString))),
		fn("PARSE_TIME", CategoryDateTime, "Parses a string with a DateTimeFormatter pattern into a TIME; the pattern must not have date fields.",
			"PARSE_TIME('10:30:00', 'HH:mm:ss') = 37800000",
			sig(timeT, i2(strict2(func(s, p types.Value) (types.Value, error) {
				jp, err := compileJavaPattern(p.(string))
				if err != nil {
					return nil, fnError("PARSE_TIME", "%v", err)
				}
				if jp.hasDate {
					return nil, fnError("PARSE_TIME", "Time format contains date field.")
				}
				t, err := parseWith("PARSE_TIME", s.(string), p.(string), time.UTC)
				if err != nil {
					return nil, err
				}
				return types.TimeMillis(floorMod(t.UnixMilli(), msPerDay)), nil
			})), P("formattedTime", tString), P("formatPattern", tString))),
		fn("UNIX_TIMESTAMP", CategoryDateTime, "Returns the current time, or a TIMESTAMP, as epoch milliseconds.", "UNIX_TIMESTAMP() = 1589234313000",
			sig(bigintT, i0(func() (types.Value, error) { return time.Now().UnixMilli(), nil })),
			sig(bigintT, i1(strict1(func(a types.Value) (types.Value, error) { return int64(a.(types.TimestampMillis)), nil })), P("timestamp", tTimestamp))),
		fn("UNIX_DATE", CategoryDateTime, "Returns today, or a DATE, as days since the epoch.", "UNIX_DATE() = 18393",
			sig(intT, i0(func() (types.Value, error) { return int32(floorDiv(time.Now().UnixMilli(), msPerDay)), nil })),
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) { return int32(a.(types.DateDays)), nil })), P("date", tDate))),
		fn("FROM_UNIXTIME", CategoryDateTime, "Converts epoch milliseconds to a TIMESTAMP.", "FROM_UNIXTIME(100) = 1970-01-01T00:00:00.100",
			sig(timestampT, i1(strict1(func(a types.Value) (types.Value, error) { return types.TimestampMillis(a.(int64)), nil })), P("epochMilli", tBigint))),
		fn("EXTRACT", CategoryDateTime, "Returns a field of a TIMESTAMP or DATE as a DOUBLE, as Postgres' EXTRACT(field FROM x) does (BI tools such as Grafana send it): EPOCH (seconds since 1970, with milliseconds as a fraction), YEAR, QUARTER, MONTH, WEEK, DAY, DOW (0 = Sunday), ISODOW, DOY, HOUR, MINUTE, SECOND (with the fraction), MILLISECONDS; in UTC.",
			"EXTRACT(EPOCH FROM FROM_UNIXTIME(1500)) = 1.5",
			sig(doubleT, i2(strict2(func(f, a types.Value) (types.Value, error) {
				return extractField(f.(string), a.(types.TimestampMillis).Time())
			})), P("field", tString), P("timestamp", tTimestamp)),
			sig(doubleT, i2(strict2(func(f, a types.Value) (types.Value, error) {
				return extractField(f.(string), time.UnixMilli(int64(a.(types.DateDays))*msPerDay).UTC())
			})), P("field", tString), P("date", tDate))),
		fn("FROM_DAYS", CategoryDateTime, "Converts days since the epoch to a DATE.", "FROM_DAYS(17662) = 2018-05-11",
			sig(dateT, i1(strict1(func(a types.Value) (types.Value, error) { return types.DateDays(a.(int32)), nil })), P("days", tInt))),
		fn("CONVERT_TZ", CategoryDateTime, "Shifts a TIMESTAMP by the difference between two time zones' offsets at that instant.",
			"CONVERT_TZ(ts, 'America/Los_Angeles', 'America/New_York') = ts + 3h",
			sig(timestampT, i3(strict3(convertTZ)), P("timestamp", tTimestamp), P("fromTimeZone", tString), P("toTimeZone", tString))),
		addSub("TIMESTAMPADD", "Adds an interval (unit, amount) to a TIMESTAMP.", "TIMESTAMPADD(SECONDS, 5, ts)", tTimestamp, timestampT, 1),
		addSub("TIMESTAMPSUB", "Subtracts an interval (unit, amount) from a TIMESTAMP.", "TIMESTAMPSUB(SECONDS, 5, ts)", tTimestamp, timestampT, -1),
		addSub("DATEADD", "Adds an interval (unit, amount) to a DATE; units finer than days are truncated to days.", "DATEADD(DAYS, 10, d)", tDate, dateT, 1),
		addSub("DATESUB", "Subtracts an interval (unit, amount) from a DATE.", "DATESUB(DAYS, 10, d)", tDate, dateT, -1),
		addSub("TIMEADD", "Adds an interval (unit, amount) to a TIME, wrapping around midnight.", "TIMEADD(HOURS, 1, t)", tTime, timeT, 1),
		addSub("TIMESUB", "Subtracts an interval (unit, amount) from a TIME, wrapping around midnight.", "TIMESUB(MILLISECONDS, 10, t)", tTime, timeT, -1),
	)
}

// parseWith parses s with a DateTimeFormatter pattern in loc.
func parseWith(name, s, pattern string, loc *time.Location) (time.Time, error) {
	return parseWithMode(name, s, pattern, loc, false)
}

func parseWithMode(name, s, pattern string, loc *time.Location, prefixOnly bool) (time.Time, error) {
	jp, err := compileJavaPattern(pattern)
	if err != nil {
		return time.Time{}, fnError(name, "%v", err)
	}
	p, err := jp.parseText(s, prefixOnly)
	if err != nil {
		return time.Time{}, fnError(name, "Failed to parse '%s' with formatter '%s': %v", s, pattern, err)
	}
	t, err := p.resolve(loc, s)
	if err != nil {
		return time.Time{}, fnError(name, "Failed to parse '%s' with formatter '%s': %v", s, pattern, err)
	}
	return t, nil
}

func formatDays(name string, days int64, pattern string) (types.Value, error) {
	jp, err := compileJavaPattern(pattern)
	if err != nil {
		return nil, fnError(name, "%v", err)
	}
	if jp.hasTime {
		return nil, fnError(name, "Date format contains time field.")
	}
	return jp.format(time.Unix(days*86400, 0).UTC()), nil
}

func parseDays(name, s, pattern string) (int64, error) {
	jp, err := compileJavaPattern(pattern)
	if err != nil {
		return 0, fnError(name, "%v", err)
	}
	if jp.hasTime {
		return 0, fnError(name, "Failed to parse date '%s' with formatter '%s': Date format contains time field.", s, pattern)
	}
	// PARSE_DATE reads a prefix, as ksqlDB's (java.text) implementation does:
	// PARSE_DATE('2003-12-24-01-01', 'yyyy-MM-dd') is 2003-12-24.
	t, err := parseWithMode(name, s, pattern, time.UTC, name == "PARSE_DATE")
	if err != nil {
		return 0, err
	}
	return floorDiv(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).UnixMilli(), msPerDay), nil
}

func convertTZ(tsv, fromv, tov types.Value) (types.Value, error) {
	from, err := loadZone(fromv.(string))
	if err != nil {
		return nil, fnError("CONVERT_TZ", "%v", err)
	}
	to, err := loadZone(tov.(string))
	if err != nil {
		return nil, fnError("CONVERT_TZ", "%v", err)
	}
	ms := int64(tsv.(types.TimestampMillis))
	t := time.UnixMilli(ms)
	_, fo := t.In(from).Zone()
	_, tof := t.In(to).Zone()
	return types.TimestampMillis(ms + int64(tof-fo)*1000), nil
}

// addSub declares TIMESTAMPADD and friends: (unit, INT amount, value); NULL amount or value
// gives NULL.
func addSub(name, desc, ex string, p ParamType, t types.Type, dir int64) *Func {
	return fn(name, CategoryDateTime, desc, ex,
		sig(t, func([]types.Type, types.Type) impl {
			return impl{lazy: func(row types.Row, args []Expr) (types.Value, error) {
				u := args[0].(*unitNode)
				nv, err := args[1].Eval(row)
				if err != nil || nv == nil {
					return nil, err
				}
				v, err := args[2].Eval(row)
				if err != nil || v == nil {
					return nil, err
				}
				n := dir * int64(nv.(int32))
				switch x := v.(type) {
				case types.TimestampMillis:
					return x + types.TimestampMillis(u.toMillis(n)), nil
				case types.DateDays:
					return x + types.DateDays(u.toMillis(n)/msPerDay), nil
				case types.TimeMillis:
					return types.TimeMillis(floorMod(int64(x)+u.toMillis(n), msPerDay)), nil
				}
				return nil, internalTypeError(v, t)
			}}
		}, P("unit", tUnit), P("interval", tInt), P("value", p)))
}

// extractField is Postgres' EXTRACT over a UTC time.
func extractField(field string, t time.Time) (types.Value, error) {
	switch strings.ToUpper(field) {
	case "EPOCH":
		return float64(t.UnixMilli()) / 1000, nil
	case "YEAR":
		return float64(t.Year()), nil
	case "QUARTER":
		return float64((int(t.Month())-1)/3 + 1), nil
	case "MONTH":
		return float64(t.Month()), nil
	case "WEEK":
		_, w := t.ISOWeek()
		return float64(w), nil
	case "DAY":
		return float64(t.Day()), nil
	case "DOW":
		return float64(t.Weekday()), nil
	case "ISODOW":
		d := int(t.Weekday())
		if d == 0 {
			d = 7
		}
		return float64(d), nil
	case "DOY":
		return float64(t.YearDay()), nil
	case "HOUR":
		return float64(t.Hour()), nil
	case "MINUTE":
		return float64(t.Minute()), nil
	case "SECOND":
		return float64(t.Second()) + float64(t.Nanosecond()/1e6)/1000, nil
	case "MILLISECONDS":
		return float64(t.Second()*1000 + t.Nanosecond()/1e6), nil
	}
	return nil, evalErrorf(types.CodeInvalidParameter, "EXTRACT: unknown field '%s'", field)
}
