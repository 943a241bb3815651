package parser

import (
	"errors"
	"strconv"
	"testing"

	"github.com/streamsql/streamsql/types"
)

func itoa(i int) string { return strconv.Itoa(i) }

// checkErr asserts that err is a positioned 42601 or 0A000 *types.Error.
func checkErr(t testing.TB, sql string, err error) {
	t.Helper()
	var e *types.Error
	if !errors.As(err, &e) {
		t.Errorf("%q: error %T is not a *types.Error: %v", sql, err, err)
		return
	}
	if e.Code != types.CodeSyntaxError && e.Code != types.CodeFeatureNotSupported && e.Code != types.CodeProgramLimitExceeded {
		t.Errorf("%q: code %s, want 42601 or 0A000: %v", sql, e.Code, err)
	}
	if !e.Pos.IsValid() {
		t.Errorf("%q: error has no position: %v", sql, err)
	}
}
