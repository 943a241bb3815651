package expr

import (
	"bytes"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

// arrayOfT returns ARRAY<binding of v>.
func arrayOfVar(v string) func([]types.Type, bindings) (types.Type, error) {
	return func(_ []types.Type, b bindings) (types.Type, error) { return types.ArrayOf(b[v]), nil }
}

func init() {
	arrT := tArr(tT)
	register(
		fn("ARRAY_LENGTH", CategoryArray, "Returns the number of elements of an array.", "ARRAY_LENGTH(ARRAY[1, 2]) = 2",
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) { return int32(len(a.([]any))), nil })), P("array", arrT))),
		fn("ARRAY_CONTAINS", CategoryArray, "Reports whether an array contains a value.", "ARRAY_CONTAINS(ARRAY[1, 2], 2) = true",
			sig(types.BooleanType, i2(func(a, v types.Value) (types.Value, error) {
				arr, ok := a.([]any)
				if !ok {
					return false, nil
				}
				return indexValue(arr, v) >= 0, nil
			}), P("array", arrT), P("val", tT))),
		fn("ARRAY_DISTINCT", CategoryArray, "Returns the distinct elements of an array, in order of first appearance.", "ARRAY_DISTINCT(ARRAY[1, 1, 2]) = [1, 2]",
			sigRule("ARRAY<T>", arrayOfVar("T"), i1(strict1(func(a types.Value) (types.Value, error) { return distinct(a.([]any)), nil })), P("array", arrT))),
		fn("ARRAY_EXCEPT", CategoryArray, "Returns the distinct elements of the first array that are not in the second.", "ARRAY_EXCEPT(ARRAY[1, 2, 3], ARRAY[2]) = [1, 3]",
			sigRule("ARRAY<T>", arrayOfVar("T"), i2(strict2(func(a, b types.Value) (types.Value, error) {
				out := []any{}
				for _, x := range distinct(a.([]any)) {
					if indexValue(b.([]any), x) < 0 {
						out = append(out, x)
					}
				}
				return out, nil
			})), P("left", arrT), P("right", arrT))),
		fn("ARRAY_INTERSECT", CategoryArray, "Returns the distinct elements present in both arrays.", "ARRAY_INTERSECT(ARRAY[1, 2], ARRAY[2, 3]) = [2]",
			sigRule("ARRAY<T>", arrayOfVar("T"), i2(strict2(func(a, b types.Value) (types.Value, error) {
				out := []any{}
				for _, x := range distinct(a.([]any)) {
					if indexValue(b.([]any), x) >= 0 {
						out = append(out, x)
					}
				}
				return out, nil
			})), P("left", arrT), P("right", arrT))),
		fn("ARRAY_UNION", CategoryArray, "Returns the distinct elements of both arrays.", "ARRAY_UNION(ARRAY[1, 2], ARRAY[2, 3]) = [1, 2, 3]",
			sigRule("ARRAY<T>", arrayOfVar("T"), i2(strict2(func(a, b types.Value) (types.Value, error) {
				return distinct(append(append([]any{}, a.([]any)...), b.([]any)...)), nil
			})), P("left", arrT), P("right", arrT))),
		fn("ARRAY_CONCAT", CategoryArray, "Concatenates two arrays; a NULL array counts as empty, both NULL give NULL.", "ARRAY_CONCAT(ARRAY[1], ARRAY[2]) = [1, 2]",
			sigRule("ARRAY<T>", arrayOfVar("T"), i2(func(a, b types.Value) (types.Value, error) {
				if a == nil && b == nil {
					return nil, nil
				}
				out := []any{}
				if x, ok := a.([]any); ok {
					out = append(out, x...)
				}
				if x, ok := b.([]any); ok {
					out = append(out, x...)
				}
				return out, nil
			}), P("left", arrT), P("right", arrT))),
		fn("ARRAY_REMOVE", CategoryArray, "Removes every element equal to a value (NULL removes NULLs).", "ARRAY_REMOVE(ARRAY[1, 2, 1], 1) = [2]",
			sigRule("ARRAY<T>", arrayOfVar("T"), i2(func(a, v types.Value) (types.Value, error) {
				arr, ok := a.([]any)
				if !ok {
					return nil, nil
				}
				out := []any{}
				for _, x := range arr {
					if !types.Equal(x, v) {
						out = append(out, x)
					}
				}
				return out, nil
			}), P("array", arrT), P("victim", tT))),
		fn("ARRAY_JOIN", CategoryArray, "Joins the elements of an array of primitives into a string with a delimiter (default ',').", "ARRAY_JOIN(ARRAY[1, 2], '-') = '1-2'",
			requireComparable(sig(stringT, arrayJoinImpl(false), P("array", arrT))),
			requireComparable(sig(stringT, arrayJoinImpl(true), P("array", arrT), P("delimiter", tString)))),
		fn("ARRAY_MAX", CategoryArray, "Returns the largest non-NULL element of an array of comparable values.", "ARRAY_MAX(ARRAY[1, 3, 2]) = 3",
			requireComparable(sigVar("T", arrayExtreme(1), P("array", arrT)))),
		fn("ARRAY_MIN", CategoryArray, "Returns the smallest non-NULL element of an array of comparable values.", "ARRAY_MIN(ARRAY[1, 3, 2]) = 1",
			requireComparable(sigVar("T", arrayExtreme(-1), P("array", arrT)))),
		fn("ARRAY_SORT", CategoryArray, "Sorts an array of comparable values, ASC (default) or DESC; NULLs last.", "ARRAY_SORT(ARRAY[3, 1, 2]) = [1, 2, 3]",
			requireComparable(sigRule("ARRAY<T>", arrayOfVar("T"), arraySortImpl(false), P("array", arrT))),
			requireComparable(sigRule("ARRAY<T>", arrayOfVar("T"), arraySortImpl(true), P("array", arrT), P("direction", tString)))),
		fn("SLICE", CategoryArray, "Returns the elements from a 1-based start to an end position, inclusive; NULL when out of range.", "SLICE(ARRAY[1, 2, 3], 2, 3) = [2, 3]",
			sigRule("ARRAY<T>", arrayOfVar("T"), i3(func(a, from, to types.Value) (types.Value, error) {
				arr, ok := a.([]any)
				if !ok {
					return nil, nil
				}
				start, end := 0, len(arr)
				if f, ok := from.(int32); ok {
					start = int(f) - 1
				}
				if t, ok := to.(int32); ok {
					end = int(t)
				}
				if start < 0 || start > end || end > len(arr) {
					return nil, nil
				}
				return append([]any{}, arr[start:end]...), nil
			}), P("array", arrT), P("from", tInt), P("to", tInt))),
		fn("GENERATE_SERIES", CategoryArray, "Returns the integers from start to end inclusive, by step (default 1, or -1 when counting down).", "GENERATE_SERIES(1, 3) = [1, 2, 3]",
			sig(types.ArrayOf(intT), iN(generateSeries(false)), P("start", tInt), P("end", tInt)),
			sig(types.ArrayOf(intT), iN(generateSeries(false)), P("start", tInt), P("end", tInt), P("step", tInt)),
			sig(types.ArrayOf(bigintT), iN(generateSeries(true)), P("start", tBigint), P("end", tBigint)),
			sig(types.ArrayOf(bigintT), iN(generateSeries(true)), P("start", tBigint), P("end", tBigint), P("step", tInt))),
		fn("MAP_KEYS", CategoryMap, "Returns the keys of a map.", "MAP_KEYS(MAP('a' := 1)) = ['a']",
			sigRule("ARRAY<K>", arrayOfVar("K"), i1(strict1(func(a types.Value) (types.Value, error) {
				return append([]any{}, a.(*types.MapValue).Keys...), nil
			})), P("map", tMapOf(tK, tV)))),
		fn("MAP_VALUES", CategoryMap, "Returns the values of a map.", "MAP_VALUES(MAP('a' := 1)) = [1]",
			sigRule("ARRAY<V>", arrayOfVar("V"), i1(strict1(func(a types.Value) (types.Value, error) {
				return append([]any{}, a.(*types.MapValue).Values...), nil
			})), P("map", tMapOf(tK, tV)))),
		fn("MAP_UNION", CategoryMap, "Merges two maps, the second's entries winning; a NULL map counts as empty, both NULL give NULL.", "MAP_UNION(MAP('a' := 1), MAP('b' := 2)) = {a=1, b=2}",
			sigRule("MAP<K, V>", func(_ []types.Type, b bindings) (types.Type, error) { return types.MapOf(b["K"], b["V"]), nil },
				i2(func(a, b types.Value) (types.Value, error) {
					if a == nil && b == nil {
						return nil, nil
					}
					out := &types.MapValue{}
					for _, m := range []types.Value{a, b} {
						if mv, ok := m.(*types.MapValue); ok {
							for i, k := range mv.Keys {
								out.Put(k, mv.Values[i])
							}
						}
					}
					return out, nil
				}), P("map1", tMapOf(tK, tV)), P("map2", tMapOf(tK, tV)))),
		fn("AS_MAP", CategoryMap, "Builds a map from an array of keys and an array of values, pairing them up to the shorter length.", "AS_MAP(ARRAY['a'], ARRAY[1]) = {a=1}",
			sigRule("MAP<STRING, T>", func(_ []types.Type, b bindings) (types.Type, error) { return types.MapOf(stringT, b["T"]), nil },
				i2(strict2(func(k, v types.Value) (types.Value, error) {
					keys, vals := k.([]any), v.([]any)
					out := &types.MapValue{}
					for i := 0; i < len(keys) && i < len(vals); i++ {
						out.Put(keys[i], vals[i])
					}
					return out, nil
				})), P("keys", tArr(tString)), P("values", arrT))),
		fn("ENTRIES", CategoryMap, "Returns a map's entries as an array of STRUCT<K, V>, optionally sorted by key.", "ENTRIES(MAP('a' := 1), true) = [{K=a, V=1}]",
			sigRule("ARRAY<STRUCT<K STRING, V T>>", func(_ []types.Type, b bindings) (types.Type, error) {
				return types.ArrayOf(types.StructOf(types.Field{Name: "K", Type: stringT}, types.Field{Name: "V", Type: b["T"]})), nil
			}, i2(strict2(func(m, s types.Value) (types.Value, error) {
				mv := m.(*types.MapValue)
				idx := make([]int, len(mv.Keys))
				for i := range idx {
					idx[i] = i
				}
				if s.(bool) {
					sort.SliceStable(idx, func(a, b int) bool {
						ka, _ := mv.Keys[idx[a]].(string)
						kb, _ := mv.Keys[idx[b]].(string)
						return javaCompareStrings(ka, kb) < 0
					})
				}
				out := make([]any, len(idx))
				for j, i := range idx {
					out[j] = types.StructValue{mv.Keys[i], mv.Values[i]}
				}
				return out, nil
			})), P("map", tMapOf(tString, tT)), P("sorted", tBool))),
	)
}

