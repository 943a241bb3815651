-- Sample readings for four devices on two sites. Load with:
--   psql -h 127.0.0.1 -p PORT -X -v ON_ERROR_STOP=1 -f examples/iot/sample-data.sql

INSERT INTO humidity_readings (device_id, site, humidity) VALUES ('greenhouse-1', 'north', 91.5);
INSERT INTO humidity_readings (device_id, site, humidity) VALUES ('greenhouse-2', 'north', 78.0);
INSERT INTO humidity_readings (device_id, site, humidity) VALUES ('cellar-1',     'south', 88.2);
INSERT INTO humidity_readings (device_id, site, humidity) VALUES ('attic-1',      'south', 40.3);
INSERT INTO humidity_readings (device_id, site, humidity) VALUES ('greenhouse-1', 'north', 86.0);
INSERT INTO humidity_readings (device_id, site, humidity) VALUES ('cellar-1',     'south', 84.9);

INSERT INTO temperature_readings (device_id, site, celsius) VALUES ('greenhouse-1', 'north', 31.5);
INSERT INTO temperature_readings (device_id, site, celsius) VALUES ('greenhouse-2', 'north', 22.0);
INSERT INTO temperature_readings (device_id, site, celsius) VALUES ('cellar-1',     'south', 12.4);
INSERT INTO temperature_readings (device_id, site, celsius) VALUES ('attic-1',      'south', -3.0);

-- Readings with event times (ROWTIME, epoch milliseconds) for the 5-minute averages:
-- 2026-11-25 12:00 to 12:04 UTC, then one at 12:06 per device, which closes the window
-- [12:00, 12:05) in every partition so EMIT FINAL writes its rows.
INSERT INTO temperature_readings (device_id, site, celsius, ROWTIME) VALUES ('greenhouse-1', 'north', 24.0, 1795608000000);
INSERT INTO temperature_readings (device_id, site, celsius, ROWTIME) VALUES ('greenhouse-1', 'north', 25.0, 1795608060000);
INSERT INTO temperature_readings (device_id, site, celsius, ROWTIME) VALUES ('greenhouse-1', 'north', 29.0, 1795608180000);
INSERT INTO temperature_readings (device_id, site, celsius, ROWTIME) VALUES ('cellar-1',     'south', 11.0, 1795608000000);
INSERT INTO temperature_readings (device_id, site, celsius, ROWTIME) VALUES ('cellar-1',     'south', 12.0, 1795608240000);
INSERT INTO temperature_readings (device_id, site, celsius, ROWTIME) VALUES ('attic-1',      'south', -2.0, 1795608120000);
INSERT INTO temperature_readings (device_id, site, celsius, ROWTIME) VALUES ('greenhouse-1', 'north', 26.0, 1795608360000);
INSERT INTO temperature_readings (device_id, site, celsius, ROWTIME) VALUES ('cellar-1',     'south', 12.5, 1795608360000);
INSERT INTO temperature_readings (device_id, site, celsius, ROWTIME) VALUES ('attic-1',      'south', -1.0, 1795608360000);
INSERT INTO temperature_readings (device_id, site, celsius, ROWTIME) VALUES ('greenhouse-2', 'north', 21.0, 1795608360000);
