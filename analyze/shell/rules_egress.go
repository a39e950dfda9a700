package shell

import "strings"

func init() {
	register(ruleCurl, "curl")
	register(ruleWget, "wget")
	register(ruleSocket, "nc", "ncat", "netcat", "socat", "telnet", "ftp", "lftp", "tftp", "sftp")
	register(ruleOpenSSL, "openssl")
	register(ruleCopyRemote, "scp", "rsync")
	register(ruleSSHSelf, "ssh")
	register(ruleGit, "git")
	register(rulePublish, "npm", "yarn", "pnpm", "cargo", "twine", "gem", "gh")
	register(ruleMail, "mail", "mailx", "sendmail", "mutt", "msmtp")
	register(ruleLookup, "dig", "nslookup", "host", "ping", "ping6", "traceroute")
}

// curlShortWithValue are curl's short options that take a value.
const curlShortWithValue = "AbcCdDeEFHKmoPQrTtuUwxXyYz"

// ruleCurl: curl sends data with -d, -F, -T, --json or a writing method;
// its input, when piped, may be sent; a URL known only at run time may carry
// data out.
func ruleCurl(c *call) {
	for i := 0; i < len(c.args); i++ {
		w := c.args[i]
		if !w.known {
			c.set(networkEgress, "sends to an address or data known only at run time")
			return
		}
		s := w.val
		if strings.HasPrefix(s, "--") {
			name, val, eq := strings.Cut(s, "=")
			if !eq && (name == "--request" || name == "-X") && i+1 < len(c.args) {
				val = c.args[i+1].val
			}
			switch {
			case strings.HasPrefix(name, "--data") || name == "--form" || name == "--form-string" ||
				name == "--upload-file" || name == "--json":
				c.set(networkEgress, "uploads data ("+name+")")
				return
			case name == "--request" && writingMethod(val):
				c.set(networkEgress, "sends a "+strings.ToUpper(val)+" request")
				return
			}
			continue
		}
		if len(s) < 2 || s[0] != '-' {
			continue
		}
		for j := 1; j < len(s); j++ {
			ch := s[j]
			if strings.IndexByte(curlShortWithValue, ch) < 0 {
				continue
			}
			val := s[j+1:]
			if val == "" && i+1 < len(c.args) {
				val = c.args[i+1].val
				i++
			}
			switch {
			case ch == 'd' || ch == 'F' || ch == 'T':
				c.set(networkEgress, "uploads data (-"+string(ch)+")")
				return
			case ch == 'X' && writingMethod(val):
				c.set(networkEgress, "sends a "+strings.ToUpper(val)+" request")
				return
			}
			break
		}
	}
	if c.piped() {
		c.set(networkEgress, "may send the data piped into it")
	}
}

// writingMethod reports whether an HTTP method sends or changes data.
func writingMethod(m string) bool {
	switch strings.ToUpper(m) {
	case "POST", "PUT", "PATCH", "DELETE":
		return true
	}
	return false
}

// ruleWget: wget sends data with --post-data, --post-file, --body-* or a
// writing --method.
func ruleWget(c *call) {
	if c.anyUnknown() {
		c.set(networkEgress, "fetches an address known only at run time")
		return
	}
	if c.has("--post-data", "--post-file", "--body-data", "--body-file") {
		c.set(networkEgress, "uploads data")
		return
	}
	if m, ok := c.value("--method"); ok && writingMethod(m.val) {
		c.set(networkEgress, "sends a "+strings.ToUpper(m.val)+" request")
		return
	}
	if c.piped() {
		c.set(networkEgress, "reads addresses piped into it")
	}
}

// ruleSocket: raw connections and file-transfer sessions can send anything.
func ruleSocket(c *call) {
	c.set(networkEgress, "opens a network connection that can send data")
}

// ruleOpenSSL: openssl s_client is a raw TLS connection.
func ruleOpenSSL(c *call) {
	if len(c.args) > 0 && c.args[0].val == "s_client" {
		c.set(networkEgress, "opens a TLS connection that can send data")
	}
}

// ruleCopyRemote: scp and rsync to a remote destination (host:path,
// rsync://) send files; rsync --delete into a broad target is destructive.
func ruleCopyRemote(c *call) {
	ops := c.operandsSkipping("-i", "-e", "-F", "-P", "-o", "-J", "-c", "-l", "-S", "-f", "-B", "-T")
	if len(ops) < 2 {
		return
	}
	dst := c.argByText(ops[len(ops)-1])
	switch {
	case !dst.known:
		c.set(networkEgress, "copies to a destination known only at run time")
	case isRemote(dst.val):
		c.set(networkEgress, "copies files to "+dst.val)
	}
	if c.name == "rsync" && c.hasPrefix("--delete") && dst.known && !isRemote(dst.val) {
		if what, ok := broadTarget(dst.val); ok {
			c.set(destructive, "deletes files in "+what)
		}
	}
}

