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
