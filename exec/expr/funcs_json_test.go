package expr

import "github.com/streamsql/streamsql/types"

func init() {
	jsonCases = []fc{
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": {"b": "x"}}`, "$.a.b"), want: "x"},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": [1, {"c": 2}]}`, "$.a[1].c"), want: "2"},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": {"b": 1}}`, "$.a"), want: `{"b":1}`},
		{fn: "EXTRACTJSONFIELD", args: arr(nStr, "$.a"), want: nil},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": 1}`, "$.missing"), want: nil, edge: true},
		{fn: "EXTRACTJSONFIELD", args: arr(`not json`, "$.a"), want: nil, edge: true},
		// Jackson's readTree ignores what follows the first value.
		{fn: "EXTRACTJSONFIELD", args: arr(`{"name": "cdd", "version": "2"}}`, "$.version"), want: "2", edge: true},
		{fn: "IS_JSON_STRING", args: arr(`[1, 2]]`), want: true, edge: true},
		{fn: "IS_JSON_STRING", args: arr(`1}`), want: false, edge: true},
		{fn: "IS_JSON_STRING", args: arr(`1 2`), want: true, edge: true},
		{fn: "IS_JSON_STRING", args: arr(`truex`), want: false, edge: true},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": null}`, "$.a"), want: nil, edge: true},
		{fn: "EXTRACTJSONFIELD", args: arr(1, "$.a"), code: noSig},
		// ksqlDB's is_json_string.json.
		{fn: "IS_JSON_STRING", args: arr("[1, 2, 3]"), want: true},
		{fn: "IS_JSON_STRING", args: arr(`"abc"`), want: true},
		{fn: "IS_JSON_STRING", args: arr("abc"), want: false},
		{fn: "IS_JSON_STRING", args: arr(nStr), want: false},
		{fn: "IS_JSON_STRING", args: arr(""), want: false, edge: true},
		{fn: "IS_JSON_STRING", args: arr(1), code: noSig},
		// ksqlDB's json_array_contains.json.
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`["Pink", "Yellow"]`, "Pink"), want: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`[1, 2]`, 2), want: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`[1.5, true]`, true), want: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`["Red", "Green"]`, "Pink"), want: false},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(nStr, "Pink"), want: false},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`["Pink", null]`, nStr), want: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`{"a": 1}`, 1), want: false, edge: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`[1, 2`, 1), want: false, edge: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(1, 1), code: noSig},
		{fn: "JSON_ARRAY_LENGTH", args: arr(`[1, [2], {"a": 3}]`), want: int32(3)},
		{fn: "JSON_ARRAY_LENGTH", args: arr(nStr), want: nil},
		{fn: "JSON_ARRAY_LENGTH", args: arr(`[]`), want: int32(0), edge: true},
		{fn: "JSON_ARRAY_LENGTH", args: arr(`{"a": 1}`), want: nil, edge: true},
		{fn: "JSON_ARRAY_LENGTH", args: arr(arrE(strT, "a")), code: noSig},
		// ksqlDB's json_concat.json.
		{fn: "JSON_CONCAT", args: arr(`{"a": 1}`, `{"b": 2}`), want: `{"a":1,"b":2}`},
		{fn: "JSON_CONCAT", args: arr(`{"a": {"5": 6}}`, `{"a": {"3": 4}}`), want: `{"a":{"3":4}}`},
		{fn: "JSON_CONCAT", args: arr(`[1, 2]`, `{"a": 1}`), want: `[1,2,{"a":1}]`},
		{fn: "JSON_CONCAT", args: arr(`[1, [2]]`, `[[[3]], [[[4]]]]`), want: `[1,[2],[[3]],[[[4]]]]`},
		{fn: "JSON_CONCAT", args: arr(nStr, nStr), want: nil},
		{fn: "JSON_CONCAT", args: arr(`null`, `null`), want: `[null,null]`, edge: true},
		{fn: "JSON_CONCAT", args: arr(`1`, ``), want: nil, edge: true},
		{fn: "JSON_CONCAT", args: arr(`{}`, 1), code: noSig},
		// ksqlDB's json_items.json.
		{fn: "JSON_ITEMS", args: arr(`[{"type": "A", "timestamp": "2022-01-27"}, 1]`), want: arr(`{"type":"A","timestamp":"2022-01-27"}`, "1")},
		{fn: "JSON_ITEMS", args: arr(nStr), want: nil},
		{fn: "JSON_ITEMS", args: arr(`[]`), want: arr(), edge: true},
		{fn: "JSON_ITEMS", args: arr(`{"a": 1}`), want: nil, edge: true},
		{fn: "JSON_ITEMS", args: arr(true), code: noSig},
		// ksqlDB's json_keys.json.
		{fn: "JSON_KEYS", args: arr(`{"Red": 3, "Green": 5}`), want: arr("Red", "Green")},
		{fn: "JSON_KEYS", args: arr(nStr), want: nil},
		{fn: "JSON_KEYS", args: arr(`{}`), want: arr(), edge: true},
		{fn: "JSON_KEYS", args: arr(``), want: nil, edge: true},
		{fn: "JSON_KEYS", args: arr(1), code: noSig},
		// ksqlDB's json_records.json.
		{fn: "JSON_RECORDS", args: arr(`{"Red": 3, "Green": {"a": [1]}}`), want: mapOf("Red", "3", "Green", `{"a":[1]}`)},
		{fn: "JSON_RECORDS", args: arr(`{"White": "Seven"}`), want: mapOf("White", "Seven")},
		{fn: "JSON_RECORDS", args: arr(nStr), want: nil},
		{fn: "JSON_RECORDS", args: arr(`{}`), want: mapOf(), edge: true},
		{fn: "JSON_RECORDS", args: arr(`[1]`), want: nil, edge: true},
		{fn: "JSON_RECORDS", args: arr(1.5), code: noSig},
		// ksqlDB's to_json_string.json.
		{fn: "TO_JSON_STRING", args: arr("a\"b"), want: `"a\"b"`},
		{fn: "TO_JSON_STRING", args: arr(mapE(strT, intT, "a", int32(1))), want: `{"a":1}`},
		{fn: "TO_JSON_STRING", args: arr(arrE(types.DoubleType, 1.5, nil)), want: `[1.5,null]`},
		{fn: "TO_JSON_STRING", args: arr(dec("1.50")), want: `1.50`},
		{fn: "TO_JSON_STRING", args: arr(nInt), want: "null"},
		{fn: "TO_JSON_STRING", args: arr([]byte("hi")), want: `"aGk="`, edge: true},
		{fn: "TO_JSON_STRING", args: arr(types.TimestampMillis(60220000000)), want: `"1971-11-28T23:46:40.000"`, edge: true},
		{fn: "TO_JSON_STRING", args: arr(types.DateDays(1000)), want: `"1972-09-27"`, edge: true},
		{fn: "TO_JSON_STRING", args: arr(lam([]string{"x"}, double2)), code: noSig},
	}
}
