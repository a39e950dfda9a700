package shell

import "strings"

func init() {
	register(ruleCurl, "curl")
	register(ruleWget, "wget")
	register(ruleSocket, "nc", "ncat", "netcat", "socat", "telnet", "ftp", "lftp", "tftp", "sftp", "smbclient",
		"hping3", "ngrok", "cloudflared", "chisel", "frpc", "bore", "lt", "ssh-copy-id", "sshuttle",
		"mosquitto_pub", "websocat", "wscat")
	register(ruleOpenSSL, "openssl")
	register(ruleCopyRemote, "scp", "rsync")
	register(ruleSSHSelf, "ssh")
	register(ruleGit, "git")
	register(rulePublish, "npm", "yarn", "pnpm", "cargo", "twine", "gem", "gh")
	register(ruleMail, "mail", "mailx", "sendmail", "mutt", "msmtp")
	register(ruleServe, "httpd", "http-server", "serve")
}

// curlShortWithValue are curl's short options that take a value.
const curlShortWithValue = "AbcCdDeEFHKmoPQrTtuUwxXyYz"

// curlSends are curl's short options whose value goes out with the request.
const curlSends = "AbdeFHTuX"

// ruleCurl: curl sends data with -d, -F, -T, --json or a writing method;
// its input, when piped, may be sent; a URL known only at run time may carry
// data out.
func ruleCurl(c *call) {
	if c.local() {
		return
	}
	for _, w := range c.args {
		lower := strings.ToLower(w.val)
		for _, scheme := range []string{"gopher://", "dict://", "telnet://", "ldap://", "smtp://", "smtps://", "mqtt://", "tftp://", "scp://", "sftp://"} {
			if strings.HasPrefix(lower, scheme) {
				c.set(networkEgress, "speaks "+strings.TrimSuffix(scheme, "://")+", which can send data")
				return
			}
		}
	}
	if c.has("-K", "--config") || c.hasPrefix("-K") {
		c.set(networkEgress, "reads options from a config file, which may send data")
		return
	}
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
				if !c.args[i].known && strings.IndexByte(curlSends, ch) >= 0 {
					c.set(networkEgress, "sends data known only at run time (-"+string(ch)+")")
					return
				}
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
	if v, ok := c.value("--use-askpass"); ok {
		if !v.known {
			c.escape("runs an askpass program known only at run time")
			return
		}
		c.runString("wget --use-askpass", v.val)
	}
	if c.has("-e", "--execute") || c.hasPrefix("--execute=") {
		c.set(networkEgress, "runs wgetrc commands, which may send data")
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
	if c.name == "ssh-copy-id" {
		c.set(privilege, "installs a key that grants access to another host")
	}
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
	for _, o := range []string{"-e", "--rsh", "--rsync-path", "-S"} {
		if o == "-S" && c.name != "scp" || o != "-S" && c.name != "rsync" {
			continue
		}
		if v, ok := c.value(o); ok {
			if !v.known {
				c.escape("runs a transport program known only at run time (" + o + ")")
				return
			}
			c.runString(c.name+" "+o, v.val)
		}
	}
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
	default:
		c.a.writeTarget(brief(vals(c.argv)), dst, false)
		c.treeInto(dst)
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
	if c.has("-R", "-D") || c.hasPrefix("-R") || c.hasPrefix("-D") {
		c.set(networkEgress, "opens a tunnel that carries data to another host")
	}
	if c.piped() {
		c.set(networkEgress, "sends its input to another host")
	}
}

// ruleGit: push sends commits (force is destructive); reset --hard and clean
// -f throw away work; credential fill prints credentials.
func ruleGit(c *call) {
	opts, ops := subcommand(optSpec{short: "Cc", long: []string{"--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"}}, c.args)
	for _, o := range opts {
		if o.name == "-c" {
			key, val, _ := strings.Cut(o.val.val, "=")
			c.gitConfigCommand(key, word{val: val, known: o.val.known})
		}
	}
	if len(ops) == 0 {
		return
	}
	verb, rest := ops[0].val, ops[1:]
	sub := ""
	if len(rest) > 0 {
		sub = rest[0].val
	}
	switch verb {
	case "rm":
		if c.has("-r", "-f", "--force") || c.hasClusterFlag('r') {
			for _, w := range rest {
				if what, ok := broadTarget(w.val); ok && w.known {
					c.set(destructive, "deletes "+what+" from the work tree")
					return
				}
			}
		}
	case "checkout", "restore":
		if c.has("-f", "--force", "--", ".") && !c.has("--staged", "-b", "-B") && (c.hasWord(".") || c.has("-f", "--force")) {
			c.set(destructive, "discards uncommitted changes")
		}
	case "stash":
		if sub == "clear" || sub == "drop" {
			c.set(destructive, "deletes stashed changes")
		}
	case "branch":
		if c.has("-D") || c.has("--delete") && c.has("--force") {
			c.set(destructive, "deletes an unmerged branch")
		}
	case "reflog":
		if sub == "expire" || sub == "delete" {
			c.set(destructive, "deletes the reflog, the way back to lost commits")
		}
	case "update-ref":
		if c.has("-d") {
			c.set(destructive, "deletes a ref")
		}
	case "gc", "prune":
		if c.hasPrefix("--prune=now") || verb == "prune" {
			c.set(destructive, "prunes unreachable commits now")
		}
	case "filter-branch", "filter-repo":
		c.set(destructive, "rewrites history")
		for i, w := range c.args {
			if w.known && strings.HasSuffix(w.val, "-filter") && i+1 < len(c.args) {
				if !c.args[i+1].known {
					c.escape("runs a filter known only at run time")
					return
				}
				c.runString("git "+w.val, c.args[i+1].val)
			}
		}
	case "config":
		if len(rest) >= 2 && rest[0].known && !strings.HasPrefix(rest[0].val, "-") {
			if c.gitConfigCommand(rest[0].val, rest[1]) && storesCommand(rest[0].val, rest[1]) {
				c.set(privilege, "stores a command git runs later ("+rest[0].val+")")
			}
		}
	case "push":
		if c.has("--dry-run", "-n") || c.hasClusterFlag('n') {
			return
		}
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

// gitConfigCommand parses the value of a git configuration key that names a
// command git runs (core.pager, core.sshCommand, alias.x = !cmd, ...), and
// reports whether the key is one.
func (c *call) gitConfigCommand(key string, val word) bool {
	k := strings.ToLower(key)
	runs := contains([]string{"core.pager", "core.sshcommand", "core.editor", "core.fsmonitor", "sequence.editor",
		"diff.external", "gpg.program", "credential.helper", "core.askpass", "core.hookspath", "pager.log",
		"pager.diff", "pager.show", "web.browser", "core.gitproxy", "uploadpack.packobjectshook"}, k) ||
		strings.HasPrefix(k, "alias.") && strings.HasPrefix(val.val, "!") ||
		strings.HasPrefix(k, "filter.") || strings.HasSuffix(k, ".textconv") || strings.HasSuffix(k, ".command") ||
		strings.HasPrefix(k, "pager.")
	if !runs {
		return false
	}
	if !val.known || k == "core.hookspath" {
		c.escape("sets " + key + ", which makes git run commands the analyser cannot see")
		return true
	}
	c.runString("git "+key, strings.TrimPrefix(val.val, "!"))
	return true
}

// storesCommand reports whether storing a command-running git key plants
// code rather than choosing a tool: a shell alias (!...), hooksPath, an
// fsmonitor hook, or a value naming a path or holding shell syntax.
func storesCommand(key string, val word) bool {
	k := strings.ToLower(key)
	switch {
	case !val.known || k == "core.hookspath" || strings.HasPrefix(val.val, "!"):
		return true
	case k == "core.fsmonitor":
		return !contains([]string{"true", "false", "", "0", "1", "yes", "no"}, strings.ToLower(val.val))
	}
	first, _, _ := strings.Cut(strings.TrimSpace(val.val), " ")
	return strings.Contains(first, "/") || strings.ContainsAny(val.val, ";|&$`<>(){}\n")
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
		if verb == "publish" && !c.has("--dry-run", "--dry_run") {
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
		case verb == "repo" && sub == "delete", verb == "release" && sub == "delete":
			c.set(destructive|infraChange, "deletes a repository or release")
		case verb == "secret" && (sub == "set" || sub == "delete"), verb == "variable" && sub == "set":
			c.set(infraChange, "changes repository secrets")
		case verb == "api":
			m, _ := c.value("-X", "--method")
			if m.known && strings.EqualFold(m.val, "DELETE") || !m.known && m.val != "" {
				c.set(destructive|infraChange, "deletes through the GitHub API")
			}
			if c.has("-f", "-F", "--field", "--raw-field", "--input") || m.val != "" && !strings.EqualFold(m.val, "GET") {
				c.set(networkEgress, "sends data to the GitHub API")
			}
		case (verb == "issue" || verb == "pr") && (c.has("-F", "--body-file") || c.hasPrefix("--body-file=")):
			c.set(networkEgress, "posts a file's contents to GitHub")
		}
	}
}

// ruleServe: serving a directory over HTTP lets others read it.
func ruleServe(c *call) {
	if c.name != "httpd" || c.has("-h", "-f") {
		c.set(networkEgress, "serves files to the network")
	}
}

// ruleMail: mail sends a message.
func ruleMail(c *call) {
	c.set(networkEgress, "sends mail")
}
