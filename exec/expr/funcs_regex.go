package expr

import (
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/streamsql/streamsql/types"
)

func init() {
	strArr := types.ArrayOf(stringT)
	register(
		fn("REGEXP_EXTRACT", CategoryString, "Returns the first substring matching a regular expression, or the given capture group of that match; NULL when nothing matches.",
			"REGEXP_EXTRACT('(.*) (.*)', 'steven zhang', 2) = 'zhang'",
			sig(stringT, i2(strict2(func(p, s types.Value) (types.Value, error) { return regexpExtract(p, s, int32(0)) })), P("pattern", tString), P("str", tString)),
			sig(stringT, i3(strict3(regexpExtract)), P("pattern", tString), P("str", tString), P("group", tInt))),
		fn("REGEXP_EXTRACT_ALL", CategoryString, "Returns every substring matching a regular expression (or the given capture group of each match).",
			"REGEXP_EXTRACT_ALL('\\d+', 'a1b22') = ['1', '22']",
			sig(strArr, i2(strict2(func(p, s types.Value) (types.Value, error) { return regexpExtractAll(p, s, int32(0)) })), P("pattern", tString), P("str", tString)),
			sig(strArr, i3(strict3(regexpExtractAll)), P("pattern", tString), P("str", tString), P("group", tInt))),
		fn("REGEXP_REPLACE", CategoryString, "Replaces every match of a regular expression; $n in the replacement inserts a capture group.",
			"REGEXP_REPLACE('a1b22', '\\d', '#') = 'a#b##'",
			sig(stringT, i3(strict3(regexpReplace)), P("str", tString), P("regexp", tString), P("replacement", tString))),
		fn("REGEXP_SPLIT_TO_ARRAY", CategoryString, "Splits a string around the matches of a regular expression, keeping empty parts.",
			"REGEXP_SPLIT_TO_ARRAY('a1b22c', '\\d+') = ['a', 'b', 'c']",
			sig(strArr, i2(strict2(regexpSplit)), P("str", tString), P("regexp", tString))),
	)
}

// Patterns are almost always constants, so compiled expressions are cached, with a bound
// because a pattern column could have unbounded distinct values.
var (
	regexCache sync.Map
	regexCount atomic.Int32
)

const regexCacheSize = 1024

// compileJavaRegex compiles a java.util.regex pattern. RE2 covers the common syntax; Java-only
// constructs (backreferences, lookaround, possessive quantifiers) fail per record.
func compileJavaRegex(fnName, p string) (*regexp.Regexp, error) {
	if re, ok := regexCache.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fnError(fnName, "invalid regular expression %q: %v", p, err)
	}
	if regexCount.Add(1) <= regexCacheSize {
		regexCache.Store(p, re)
	}
	return re, nil
}

func regexpExtract(pv, sv, gv types.Value) (types.Value, error) {
	re, err := compileJavaRegex("REGEXP_EXTRACT", pv.(string))
	if err != nil {
		return nil, err
	}
	g := int(gv.(int32))
	m := re.FindStringSubmatchIndex(sv.(string))
	if m == nil || g < 0 || 2*g+1 >= len(m) {
		if m != nil && (g < 0 || 2*g+1 >= len(m)) {
			return nil, fnError("REGEXP_EXTRACT", "No group %d", g)
		}
		return nil, nil
	}
	if m[2*g] < 0 {
		return nil, nil
	}
	return sv.(string)[m[2*g]:m[2*g+1]], nil
}

func regexpExtractAll(pv, sv, gv types.Value) (types.Value, error) {
	re, err := compileJavaRegex("REGEXP_EXTRACT_ALL", pv.(string))
	if err != nil {
		return nil, err
	}
	s, g := sv.(string), int(gv.(int32))
	out := []any{}
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		if g < 0 || 2*g+1 >= len(m) {
			return nil, fnError("REGEXP_EXTRACT_ALL", "No group %d", g)
		}
		if m[2*g] < 0 {
			out = append(out, nil)
			continue
		}
		out = append(out, s[m[2*g]:m[2*g+1]])
	}
	return out, nil
}

