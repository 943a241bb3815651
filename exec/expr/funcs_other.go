package expr

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/streamsql/streamsql/types"
)

func init() {
	register(
		fn("COALESCE", CategoryConditional, "Returns the first non-NULL argument.", "COALESCE(NULL, 'a', 'b') = 'a'",
			variadic(sigVar("T", iN(coalesce), P("first", tT), P("others", tT)))),
		fn("IFNULL", CategoryConditional, "Returns the first argument unless it is NULL, then the second.", "IFNULL(NULL, 'x') = 'x'",
			sigVar("T", i2(func(a, b types.Value) (types.Value, error) {
				if a != nil {
					return a, nil
				}
				return b, nil
			}), P("expression", tT), P("altValue", tT))),
		fn("NULLIF", CategoryConditional, "Returns NULL when both arguments are equal, else the first.", "NULLIF('a', 'a') = NULL",
			sigVar("T", i2(func(a, b types.Value) (types.Value, error) {
				if a == nil || types.Equal(a, b) {
					return nil, nil
				}
				return a, nil
			}), P("expression1", tT), P("expression2", tT))),
		fn("AS_VALUE", CategoryOther, "Returns its argument: used to copy key columns into the value.", "AS_VALUE(ID) = ID",
			sigVar("T", i1(identity), P("source", tT))),
	)
}

func coalesce(args []types.Value) (types.Value, error) {
	for _, a := range args {
		if a != nil {
			return a, nil
		}
	}
	return nil, nil
}

// randomUUID is java.util.UUID.randomUUID().toString().
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b[:])
}

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// uuidFromBytes formats 16 bytes as a UUID; other lengths give NULL.
func uuidFromBytes(a types.Value) (types.Value, error) {
	b := a.([]byte)
	if len(b) != 16 {
		return nil, nil
	}
	return formatUUID(b), nil
}
