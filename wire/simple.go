package wire

import (
	"github.com/jackc/pgx/v5/pgproto3"
)

// simpleQuery runs a Query message: every statement in the string, each result sent as the
// engine hands it over, stopping at the first error, then ReadyForQuery.
func (c *conn) simpleQuery(sql string) bool {
	c.dropUnnamed() // as in Postgres, a simple query destroys the unnamed statement and portal
	if isEmptyQuery(sql) {
		c.send(&pgproto3.EmptyQueryResponse{})
		return c.ready()
	}
	ctx, end := c.beginStatement(c.ctx)
	defer end()
	results := 0
	err := c.run(ctx, sql, func(r *result) error {
		results++
		return c.writeResult(ctx, r)
	})
	switch {
	case err != nil:
		if !c.fail(ctx, err, sql, nil) {
			return false
		}
	case results == 0:
		// The engine found no statement (say, only comments the wire's check missed).
		c.send(&pgproto3.EmptyQueryResponse{})
	}
	return c.ready()
}