// javaReplacement translates Matcher.replaceAll syntax ($1, \$) into Go's (${1}, $$).
func javaReplacement(r string) string {
	var sb strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\' && i+1 < len(r):
			i++
			if r[i] == '$' {
				sb.WriteString("$$")
			} else {
				sb.WriteByte(r[i])
			}
		case c == '$' && i+1 < len(r) && r[i+1] >= '0' && r[i+1] <= '9':
			j := i + 1
			for j < len(r) && r[j] >= '0' && r[j] <= '9' {
				j++
			}
			sb.WriteString("${" + r[i+1:j] + "}")
			i = j - 1
		case c == '$' && i+1 < len(r) && r[i+1] == '{':
			end := strings.IndexByte(r[i:], '}')
			if end < 0 {
				sb.WriteString("$$")
				continue
			}
			sb.WriteString(r[i : i+end+1])
			i += end
		case c == '$':
			sb.WriteString("$$")
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

func regexpReplace(sv, pv, rv types.Value) (types.Value, error) {
	re, err := compileJavaRegex("REGEXP_REPLACE", pv.(string))
	if err != nil {
		return nil, err
	}
	return re.ReplaceAllString(sv.(string), javaReplacement(rv.(string))), nil
}

// regexpSplit is Pattern.split(input, -1): trailing empty strings are kept; a zero-width match
// at the start does not produce a leading empty string.
func regexpSplit(sv, pv types.Value) (types.Value, error) {
	re, err := compileJavaRegex("REGEXP_SPLIT_TO_ARRAY", pv.(string))
	if err != nil {
		return nil, err
	}
	s := sv.(string)
	out := []any{}
	last := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if m[1] == 0 {
			continue
		}
		out = append(out, s[last:m[0]])
		last = m[1]
	}
	out = append(out, s[last:])
	return out, nil
}

// --- MASK ------------------------------------------------------------------------------------

func init() {
	maskParams := func(lead ...Param) []Param {
		return append(lead, P("upper", tString), P("lower", tString), P("digit", tString), P("other", tString))
	}
	whole := func(s string, _ int) (int, int) { return 0, javaLen(s) }
	left := func(s string, n int) (int, int) { return 0, min(n, javaLen(s)) }
	right := func(s string, n int) (int, int) { l := javaLen(s); return max(0, l-n), l }
	keepLeft := func(s string, n int) (int, int) { return min(n, javaLen(s)), javaLen(s) }
	keepRight := func(s string, n int) (int, int) { return 0, max(0, javaLen(s)-n) }
	maskFn := func(name, desc, ex string, span func(string, int) (int, int), withN bool) *Func {
		lead := []Param{P("input", tString)}
		if withN {
			lead = append(lead, P("numChars", tInt))
		}
		base := len(lead)
		mk := func(args []types.Value) (types.Value, error) { return mask(name, args, base, withN, span) }
		return fn(name, CategoryString, desc, ex,
			sig(stringT, iN(mk), lead...),
			sig(stringT, iN(mk), maskParams(lead...)...))
	}
	register(
		maskFn("MASK", "Masks a string: upper-case letters become X, lower-case x, digits n, anything else -; optional arguments override the replacements (NULL keeps that class unmasked).",
			"MASK('Ab-1') = 'Xx-n'", whole, false),
		maskFn("MASK_LEFT", "Masks the first n characters of a string, like MASK.", "MASK_LEFT('Ab-12', 2) = 'Xx-12'", left, true),
		maskFn("MASK_RIGHT", "Masks the last n characters of a string, like MASK.", "MASK_RIGHT('Ab-12', 2) = 'Ab-nn'", right, true),
		maskFn("MASK_KEEP_LEFT", "Masks all but the first n characters of a string, like MASK.", "MASK_KEEP_LEFT('Ab-12', 2) = 'Ab-nn'", keepLeft, true),
		maskFn("MASK_KEEP_RIGHT", "Masks all but the last n characters of a string, like MASK.", "MASK_KEEP_RIGHT('Ab-12', 2) = 'Xx-12'", keepRight, true),
	)
}

// mask is ksqlDB's Masker over the UTF-16 range [from, to) that span chooses.
func mask(name string, args []types.Value, base int, withN bool, span func(string, int) (int, int)) (types.Value, error) {
	s, ok := args[0].(string)
	if !ok {
		return nil, nil
	}
	n := 0
	if withN {
		nv, ok := args[1].(int32)
		if !ok {
			return nil, nil
		}
		if nv < 0 {
			return nil, fnError(name, "function input must be >= 0")
		}
		n = int(nv)
	}
	repl := [4]rune{'X', 'x', 'n', '-'}
	if len(args) > base {
		for i := range repl {
			r, ok := args[base+i].(string)
			if !ok || r == "" {
				repl[i] = -1
				continue
			}
			repl[i], _ = firstRune(r)
		}
	}
	from, to := span(s, n)
	var sb strings.Builder
	pos := 0
	for _, r := range s {
		width := 1
		if r >= 0x10000 {
			width = 2
		}
		if pos >= from && pos < to {
			var m rune
			switch {
			case javaIsUpper(r):
				m = repl[0]
			case javaIsLower(r):
				m = repl[1]
			case javaIsDigit(r):
				m = repl[2]
			default:
				m = repl[3]
			}
			if m >= 0 {
				r = m
			}
		}
		sb.WriteRune(r)
		pos += width
	}
	return sb.String(), nil
}

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}
