package types

import (
	"errors"
	"fmt"
)

// Code is a Postgres SQLSTATE. The wire layer sends it as is; tests and the conformance runner
// compare on it, so errors are classified once, where they are raised.
type Code string

const (
	CodeSyntaxError          Code = "42601"
	CodeUndefinedTable       Code = "42P01"
	CodeUndefinedColumn      Code = "42703"
	CodeUndefinedFunction    Code = "42883"
	CodeUndefinedObject      Code = "42704"
	CodeDuplicateTable       Code = "42P07"
	CodeDuplicateObject      Code = "42710"
	CodeDuplicateColumn      Code = "42701"
	CodeAmbiguousColumn      Code = "42702"
	CodeWrongObjectType      Code = "42809"
	CodeDatatypeMismatch     Code = "42804"
	CodeGroupingError        Code = "42803"
	CodeInvalidColumnRef     Code = "42P10"
	CodeInvalidParameter     Code = "22023"
	CodeInvalidText          Code = "22P02"
	CodeDataException        Code = "22000"
	CodeNumericOutOfRange    Code = "22003"
	CodeDivisionByZero       Code = "22012"
	CodeInvalidDatetime      Code = "22007"
	CodeFeatureNotSupported  Code = "0A000"
	CodeObjectInUse          Code = "55006"
	CodeQueryCanceled        Code = "57014"
	CodeProgramLimitExceeded Code = "54000"
	CodeInternal             Code = "XX000"
	CodeIO                   Code = "58030"
)

// Position points into statement text. Offset is a 0-based byte offset; Line and Column are
// 1-based. The zero Position means "no position".
type Position struct {
	Offset int
	Line   int
	Column int
}

// IsValid reports whether p points somewhere.
func (p Position) IsValid() bool { return p.Line > 0 }

func (p Position) String() string { return fmt.Sprintf("line %d:%d", p.Line, p.Column) }

// Error is a user-facing error: what went wrong, where, and what to do.
type Error struct {
	Code    Code
	Message string
	Detail  string
	Hint    string
	Pos     Position
	// Err is the underlying cause, if any, for errors.Is/As.
	Err error
}

func (e *Error) Error() string {
	if e.Pos.IsValid() {
		return e.Pos.String() + ": " + e.Message
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error with a code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorAt builds an Error that points at pos.
func ErrorAt(code Code, pos Position, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Pos: pos}
}

// Wrap gives err a code and a context message, keeping it as the cause. A nil err gives nil.
func Wrap(code Code, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...) + ": " + err.Error(), Err: err}
}

// CodeOf returns the SQLSTATE of err: the code of the first *Error in its chain, CodeInternal
// for any other non-nil error, and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
