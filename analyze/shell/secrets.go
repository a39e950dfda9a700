package shell

import (
	"path"
	"slices"
	"strings"
)

// secretDirs are path segments under which everything is a credential.
var secretDirs = []struct{ seg, what string }{
	{".ssh", "SSH keys"},
	{".aws", "AWS credentials"},
	{".config/gcloud", "Google Cloud credentials"},
	{".azure", "Azure credentials"},
	{".kube", "a kubeconfig"},
	{".docker/config.json", "Docker registry credentials"},
	{".gnupg", "GnuPG keys"},
	{".password-store", "a password store"},
	{".config/gh/hosts.yml", "GitHub CLI tokens"},
	{".terraform.d/credentials.tfrc.json", "Terraform Cloud tokens"},
	{".config/rclone", "rclone remotes' credentials"},
	{".vault-token", "a Vault token"},
}

// secretRoots are absolute directories holding secrets.
var secretRoots = []struct{ dir, what string }{
	{"/var/run/secrets", "mounted secrets"},
	{"/run/secrets", "mounted secrets"},
	{"/etc/ssl/private", "TLS private keys"},
	{"/etc/shadow", "password hashes"},
	{"/etc/gshadow", "password hashes"},
	{"/etc/master.passwd", "password hashes"},
	{"/etc/security/opasswd", "password hashes"},
	{"/etc/sudoers", "the sudoers rules"},
	{"/etc/sudoers.d", "the sudoers rules"},
	{"/etc/kubernetes/admin.conf", "a cluster admin kubeconfig"},
	{"/etc/kubernetes/pki", "cluster keys"},
	{"/etc/rancher/k3s/k3s.yaml", "a cluster admin kubeconfig"},
	{"/var/lib/kubelet/pki", "cluster keys"},
}

// secretNames are file names that hold credentials wherever they are.
var secretNames = map[string]string{
	".netrc": "a netrc", "_netrc": "a netrc", ".pgpass": "a pgpass file", ".my.cnf": "MySQL credentials",
	".git-credentials": "Git credentials", ".npmrc": "npm tokens", ".pypirc": "PyPI tokens",
	".vault-token": "a Vault token", ".htpasswd": "password hashes", ".envrc": "an envrc",
	"terraform.tfstate": "Terraform state", "terraform.tfstate.backup": "Terraform state",
	".s3cfg": "S3 credentials", ".boto": "Google Cloud credentials", ".dockercfg": "Docker registry credentials",
	"kubeconfig": "a kubeconfig", ".passwd-s3fs": "S3 credentials", "wp-config.php": "database credentials",
}

