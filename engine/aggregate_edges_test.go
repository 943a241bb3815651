package engine

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

// Odd aggregations and pull queries end in an answer or an error with a SQLSTATE, never a
// panic or a hang.
func TestEdgeAggregations(t *testing.T) {
	h := newHarness(t)
	h.mustRun(iotSetup)
	h.mustRun(`CREATE TABLE devices (id STRING PRIMARY KEY, room STRING, floor INT) WITH (kafka_topic='devices', value_format='JSON', partitions=1);`)
	for _, sql := range []string{
		`CREATE TABLE w1 AS SELECT room, COUNT(*) FROM devices WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY room;`,
		`CREATE TABLE w2 AS SELECT room, COUNT(*) FROM devices WINDOW SESSION (1 MINUTE) GROUP BY room;`,
		`CREATE TABLE w3 AS SELECT device_id, COUNT(*) FROM readings WINDOW HOPPING (SIZE 1 MINUTE, ADVANCE BY 2 MINUTES) GROUP BY device_id;`,
		`CREATE TABLE w4 AS SELECT device_id, COUNT(*) FROM readings WINDOW TUMBLING (SIZE 0 SECONDS) GROUP BY device_id;`,
		`CREATE TABLE w5 AS SELECT device_id, COUNT(*) FROM readings WINDOW TUMBLING (SIZE 1 MINUTE, RETENTION 1 SECOND) GROUP BY device_id;`,
		`SELECT device_id, COUNT(*) FROM readings GROUP BY device_id EMIT FINAL;`,
		`SELECT COUNT(*) FROM readings;`,
		`SELECT device_id, COUNT(*) FROM readings GROUP BY device_id HAVING humidity > 1 EMIT CHANGES;`,
		`SELECT device_id, SUM(device_id) FROM readings GROUP BY device_id EMIT CHANGES;`,
		`SELECT device_id, TOPK(temperature, -1) FROM readings GROUP BY device_id EMIT CHANGES;`,
		`SELECT device_id, TOPK(temperature, temperature) FROM readings GROUP BY device_id EMIT CHANGES;`,
		`SELECT device_id, LATEST_BY_OFFSET(temperature, 0) FROM readings GROUP BY device_id EMIT CHANGES;`,
		`SELECT device_id, COLLECT_LIST() FROM readings GROUP BY device_id EMIT CHANGES;`,
		`SELECT device_id, COUNT(*) FROM readings GROUP BY device_id, device_id EMIT CHANGES;`,
		`SELECT NULL, COUNT(*) FROM readings GROUP BY NULL EMIT CHANGES;`,
		`SELECT device_id, COUNT(*) FROM readings GROUP BY 1 EMIT CHANGES;`,
		`SELECT device_id, COUNT(*) FROM readings WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY device_id EMIT CHANGES LIMIT 2;`,
		`SELECT * FROM w1;`,
		`SELECT * FROM w1 WHERE WINDOWSTART = 'x';`,
		`SELECT * FROM w3 WHERE room = 1;`,
		`SELECT COUNT(*) FROM w2;`,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err := h.s.Run(ctx, sql, func(r *api.Result) error {
			if r.Stream != nil {
				defer r.Stream.Close()
				for {
					if _, err := r.Stream.Next(ctx); err != nil {
						return nil
					}
				}
			}
			return nil
		})
		cancel()
		if err != nil {
			require.NotEqual(t, types.Code(""), types.CodeOf(err), "%s: %v", sql, err)
		}
	}
}
