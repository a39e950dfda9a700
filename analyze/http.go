package analyze

import (
	"net"
	"net/url"
	"strings"
)

// safeMethods are the HTTP methods RFC 9110 defines as safe (read-only).
// Every other method, known or not, is mutating.
var safeMethods = map[string]bool{"GET": true, "HEAD": true, "OPTIONS": true, "TRACE": true}

// HTTP returns the facts of an HTTP call: payload {method, url, headers,
// body}. A URL that does not parse, or is not absolute http(s), fails
// closed: parse_error and mutating are true.
func HTTP(payload map[string]any) map[string]any {
	method, _ := payload["method"].(string)
	method = strings.ToUpper(strings.TrimSpace(method))
	raw, _ := payload["url"].(string)
	f := map[string]any{
		"method":      method,
		"url":         raw,
		"scheme":      "",
		"host":        "",
		"port":        "",
		"path":        "",
		"query":       "",
		"mutating":    !safeMethods[method],
		"has_body":    payload["body"] != nil,
		"parse_error": false,
		"error":       "",
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		f["error"] = err.Error()
	case u.Scheme != "http" && u.Scheme != "https":
		f["error"] = "the URL's scheme must be http or https"
	case u.Host == "" || u.Hostname() == "":
		f["error"] = "the URL has no host"
	case u.User != nil:
		f["error"] = "the URL carries credentials"
	}
	if f["error"] != "" || !validMethod(method) {
		if f["error"] == "" {
			f["error"] = "the method is not an HTTP token"
		}
		f["parse_error"], f["mutating"] = true, true
		return f
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	f["scheme"], f["host"], f["port"], f["path"], f["query"] = u.Scheme, host, port, u.EscapedPath(), u.RawQuery
	if f["path"] == "" {
		f["path"] = "/"
	}
	return f
}

// validMethod reports whether m is an RFC 9110 token.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}
