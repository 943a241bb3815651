package expr

import (
	"regexp"
	"testing"

	"github.com/streamsql/streamsql/types"
	"github.com/stretchr/testify/require"
)

func init() {
	otherCases = []fc{
		{fn: "COALESCE", args: arr(nStr, "a", "b"), want: "a"},
		{fn: "COALESCE", args: arr(1, 2), want: int32(1)},
		{fn: "COALESCE", args: arr(nInt, nInt), want: nil},
		{fn: "COALESCE", args: arr("only"), want: "only", edge: true},
		{fn: "COALESCE", args: arr(nil, 3), want: int32(3), edge: true}, // untyped NULL
		{fn: "COALESCE", args: arr(1, "a"), code: noSig},
		{fn: "IFNULL", args: arr("a", "x"), want: "a"},
		{fn: "IFNULL", args: arr(nStr, "x"), want: "x"},
		{fn: "IFNULL", args: arr(nStr, nStr), want: nil},
		{fn: "IFNULL", args: arr(arrE(intT), arrE(intT, int32(1))), want: arr(), edge: true}, // empty is not NULL
		{fn: "IFNULL", args: arr(1, "x"), code: noSig},
		{fn: "NULLIF", args: arr("a", "b"), want: "a"},
		{fn: "NULLIF", args: arr("a", "a"), want: nil},
		{fn: "NULLIF", args: arr("a", nStr), want: "a"},
		{fn: "NULLIF", args: arr(nInt, 1), want: nil},
		{fn: "NULLIF", args: arr(Literal(dec("1.0"), decT(3, 2)), Literal(dec("1.00"), decT(3, 2))), want: nil, edge: true},
		{fn: "NULLIF", args: arr(1, "1"), code: noSig},
		{fn: "AS_VALUE", args: arr("k"), want: "k"},
		{fn: "AS_VALUE", args: arr(nBig), want: nil},
		{fn: "AS_VALUE", args: arr(arrE(intT)), want: arr(), edge: true},
		{fn: "AS_VALUE", args: arr("a", "b"), code: noSig},
		{fn: "UUID", args: arr([]byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}),
			want: "12345678-9abc-def0-1234-56789abcdef0"},
		{fn: "UUID", args: arr(nBytes), want: nil},
		{fn: "UUID", args: arr([]byte{1, 2, 3}), want: nil, edge: true},
		{fn: "UUID", args: arr("12345678-9abc-def0-1234-56789abcdef0"), code: noSig},
		{fn: "INT_FROM_BYTES", args: arr([]byte{0, 0, 7, 0xe5}), want: int32(2021)},
		{fn: "INT_FROM_BYTES", args: arr([]byte{0xe5, 7, 0, 0}, "LITTLE_ENDIAN"), want: int32(2021)},
		{fn: "INT_FROM_BYTES", args: arr([]byte{0xe5, 7, 0, 0}, "little_endian"), want: int32(2021)},
		{fn: "INT_FROM_BYTES", args: arr([]byte{0xff, 0xff, 0xff, 0xff}, "BIG_ENDIAN"), want: int32(-1), edge: true},
		{fn: "INT_FROM_BYTES", args: arr(nBytes), want: nil},
		{fn: "INT_FROM_BYTES", args: arr([]byte{1, 2, 3}), err: "Number of bytes must be equal to 4, but found 3", edge: true},
		{fn: "INT_FROM_BYTES", args: arr([]byte{1, 2, 3, 4}, "MIDDLE"), err: "Byte order must be BIG_ENDIAN or LITTLE_ENDIAN. Unknown byte order 'MIDDLE'.", edge: true},
		{fn: "INT_FROM_BYTES", args: arr("abc"), code: noSig},
		{fn: "BIGINT_FROM_BYTES", args: arr([]byte{0, 0xf2, 5, 0x2a, 1, 0, 0, 0}, "LITTLE_ENDIAN"), want: int64(5000000000)},
		{fn: "BIGINT_FROM_BYTES", args: arr(nBytes, "BIG_ENDIAN"), want: nil},
		{fn: "BIGINT_FROM_BYTES", args: arr([]byte{1, 2, 3, 4}), err: "Number of bytes must be equal to 8, but found 4", edge: true},
		{fn: "BIGINT_FROM_BYTES", args: arr(1), code: noSig},
		{fn: "DOUBLE_FROM_BYTES", args: arr([]byte{0x40, 0, 0, 0, 0, 0, 0, 0}), want: 2.0},
		{fn: "DOUBLE_FROM_BYTES", args: arr(nBytes), want: nil},
		{fn: "DOUBLE_FROM_BYTES", args: arr([]byte{}), err: "Number of bytes must be equal to 8, but found 0", edge: true},
		{fn: "DOUBLE_FROM_BYTES", args: arr(1.5), code: noSig},
		{fn: "INT_FROM_BOOLEAN", args: arr(true), want: int32(1)},
		{fn: "INT_FROM_BOOLEAN", args: arr(false), want: int32(0), edge: true},
		{fn: "INT_FROM_BOOLEAN", args: arr(nBool), want: nil},
		{fn: "INT_FROM_BOOLEAN", args: arr("true"), code: noSig},

		// ksqlDB's url.json.
		{fn: "URL_ENCODE_PARAM", args: arr("?foo $bar"), want: "%3Ffoo+%24bar"},
		{fn: "URL_ENCODE_PARAM", args: arr(nStr), want: nil},
		{fn: "URL_ENCODE_PARAM", args: arr("é*~"), want: "%C3%A9*%7E", edge: true},
		{fn: "URL_ENCODE_PARAM", args: arr(1), code: noSig},
		{fn: "URL_DECODE_PARAM", args: arr("%3Ffoo+%24bar"), want: "?foo $bar"},
		{fn: "URL_DECODE_PARAM", args: arr(nStr), want: nil},
		{fn: "URL_DECODE_PARAM", args: arr("100%"), err: "invalid", edge: true},
		{fn: "URL_DECODE_PARAM", args: arr(1), code: noSig},
		{fn: "URL_EXTRACT_FRAGMENT", args: arr("http://www.test.com/?query#fragment"), want: "fragment"},
		{fn: "URL_EXTRACT_FRAGMENT", args: arr(nStr), want: nil},
		{fn: "URL_EXTRACT_FRAGMENT", args: arr("http://www.nofragment.com"), want: nil, edge: true},
		{fn: "URL_EXTRACT_FRAGMENT", args: arr(1), code: noSig},
		{fn: "URL_EXTRACT_HOST", args: arr("http://test@confluent.io:8080"), want: "confluent.io"},
		{fn: "URL_EXTRACT_HOST", args: arr(nStr), want: nil},
		{fn: "URL_EXTRACT_HOST", args: arr("/just/a/path"), want: nil, edge: true},
		{fn: "URL_EXTRACT_HOST", args: arr(1), code: noSig},
		{fn: "URL_EXTRACT_PATH", args: arr("http://a.com/x%20y/z?q=1"), want: "/x y/z"},
		{fn: "URL_EXTRACT_PATH", args: arr(nStr), want: nil},
		{fn: "URL_EXTRACT_PATH", args: arr("http://a.com"), want: "", edge: true},
		{fn: "URL_EXTRACT_PATH", args: arr(1), code: noSig},
		// UrlExtractPort returns an INTEGER.
		{fn: "URL_EXTRACT_PORT", args: arr("http://test@confluent.io:8080/x"), want: int32(8080)},
		{fn: "URL_EXTRACT_PORT", args: arr(nStr), want: nil},
		{fn: "URL_EXTRACT_PORT", args: arr("http://confluent.io"), want: nil, edge: true},
		{fn: "URL_EXTRACT_PORT", args: arr(8080), code: noSig},
		{fn: "URL_EXTRACT_PROTOCOL", args: arr("https://a.com"), want: "https"},
		{fn: "URL_EXTRACT_PROTOCOL", args: arr(nStr), want: nil},
		{fn: "URL_EXTRACT_PROTOCOL", args: arr("a.com/x"), want: nil, edge: true},
		{fn: "URL_EXTRACT_PROTOCOL", args: arr(1), code: noSig},
		{fn: "URL_EXTRACT_QUERY", args: arr("http://a.com/?a=1&b=x%20y#f"), want: "a=1&b=x y"},
		{fn: "URL_EXTRACT_QUERY", args: arr(nStr), want: nil},
		{fn: "URL_EXTRACT_QUERY", args: arr("http://a.com/"), want: nil, edge: true},
		{fn: "URL_EXTRACT_QUERY", args: arr(1), code: noSig},
		// URI.getQuery is decoded before the split: 'url%20encoded' comes back as 'url encoded'.
		{fn: "URL_EXTRACT_PARAMETER", args: arr("http://www.test.com/?one=a&two=url%20encoded", "two"), want: "url encoded"},
		{fn: "URL_EXTRACT_PARAMETER", args: arr("http://www.test.com/?one=a&two=b", "one"), want: "a"},
		{fn: "URL_EXTRACT_PARAMETER", args: arr(nStr, "one"), want: nil},
		{fn: "URL_EXTRACT_PARAMETER", args: arr("http://a.com/?flag&x=1", "flag"), want: "", edge: true},
		{fn: "URL_EXTRACT_PARAMETER", args: arr("http://a.com/?x=1", "y"), want: nil, edge: true},
		{fn: "URL_EXTRACT_PARAMETER", args: arr("http://a.com/?x=1", 1), code: noSig},

		{fn: "REGEXP_EXTRACT", args: arr(`\d+`, "ab12cd34"), want: "12"},
		{fn: "REGEXP_EXTRACT", args: arr(`(.*) (.*)`, "steven zhang", 2), want: "zhang"},
		{fn: "REGEXP_EXTRACT", args: arr(nStr, "abc"), want: nil},
		{fn: "REGEXP_EXTRACT", args: arr(`x`, "abc"), want: nil, edge: true},
		{fn: "REGEXP_EXTRACT", args: arr(`(a)`, "abc", 5), err: "group", edge: true}, // Matcher.group throws
		{fn: "REGEXP_EXTRACT", args: arr(`(`, "abc"), err: "invalid regular expression", edge: true},
		{fn: "REGEXP_EXTRACT", args: arr(1, "abc"), code: noSig},
		{fn: "REGEXP_EXTRACT_ALL", args: arr(`\d+`, "a1b22"), want: arr("1", "22")},
		{fn: "REGEXP_EXTRACT_ALL", args: arr(`(\w)(\d)`, "a1 b2", 2), want: arr("1", "2")},
		{fn: "REGEXP_EXTRACT_ALL", args: arr(`\d`, nStr), want: nil},
		{fn: "REGEXP_EXTRACT_ALL", args: arr(`\d`, "abc"), want: arr(), edge: true},
		{fn: "REGEXP_EXTRACT_ALL", args: arr(`\d`, 1), code: noSig},
		{fn: "REGEXP_REPLACE", args: arr("a1b22", `\d`, "#"), want: "a#b##"},
		{fn: "REGEXP_REPLACE", args: arr("john smith", `(\w+) (\w+)`, "$2, $1"), want: "smith, john"},
		{fn: "REGEXP_REPLACE", args: arr("abc", nStr, "x"), want: nil},
		{fn: "REGEXP_REPLACE", args: arr("abc", "", "-"), want: "-a-b-c-", edge: true},
		{fn: "REGEXP_REPLACE", args: arr("abc", "b"), code: noSig},
		{fn: "REGEXP_SPLIT_TO_ARRAY", args: arr("a1b22c", `\d+`), want: arr("a", "b", "c")},
		{fn: "REGEXP_SPLIT_TO_ARRAY", args: arr(nStr, `\d`), want: nil},
		{fn: "REGEXP_SPLIT_TO_ARRAY", args: arr("1a1", `\d`), want: arr("", "a", ""), edge: true},
		{fn: "REGEXP_SPLIT_TO_ARRAY", args: arr("", `\d`), want: arr(""), edge: true},
		{fn: "REGEXP_SPLIT_TO_ARRAY", args: arr("a", 1), code: noSig},
	}
}

func TestRandomUUID(t *testing.T) {
	e := call(t, "UUID")
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := eval(t, e, nil).(string), eval(t, e, nil).(string)
	require.Regexp(t, re, a)
	require.NotEqual(t, a, b)
	require.Equal(t, types.StringType, e.Type())
}
