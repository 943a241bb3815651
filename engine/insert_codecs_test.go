package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A session keeps the codecs of the source it inserts into; a source replaced with another
// schema (or dropped and created again) must be encoded with its new columns and format.
func TestInsertAfterTheSourceChanged(t *testing.T) {
	h := newHarness(t)
	h.mustRun(`CREATE STREAM readings (device_id VARCHAR KEY, t DOUBLE) WITH (kafka_topic='r1', value_format='JSON', partitions=1);
		INSERT INTO readings (device_id, t) VALUES ('d1', 1.5);
		CREATE OR REPLACE STREAM readings (device_id VARCHAR KEY, t DOUBLE, h DOUBLE) WITH (kafka_topic='r1', value_format='JSON', partitions=1);
		INSERT INTO readings (device_id, t, h) VALUES ('d2', 2.5, 80.0);`)
	require.Equal(t, []string{`d1|{"T":1.5}`, `d2|{"T":2.5,"H":80.0}`}, h.topic("r1"))

	h.mustRun(`DROP STREAM readings;
		CREATE STREAM readings (device_id VARCHAR KEY, t DOUBLE) WITH (kafka_topic='r2', value_format='DELIMITED', partitions=1);
		INSERT INTO readings (device_id, t) VALUES ('d3', 3.5);`)
	require.Equal(t, []string{`d3|3.5`}, h.topic("r2"))
}
