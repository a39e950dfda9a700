package shell

import "strings"

// Secrets carried in variables: a program that sends its arguments out
// (curl -H "Authorization: $GITHUB_TOKEN", curl -d "$AWS_SECRET_ACCESS_KEY")
// reads the secret the variable holds.

// sendsArgs are programs whose arguments (headers, data, URLs, messages)
// are what they send.
var sendsArgs = map[string]bool{
	"curl": true, "wget": true, "http": true, "https": true, "xh": true, "xhs": true,
	"nc": true, "ncat": true, "netcat": true, "socat": true, "telnet": true,
	"mosquitto_pub": true, "websocat": true, "wscat": true, "grpcurl": true,
	"mail": true, "mailx": true, "sendmail": true, "mutt": true, "msmtp": true,
}

// secretVars sets reads_secrets when an argument expands a variable whose
// name says it holds a secret.
func (c *call) secretVars() {
	for _, w := range c.args {
		if w.known {
			continue
		}
		if name, ok := secretVarIn(w.val); ok {
			c.set(readsSecrets, "sends $"+name+", whose name says it holds a secret")
			return
		}
	}
}

// secretVarIn returns the first variable expanded in the source text s
// ($NAME, ${NAME...}) whose name looks secret.
func secretVarIn(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i > 0 && s[i-1] == '\\' {
			continue
		}
		j := i + 1
		if j < len(s) && s[j] == '{' {
			j++
		}
		k := j
		for k < len(s) && (s[k] == '_' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= 'a' && s[k] <= 'z' || k > j && s[k] >= '0' && s[k] <= '9') {
			k++
		}
		if k > j && secretVarName(s[j:k]) {
			return s[j:k], true
		}
		i = k - 1
	}
	return "", false
}

// secretVarName reports whether a variable name says it holds a secret:
// TOKEN, SECRET, PASSWORD, CREDENTIAL, a KEY word (API_KEY, SSH_KEY, not
// KEYBOARD), AUTH, COOKIE. GITHUB_SHA and AWS_REGION are not secrets.
func secretVarName(name string) bool {
	u := strings.ToUpper(name)
	for _, k := range []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "APIKEY", "ACCESSKEY", "PRIVATEKEY", "COOKIE"} {
		if strings.Contains(u, k) {
			return true
		}
	}
	for _, k := range []string{"KEY", "AUTH", "PASS"} {
		if u == k || strings.HasSuffix(u, "_"+k) || strings.HasPrefix(u, k+"_") || strings.Contains(u, "_"+k+"_") {
			return true
		}
	}
	return false
}
