"""The psycopg2 + SQLAlchemy client of internal/e2e/pgclients_python_test.go: the path Superset
takes (create_engine, connect, the inspector) and queries with parameters. It expects a stream
READINGS (device_id VARCHAR KEY, temp DOUBLE, n INT) holding the rows n = 0..4. It prints one line
per step ("ok step: detail") and exits non-zero on the first failure."""

import sys
import traceback

import psycopg2
import sqlalchemy
from sqlalchemy import create_engine, inspect, text

step = "connect"


def ok(detail):
    print(f"ok {step}: {detail}", flush=True)


def main(host, port):
    global step
    engine = create_engine(f"postgresql+psycopg2://e2e@{host}:{port}/streamsql",
                           connect_args={"connect_timeout": 10})
    with engine.connect() as conn:
        ok(f"SQLAlchemy {sqlalchemy.__version__}, psycopg2 {psycopg2.__version__}, "
           f"server {conn.dialect.server_version_info}")

        step = "get_schema_names"
        insp = inspect(engine)
        schemas = insp.get_schema_names()
        assert "public" in schemas, schemas
        ok(schemas)

        step = "get_table_names"
        tables = insp.get_table_names()
        assert "readings" in tables, tables
        ok(tables)

        step = "get_columns"
        cols = [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns("readings")]
        assert [c[:2] for c in cols] == [("device_id", "TEXT"), ("temp", "DOUBLE PRECISION"), ("n", "INTEGER")], cols
        ok(cols)

        step = "get_pk_constraint"
        ok(insp.get_pk_constraint("readings"))

        step = "get_indexes"
        ok(insp.get_indexes("readings"))

        step = "get_foreign_keys"
        ok(insp.get_foreign_keys("readings"))

        step = "get_table_comment"
        ok(insp.get_table_comment("readings"))

        step = "query with parameters"
        conn.execute(text("SET 'auto.offset.reset'='earliest'"))
        rows = conn.execute(
            text("SELECT device_id, temp, n FROM readings WHERE n >= :lo AND device_id = :dev EMIT CHANGES LIMIT 2"),
            {"lo": 1, "dev": "d1"}).fetchall()
        assert [tuple(r) for r in rows] == [("d1", 21.5, 1), ("d1", 23.5, 3)], rows
        ok(rows)

        step = "insert with parameters"
        r = conn.execute(text("INSERT INTO readings (device_id, temp, n) VALUES (:d, :t, :n)"),
                         {"d": "it's", "t": 1.25, "n": 99})
        ok(r.rowcount)
        rows = conn.execute(text("SELECT device_id, temp FROM readings WHERE n = :n EMIT CHANGES LIMIT 1"),
                            {"n": 99}).fetchall()
        assert [tuple(r) for r in rows] == [("it's", 1.25)], rows
        ok(rows)

        step = "error"
        try:
            conn.execute(text("SELECT * FROM no_such_stream"))
            raise AssertionError("no error")
        except sqlalchemy.exc.DBAPIError as e:
            ok(f"{e.orig.pgcode} {str(e.orig).splitlines()[0]}")
        conn.rollback()
        assert conn.execute(text("SELECT 1")).scalar() == 1

    step = "done"
    ok("all steps passed")


if __name__ == "__main__":
    try:
        main(sys.argv[1], int(sys.argv[2]))
    except BaseException:
        print(f"FAIL {step}:", flush=True)
        traceback.print_exc(file=sys.stdout)
        sys.exit(1)
