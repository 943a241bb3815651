package parser

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/streamsql/streamsql/types"
)

// posOf returns the Position of byte offset off in src (clamped to src).
func posOf(src string, off int) types.Position {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	line := 1 + strings.Count(src[:off], "\n")
	lineStart := strings.LastIndexByte(src[:off], '\n') + 1
	return types.Position{Offset: off, Line: line, Column: utf8.RuneCountInString(src[lineStart:off]) + 1}
}

// bailout carries a parse error up the recursive descent; parse entry points recover it.
type bailout struct{ err *types.Error }

func syntaxErr(pos types.Position, format string, args ...any) *types.Error {
	return types.ErrorAt(types.CodeSyntaxError, pos, format, args...)
}

// describe renders a token for "at or near" messages the way Postgres does.
func describe(t *token) string {
	if t.kind == tEOF {
		return "end of input"
	}
	s := t.text
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// nearMsg is Postgres' "syntax error at or near X" with an optional expectation.
func nearMsg(t *token, expected string) string {
	msg := "syntax error at or near " + describe(t)
	if t.kind == tEOF {
		msg = "syntax error at end of input"
	}
	if expected != "" {
		msg += ": expected " + expected
	}
	return msg
}
