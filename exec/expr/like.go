package expr

import (
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/streamsql/streamsql/types"
)

// Like builds e [NOT] LIKE pattern [ESCAPE c]: % matches any run of characters and _ one
// character, neither across a line terminator (ksqlDB translates the pattern into a Java regex
// whose . excludes them); the match is case-sensitive and must cover the whole value. With an
// escape character the next pattern character is literal. A constant pattern is compiled once.
// A NULL value or pattern fails, as in ksqlDB.
func Like(e, pattern Expr, escape *string, negate bool) (Expr, error) {
	for _, x := range []Expr{e, pattern} {
		if k := x.Type().Kind; k != types.String && k != types.Unknown {
			return nil, mismatch("LIKE requires STRING operands, got %s", describe(x))
		}
	}
	n := &likeNode{e: e, pattern: pattern, negate: negate, esc: -1}
	if escape != nil {
		if utf8.RuneCountInString(*escape) != 1 {
			return nil, types.Errorf(types.CodeInvalidParameter, "LIKE escape must be a single character, got '%s'", *escape)
		}
		n.esc, _ = utf8.DecodeRuneInString(*escape)
	}
	if l, ok := pattern.(*literal); ok {
		if s, ok := l.v.(string); ok {
			re, err := likeRegexp(s, n.esc)
			if err != nil {
				return nil, types.Errorf(types.CodeInvalidParameter, "%s", err.Error())
			}
			n.fixed = re
		}
	}
	return n, nil
}

type likeNode struct {
	e, pattern Expr
	negate     bool
	esc        rune
	fixed      *regexp.Regexp
	cache      sync.Map // pattern → *regexp.Regexp, for non-constant patterns
	cached     atomic.Int32
}

func (n *likeNode) Type() types.Type { return types.BooleanType }
func (n *likeNode) String() string {
	op := " LIKE "
	if n.negate {
		op = " NOT LIKE "
	}
	s := "(" + n.e.String() + op + n.pattern.String()
	if n.esc >= 0 {
		s += " ESCAPE " + quoteString(string(n.esc))
	}
	return s + ")"
}

func (n *likeNode) evalBool(row types.Row) (bool, bool, error) {
	v, err := n.e.Eval(row)
	if err != nil {
		return false, false, err
	}
	re := n.fixed
	if re == nil {
		p, err := n.pattern.Eval(row)
		if err != nil {
			return false, false, err
		}
		ps, ok := p.(string)
		if !ok {
			return false, false, ErrNullOperand
		}
		if re, err = n.compiled(ps); err != nil {
			return false, false, err
		}
	}
	s, ok := v.(string)
	if !ok {
		return false, false, ErrNullOperand
	}
	return re.MatchString(s) != n.negate, true, nil
}

func (n *likeNode) Eval(row types.Row) (types.Value, error) { return boolResult(n.evalBool(row)) }

const likeCacheSize = 256

func (n *likeNode) compiled(p string) (*regexp.Regexp, error) {
	if re, ok := n.cache.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := likeRegexp(p, n.esc)
	if err != nil {
		return nil, &EvalError{Err: types.Errorf(types.CodeInvalidParameter, "%s", err.Error())}
	}
	if n.cached.Add(1) <= likeCacheSize {
		n.cache.Store(p, re)
	}
	return re, nil
}

// anyChar is Java's regex '.' without DOTALL: anything but a line terminator.
const anyChar = `[^\n\r\x{85}\x{2028}\x{2029}]`

type likeError string

func (e likeError) Error() string { return string(e) }

func likeRegexp(p string, esc rune) (*regexp.Regexp, error) {
	var sb strings.Builder
	sb.WriteString(`\A(?:`)
	escaped := false
	for _, c := range p {
		switch {
		case escaped:
			escaped = false
			sb.WriteString(regexp.QuoteMeta(string(c)))
		case esc >= 0 && c == esc:
			escaped = true
		case c == '%':
			sb.WriteString(anyChar + "*")
		case c == '_':
			sb.WriteString(anyChar)
		default:
			sb.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if escaped {
		return nil, likeError("LIKE pattern must not end with escape character")
	}
	sb.WriteString(`)\z`)
	return regexp.Compile(sb.String())
}