// operandsSkipping returns the operands, skipping the values of the short
// options given.
func (c *call) operandsSkipping(valued ...string) []string {
	var out []string
	for i := 0; i < len(c.args); i++ {
		w := c.args[i]
		switch {
		case !w.known:
			out = append(out, w.val)
		case contains(valued, w.val):
			i++
		case len(w.val) > 1 && w.val[0] == '-':
		default:
			out = append(out, w.val)
		}
	}
	return out
}

// argByText returns the argument whose text is s.
func (c *call) argByText(s string) word {
	for _, w := range c.args {
		if w.val == s {
			return w
		}
	}
	return word{val: s, known: true}
}

// isRemote reports whether an scp or rsync operand names another host:
// host:path, user@host:path, host::module, scp:// or rsync://.
func isRemote(s string) bool {
	if strings.HasPrefix(s, "rsync://") || strings.HasPrefix(s, "scp://") || strings.HasPrefix(s, "sftp://") {
		return true
	}
	colon := strings.IndexByte(s, ':')
	slash := strings.IndexByte(s, '/')
	return colon > 0 && (slash < 0 || colon < slash)
}

// ruleSSHSelf: ssh that runs no remote command (-N, -W) but reads a pipe
// sends it.
func ruleSSHSelf(c *call) {
	if c.piped() {
		c.set(networkEgress, "sends its input to another host")
	}
}

// ruleGit: push sends commits (force is destructive); reset --hard and clean
// -f throw away work; credential fill prints credentials.
func ruleGit(c *call) {
	_, ops := subcommand(optSpec{short: "Cc", long: []string{"--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"}}, c.args)
	if len(ops) == 0 {
		return
	}
	verb, rest := ops[0].val, ops[1:]
	switch verb {
	case "push":
		c.set(networkEgress, "sends commits to a remote")
		if c.has("--force", "-f", "--force-with-lease", "--mirror", "--delete", "--prune", "-d") || c.hasClusterFlag('f') || c.hasClusterFlag('d') {
			c.set(destructive, "overwrites or deletes remote history")
			return
		}
		for _, w := range rest {
			if w.known && (strings.HasPrefix(w.val, "+") || strings.HasPrefix(w.val, ":")) {
				c.set(destructive, "overwrites or deletes the remote branch "+w.val)
				return
			}
		}
	case "reset":
		if c.has("--hard") {
			c.set(destructive, "discards uncommitted changes")
		}
	case "clean":
		if c.has("-f", "--force") || c.hasClusterFlag('f') {
			c.set(destructive, "deletes untracked files")
		}
	case "credential":
		if len(rest) > 0 && rest[0].val == "fill" {
			c.set(readsSecrets, "prints stored credentials")
		}
	case "send-email", "request-pull":
		c.set(networkEgress, "sends patches out")
	}
}

// hasClusterFlag reports whether a short-option cluster such as -fd holds
// the flag ch.
func (c *call) hasClusterFlag(ch byte) bool {
	for _, w := range c.args {
		if w.known && len(w.val) > 2 && w.val[0] == '-' && w.val[1] != '-' && strings.IndexByte(w.val[1:], ch) >= 0 {
			return true
		}
	}
	return false
}

// rulePublish: publishing packages uploads them; gh gist and release upload
// files; gh auth token prints one.
func rulePublish(c *call) {
	ops := c.operands()
	if len(ops) == 0 {
		return
	}
	verb := ops[0]
	switch c.name {
	case "npm", "yarn", "pnpm", "cargo":
		if verb == "publish" {
			c.set(networkEgress, "publishes a package")
		}
		if c.name == "npm" && verb == "token" {
			c.set(readsSecrets, "handles registry tokens")
		}
	case "twine":
		if verb == "upload" {
			c.set(networkEgress, "publishes a package")
		}
	case "gem":
		if verb == "push" {
			c.set(networkEgress, "publishes a package")
		}
	case "gh":
		sub := ""
		if len(ops) > 1 {
			sub = ops[1]
		}
		switch {
		case verb == "gist" && sub == "create", verb == "release" && (sub == "create" || sub == "upload"):
			c.set(networkEgress, "uploads files to GitHub")
		case verb == "auth" && (sub == "token" || c.has("--show-token", "-t")):
			c.set(readsSecrets, "prints a GitHub token")
		case verb == "api" && c.has("-f", "-F", "--field", "--raw-field", "--input", "-X", "--method"):
			c.set(networkEgress, "sends data to the GitHub API")
		}
	}
}

// ruleMail: mail sends a message.
func ruleMail(c *call) {
	c.set(networkEgress, "sends mail")
}

// ruleLookup: name lookups and pings of a name known only at run time can
// carry data out (DNS exfiltration).
func ruleLookup(c *call) {
	if c.anyUnknown() {
		c.set(networkEgress, "looks up a name known only at run time, which can carry data out")
	}
}
