package shell

import "strings"

// Name lookups and pings: the name itself can carry data out (DNS
// exfiltration).

func init() {
	register(ruleLookup, "dig", "nslookup", "host", "ping", "ping6", "traceroute", "whois", "drill", "kdig", "delv")
}

// ruleLookup: name lookups and pings of a name known only at run time can
// carry data out (DNS exfiltration).
func ruleLookup(c *call) {
	if c.name == "whois" && c.has("-h") {
		c.set(networkEgress, "sends a query to a chosen server")
		return
	}
	if c.name == "ping" && c.has("-p") {
		c.set(networkEgress, "sends a chosen payload")
		return
	}
	if c.anyUnknown() {
		c.set(networkEgress, "looks up a name known only at run time, which can carry data out")
		return
	}
	for _, op := range c.operands() {
		if dataLabel(op) {
			c.set(networkEgress, "looks up "+op+", a name that carries data out")
			return
		}
	}
}

func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// keyPrefixes start labels that are access keys or tokens.
var keyPrefixes = []string{"akia", "asia", "ghp_", "gho_", "ghs_", "ghu_", "github_pat_", "glpat-", "xox", "sk-"}

// dataLabel reports whether a DNS name carries data in a label: a long label
// with digits (hex or base32 data), or one shaped like an access key.
func dataLabel(name string) bool {
	if !strings.Contains(name, ".") {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(name, "."), ".")
	for _, l := range labels[:len(labels)-1] {
		if len(l) >= 24 && strings.Count(l, "-") < 2 && digits(l) >= 3 {
			return true
		}
		lower := strings.ToLower(l)
		for _, p := range keyPrefixes {
			if strings.HasPrefix(lower, p) && len(l) >= len(p)+1 && (p != "akia" && p != "asia" || l == strings.ToUpper(l)) {
				return true
			}
		}
	}
	return false
}
