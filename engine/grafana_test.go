package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The query shapes Grafana's PostgreSQL datasource sends ($__timeFilter, $__timeGroup,
// $__timeEpoch expanded) against a windowed table answer as pull queries.
func TestGrafanaQueryShapes(t *testing.T) {
	h := newHarness(t)
	h.mustRun(iotSetup)
	h.mustRun(`CREATE TABLE temp_5m AS SELECT device_id, AVG(temperature) AS avg_temp FROM readings
		WINDOW TUMBLING (SIZE 5 MINUTES) GROUP BY device_id EMIT CHANGES;`)
	tests := []struct {
		name, sql string
		want      []string
	}{
		{"time filter on WINDOWSTART", `SELECT FROM_UNIXTIME(WINDOWSTART) AS "time", avg_temp FROM temp_5m WHERE WINDOWSTART BETWEEN '1970-01-01T00:00:00Z' AND '1970-01-01T00:04:59.999Z' AND device_id = 'a' ORDER BY 1;`,
			[]string{"[0 21]"}},
		{"time filter on a timestamp", `SELECT FROM_UNIXTIME(WINDOWSTART) AS "time", avg_temp FROM temp_5m WHERE FROM_UNIXTIME(WINDOWSTART) BETWEEN '1970-01-01T00:05:00Z' AND '1970-01-01T01:00:00Z' ORDER BY 1;`,
			[]string{"[300000 24]"}},
		{"time group", `SELECT floor(extract(epoch from FROM_UNIXTIME(WINDOWSTART))/300)*300 AS "time", avg_temp FROM temp_5m WHERE device_id = 'b' ORDER BY 1;`,
			[]string{"[0 30]"}},
		{"time epoch", `SELECT extract(epoch from FROM_UNIXTIME(WINDOWSTART)) as "time", device_id AS metric, avg_temp FROM temp_5m WHERE device_id = 'c';`,
			[]string{"[0 c 10]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := h.run(`SET TIMEZONE TO 'UTC'; ` + tc.sql)
			require.NoError(t, err)
			_ = res
			require.Equal(t, tc.want, h.pull(tc.sql))
		})
	}
}
