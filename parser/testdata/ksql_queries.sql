-- ksqlDB queries: persistent, push and pull.
CREATE TABLE avg_temp AS SELECT device_id, AVG(temp) AS avg_t, LATEST_BY_OFFSET(humidity) AS h
  FROM readings WINDOW HOPPING (SIZE 10 MINUTES, ADVANCE BY 1 MINUTE, RETENTION 2 DAYS, GRACE PERIOD 30 SECONDS)
  GROUP BY device_id EMIT CHANGES;
CREATE STREAM by_loc WITH (kafka_topic='by_loc', partitions=4) AS SELECT * FROM readings PARTITION BY device_id EMIT CHANGES;
SELECT device_id, loc->lat, tags[1], ARRAY_CONTAINS(tags, 'x'), m['k'] FROM readings EMIT CHANGES LIMIT 5;
SELECT t.id, name, COUNT(*) AS n, COUNT(DISTINCT name), COUNT() FROM test t
  JOIN other o WITHIN (1 SECOND, 2 MINUTES) GRACE PERIOD 1 MINUTE ON t.id = o.id
  LEFT JOIN third ON o.k = third.k
  WINDOW SESSION (30 SECONDS) WHERE name LIKE 'a%' ESCAPE '!' AND t.id BETWEEN 1 AND 10
  GROUP BY t.id, name HAVING COUNT(*) > 1 EMIT FINAL;
SELECT * FROM a FULL OUTER JOIN b WITHIN 1 HOUR ON a.id = b.id EMIT CHANGES;
SELECT id, TRANSFORM(arr, x => x * 2), REDUCE(arr, 0, (s, x) => s + x), FILTER(m, (k, v) => v > 1)
  FROM s EMIT CHANGES;
SELECT STRUCT(A := 1, `b` := 'x'), MAP('a' := 1, 'b' := 2), ARRAY[1, 2, 3], ARRAY[], s->*, a->b->c
  FROM s;
SELECT CAST(x AS DECIMAL(5, 2)), CAST(y AS ARRAY<STRING>), CAST(z AS MAP<STRING, INT>), CAST(w AS ADDRESS)
  FROM s;
SELECT 1, 2147483648, 1.50, 0.05, 1.5e3, 'it''s', TRUE, NULL, -7, X'0aFF' FROM s;
SELECT CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END, CASE a WHEN 1 THEN 'one' END,
  a IS NULL, b IS NOT NULL, c IN (1, 2), d NOT IN ('x'), a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b
  FROM s WHERE NOT (a = 1 OR b <> 2) AND c % 2 = 0;
SELECT `Quoted`, "Double", unquoted, s.`Mixed` FROM "MyStream" s;
SELECT * FROM users WHERE ID = 10;
SELECT K, ROUND(v, -1) AS 1R FROM test WINDOW w1 TUMBLING (SIZE 1 SECOND);
