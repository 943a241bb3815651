package parser

import (
	"reflect"
	"testing"
)

// TestLiteralFastPathMatchesTiDB parses statements with literal lists both ways (our own
// literal conversion and TiDB's parser) and requires identical results, errors included.
func TestLiteralFastPathMatchesTiDB(t *testing.T) {
	for _, sql := range []string{
		`INSERT INTO s VALUES ('a', 1, 2.50, -3, -0.5, 1e3, -2E-2, .5, 5., TRUE, false, NULL, X'0A1B', 'it''s', E'a\nb');`,
		`INSERT INTO s (a, b) VALUES (2147483647, 2147483648);`,
		`INSERT INTO s (a, b) VALUES (-2147483648, -9223372036854775808, 9223372036854775808, 123456789012345678901234567890);`,
		"INSERT INTO s VALUES ('é€',\n  -1.25,\n\t00012);",
		`INSERT INTO s VALUES ();`,
		`INSERT INTO s VALUES (1,);`,
		`INSERT INTO s VALUES (1 2);`,
		`INSERT INTO s VALUES (- 1, -(1), +1, 1 + 1, -'a', 'a' 'b');`,
		`INSERT INTO s VALUES (ARRAY[1, 2], MAP('a' := 1), STRUCT(a := 1), $1, ?);`,
		`INSERT INTO s VALUES (1, , 2);`,
		`INSERT INTO s VALUES (0x1F, 1e, 1.2.3);`,
		`CREATE STREAM x AS SELECT * FROM y PARTITION BY NULL;`,
		`CREATE STREAM x AS SELECT * FROM y PARTITION BY 'k', -1;`,
	} {
		literalFastPath = true
		fast, fastErr := Parse(sql)
		literalFastPath = false
		slow, slowErr := Parse(sql)
		literalFastPath = true
		if (fastErr == nil) != (slowErr == nil) || (fastErr != nil && fastErr.Error() != slowErr.Error()) {
			t.Errorf("%s\nfast path error: %v\nTiDB path error: %v", sql, fastErr, slowErr)
			continue
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s\nfast path: %#v\nTiDB path: %#v", sql, fast, slow)
		}
	}
}
