// Package expr owns typed, compiled scalar expressions with ksqlDB's semantics and the scalar
// function registry.
//
// The planner translates the parser's AST into this package's expression tree through the
// constructors (Literal, Column, Cast, Binary, Unary, IsNull, IsDistinctFrom, In, Between,
// Like, Case, Call, Field, Subscript, ArrayOf, MapOf, StructOf, NewLambda). The constructors do
// all type checking and resolve operator and function implementations once, so Eval does no
// type dispatch on the hot path beyond asserting the Go type of a value.
//
// # Semantics
//
// The target is "what ksqlDB computes", including its quirks, because the conformance corpus
// compares outputs value for value:
//
//   - Comparisons with a NULL operand are FALSE, not NULL (ksqlDB's generated code guards every
//     comparison with a null check). IS DISTINCT FROM is null-safe. x IN (...) is FALSE for a
//     NULL x, and NOT IN is therefore TRUE.
//   - Arithmetic, unary minus, NOT, AND/OR, LIKE and CASE conditions on a NULL operand fail the
//     way ksqlDB's Java fails (a NullPointerException there): Eval returns ErrNullOperand. The
//     runtime writes NULL for a failed projection and drops a row whose filter failed, exactly
//     what ksqlDB does; ErrNullOperand is a distinct sentinel so it can skip logging those.
//   - STRING + STRING is Java string concatenation: a NULL side becomes the text "null".
//   - ksqlDB's nested error handling (ksql.nested.error.set.null, on by default) turns a failure
//     into NULL, silently for the query, at these points only: a CAST (explicit or the implicit
//     casts inserted for function arguments and list coercion), a function argument that is
//     itself a function call or a struct dereference, and an element of an ARRAY, MAP or
//     STRUCT constructor. Everywhere else the error propagates to the runtime.
//
// # Evaluation errors
//
// Eval returns a nil error or an *EvalError: a per-record failure (bad cast at run time,
// division by zero, a function that cannot handle its input, ErrNullOperand). It carries a
// *types.Error with a SQLSTATE (types.CodeOf works on it). Construction errors are *types.Error
// with codes 42804 (datatype mismatch), 42883 (undefined function), 42725 (ambiguous function),
// 22023 (invalid parameter) and 42846 (cannot cast).
//
// Expressions are immutable after construction and safe for concurrent Eval calls.
//
// # Imports
//
// expr may import only the types package of streamsql (plus the standard library and
// github.com/shopspring/decimal). The planner imports expr; the runtime only sees the Expr
// interface.
package expr
