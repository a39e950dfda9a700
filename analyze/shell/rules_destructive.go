package shell

import (
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
	register(ruleSQL, "psql", "mysql", "mariadb", "sqlite3", "sqlcmd", "cockroach", "clickhouse-client")
	register(ruleRedis, "redis-cli")
	register(ruleWriters, "tee", "cp", "mv", "install", "ln", "sed", "vi", "vim", "nvim", "nano", "emacs", "ed")
}

// ruleRm: rm is destructive on a broad target (/, ~, ., .., *, a system
// path, a whole home) or a path known only at run time.
func ruleRm(c *call) {
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
	}
}

// ruleDd: dd writing to a device, a system file or an unknown file.
func ruleDd(c *call) {
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

// ruleTruncate: truncating a system file or an unknown one.
func ruleTruncate(c *call) {
	for _, p := range c.operands() {
		if systemPath(p) || !c.anyKnown(p) {
			c.set(destructive, "truncates "+p)
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
}

// ruleCrontab: crontab -r removes every job.
func ruleCrontab(c *call) {
	if c.has("-r") {
		c.set(destructive, "removes the crontab")
	}
}

// rulePower: stopping or restarting the machine.
func rulePower(c *call) {
	c.set(destructive, "stops or restarts the machine")
}

// sqlDestructive matches statements that drop or empty data.
var sqlDestructive = regexp.MustCompile(`(?i)\b(drop\s+(table|database|schema|index|view|user|role)|truncate\b|delete\s+from\s+[^\s;]+\s*(;|$))`)

// ruleSQL: database clients given DROP, TRUNCATE or an unqualified DELETE.
func ruleSQL(c *call) {
	for _, w := range c.args {
		if w.known && sqlDestructive.MatchString(w.val) {
			c.set(destructive, "runs SQL that drops or empties data")
			return
		}
	}
}

// ruleRedis: FLUSHALL and FLUSHDB empty a Redis server.
func ruleRedis(c *call) {
	for _, w := range c.args {
		if w.known && (strings.EqualFold(w.val, "flushall") || strings.EqualFold(w.val, "flushdb")) {
			c.set(destructive, "empties a Redis database")
			return
		}
	}
}

// ruleWriters: programs that write files they are given: writing the
// sudoers or authorized keys grants privileges; overwriting a device or a
// system file is destructive.
func ruleWriters(c *call) {
	ops := c.operands()
	switch c.name {
	case "sed":
		if !c.has("-i", "--in-place") && !c.hasPrefix("-i") {
			return
		}
	case "cp", "mv", "install", "ln":
		if len(ops) < 2 {
			return
		}
		if c.name == "mv" {
			for _, src := range ops[:len(ops)-1] {
				if what, ok := broadTarget(src); ok && c.anyKnown(src) {
					c.set(destructive, "moves away "+what)
					return
				}
			}
		}
		ops = ops[len(ops)-1:]
		if c.name == "mv" && (ops[0] == "/dev/null") {
			c.set(destructive, "moves files into /dev/null")
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

// hasPrefix reports whether a known argument starts with p.
func (c *call) hasPrefix(p string) bool {
	for _, w := range c.args {
		if w.known && strings.HasPrefix(w.val, p) {
			return true
		}
	}
	return false
}
