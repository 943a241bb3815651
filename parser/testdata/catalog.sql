-- Catalog queries Postgres clients send (from pg-captures/client-corpus.sql).
SELECT n.nspname as "Schema", c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r','p','') AND n.nspname !~ '^pg_toast' AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;
SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c
WHERE c.relname OPERATOR(pg_catalog.~) '^(readings)$' COLLATE pg_catalog.default
ORDER BY 2, 3;
SELECT oid, stxrelid::pg_catalog.regclass, stxnamespace::pg_catalog.regnamespace::pg_catalog.text AS nsp,
  'd' = any(stxkind) AS ndist_enabled
FROM pg_catalog.pg_statistic_ext WHERE stxrelid = '16384' ORDER BY nsp, stxname;
SELECT pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', '),
  pg_catalog.array_to_string(d.datacl, E'\n') FROM pg_catalog.pg_class c;
SELECT nspname FROM pg_catalog.pg_namespace WHERE (nspname !~ '^pg_temp_' OR nspname = (pg_catalog.current_schemas(true))[1]);
SELECT * FROM (SELECT a.attname, row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum
  FROM pg_catalog.pg_attribute a) c WHERE true AND attname LIKE '%' ORDER BY attnum DESC NULLS LAST;
SELECT pos.n AS KEY_SEQ, con.confkey[pos.n], (information_schema._pg_expandarray(i.indkey)).n
FROM pg_catalog.pg_constraint con, pg_catalog.generate_series(1, 32) pos(n), pg_catalog.pg_index i;
SELECT typinput='pg_catalog.array_in'::regproc as is_array, '{1,2}'::int4[] AS arr, 1.5::numeric AS n,
  NULL::text, 'f'::char, x::double precision, y::timestamp with time zone FROM pg_catalog.pg_type;
with table_privileges as (select NULL as role, t.schemaname as schema, t.objectname as table,
  pg_catalog.has_table_privilege(current_user, '"' || t.schemaname || '"', 'delete') as delete
  from (select schemaname, tablename as objectname from pg_catalog.pg_tables
        union select schemaname, viewname as objectname from pg_catalog.pg_views) t
  where t.schemaname !~ '^pg_') select t.* from table_privileges t;
SELECT floor(extract(epoch from ts)/300)*300 AS "time", device_id AS metric, avg(temp) AS "temp"
FROM readings WHERE ts BETWEEN '2024-05-01T10:00:00Z' AND '2024-05-01T16:00:00Z' GROUP BY 1, 2 ORDER BY 1;
SELECT DATE_TRUNC('day', (NOW() + INTERVAL '-7 day')), TIMESTAMP '2024-05-01 00:00:00', trim(both '"' from x)
FROM "public"."readings" WHERE "public"."readings"."ts" >= $1 LIMIT $2;
SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE (c.relname) LIKE 'rea%'
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000;
SELECT current_schema(),session_user, version();
SELECT t.typname FROM pg_catalog.pg_type t WHERE (t.typrelid = 0 OR (SELECT c.relkind = 'c' FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid))
  AND t.oid IN (SELECT DISTINCT enumtypid FROM pg_enum e) AND EXISTS (SELECT 1 FROM pg_am) AND t.oid = ANY (SELECT 1);
