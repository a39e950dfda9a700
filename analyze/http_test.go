package analyze

import "testing"

func TestHTTPFacts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, url string
		want        map[string]any
	}{
		{"get", "https://API.Example.com./v1/users?id=7", map[string]any{"method": "GET", "scheme": "https", "host": "api.example.com",
			"port": "443", "path": "/v1/users", "query": "id=7", "mutating": false, "parse_error": false}},
		{"POST", "http://10.0.0.1:8080", map[string]any{"host": "10.0.0.1", "port": "8080", "path": "/", "mutating": true}},
		{"HEAD", "https://[::1]/x", map[string]any{"host": "::1", "mutating": false}},
		{"PROPFIND", "https://dav.example.com/", map[string]any{"mutating": true, "parse_error": false}},
		{"DELETE", "https://example.com/a%2Fb", map[string]any{"path": "/a%2Fb", "mutating": true}},
		// Anything unclear fails closed.
		{"GET", "ftp://example.com/x", map[string]any{"parse_error": true, "mutating": true}},
		{"GET", "/relative/only", map[string]any{"parse_error": true, "mutating": true}},
		{"GET", "https://user:pw@example.com/", map[string]any{"parse_error": true, "mutating": true}},
		{"GET", "http://exa mple.com/", map[string]any{"parse_error": true, "mutating": true}},
		{"GE T", "https://example.com/", map[string]any{"parse_error": true, "mutating": true}},
		{"", "https://example.com/", map[string]any{"parse_error": true, "mutating": true}},
		// Other spellings of an address are refused, so a rule that denies
		// 169.254.169.254 cannot be passed by writing it differently.
		{"GET", "http://2852039166/", map[string]any{"parse_error": true}},
		{"GET", "http://0xA9FEA9FE/", map[string]any{"parse_error": true}},
		{"GET", "http://169.254.43518/", map[string]any{"parse_error": true}},
		{"GET", "http://0251.0376.0251.0376/", map[string]any{"parse_error": true}},
		{"GET", "http://127.1/", map[string]any{"parse_error": true}},
		{"GET", "http://ｅvil.com/", map[string]any{"parse_error": true}},
		{"GET", "http://evil.com../", map[string]any{"parse_error": true}},
		{"GET", "http://169.254.169.254/latest", map[string]any{"parse_error": false, "host": "169.254.169.254"}},
		{"GET", "http://cafe.be/", map[string]any{"parse_error": false, "host": "cafe.be"}},
		{"GET", "http://1.example.com/", map[string]any{"parse_error": false, "host": "1.example.com"}},
		{"GET", "http://example.com./", map[string]any{"parse_error": false, "host": "example.com"}},
	} {
		f := HTTP(map[string]any{"method": tc.method, "url": tc.url})
		for k, v := range tc.want {
			if f[k] != v {
				t.Errorf("%s %s: %s = %v, want %v", tc.method, tc.url, k, f[k], v)
			}
		}
		if f["parse_error"] == true && f["error"] == "" {
			t.Errorf("%s %s: parse_error without an error", tc.method, tc.url)
		}
	}
}