func indexValue(arr []any, v types.Value) int {
	for i, x := range arr {
		if types.Equal(x, v) {
			return i
		}
	}
	return -1
}

func distinct(arr []any) []any {
	out := make([]any, 0, len(arr))
	for _, x := range arr {
		if indexValue(out, x) < 0 {
			out = append(out, x)
		}
	}
	return out
}

// compareValues orders two non-NULL values of one comparable type (Java's compareTo).
func compareValues(a, b types.Value) int {
	switch x := a.(type) {
	case int32:
		return cmpOrdered(x, b.(int32))
	case int64:
		return cmpOrdered(x, b.(int64))
	case float64:
		y := b.(float64)
		switch { // Double.compareTo: NaN above everything, -0.0 below 0.0
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return cmpOrdered(javaDoubleKey(x), javaDoubleKey(y))
	case decimal.Decimal:
		return x.Cmp(b.(decimal.Decimal))
	case string:
		return javaCompareStrings(x, b.(string))
	case bool:
		return boolCmp(x, b.(bool))
	case []byte:
		return bytes.Compare(x, b.([]byte))
	case types.TimestampMillis:
		return cmpOrdered(x, b.(types.TimestampMillis))
	case types.DateDays:
		return cmpOrdered(x, b.(types.DateDays))
	case types.TimeMillis:
		return cmpOrdered(x, b.(types.TimeMillis))
	}
	return 0
}

func javaDoubleKey(f float64) float64 {
	switch {
	case f != f:
		return 2
	case f == 0 && 1/f < 0:
		return -1
	case f == 0:
		return 0
	}
	return 0
}

func comparable(t types.Type) bool {
	switch t.Kind {
	case types.Array, types.Map, types.Struct, types.Unknown:
		return false
	}
	return true
}

func arrayExtreme(want int) implBuilder {
	return func(args []types.Type, _ types.Type) impl {
		return impl{f1: strict1(func(a types.Value) (types.Value, error) {
			var best types.Value
			for _, x := range a.([]any) {
				if x != nil && (best == nil || compareValues(x, best)*want > 0) {
					best = x
				}
			}
			return best, nil
		})}
	}
}

func arraySortImpl(withDir bool) implBuilder {
	return func(args []types.Type, _ types.Type) impl {
		f := func(a, d types.Value) (types.Value, error) {
			arr, ok := a.([]any)
			ds, ok2 := d.(string)
			if !ok || !ok2 {
				return nil, nil
			}
			desc := false
			switch strings.ToUpper(ds) {
			case "ASC", "ASCENDING":
			case "DESC", "DESCENDING":
				desc = true
			default:
				return nil, nil
			}
			out := append([]any{}, arr...)
			sort.SliceStable(out, func(i, j int) bool {
				x, y := out[i], out[j]
				if x == nil || y == nil {
					return y == nil && x != nil
				}
				c := compareValues(x, y)
				if desc {
					return c > 0
				}
				return c < 0
			})
			return out, nil
		}
		if withDir {
			return impl{f2: f}
		}
		return impl{f1: func(a types.Value) (types.Value, error) { return f(a, "ASC") }}
	}
}

func arrayJoinImpl(withDelim bool) implBuilder {
	return func(args []types.Type, _ types.Type) impl {
		et := *args[0].Elem
		f := func(a, d types.Value) (types.Value, error) {
			arr, ok := a.([]any)
			if !ok {
				return nil, nil
			}
			if !comparable(et) {
				return nil, fnError("ARRAY_JOIN", "only primitive element types are supported, got %s", typeName(et))
			}
			delim, _ := d.(string)
			parts := make([]string, len(arr))
			for i, x := range arr {
				parts[i] = javaString(x, et)
			}
			return strings.Join(parts, delim), nil
		}
		if withDelim {
			return impl{f2: f}
		}
		return impl{f1: func(a types.Value) (types.Value, error) { return f(a, ",") }}
	}
}

func generateSeries(big bool) func(args []types.Value) (types.Value, error) {
	return func(args []types.Value) (types.Value, error) {
		for _, a := range args {
			if a == nil {
				return nil, nil
			}
		}
		start, end := decimalOf(args[0]).IntPart(), decimalOf(args[1]).IntPart()
		step := int64(1)
		if start > end {
			step = -1
		}
		if len(args) == 3 {
			step = int64(args[2].(int32))
			if step == 0 {
				return nil, fnError("GENERATE_SERIES", "GENERATE_SERIES step cannot be zero")
			}
			if (step > 0) != (end >= start) && start != end {
				return nil, fnError("GENERATE_SERIES", "GENERATE_SERIES step has wrong sign")
			}
		}
		n := (end-start)/step + 1
		if n > 10_000_000 {
			return nil, fnError("GENERATE_SERIES", "series too long")
		}
		out := make([]any, 0, n)
		for v := start; (step > 0 && v <= end) || (step < 0 && v >= end); v += step {
			if big {
				out = append(out, v)
			} else {
				out = append(out, int32(v))
			}
		}
		return out, nil
	}
}

// --- lambdas ---------------------------------------------------------------------------------

func init() {
	mapKV := tMapOf(tK, tV)
	register(
		fn("TRANSFORM", CategoryLambda, "Applies a lambda to each element of an array, or to each key and value of a map.",
			"TRANSFORM(ARRAY[1, 2], x => x * 2) = [2, 4]",
			sigRule("ARRAY<U>", arrayOfVar("U"), lazy(transformArray), P("array", tArr(tT)), P("function", tLambda(tU, tT))),
			sigRule("MAP<K2, V2>", func(_ []types.Type, b bindings) (types.Type, error) { return types.MapOf(b["K2"], b["V2"]), nil },
				lazy(transformMap), P("map", mapKV), P("keyFunction", tLambda(tVar("K2"), tK, tV)), P("valueFunction", tLambda(tVar("V2"), tK, tV)))),
		fn("FILTER", CategoryLambda, "Keeps the elements of an array, or the entries of a map, for which a lambda is TRUE.",
			"FILTER(ARRAY[1, 6], x => x > 5) = [6]",
			sigRule("ARRAY<T>", arrayOfVar("T"), lazy(filterArray), P("array", tArr(tT)), P("function", tLambda(tBool, tT))),
			sigRule("MAP<K, V>", func(_ []types.Type, b bindings) (types.Type, error) { return types.MapOf(b["K"], b["V"]), nil },
				lazy(filterMap), P("map", mapKV), P("function", tLambda(tBool, tK, tV)))),
		fn("REDUCE", CategoryLambda, "Folds an array (state, element) or a map (state, key, value) into a state, starting from an initial state; a NULL collection gives the initial state.",
			"REDUCE(ARRAY[1, 2], 0, (s, x) => s + x) = 3",
			sigVar("S", lazy(reduceArray), P("array", tArr(tT)), P("initialState", tVar("S")), P("function", tLambda(tVar("S"), tVar("S"), tT))),
			sigVar("S", lazy(reduceMap), P("map", mapKV), P("initialState", tVar("S")), P("function", tLambda(tVar("S"), tVar("S"), tK, tV)))),
	)
}

func lazy(f func(row types.Row, args []Expr) (types.Value, error)) implBuilder {
	return func([]types.Type, types.Type) impl { return impl{lazy: f} }
}

func transformArray(row types.Row, args []Expr) (types.Value, error) {
	v, err := args[0].Eval(row)
	if err != nil || v == nil {
		return nil, err
	}
	l := args[1].(*compiledLambda)
	frame := l.frame(row)
	arr := v.([]any)
	out := make([]any, len(arr))
	for i, x := range arr {
		if out[i], err = l.call(frame, x); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func transformMap(row types.Row, args []Expr) (types.Value, error) {
	v, err := args[0].Eval(row)
	if err != nil || v == nil {
		return nil, err
	}
	kl, vl := args[1].(*compiledLambda), args[2].(*compiledLambda)
	kf, vf := kl.frame(row), vl.frame(row)
	m := v.(*types.MapValue)
	out := &types.MapValue{}
	for i, k := range m.Keys {
		nk, err := kl.call(kf, k, m.Values[i])
		if err != nil {
			return nil, err
		}
		nv, err := vl.call(vf, k, m.Values[i])
		if err != nil {
			return nil, err
		}
		out.Put(nk, nv)
	}
	return out, nil
}

func filterArray(row types.Row, args []Expr) (types.Value, error) {
	v, err := args[0].Eval(row)
	if err != nil || v == nil {
		return nil, err
	}
	l := args[1].(*compiledLambda)
	frame := l.frame(row)
	out := []any{}
	for _, x := range v.([]any) {
		keep, err := l.call(frame, x)
		if err != nil {
			return nil, err
		}
		if keep == nil {
			return nil, ErrNullOperand
		}
		if keep.(bool) {
			out = append(out, x)
		}
	}
	return out, nil
}

func filterMap(row types.Row, args []Expr) (types.Value, error) {
	v, err := args[0].Eval(row)
	if err != nil || v == nil {
		return nil, err
	}
	l := args[1].(*compiledLambda)
	frame := l.frame(row)
	m := v.(*types.MapValue)
	out := &types.MapValue{}
	for i, k := range m.Keys {
		keep, err := l.call(frame, k, m.Values[i])
		if err != nil {
			return nil, err
		}
		if keep == nil {
			return nil, ErrNullOperand
		}
		if keep.(bool) {
			out.Put(k, m.Values[i])
		}
	}
	return out, nil
}

func reduceArray(row types.Row, args []Expr) (types.Value, error) {
	v, err := args[0].Eval(row)
	if err != nil {
		return nil, err
	}
	state, err := args[1].Eval(row)
	if err != nil || state == nil || v == nil {
		return state, err
	}
	l := args[2].(*compiledLambda)
	frame := l.frame(row)
	for _, x := range v.([]any) {
		if state, err = l.call(frame, state, x); err != nil {
			return nil, err
		}
	}
	return state, nil
}

func reduceMap(row types.Row, args []Expr) (types.Value, error) {
	v, err := args[0].Eval(row)
	if err != nil {
		return nil, err
	}
	state, err := args[1].Eval(row)
	if err != nil || state == nil || v == nil {
		return state, err
	}
	l := args[2].(*compiledLambda)
	frame := l.frame(row)
	m := v.(*types.MapValue)
	for i, k := range m.Keys {
		if state, err = l.call(frame, state, k, m.Values[i]); err != nil {
			return nil, err
		}
	}
	return state, nil
}

// CompareNullsLast orders two values of one comparable type, NULL after every value (the
// order of a pull query's ORDER BY).
func CompareNullsLast(a, b types.Value) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return compareValues(a, b)
}
