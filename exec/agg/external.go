package agg

import (
	"strings"

	"github.com/streamsql/streamsql/types"
)

// Extension hooks: aggregate functions registered from outside the package, for extensions
// such as the conformance runner's test functions (ksqlDB's test-only UDAFs). The product
// registers none: its functions are the ones this package declares at init time.

// ErrNoMatch, returned by a resolver passed to Register, makes Resolve report ksqlDB's
// "Function 'F' does not accept parameters (...)" error listing the function's Signatures.
var ErrNoMatch = errNoMatch

// Register adds an aggregate function. fn.Name is the name calls use (any case; it is
// upper-cased); resolve binds a call's arguments (untyped NULL arguments are refused before it
// is called) under the query's properties, or returns ErrNoMatch or another error. Register
// must complete before the function is resolved concurrently: it is meant for start-up, not
// for a running server. Registering a name twice panics.
func Register(fn *Func, resolve func(args []Arg, props map[string]string) (Aggregator, error)) {
	f := *fn
	f.Name = strings.ToUpper(f.Name)
	register(&f, func(c *call) (Aggregator, error) { return resolve(c.args, c.props) })
}

// AppendValue appends the state encoding of v, a value of type t or NULL, to dst: the encoding
// the built-in functions use for the state store, for external aggregators' AppendState.
func AppendValue(dst []byte, t types.Type, v types.Value) []byte {
	return appendValue(dst, t, v)
}

// DecodeValue reads a value of type t written by AppendValue from the start of b and returns it
// with the bytes that follow.
func DecodeValue(b []byte, t types.Type) (types.Value, []byte, error) {
	d := decoder{b: b}
	v := d.value(t)
	if d.bad {
		return nil, nil, types.Errorf(types.CodeInternal, "agg: corrupt %s value", t)
	}
	return v, d.b, nil
}
