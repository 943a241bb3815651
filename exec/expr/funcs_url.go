package expr

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/types"
)

func init() {
	urlPart := func(name, desc, ex string, part func(u *url.URL) types.Value) *Func {
		return fn(name, CategoryURL, desc, ex,
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) {
				u, err := url.Parse(a.(string))
				if err != nil {
					return nil, fnError(name, "invalid URL %q: %v", a.(string), err)
				}
				return part(u), nil
			})), P("input", tString)))
	}
	nonEmpty := func(s string) types.Value {
		if s == "" {
			return nil
		}
		return s
	}
	register(
		fn("URL_ENCODE_PARAM", CategoryURL, "Encodes a string for use as a URL query parameter (application/x-www-form-urlencoded).",
			"URL_ENCODE_PARAM('?foo $bar') = '%3Ffoo+%24bar'",
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) { return javaURLEncode(a.(string)), nil })), P("input", tString))),
		fn("URL_DECODE_PARAM", CategoryURL, "Decodes an application/x-www-form-urlencoded string.", "URL_DECODE_PARAM('%3Ffoo+%24bar') = '?foo $bar'",
			sig(stringT, i1(strict1(func(a types.Value) (types.Value, error) {
				s, err := url.QueryUnescape(a.(string))
				if err != nil {
					return nil, fnError("URL_DECODE_PARAM", "invalid encoding %q", a.(string))
				}
				return s, nil
			})), P("input", tString))),
		urlPart("URL_EXTRACT_HOST", "Returns the host of a URL.", "URL_EXTRACT_HOST('http://test@confluent.io:8080') = 'confluent.io'",
			func(u *url.URL) types.Value { return nonEmpty(u.Hostname()) }),
		urlPart("URL_EXTRACT_PATH", "Returns the decoded path of a URL.", "URL_EXTRACT_PATH('http://a.com/x/y?q') = '/x/y'",
			func(u *url.URL) types.Value {
				if u.Opaque != "" {
					return nil
				}
				return u.Path
			}),
		// UrlExtractPort returns an INTEGER (URI.getPort), NULL when the URL has no port.
		fn("URL_EXTRACT_PORT", CategoryURL, "Returns the port of a URL, NULL when it has none.", "URL_EXTRACT_PORT('http://a.com:8080/') = 8080",
			sig(intT, i1(strict1(func(a types.Value) (types.Value, error) {
				u, err := url.Parse(a.(string))
				if err != nil {
					return nil, fnError("URL_EXTRACT_PORT", "invalid URL %q: %v", a.(string), err)
				}
				p, err := strconv.ParseInt(u.Port(), 10, 32)
				if err != nil {
					return nil, nil
				}
				return int32(p), nil
			})), P("input", tString))),
		urlPart("URL_EXTRACT_PROTOCOL", "Returns the scheme of a URL.", "URL_EXTRACT_PROTOCOL('https://a.com') = 'https'",
			func(u *url.URL) types.Value { return nonEmpty(u.Scheme) }),
		urlPart("URL_EXTRACT_QUERY", "Returns the decoded query of a URL.", "URL_EXTRACT_QUERY('http://a.com/?a=1&b=2') = 'a=1&b=2'",
			func(u *url.URL) types.Value {
				if u.RawQuery == "" && !u.ForceQuery {
					return nil
				}
				q, err := url.PathUnescape(u.RawQuery)
				if err != nil {
					return u.RawQuery
				}
				return q
			}),
		urlPart("URL_EXTRACT_FRAGMENT", "Returns the decoded fragment of a URL.", "URL_EXTRACT_FRAGMENT('http://a.com/#frag') = 'frag'",
			func(u *url.URL) types.Value { return nonEmpty(u.Fragment) }),
		// UrlExtractParameter splits URI.getQuery(), the decoded query, on & and =.
		fn("URL_EXTRACT_PARAMETER", CategoryURL, "Returns the value of the first query parameter with a name (the query decoded first), NULL when absent.",
			"URL_EXTRACT_PARAMETER('http://a.com/?a=1&b=x%20y', 'b') = 'x y'",
			sig(stringT, i2(strict2(func(a, n types.Value) (types.Value, error) {
				u, err := url.Parse(a.(string))
				if err != nil {
					return nil, fnError("URL_EXTRACT_PARAMETER", "invalid URL %q: %v", a.(string), err)
				}
				if u.RawQuery == "" && !u.ForceQuery {
					return nil, nil
				}
				q, err := url.PathUnescape(u.RawQuery)
				if err != nil {
					q = u.RawQuery
				}
				for _, kv := range strings.Split(q, "&") {
					k, v, hasV := strings.Cut(kv, "=")
					if k == n.(string) {
						if !hasV {
							return "", nil
						}
						return v, nil
					}
				}
				return nil, nil
			})), P("input", tString), P("parameter", tString))),
	)
}

// javaURLEncode is URLEncoder.encode(s, UTF-8): letters, digits and . - * _ stay, space is +,
// everything else %XX of its UTF-8 bytes.
func javaURLEncode(s string) string {
	const hexd = "0123456789ABCDEF"
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '*', c == '_':
			sb.WriteByte(c)
		case c == ' ':
			sb.WriteByte('+')
		default:
			sb.WriteByte('%')
			sb.WriteByte(hexd[c>>4])
			sb.WriteByte(hexd[c&15])
		}
	}
	return sb.String()
}
