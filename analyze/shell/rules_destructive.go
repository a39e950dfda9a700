package shell

import (
	"path"
	"regexp"
	"strings"
)

func init() {
	register(ruleRm, "rm")
	register(ruleDd, "dd")
	register(ruleDisk, "wipefs", "fdisk", "sfdisk", "cfdisk", "parted", "sgdisk", "gdisk", "blkdiscard", "mkswap")
	register(ruleShred, "shred", "srm")
	register(ruleTruncate, "truncate")
	register(ruleFind, "find")
	register(ruleCrontab, "crontab")
	register(rulePower, "shutdown", "reboot", "halt", "poweroff")
	register(ruleSQL, "psql", "mysql", "mariadb", "sqlcmd", "cockroach", "clickhouse-client")
	register(ruleRedis, "redis-cli")
	register(ruleDropDB, "dropdb", "dropuser", "mysqladmin")
	register(ruleMongo, "mongosh", "mongo")
	register(ruleWriters, "tee", "cp", "mv", "ln", "nano", "sponge")
	register(ruleUnzip, "unzip")
	register(ruleRm, "unlink")
}

// ruleRm: rm is destructive on a broad target (/, ~, ., .., *, a system
// path, a whole home) or a path known only at run time.
func ruleRm(c *call) {
	recursive := c.has("-r", "-R", "--recursive") || c.hasClusterFlag('r') || c.hasClusterFlag('R')
	end := false
	for _, w := range c.args {
		if w.known && !end {
			if w.val == "--" {
				end = true
				continue
			}
			if len(w.val) > 1 && w.val[0] == '-' {
				continue
			}
		}
		if !w.known {
			c.set(destructive, "removes a path known only at run time")
			return
		}
		if what, ok := broadTarget(w.val); ok {
			c.set(destructive, "removes "+what)
			return
		}
		if what, ok := secretPath(w.val); ok {
			c.set(destructive, "deletes "+what)
			return
		}
		if recursive && wholeTree(w.val) {
			c.set(destructive, "removes the whole tree "+w.val)
			return
		}
	}
}

// wholeTree reports whether a recursive removal of p takes a top-level tree
// with it: an absolute path two levels deep or less (/data/postgres,
// /opt/app), a directory directly in a home (~/projects,
// /home/alice/projects).
func wholeTree(p string) bool {
	if strings.HasPrefix(p, "~") {
		_, rest, _ := strings.Cut(p, "/")
		rest = strings.Trim(path.Clean("/"+rest), "/")
		return rest != "" && !strings.Contains(rest, "/")
	}
	if !strings.HasPrefix(p, "/") {
		return false
	}
	clean := path.Clean(p)
	if under(clean, "/tmp") || under(clean, "/var/tmp") {
		return false
	}
	parts := strings.Split(strings.Trim(clean, "/"), "/")
	if len(parts) <= 2 {
		return true
	}
	return len(parts) == 3 && (parts[0] == "home" || parts[0] == "Users")
}

// ruleDd: dd writing to a device, a system file or an unknown file, or
// zeros over a file.
func ruleDd(c *call) {
	for _, w := range c.args {
		sized := c.hasPrefix("count=") && !c.hasPrefix("seek=") && !c.hasPrefix("conv=notrunc")
		if w.known && !sized && (w.val == "if=/dev/zero" || w.val == "if=/dev/null" || w.val == "if=/dev/urandom" || w.val == "if=/dev/random") {
			for _, o := range c.args {
				if of, ok := strings.CutPrefix(o.val, "of="); ok && o.known && !isHarmlessDevice(of) {
					c.set(destructive, "overwrites "+of+" with "+strings.TrimPrefix(w.val, "if="))
				}
			}
		}
	}
	for _, w := range c.args {
		if !w.known {
			if strings.Contains(w.val, "of=") {
				c.set(destructive, "writes to a file known only at run time")
				return
			}
			continue
		}
		if of, ok := strings.CutPrefix(w.val, "of="); ok {
			c.a.writeTarget(brief(vals(c.argv)), word{val: of, known: true}, false)
		}
	}
}

// ruleDisk: making file systems and partitioning destroys what was there.
func ruleDisk(c *call) {
	if c.has("-l", "--list", "-p", "--print") && (c.name == "fdisk" || c.name == "sfdisk" || c.name == "parted" || c.name == "sgdisk") {
		return
	}
	if c.name == "parted" && c.hasWord("print") {
		return
	}
	c.set(destructive, "rewrites a disk or partition")
}

// hasWord reports whether a known argument is exactly s.
func (c *call) hasWord(s string) bool {
	for _, w := range c.args {
		if w.known && w.val == s {
			return true
		}
	}
	return false
}

// ruleShred: shred overwrites files so they cannot be recovered.
func ruleShred(c *call) {
	c.set(destructive, "overwrites files beyond recovery")
}