// secretExts are extensions of key and keystore files.
var secretExts = []string{".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".kdbx", ".ppk", ".tfstate"}

// publicSSH are files under ~/.ssh that hold nothing secret.
var publicSSH = []string{"known_hosts", "known_hosts.old", "authorized_keys", "authorized_keys2", "config"}

// hasSeg reports whether p holds seg as whole path elements.
func hasSeg(p, seg string) bool {
	for i := 0; i < len(p); {
		j := strings.Index(p[i:], seg)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(seg)
		if (j == 0 || p[j-1] == '/') && (end == len(p) || p[end] == '/') {
			return true
		}
		i = j + 1
	}
	return false
}

// secretPath reports whether the path p names credentials, and which.
func secretPath(p string) (string, bool) {
	for len(p) > 0 && (p[0] == '"' || p[0] == '\'' || p[0] == '@') {
		p = p[1:]
	}
	for len(p) > 0 && (p[len(p)-1] == '"' || p[len(p)-1] == '\'' || p[len(p)-1] == '@') {
		p = p[:len(p)-1]
	}
	if !mayBeSecret(p) {
		return "", false
	}
	base := path.Base(p)
	lower := base
	if hasUpper(base) {
		lower = strings.ToLower(base)
	}
	if strings.HasSuffix(lower, ".pub") {
		return "", false
	}
	for _, d := range secretDirs {
		if hasSeg(p, d.seg) {
			if d.seg == ".ssh" && contains(publicSSH, base) {
				return "", false
			}
			return d.what + " (" + p + ")", true
		}
	}
	clean := p
	if p[0] == '/' {
		clean = path.Clean(p)
	}
	for _, r := range secretRoots {
		if clean[0] == '/' && under(clean, r.dir) {
			return r.what + " (" + p + ")", true
		}
	}
	if strings.HasPrefix(clean, "/proc/") && base == "environ" {
		return "a process environment (" + p + ")", true
	}
	if what, ok := secretNames[base]; ok {
		return what + " (" + p + ")", true
	}
	if strings.HasPrefix(base, "ssh_host_") && strings.HasSuffix(base, "_key") {
		return "a host private key (" + p + ")", true
	}
	for _, k := range []string{"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"} {
		if strings.HasPrefix(base, k) {
			return "a private key (" + p + ")", true
		}
	}
	for _, e := range secretExts {
		if strings.HasSuffix(lower, e) && len(lower) > len(e) {
			return "a key file (" + p + ")", true
		}
	}
	switch {
	case strings.Contains(lower, "credential"):
		return "credentials (" + p + ")", true
	case strings.HasSuffix(base, "_history") || base == ".history":
		return "a shell history (" + p + ")", true
	case isEnvFile(lower):
		return "an env file (" + p + ")", true
	case strings.HasPrefix(lower, "secret") && hasExt(lower, ".yaml", ".yml", ".json", ".env", ".txt", ".toml"):
		return "a secrets file (" + p + ")", true
	}
	return "", false
}

// isEnvFile reports whether a lowercased base name is a dotenv file; the
// examples and templates checked in beside them are not.
func isEnvFile(base string) bool {
	switch {
	case base == ".env":
		return true
	case strings.HasPrefix(base, ".env."):
		return !hasExt(base, ".example", ".sample", ".template", ".dist", ".defaults", ".schema")
	case strings.HasSuffix(base, ".env") && len(base) > len(".env"):
		return true
	}
	return false
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

func hasExt(s string, exts ...string) bool {
	for _, e := range exts {
		if strings.HasSuffix(s, e) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// metadataOnly are programs that handle paths without reading the files'
// contents: naming a key to them reads no secret.
var metadataOnly = map[string]bool{
	"echo": true, "printf": true, "ls": true, "stat": true, "test": true, "[": true,
	"touch": true, "mkdir": true, "rmdir": true, "chmod": true, "chown": true, "chgrp": true,
	"rm": true, "unlink": true, "basename": true, "dirname": true, "realpath": true,
	"readlink": true, "which": true, "type": true, "cd": true, "pushd": true, "popd": true,
	"ssh-add": true, "ssh-keygen": true, "tee": true, "du": true, "true": true, "false": true, ":": true,
	"setfacl": true, "getfacl": true,
}

// identityOpt are programs whose -i option names a key they use, not show.
var identityOpt = map[string]bool{"ssh": true, "scp": true, "sftp": true, "rsync": true, "ssh-copy-id": true}

// copiers are programs whose last operand is a destination they write, not
// read: cp .env.example .env reads no secret.
var copiers = map[string]bool{"cp": true, "mv": true, "install": true, "ln": true}

// gitNoRead are git subcommands that name files without reading them out.
var gitNoRead = []string{"rm", "mv", "check-ignore", "ls-files", "status", "log", "restore", "checkout", "config"}

// secretArgs sets reads_secrets when an argument names credentials.
func (c *call) secretArgs() {
	if metadataOnly[c.name] {
		return
	}
	if c.name == "git" {
		if ops := c.operands(); len(ops) > 0 && contains(gitNoRead, ops[0]) {
			return
		}
	}
	_, outIdx := c.outputArgs()
	dest := -1
	if copiers[c.name] {
		dest = c.lastOperand()
	}
	skip := false
	for i, w := range c.args {
		if skip {
			skip = false
			continue
		}
		if i == dest || len(outIdx) > 0 && slices.Contains(outIdx, i) {
			continue
		}
		if c.name == "rsync" && w.known && (w.val == "-e" || w.val == "--rsh" || strings.HasPrefix(w.val, "--rsh=")) {
			skip = !strings.HasPrefix(w.val, "--rsh=")
			continue // the command it runs is judged on its own
		}
		if identityOpt[c.name] && w.known && strings.HasPrefix(w.val, "-i") {
			skip = w.val == "-i"
			continue
		}
		if what, ok := secretWord(w.val); ok {
			c.set(readsSecrets, "reads "+what)
			return
		}
	}
}

// lastOperand returns the index in c.args of the last operand, or -1 when
// there are fewer than two (cp SRC DST).
func (c *call) lastOperand() int {
	n, last := 0, -1
	end := false
	for i, w := range c.args {
		switch {
		case end || !w.known:
		case w.val == "--":
			end = true
			continue
		case len(w.val) > 1 && w.val[0] == '-':
			continue
		}
		n, last = n+1, i
	}
	if n < 2 {
		return -1
	}
	return last
}

// mayBeSecret is a quick filter: a path naming credentials holds a '.', '/'
// or '_', or the word "credential".
func mayBeSecret(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.', '/', '_':
			return true
		}
	}
	return len(s) >= len("credential") && strings.Contains(strings.ToLower(s), "credential")
}

// secretWord looks for credentials in a word, and in what follows its '=',
// ':' or '@' (--from-file=key=~/.aws/credentials, host:~/.ssh/id_rsa, -d @.env).
func secretWord(s string) (string, bool) {
	if !mayBeSecret(s) {
		return "", false
	}
	if what, ok := secretPath(s); ok {
		return what, true
	}
	for _, sep := range []string{"=", ":", "@"} {
		if i := strings.LastIndex(s, sep); i >= 0 && i+1 < len(s) {
			if what, ok := secretPath(s[i+1:]); ok {
				return what, true
			}
		}
	}
	return "", false
}

func init() {
	register(ruleSecretTools, "printenv", "set", "export", "declare", "typeset", "history",
		"security", "vault", "op", "pass", "gopass", "bw", "lpass", "sops", "gpg", "ansible-vault", "getent",
		"ps", "pg_dumpall", "compgen")
}

// ruleSecretTools judges programs whose purpose is to print secrets or the
// environment.
func ruleSecretTools(c *call) {
	sub := c.operands()
	first := ""
	if len(sub) > 0 {
		first = sub[0]
	}
	switch c.name {
	case "printenv":
		c.set(readsSecrets, "prints the environment")
	case "set":
		if len(c.args) == 0 {
			c.set(readsSecrets, "prints every variable, the environment included")
		}
	case "export", "declare", "typeset":
		for _, w := range c.args {
			if !w.known || len(w.val) < 2 || w.val[0] != '-' || !isPrintFlags(w.val) {
				return
			}
		}
		c.set(readsSecrets, "prints variables, the environment included")
	case "history":
		if len(c.args) == 0 || isNumber(first) {
			c.set(readsSecrets, "prints the shell history")
		}
		if c.has("-c") {
			c.set(destructive, "erases the shell history")
		}
	case "ps":
		for _, w := range c.args {
			if w.known && !strings.HasPrefix(w.val, "-") && strings.Contains(w.val, "e") || w.val == "-E" {
				c.set(readsSecrets, "prints processes' environments")
				return
			}
		}
	case "pg_dumpall":
		c.set(readsSecrets, "dumps every database with its roles' password hashes")
	case "compgen":
		if c.has("-e") {
			c.set(readsSecrets, "lists exported variables")
		}
	case "security":
		if strings.HasPrefix(first, "find-") && strings.HasSuffix(first, "-password") || first == "dump-keychain" {
			c.set(readsSecrets, "reads the keychain")
		}
	case "vault":
		if first == "read" || first == "kv" && len(sub) > 1 && (sub[1] == "get" || sub[1] == "patch") || first == "print" {
			c.set(readsSecrets, "reads a Vault secret")
		}
	case "op":
		if first == "read" || first == "inject" || len(sub) > 1 && (first == "item" || first == "document") && sub[1] == "get" {
			c.set(readsSecrets, "reads a 1Password secret")
		}
	case "pass", "gopass":
		if first != "" && !contains([]string{"ls", "list", "find", "search", "init", "insert", "add", "generate", "rm", "mv", "cp", "git", "help", "version"}, first) {
			c.set(readsSecrets, "shows a stored password")
		}
	case "bw", "lpass":
		if first == "get" || first == "show" || first == "export" {
			c.set(readsSecrets, "reads a stored password")
		}
	case "sops", "gpg", "ansible-vault":
		if c.has("-d", "--decrypt", "decrypt", "view") {
			c.set(readsSecrets, "decrypts secrets")
		}
	case "getent":
		if first == "shadow" || first == "gshadow" {
			c.set(readsSecrets, "reads password hashes")
		}
		if strings.HasPrefix(first, "hosts") || strings.HasPrefix(first, "ahosts") {
			ruleLookup(c)
		}
	}
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
