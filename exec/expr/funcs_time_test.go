package expr

import (
	"testing"
	"time"

	"github.com/streamsql/streamsql/types"
	"github.com/stretchr/testify/require"
)

const ts20180511 = types.TimestampMillis(1526075913000) // 2018-05-11T21:58:33Z

func init() {
	timeCases = []fc{
		// ksqlDB's convert-tz.json.
		{fn: "CONVERT_TZ", args: arr(types.TimestampMillis(100), "+0200", "+0500"), want: types.TimestampMillis(10800100)},
		{fn: "CONVERT_TZ", args: arr(types.TimestampMillis(1589234313000), "America/Los_Angeles", "America/New_York"), want: types.TimestampMillis(1589245113000)},
		{fn: "CONVERT_TZ", args: arr(nTs, "UTC", "UTC"), want: nil},
		{fn: "CONVERT_TZ", args: arr(types.TimestampMillis(0), "UTC", "Nowhere/Special"), err: "Nowhere/Special", edge: true},
		{fn: "CONVERT_TZ", args: arr(1, "UTC", "UTC"), code: noSig},
		{fn: "DATEADD", args: arr(unit("DAYS"), 2, types.DateDays(10)), want: types.DateDays(12)},
		{fn: "DATEADD", args: arr(unit("DAYS"), nInt, types.DateDays(10)), want: nil},
		{fn: "DATEADD", args: arr(unit("DAYS"), 1, nDate), want: nil},
		{fn: "DATEADD", args: arr(unit("HOURS"), 48, types.DateDays(0)), want: types.DateDays(2), edge: true},
		{fn: "DATEADD", args: arr(unit("DAYS"), -1, "1970-01-01"), want: types.DateDays(-1), edge: true}, // STRING → DATE
		{fn: "DATEADD", args: arr("DAYS", 1, types.DateDays(0)), code: noSig},
		{fn: "DATEADD", args: arr(unit("DAYS"), 1, true), code: noSig},
		{fn: "DATESUB", args: arr(unit("DAYS"), 2, types.DateDays(10)), want: types.DateDays(8)},
		{fn: "DATESUB", args: arr(unit("DAYS"), 2, nDate), want: nil},
		{fn: "DATESUB", args: arr(unit("DAYS"), -2, types.DateDays(0)), want: types.DateDays(2), edge: true},
		{fn: "DATESUB", args: arr(unit("DAYS"), 1.5, types.DateDays(0)), code: noSig},
		// ksqlDB's datestring.json and format-date.json.
		{fn: "DATETOSTRING", args: arr(17662, "yyyy-MM-dd"), want: "2018-05-11"},
		{fn: "DATETOSTRING", args: arr(18993, "dd-MMM-yyyy"), want: "01-Jan-2022"},
		{fn: "DATETOSTRING", args: arr(nInt, "yyyy"), want: nil},
		{fn: "DATETOSTRING", args: arr(-1, "dd-MM-yyyy'Sophia'"), want: "31-12-1969Sophia", edge: true},
		{fn: "DATETOSTRING", args: arr(types.DateDays(1), "yyyy"), code: noSig},
		{fn: "FORMAT_DATE", args: arr(types.DateDays(18027), "dd/MM/yyyy"), want: "11/05/2019"},
		{fn: "FORMAT_DATE", args: arr(nDate, "dd/MM/yyyy"), want: nil},
		{fn: "FORMAT_DATE", args: arr(types.DateDays(0), "dd-MM-yyyy"), want: "01-01-1970", edge: true},
		{fn: "FORMAT_DATE", args: arr(types.DateDays(0), "yyyy-MM-dd HH"), err: "Date format contains time field", edge: true},
		{fn: "FORMAT_DATE", args: arr(17662, "yyyy"), code: noSig},
		// ksqlDB's format-time.json.
		{fn: "FORMAT_TIME", args: arr(types.TimeMillis(65000), "HH_mm_ss_SSS"), want: "00_01_05_000"},
		{fn: "FORMAT_TIME", args: arr(types.TimeMillis(1234567), "HHmmss'AAAAA'"), want: "002034AAAAA"},
		{fn: "FORMAT_TIME", args: arr(nTime, "HH:mm:ss"), want: nil},
		{fn: "FORMAT_TIME", args: arr(types.TimeMillis(0), "HH:mm:ss"), want: "00:00:00", edge: true},
		{fn: "FORMAT_TIME", args: arr(65000, "HH"), code: noSig},
		// ksqlDB's timestamp-to-string.json.
		{fn: "FORMAT_TIMESTAMP", args: arr(ts20180511, "yyyy-MM-dd HH:mm:ss"), want: "2018-05-11 21:58:33"},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts20180511, "yyyy-MM-dd HH:mm:ss zzz", "America/Los_Angeles"), want: "2018-05-11 14:58:33 PDT"},
		{fn: "FORMAT_TIMESTAMP", args: arr(nTs, "yyyy"), want: nil},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts20180511, "yyyy-MM-dd HH:mm:ss zzz", "Europe/London"), want: "2018-05-11 22:58:33 BST", edge: true},
		{fn: "FORMAT_TIMESTAMP", args: arr(types.TimestampMillis(-1), "yyyy-MM-dd HH:mm:ss.SSS"), want: "1969-12-31 23:59:59.999", edge: true},
		{fn: "FORMAT_TIMESTAMP", args: arr(int64(0), "yyyy"), code: noSig},
		{fn: "TIMESTAMPTOSTRING", args: arr(int64(1526075913000), "yyyy-MM-dd HH:mm:ss"), want: "2018-05-11 21:58:33"},
		{fn: "TIMESTAMPTOSTRING", args: arr(int64(1526075913000), "HH:mm zzz", "Europe/London"), want: "22:58 BST"},
		{fn: "TIMESTAMPTOSTRING", args: arr(nBig, "yyyy"), want: nil},
		{fn: "TIMESTAMPTOSTRING", args: arr(int64(0), "yyyy", "Not/AZone"), err: "Not/AZone", edge: true},
		{fn: "TIMESTAMPTOSTRING", args: arr("0", "yyyy"), code: noSig},
		{fn: "FROM_DAYS", args: arr(17662), want: types.DateDays(17662)},
		{fn: "FROM_DAYS", args: arr(nInt), want: nil},
		{fn: "FROM_DAYS", args: arr(-1), want: types.DateDays(-1), edge: true},
		{fn: "FROM_DAYS", args: arr("1"), code: noSig},
		{fn: "EXTRACT", args: arr("EPOCH", types.TimestampMillis(1500)), want: 1.5},
		{fn: "EXTRACT", args: arr("epoch", types.TimestampMillis(-1500)), want: -1.5, edge: true},
		{fn: "EXTRACT", args: arr("YEAR", types.TimestampMillis(1589234313000)), want: 2020.0},
		{fn: "EXTRACT", args: arr("DOW", types.TimestampMillis(1589234313000)), want: 1.0}, // a Monday
		{fn: "EXTRACT", args: arr("SECOND", types.TimestampMillis(1589234313250)), want: 33.25},
		{fn: "EXTRACT", args: arr("DAY", types.DateDays(18393)), want: 11.0},
		{fn: "EXTRACT", args: arr("EPOCH", nTs), want: nil},
		{fn: "EXTRACT", args: arr("CENTURYX", types.TimestampMillis(0)), err: "unknown field"},
		{fn: "EXTRACT", args: arr("EPOCH", true), code: noSig},
		// ksqlDB's from-unixtime.json.
		{fn: "FROM_UNIXTIME", args: arr(int64(1589234313000)), want: types.TimestampMillis(1589234313000)},
		{fn: "FROM_UNIXTIME", args: arr(100), want: types.TimestampMillis(100)}, // INT → BIGINT
		{fn: "FROM_UNIXTIME", args: arr(nBig), want: nil},
		{fn: "FROM_UNIXTIME", args: arr(int64(-1)), want: types.TimestampMillis(-1), edge: true},
		{fn: "FROM_UNIXTIME", args: arr(1.5), code: noSig},
		// ksqlDB's parse-date.json, parse-time.json, stringdate.json, stringtimestamp.json.
		{fn: "PARSE_DATE", args: arr("2018-05-11Lit", "yyyy-MM-dd'Lit'"), want: types.DateDays(17662)},
		{fn: "PARSE_DATE", args: arr("01-JAN-2022", "dd-MMM-yyyy"), want: types.DateDays(18993)},
		{fn: "PARSE_DATE", args: arr(nStr, "yyyy"), want: nil},
		{fn: "PARSE_DATE", args: arr("JAN-2022", "MMM-yyyy"), want: types.DateDays(18993), edge: true},
		{fn: "PARSE_DATE", args: arr("abcd", "yyyy-MM-dd"), err: "abcd", edge: true},
		// Like ksqlDB (java.text parsing), PARSE_DATE ignores text after the pattern.
		{fn: "PARSE_DATE", args: arr("2003-12-24-01-01", "yyyy-MM-dd"), want: types.DateDays(12410), edge: true},
		{fn: "PARSE_DATE", args: arr(1, "yyyy"), code: noSig},
		{fn: "PARSE_TIME", args: arr("00:01:05Lit", "HH:mm:ss'Lit'"), want: types.TimeMillis(65000)},
		{fn: "PARSE_TIME", args: arr("01:00:00 Pm", "hh:mm:ss a"), want: types.TimeMillis(46800000)},
		{fn: "PARSE_TIME", args: arr("11/05/19", nStr), want: nil},
		{fn: "PARSE_TIME", args: arr("11/05/19", "HH/mm/ss"), want: types.TimeMillis(39919000), edge: true},
		{fn: "PARSE_TIME", args: arr("25:00", "HH:mm"), err: "25:00", edge: true},
		{fn: "PARSE_TIME", args: arr(types.TimeMillis(0), "HH"), code: noSig},
		{fn: "PARSE_TIMESTAMP", args: arr("2018-05-11T21:58:33 PST", "yyyy-MM-dd'T'HH:mm:ss zzz"), want: types.TimestampMillis(1526101113000)},
		{fn: "PARSE_TIMESTAMP", args: arr("2018-05-11 14:58:33", "yyyy-MM-dd HH:mm:ss", "America/Los_Angeles"), want: ts20180511},
		{fn: "PARSE_TIMESTAMP", args: arr(nStr, "yyyy"), want: nil},
		{fn: "PARSE_TIMESTAMP", args: arr("2019-08-27T13:31:09.2+0000", "yyyy-MM-dd'T'HH:mm:ss.SX"), want: types.TimestampMillis(1566912669200), edge: true},
		{fn: "PARSE_TIMESTAMP", args: arr("2018", "yyyy-MM"), err: "2018", edge: true},
		{fn: "PARSE_TIMESTAMP", args: arr(int64(0), "yyyy"), code: noSig},
		{fn: "STRINGTODATE", args: arr("11/05/2019", "dd/MM/yyyy"), want: int32(18027)},
		{fn: "STRINGTODATE", args: arr(nStr, "dd/MM/yyyy"), want: nil},
		{fn: "STRINGTODATE", args: arr("01-01-1970", "dd-MM-yyyy"), want: int32(0), edge: true},
		{fn: "STRINGTODATE", args: arr("foo", "yyyyMMdd"), err: "foo", edge: true},
		{fn: "STRINGTODATE", args: arr(types.DateDays(0), "yyyy"), code: noSig},
		{fn: "STRINGTOTIMESTAMP", args: arr("2018-05-11T21:58:33Z", "yyyy-MM-dd'T'HH:mm:ssX"), want: int64(1526075913000)},
		{fn: "STRINGTOTIMESTAMP", args: arr("2018-05-11 14:58:33", "yyyy-MM-dd HH:mm:ss", "America/Los_Angeles"), want: int64(1526075913000)},
		{fn: "STRINGTOTIMESTAMP", args: arr("2018", nStr), want: nil},
		{fn: "STRINGTOTIMESTAMP", args: arr("1970-01-01", "yyyy-MM-dd"), want: int64(0), edge: true},
		{fn: "STRINGTOTIMESTAMP", args: arr(1, "yyyy"), code: noSig},
		{fn: "TIMEADD", args: arr(unit("SECONDS"), 5, types.TimeMillis(1000)), want: types.TimeMillis(6000)},
		{fn: "TIMEADD", args: arr(unit("SECONDS"), 5, nTime), want: nil},
		{fn: "TIMEADD", args: arr(unit("HOURS"), 25, types.TimeMillis(0)), want: types.TimeMillis(3600000), edge: true}, // wraps at midnight
		{fn: "TIMEADD", args: arr(unit("SECONDS"), 5, types.TimestampMillis(0)), code: noSig},
		{fn: "TIMESUB", args: arr(unit("MINUTES"), 1, types.TimeMillis(120000)), want: types.TimeMillis(60000)},
		{fn: "TIMESUB", args: arr(unit("MINUTES"), nInt, types.TimeMillis(0)), want: nil},
		{fn: "TIMESUB", args: arr(unit("MILLISECONDS"), 1, types.TimeMillis(0)), want: types.TimeMillis(86399999), edge: true},
		{fn: "TIMESUB", args: arr(unit("MINUTES"), "1", types.TimeMillis(0)), code: noSig},
		{fn: "TIMESTAMPADD", args: arr(unit("SECONDS"), 5, types.TimestampMillis(1000)), want: types.TimestampMillis(6000)},
		{fn: "TIMESTAMPADD", args: arr(unit("DAYS"), 1, nTs), want: nil},
		{fn: "TIMESTAMPADD", args: arr(unit("MILLISECONDS"), -1, types.TimestampMillis(0)), want: types.TimestampMillis(-1), edge: true},
		{fn: "TIMESTAMPADD", args: arr(unit("DAYS"), 1, "2018-05-11T21:58:33"), want: ts20180511 + 86400000, edge: true},
		{fn: "TIMESTAMPADD", args: arr(unit("DAYS"), 1, int64(0)), code: noSig},
		{fn: "TIMESTAMPSUB", args: arr(unit("SECONDS"), 5, types.TimestampMillis(6000)), want: types.TimestampMillis(1000)},
		{fn: "TIMESTAMPSUB", args: arr(unit("SECONDS"), nInt, types.TimestampMillis(6000)), want: nil},
		{fn: "TIMESTAMPSUB", args: arr(unit("DAYS"), 1, types.TimestampMillis(0)), want: types.TimestampMillis(-86400000), edge: true},
		{fn: "TIMESTAMPSUB", args: arr(unit("DAYS"), 1, types.DateDays(0)), code: noSig},
		{fn: "UNIX_DATE", args: arr(types.DateDays(17662)), want: int32(17662)},
		{fn: "UNIX_DATE", args: arr(nDate), want: nil},
		{fn: "UNIX_DATE", args: arr(types.DateDays(-1)), want: int32(-1), edge: true},
		{fn: "UNIX_DATE", args: arr(types.TimestampMillis(0)), code: noSig},
		{fn: "UNIX_TIMESTAMP", args: arr(ts20180511), want: int64(1526075913000)},
		{fn: "UNIX_TIMESTAMP", args: arr(nTs), want: nil},
		{fn: "UNIX_TIMESTAMP", args: arr(types.TimestampMillis(0)), want: int64(0), edge: true},
		{fn: "UNIX_TIMESTAMP", args: arr(types.DateDays(0)), code: noSig},
	}
}

func TestNowFunctions(t *testing.T) {
	before := time.Now().UnixMilli()
	ts := eval(t, call(t, "UNIX_TIMESTAMP"), nil).(int64)
	after := time.Now().UnixMilli()
	require.True(t, ts >= before && ts <= after)
	d := eval(t, call(t, "UNIX_DATE"), nil).(int32)
	require.InDelta(t, before/86400000, int64(d), 1)
}

func TestIntervalUnit(t *testing.T) {
	u, err := IntervalUnit("second")
	require.NoError(t, err)
	require.Equal(t, "SECONDS", u.String())
	_, err = IntervalUnit("FORTNIGHTS")
	require.Equal(t, types.CodeInvalidParameter, types.CodeOf(err))
}