// ruleTruncate: truncating a system file or an unknown one, or emptying
// any file (-s 0).
func ruleTruncate(c *call) {
	size, _ := c.value("-s", "--size")
	for _, p := range c.operands() {
		if p == size.val {
			continue
		}
		if systemPath(p) || !c.anyKnown(p) {
			c.set(destructive, "truncates "+p)
			return
		}
		if size.known && strings.TrimLeft(size.val, "0") == "" && size.val != "" && !strings.HasSuffix(p, ".log") {
			c.set(destructive, "empties "+p)
			return
		}
	}
}

// anyKnown reports whether the operand text p belongs to a known word.
func (c *call) anyKnown(p string) bool {
	for _, w := range c.args {
		if w.val == p {
			return w.known
		}
	}
	return true
}

// ruleFind: find -delete removes what it finds. The commands -exec runs are
// judged on their own.
func ruleFind(c *call) {
	if c.hasWord("-delete") {
		c.set(destructive, "deletes every file it finds")
	}
	for i, w := range c.args {
		if w.known && (w.val == "-fprint" || w.val == "-fprint0" || w.val == "-fprintf" || w.val == "-fls") && i+1 < len(c.args) {
			c.a.writeTarget(brief(vals(c.argv)), c.args[i+1], false)
		}
	}
}

// ruleCrontab: crontab -r removes every job; installing a crontab (from a
// file, a pipe or an editor) schedules commands the analyser does not read.
func ruleCrontab(c *call) {
	switch {
	case c.has("-r") || c.hasClusterFlag('r'):
		c.set(destructive, "removes the crontab")
	case c.has("-l"):
	default:
		c.escape("installs scheduled commands the analyser does not read")
	}
}

// ruleUnzip: unzip -d into a broad target overwrites what is there.
func ruleUnzip(c *call) {
	if d, ok := c.value("-d"); ok {
		if !d.known {
			c.set(destructive, "extracts into a directory known only at run time")
		} else if what, ok := broadTarget(d.val); ok {
			c.set(destructive, "extracts over "+what)
		}
	}
}

// rulePower: stopping or restarting the machine.
func rulePower(c *call) {
	c.set(destructive, "stops or restarts the machine")
}

// sqlDestructive matches statements that drop, empty or delete data.
var sqlDestructive = regexp.MustCompile(`(?i)\b(drop\s+(table|database|schema|index|view|user|role|owned|collection)|truncate\b|delete\s+from\b|alter\s+table\b[^;]*\bdrop\b)`)

// sqlEscape matches client commands and SQL that run shell commands.
var sqlEscape = regexp.MustCompile(`(?i)(\\!|\bprogram\s+'|\bsystem\s|\\setenv\s+pager|\\o\s*\|)`)

// sqlComments matches SQL comments, which can split keywords.
var sqlComments = regexp.MustCompile(`/\*[\s\S]*?\*/|--[^\n]*`)

// ruleSQL: database clients given SQL that drops, empties or deletes data
// (in arguments or a here-document); SQL from a file or a pipe is assumed
// to. Client escapes to the shell fail closed.
func ruleSQL(c *call) {
	texts := make([]string, 0, len(c.args)+1)
	for _, w := range c.args {
		if w.known {
			texts = append(texts, w.val)
		}
	}
	if c.in.kind == stdinText {
		texts = append(texts, c.in.text)
	}
	for _, t := range texts {
		if sqlEscape.MatchString(t) {
			c.escape("runs shell commands from the database client")
			return
		}
		if sqlDestructive.MatchString(sqlComments.ReplaceAllString(t, " ")) {
			c.set(destructive, "runs SQL that drops, empties or deletes data")
			return
		}
	}
	if c.has("-f", "--file") || c.hasPrefix("--file=") || c.in.kind == stdinFile || c.in.kind == stdinPipe || c.in.kind == stdinUnknown {
		c.set(destructive, "runs SQL the analyser does not read")
	}
}

// ruleDropDB: dropdb, dropuser and mysqladmin drop.
func ruleDropDB(c *call) {
	if c.name == "mysqladmin" && !c.hasWord("drop") {
		return
	}
	c.set(destructive, "drops a database or role")
}

// ruleMongo: mongosh --eval with drops and deletes; scripts and input are
// assumed to.
func ruleMongo(c *call) {
	for _, w := range c.args {
		lower := strings.ToLower(w.val)
		if strings.Contains(lower, "drop(") || strings.Contains(lower, "dropdatabase") || strings.Contains(lower, "deletemany") ||
			strings.Contains(lower, "deleteone") || strings.Contains(lower, "remove(") || strings.Contains(lower, "dropindex") {
			c.set(destructive, "drops or deletes data")
			return
		}
	}
	if c.has("-f", "--file") || c.piped() || c.in.kind == stdinText {
		c.set(destructive, "runs a script the analyser does not read")
	}
}

