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
	default:
		f["error"] = oddHost(u.Hostname())
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

// oddHost says why a host cannot be given to policy in one canonical form,
// or "" when it can: a rule that denies a host must not be passed by another
// spelling of it. Refused: non-ASCII names (send punycode), empty labels
// ("a..b", "a.."), and numbers that clients read as IPv4 addresses but are
// not in dotted-quad form (2852039166, 0xA9FEA9FE, 127.1, 0251.0376.0251.0376).
func oddHost(h string) string {
	if strings.HasPrefix(h, "[") || net.ParseIP(h) != nil {
		return ""
	}
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return "the URL's host is not ASCII; send it in punycode"
		}
	}
	labels := strings.Split(strings.TrimSuffix(h, "."), ".")
	numeric := true
	for _, l := range labels {
		if l == "" {
			return "the URL's host has an empty label"
		}
		if !numericLabel(strings.ToLower(l)) {
			numeric = false
		}
	}
	if numeric {
		return "the URL's host is a number that is not a dotted-quad IPv4 address"
	}
	return ""
}

// numericLabel reports whether l is a decimal, octal or 0x-hex number, as
// inet_aton reads a host label.
func numericLabel(l string) bool {
	digits := l
	if strings.HasPrefix(l, "0x") {
		digits = l[2:]
		if digits == "" {
			return true
		}
		return strings.Trim(digits, "0123456789abcdef") == ""
	}
	return digits != "" && strings.Trim(digits, "0123456789") == ""
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
