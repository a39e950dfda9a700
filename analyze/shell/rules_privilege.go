package shell

import (
	"path"
	"strconv"
	"strings"
)

func init() {
	register(ruleChmod, "chmod")
	register(ruleChown, "chown", "chgrp")
	register(ruleSetcap, "setcap")
	register(ruleUserGroups, "usermod", "useradd", "adduser", "gpasswd", "addgroup")
	register(ruleAccounts, "visudo", "passwd", "chpasswd", "vipw", "vigr", "sudoedit")
	register(ruleInstall, "install")
	register(ruleSetfacl, "setfacl")
}

// ruleSetfacl: adding or setting ACL entries grants access to files.
func ruleSetfacl(c *call) {
	if c.has("-m", "-M", "--modify", "--modify-file", "--set", "--set-file") || c.hasPrefix("--set=") || c.hasPrefix("--modify=") ||
		c.hasClusterFlag('m') || c.hasClusterFlag('M') {
		c.set(privilege, "grants access to files through ACL entries")
	}
}

// privilegedGroups are groups whose members are root in effect.
var privilegedGroups = []string{"sudo", "wheel", "admin", "root", "docker", "lxd", "disk", "adm", "shadow", "libvirt", "kvm"}

// ruleChmod: setting setuid or setgid is privilege; a mode known only at run
// time is assumed to; changing modes recursively on a broad target is
// destructive.
func ruleChmod(c *call) {
	ops := c.operands()
	if len(ops) == 0 {
		return
	}
	mode := c.argByText(ops[0])
	switch {
	case !mode.known:
		c.set(privilege, "sets a mode known only at run time")
	case setsID(mode.val):
		c.set(privilege, "sets the setuid or setgid bit ("+mode.val+")")
	}
	for _, t := range ops[1:] {
		if what, ok := privilegeFile(t); ok {
			c.set(privilege, "changes who may use "+what)
			break
		}
		if what, ok := secretPath(t); ok && strings.HasPrefix(t, "/") {
			c.set(privilege, "changes who may read "+what)
			break
		}
	}
	c.recursiveBroad(ops[1:], "changes the modes of")
}

// setsID reports whether a chmod mode sets setuid or setgid: u+s, g+s, +s,
// 4755, 2755, 6755.
func setsID(m string) bool {
	if n, err := strconv.ParseUint(strings.TrimLeft(m, "=+"), 8, 32); err == nil {
		return len(m) >= 4 && n&0o6000 != 0
	}
	for _, clause := range strings.Split(m, ",") {
		i := strings.IndexAny(clause, "+=")
		if i >= 0 && strings.Contains(clause[i:], "s") {
			return true
		}
	}
	return false
}

// recursiveBroad sets destructive when a -R change hits a broad target.
func (c *call) recursiveBroad(targets []string, verb string) {
	if !c.has("-R", "--recursive") && !c.hasClusterFlag('R') {
		return
	}
	for _, t := range targets {
		w := c.argByText(t)
		if !w.known {
			c.set(destructive, verb+" a tree known only at run time, recursively")
			return
		}
		if deepSystemPath(t) {
			continue // chown -R www-data /var/www/app is routine
		}
		if what, ok := broadTarget(t); ok {
			c.set(destructive, verb+" "+what+", recursively")
			return
		}
	}
}

// deepSystemPath reports whether p lies two or more levels inside a system
// directory (/var/www/app, /usr/local/bin), not a system directory itself.
func deepSystemPath(p string) bool {
	if !systemPath(p) {
		return false
	}
	return strings.Count(strings.Trim(path.Clean(p), "/"), "/") >= 2
}

// ruleChown: giving files to root (or to an owner known only at run time) is
// privilege; a recursive change of a broad target is destructive.
func ruleChown(c *call) {
	ops := c.operands()
	if len(ops) == 0 {
		return
	}
	owner := c.argByText(ops[0])
	if c.has("--reference") {
		owner = word{val: "", known: true}
	} else {
		user, group, _ := strings.Cut(owner.val, ":")
		if c.name == "chgrp" {
			user, group = "", owner.val
		}
		switch {
		case !owner.known:
			c.set(privilege, "gives files to an owner known only at run time")
		case user == "root" || user == "0" || contains(privilegedGroups, group) || group == "0":
			c.set(privilege, "gives files to "+owner.val)
		}
		ops = ops[1:]
	}
	c.recursiveBroad(ops, "changes the owner of")
}

// ruleSetcap: file capabilities grant privileges to a program.
func ruleSetcap(c *call) {
	if c.has("-v", "--verify") {
		return
	}
	c.set(privilege, "grants file capabilities")
}

// ruleUserGroups: adding users to privileged groups, or making a user with
// UID 0, is privilege.
func ruleUserGroups(c *call) {
	if c.anyUnknown() {
		c.set(privilege, "changes accounts or groups with words known only at run time")
		return
	}
	for i, w := range c.args {
		v := w.val
		if (v == "-u" || v == "--uid") && i+1 < len(c.args) && c.args[i+1].val == "0" || v == "-o" || v == "--non-unique" {
			c.set(privilege, "creates a second root account")
			return
		}
	}
	for _, w := range c.args {
		for _, g := range strings.Split(w.val, ",") {
			if contains(privilegedGroups, g) && (c.name != "useradd" || c.has("-G", "--groups", "-g", "--gid")) {
				c.set(privilege, "adds a user to the "+g+" group")
				return
			}
		}
	}
}

// ruleInstall: install -m with setuid or setgid; then as a writer.
func ruleInstall(c *call) {
	if m, ok := c.value("-m", "--mode"); ok && (!m.known || setsID(m.val)) {
		c.set(privilege, "installs a file with the setuid or setgid bit")
	}
	ruleWriters(c)
}

// ruleAccounts: editing sudoers or account databases and setting passwords.
func ruleAccounts(c *call) {
	c.set(privilege, "changes passwords or privileges")
}
