-- The IoT pipeline: applied at start with `streamsql --queries-file examples/iot/pipeline.sql`.
-- Each statement is applied once; a restart with the same file skips what was applied.

-- Raw humidity readings, one JSON object per record, keyed by device id. `partitions` makes
-- streamsql create the topic (3 partitions; a device's readings always land in the same one).
CREATE STREAM humidity_readings (
    device_id VARCHAR KEY,
    site      VARCHAR,
    humidity  DOUBLE
) WITH (kafka_topic='iot.sensor.humidity', value_format='JSON', partitions=3);

-- Raw temperature readings in degrees Celsius.
CREATE STREAM temperature_readings (
    device_id VARCHAR KEY,
    site      VARCHAR,
    celsius   DOUBLE
) WITH (kafka_topic='iot.sensor.temperature', value_format='JSON', partitions=3);

-- Alerts: every reading above 85 % relative humidity, written to its own topic.
CREATE STREAM high_humidity_alerts
    WITH (kafka_topic='iot.alerts.humidity', partitions=1) AS
    SELECT device_id, site, humidity
    FROM humidity_readings
    WHERE humidity > 85;

-- Fahrenheit conversion with a status label.
CREATE STREAM temperature_fahrenheit AS
    SELECT device_id,
           site,
           celsius,
           ROUND(celsius * 9 / 5 + 32, 1) AS fahrenheit,
           CASE WHEN celsius >= 30 THEN 'HOT'
                WHEN celsius <= 0  THEN 'FREEZING'
                ELSE 'OK'
           END AS status
    FROM temperature_readings;

-- The humidity readings re-keyed by site, so that all devices of a site share a partition.
CREATE STREAM humidity_by_site
    WITH (kafka_topic='iot.humidity.by_site') AS
    SELECT site, device_id, humidity
    FROM humidity_readings
    PARTITION BY site;

-- The 5-minute average temperature per device: a true average (AVG keeps a sum and a count per
-- window), one row per device and window, emitted once when the window closes (EMIT FINAL:
-- when the device's partition has seen a reading at or after the window's end). The windows
-- live in the state store; a pull query reads any device's current windows at once.
CREATE TABLE temp_5m
    WITH (kafka_topic='iot.temperature.avg_5m') AS
    SELECT device_id,
           AVG(celsius) AS avg_celsius,
           MIN(celsius) AS min_celsius,
           MAX(celsius) AS max_celsius,
           COUNT(*)     AS readings
    FROM temperature_readings
    WINDOW TUMBLING (SIZE 5 MINUTES)
    GROUP BY device_id
    EMIT FINAL;
