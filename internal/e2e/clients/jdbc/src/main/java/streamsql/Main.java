package streamsql;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The pgjdbc client of internal/e2e/pgclients_jdbc_test.go. It runs against a streamsql server
 * whose stream READINGS (device_id VARCHAR KEY, temp DOUBLE, n INT) exists, prints one line per
 * step ("ok step: detail") and exits non-zero on the first failure ("FAIL step: why").
 *
 * Usage: Main host port
 */
public final class Main {
    private static String step = "connect";

    public static void main(String[] args) throws Exception {
        try {
            run(args[0], Integer.parseInt(args[1]));
        } catch (Throwable e) {
            System.out.println("FAIL " + step + ": " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }

    private static void ok(String detail) {
        System.out.println("ok " + step + ": " + detail);
        System.out.flush();
    }

    private static void check(boolean cond, String what) {
        if (!cond) {
            throw new AssertionError(what);
        }
    }

    private static void run(String host, int port) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "e2e");
        props.setProperty("sslmode", "disable");
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        String url = "jdbc:postgresql://" + host + ":" + port + "/streamsql";
        try (Connection conn = DriverManager.getConnection(url, props)) {
            DatabaseMetaData md = conn.getMetaData();
            ok(md.getDatabaseProductName() + " " + md.getDatabaseProductVersion() + ", driver " + md.getDriverVersion());

            step = "getTables";
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_NAME") + "/" + rs.getString("TABLE_TYPE") + "/" + rs.getString("REMARKS"));
                }
            }
            check(tables.stream().anyMatch(t -> t.startsWith("readings/TABLE")), "readings not in " + tables);
            ok(String.join(", ", tables));

            step = "getColumns";
            List<String> cols = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", "readings", "%")) {
                while (rs.next()) {
                    cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("DATA_TYPE"));
                }
            }
            check(cols.equals(List.of("device_id:text:12", "temp:float8:8", "n:int4:4")), "columns " + cols);
            ok(String.join(", ", cols));

            step = "getPrimaryKeys";
            try (ResultSet rs = md.getPrimaryKeys(null, "public", "readings")) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                ok(n + " key columns");
            }

            step = "getTypeInfo";
            int types = 0;
            boolean float8 = false;
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) {
                    types++;
                    float8 |= "float8".equals(rs.getString("TYPE_NAME"));
                }
            }
            check(types > 10 && float8, types + " types, float8 " + float8);
            ok(types + " types");

            step = "prepared insert";
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO readings (device_id, temp, n) VALUES (?, ?, ?)")) {
                for (int i = 0; i < 8; i++) {
                    ps.setString(1, "d" + (i % 2));
                    ps.setDouble(2, 20.5 + i);
                    ps.setInt(3, i);
                    check(ps.executeUpdate() == 1, "update count");
                }
            }
            ok("8 executions");

            step = "prepared query";
            // Run more than prepareThreshold (5) times: pgjdbc then uses a named server-side
            // statement and asks for binary results.
            try (Statement st = conn.createStatement()) {
                st.execute("SET 'auto.offset.reset'='earliest'");
            }
            try (PreparedStatement ps = conn.prepareStatement("SELECT device_id, temp, n FROM readings WHERE n = ? EMIT CHANGES LIMIT 1")) {
                for (int i = 0; i < 7; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        check(rs.next(), "row for n=" + i);
                        check(rs.getInt(3) == i && rs.getDouble(2) == 20.5 + i && rs.getString(1).equals("d" + (i % 2)),
                                "row " + rs.getString(1) + "," + rs.getDouble(2) + "," + rs.getInt(3));
                        check(!rs.next(), "one row");
                    }
                }
                check(ps.unwrap(org.postgresql.PGStatement.class).isUseServerPrepare(), "not server-prepared after 7 executions");
                ResultSetMetaData rmd = ps.getMetaData();
                ok("7 executions, server-prepared; columns " + rmd.getColumnName(1) + ":" + rmd.getColumnTypeName(1) + ", "
                        + rmd.getColumnName(2) + ":" + rmd.getColumnTypeName(2));
            }

            step = "fetch size";
            // A push query read with a fetch size: in a transaction, pgjdbc opens a named portal
            // and Executes it two rows at a time (PortalSuspended in between).
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                st.setFetchSize(2);
                try (ResultSet rs = st.executeQuery("SELECT device_id, n FROM readings EMIT CHANGES LIMIT 5")) {
                    int rows = 0;
                    while (rs.next()) {
                        check(rs.getInt(2) == rows, "row " + rows + " has n " + rs.getInt(2));
                        rows++;
                    }
                    check(rows == 5, rows + " rows");
                }
                // Another statement while a portal may be open, in the same transaction.
                try (ResultSet rs = st.executeQuery("SELECT 1")) {
                    check(rs.next() && rs.getInt(1) == 1, "SELECT 1");
                }
            }
            conn.commit();
            conn.setAutoCommit(true);
            ok("5 rows, 2 per fetch");

            step = "errors";
            try (Statement st = conn.createStatement()) {
                try {
                    st.executeQuery("SELECT * FROM no_such_stream");
                    check(false, "no error");
                } catch (SQLException e) {
                    ok(e.getSQLState() + " " + e.getMessage().split("\n")[0]);
                }
                try (ResultSet rs = st.executeQuery("SELECT 2")) {
                    check(rs.next() && rs.getInt(1) == 2, "SELECT 2 after an error");
                }
            }
        }
        step = "done";
        ok("all steps passed");
    }
}
