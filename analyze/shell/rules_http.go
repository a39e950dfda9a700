package shell

import (
	"net"
	"strings"
)

// HTTP clients beyond curl and wget, and what makes a request stay on this
// machine.

func init() {
	register(ruleHTTPie, "http", "https", "xh", "xhs")
	register(ruleGrpcurl, "grpcurl")
}

// curlValued are curl's long options that take a value written apart; any
// other long option is taken as a flag, so that its value, if it has one,
// counts as an address (and not local).
var curlValued = []string{"--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii", "--json",
	"--header", "--output", "--request", "--user-agent", "--user", "--cookie", "--cookie-jar", "--referer",
	"--form", "--form-string", "--max-time", "--connect-timeout", "--retry", "--output-dir", "--write-out",
	"--cacert", "--cert", "--key", "--dump-header", "--upload-file", "--url-query"}

// curlAway are curl options that send the request somewhere other than the
// URL's host.
var curlAway = []string{"-x", "--proxy", "--preproxy", "--socks4", "--socks4a", "--socks5", "--socks5-hostname",
	"--resolve", "--connect-to", "-K", "--config", "--url"}

// local reports whether every address curl is given is this machine
// (localhost, 127.0.0.0/8, [::1]) and nothing sends it elsewhere: a request
// there sends nothing off the machine.
func (c *call) local() bool {
	if c.has(curlAway...) || c.hasPrefix("-x") || c.hasPrefix("-K") || c.piped() {
		return false
	}
	urls := 0
	for i := 0; i < len(c.args); i++ {
		w := c.args[i]
		if !w.known {
			return false
		}
		s := w.val
		switch {
		case strings.HasPrefix(s, "--"):
			if !strings.Contains(s, "=") && contains(curlValued, s) {
				i++
			}
			continue
		case len(s) > 1 && s[0] == '-':
			for j := 1; j < len(s); j++ {
				if strings.IndexByte(curlShortWithValue, s[j]) >= 0 {
					if j+1 == len(s) {
						i++
					}
					break
				}
			}
			continue
		}
		if !localURL(s) {
			return false
		}
		urls++
	}
	return urls > 0
}

// localURL reports whether a URL (scheme optional) names this machine.
func localURL(s string) bool {
	if _, rest, ok := strings.Cut(s, "://"); ok {
		if scheme := strings.ToLower(s[:len(s)-len(rest)-3]); scheme != "http" && scheme != "https" {
			return false
		}
		s = rest
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if strings.Contains(s, "@") {
		return false
	}
	host := s
	if h, _, err := net.SplitHostPort(s); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpieValued are HTTPie's options that take a value.
var httpieValued = optSpec{short: "aAop", long: []string{"--auth", "--auth-type", "--session", "--session-read-only",
	"--output", "--print", "--pretty", "--style", "--verify", "--cert", "--cert-key", "--proxy", "--timeout",
	"--max-redirects", "--format-options", "--response-charset", "--response-mime", "--boundary", "--raw"}}

// ruleHTTPie: http METHOD URL ITEMS... sends data with a writing method,
// data items (a=b, a:=json, @file, a@file), --form, --raw or its input; an
// address or item known only at run time may carry data out.
func ruleHTTPie(c *call) {
	opts, ops := subcommand(httpieValued, c.args)
	for _, w := range ops {
		if !w.known {
			c.set(networkEgress, "sends to an address or data known only at run time")
			return
		}
	}
	if hasOpt(opts, "--raw", "-f", "--form", "--multipart") {
		c.set(networkEgress, "uploads data")
		return
	}
	method := ""
	if len(ops) > 0 && strings.ToUpper(ops[0].val) == ops[0].val && strings.Trim(ops[0].val, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
		method, ops = ops[0].val, ops[1:]
	}
	if len(ops) > 0 && localURL(ops[0].val) && !hasOpt(opts, "--proxy") {
		return
	}
	if writingMethod(method) {
		c.set(networkEgress, "sends a "+method+" request")
		return
	}
	for _, w := range ops[min(1, len(ops)):] {
		if strings.HasPrefix(w.val, "@") || strings.Contains(w.val, ":=") || strings.Contains(w.val, "@") ||
			strings.Contains(w.val, "=") && !strings.Contains(w.val, "==") {
			c.set(networkEgress, "sends data ("+w.val+")")
			return
		}
	}
	if c.piped() && !hasOpt(opts, "--ignore-stdin", "-I") {
		c.set(networkEgress, "sends the data piped into it")
	}
}

// ruleGrpcurl: grpcurl -d sends a message; reading it from the input too.
func ruleGrpcurl(c *call) {
	if d, ok := c.value("-d"); ok && (d.val != "" || !d.known) {
		c.set(networkEgress, "sends a message")
	}
}