// ruleRedis: FLUSHALL and FLUSHDB empty a Redis server; CONFIG SET dir or
// dbfilename makes it write its database anywhere it may (~/.ssh, cron);
// MODULE LOAD runs a library.
func ruleRedis(c *call) {
	for i, w := range c.args {
		switch {
		case !w.known:
		case strings.EqualFold(w.val, "flushall") || strings.EqualFold(w.val, "flushdb") || strings.EqualFold(w.val, "shutdown"):
			c.set(destructive, "empties a Redis database")
			return
		case strings.EqualFold(w.val, "config") && i+2 < len(c.args) && strings.EqualFold(c.args[i+1].val, "set") &&
			(strings.EqualFold(c.args[i+2].val, "dir") || strings.EqualFold(c.args[i+2].val, "dbfilename")):
			c.set(privilege, "makes Redis write its database into a chosen file")
			return
		case strings.EqualFold(w.val, "module") && i+1 < len(c.args) && strings.EqualFold(c.args[i+1].val, "load"):
			c.escape("loads a Redis module, whose code the analyser does not read")
			return
		}
	}
}

// ruleWriters: programs that write files they are given: writing the
// sudoers or authorized keys grants privileges; overwriting a device or a
// system file is destructive; copying /dev/null over a file empties it.
func ruleWriters(c *call) {
	ops := c.operands()
	switch c.name {
	case "sed":
		if !c.has("-i", "--in-place") && !c.hasPrefix("-i") {
			return
		}
	case "cp", "mv", "install", "ln":
		if c.name == "install" && c.has("-d", "--directory") {
			return
		}
		spec := optSpec{short: "tS", long: []string{"--target-directory", "--suffix"}}
		if c.name == "install" {
			spec = optSpec{short: "mogtS", long: []string{"--mode", "--owner", "--group", "--target-directory", "--suffix"}}
		}
		opts, words := subcommand(spec, c.args)
		var srcs []string
		for _, w := range words {
			srcs = append(srcs, w.val)
		}
		dst, ok := optVal(opts, "-t", "--target-directory")
		switch {
		case ok:
			dst.val = strings.TrimSuffix(dst.val, "/") + "/"
		case len(srcs) < 2:
			return
		default:
			dst, srcs = words[len(words)-1], srcs[:len(srcs)-1]
		}
		ops = []string{dst.val}
		if c.name == "mv" {
			for _, src := range srcs {
				if what, ok := broadTarget(src); ok && c.anyKnown(src) {
					c.set(destructive, "moves away "+what)
					return
				}
			}
		}
		if c.name == "mv" && dst.val == "/dev/null" {
			c.set(destructive, "moves files into /dev/null")
			return
		}
		c.intoDir(srcs, dst)
		if !dst.known {
			return
		}
	}
	// Editing in place changes a file; only tee, cp, mv, install and ln
	// replace it.
	keeps := c.name == "tee" && c.has("-a", "--append") || c.name == "sed" || c.name == "ed" || strings.Contains(c.name, "vi") || c.name == "nano" || c.name == "emacs"
	for _, p := range ops {
		c.a.writeTarget(brief(vals(c.argv)), word{val: p, known: c.anyKnown(p)}, keeps)
	}
}

// intoDir judges what cp, mv, install and ln write into a destination
// directory: each source by its name there (cp .bashrc ~/), a tree copied
// into a home, and /dev/null copied over a file, which empties it.
func (c *call) intoDir(srcs []string, dst word) {
	if c.name == "cp" && dst.known && !isHarmlessDevice(dst.val) {
		for _, src := range srcs {
			if src == "/dev/null" || src == "/dev/zero" {
				c.set(destructive, "empties "+dst.val)
				break
			}
		}
	}
	recursive := c.name == "mv" || c.has("-r", "-R", "-a", "--recursive", "--archive") || c.hasClusterFlag('r') || c.hasClusterFlag('R') || c.hasClusterFlag('a')
	if recursive {
		c.treeInto(dst)
	}
	if !dst.known {
		return
	}
	rel, home := homeRel(dst.val)
	_, onPath := pathDir(dst.val)
	if !strings.HasSuffix(dst.val, "/") && len(srcs) < 2 && !(home && rel == ".") && !onPath {
		return
	}
	for _, src := range srcs {
		if c.anyKnown(src) {
			c.a.writeTarget(brief(vals(c.argv)), word{val: path.Join(dst.val, path.Base(src)), known: true}, false)
		}
	}
}

// hasPrefix reports whether a known argument starts with p.
func (c *call) hasPrefix(p string) bool {
	for _, w := range c.args {
		if w.known && strings.HasPrefix(w.val, p) {
			return true
		}
	}
	return false
}
