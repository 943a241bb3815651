package wire

import (
	"errors"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/streamsql/streamsql/types"
)

// SQLSTATEs the protocol layer raises itself (the engine's are in types).
const (
	codeProtocolViolation           types.Code = "08P01"
	codeTooManyConnections          types.Code = "53300"
	codeAdminShutdown               types.Code = "57P01"
	codeInvalidAuthorization        types.Code = "28000"
	codeInvalidStatementName        types.Code = "26000"
	codeInvalidCursorName           types.Code = "34000"
	codeDuplicatePreparedStatement  types.Code = "42P05"
	codeDuplicateCursor             types.Code = "42P03"
	codeCharacterNotInRepertoire    types.Code = "22021"
	codeInvalidBinaryRepresentation types.Code = "22P03"
	codeConnectionFailure           types.Code = "08006"
)

// errorResponse turns err into an ErrorResponse. A *types.Error keeps its code, detail, hint
// and position; any other error is XX000 with its text. sql is the statement text the client
// sent, for the 1-based character Position Postgres reports (psql draws its caret from it);
// pm maps offsets in the text the engine ran back to sql when parameters were substituted.
func errorResponse(err error, sql string, pm *posMap) *pgproto3.ErrorResponse {
	r := &pgproto3.ErrorResponse{
		Severity:            "ERROR",
		SeverityUnlocalized: "ERROR",
		Code:                string(types.CodeInternal),
		Message:             err.Error(),
	}
	var te *types.Error
	if !errors.As(err, &te) {
		return r
	}
	if te.Code != "" {
		r.Code = string(te.Code)
	}
	r.Message, r.Detail, r.Hint = te.Message, te.Detail, te.Hint
	if te.Pos.IsValid() && sql != "" {
		off := te.Pos.Offset
		if pm != nil {
			off = pm.orig(off)
		}
		r.Position = charPosition(sql, off)
	}
	return r
}

// charPosition converts a 0-based byte offset into Postgres' 1-based character position.
func charPosition(sql string, off int) int32 {
	off = max(0, min(off, len(sql)))
	return int32(utf8.RuneCountInString(sql[:off]) + 1)
}

func fatalResponse(code types.Code, msg string) *pgproto3.ErrorResponse {
	return &pgproto3.ErrorResponse{
		Severity:            "FATAL",
		SeverityUnlocalized: "FATAL",
		Code:                string(code),
		Message:             msg,
	}
}

// errQueryCanceled is what a cancelled statement reports, with the text psql and pgjdbc know.
var errQueryCanceled = types.Errorf(types.CodeQueryCanceled, "canceling statement due to user request")

var errFunctionCall = types.Errorf(types.CodeFeatureNotSupported, "the function call protocol message is not supported")

// Causes of context cancellation, so that a failed statement can be told apart from one that
// was cancelled (CancelRequest), cut off by a disconnect, or stopped by a server shutdown.
var (
	causeCancelRequest = errors.New("cancel request")
	causeClientGone    = errors.New("client connection closed")
	causeShutdown      = errors.New("server shutting down")
	causeConnDone      = errors.New("connection finished")
)
