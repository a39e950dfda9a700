package shell

func init() {
	wrap(wrapSudo, "sudo")
	wrap(wrapDoas, "doas")
	wrap(wrapPkexec, "pkexec")
	wrap(wrapSu, "su", "runuser")
	wrap(wrapNsenter, "nsenter")
	wrap(wrapChroot, "chroot")
}

// asUser describes whom a privileged wrapper runs as.
func asUser(opts []opt, names ...string) string {
	if u, ok := optVal(opts, names...); ok {
		return "as " + u.val
	}
	return "as root"
}

// wrapSudo takes off sudo and its options. sudo -i or -s without a command
// is a root shell reading its input.
func wrapSudo(c *call) step {
	opts, i := optSpec{
		short: "uUgpCDRrTth",
		long: []string{"--user", "--other-user", "--group", "--prompt", "--close-from", "--chdir",
			"--chroot", "--role", "--type", "--command-timeout", "--host"},
	}.scan(c.args)
	rest := c.args[i:]
	for len(rest) > 0 && isAssignWord(rest[0]) {
		rest = rest[1:]
	}
	who := asUser(opts, "-u", "--user")
	switch {
	case hasOpt(opts, "-e", "--edit"):
		c.set(privilege, "edits files "+who)
		for _, w := range rest {
			c.a.writeTarget("sudo -e "+w.val, w, true)
		}
		return c.self()
	case len(rest) == 0 && hasOpt(opts, "-i", "-s", "--login", "--shell"):
		c.set(privilege, "opens a shell "+who)
		return c.stdinShell("sudo -s")
	case len(rest) == 0:
		c.set(privilege, "asks for root")
		return c.self()
	}
	c.set(privilege, "runs "+programLabel(rest[0])+" "+who)
	return c.run("sudo", rest, c.in)
}

// programLabel names the program a word runs, for reasons.
func programLabel(w word) string {
	if !w.known {
		return "a program known only at run time"
	}
	return programName(w.val)
}

// wrapDoas takes off doas [-n] [-s] [-u user] [-C config].
func wrapDoas(c *call) step {
	opts, i := optSpec{short: "uC"}.scan(c.args)
	rest := c.args[i:]
	who := asUser(opts, "-u")
	if len(rest) == 0 {
		c.set(privilege, "opens a shell "+who)
		if hasOpt(opts, "-s") {
			return c.stdinShell("doas -s")
		}
		return c.self()
	}
	c.set(privilege, "runs "+programLabel(rest[0])+" "+who)
	return c.run("doas", rest, c.in)
}

// wrapPkexec takes off pkexec [--user U]; without a command it is a root
// shell.
func wrapPkexec(c *call) step {
	opts, i := optSpec{long: []string{"--user"}}.scan(c.args)
	rest := c.args[i:]
	who := asUser(opts, "--user")
	if len(rest) == 0 {
		c.set(privilege, "opens a shell "+who)
		return c.stdinShell("pkexec")
	}
	c.set(privilege, "runs "+programLabel(rest[0])+" "+who)
	return c.run("pkexec", rest, c.in)
}

// wrapSu takes off su and runuser: -c STRING is parsed as shell; runuser -u
// USER CMD runs an argv; otherwise it is a shell reading its input.
func wrapSu(c *call) step {
	spec := optSpec{short: "cgGsuw", long: []string{"--command", "--session-command", "--group", "--supp-group", "--shell", "--user", "--whitelist-environment"}}
	var opts []opt
	var operands []word
	for i := 0; i < len(c.args); {
		o, n := spec.scan(c.args[i:])
		opts = append(opts, o...)
		i += n
		if n > 0 && c.args[i-1].known && c.args[i-1].val == "--" {
			operands = append(operands, c.args[i:]...)
			break
		}
		if i < len(c.args) {
			operands = append(operands, c.args[i])
			i++
		}
	}
	who := "as root"
	if u, ok := optVal(opts, "-u", "--user"); ok {
		who = "as " + u.val
	} else {
		for _, w := range operands {
			if w.known && w.val != "-" {
				who = "as " + w.val
				break
			}
		}
	}
	if s, ok := optVal(opts, "-c", "--command", "--session-command"); ok {
		c.set(privilege, "runs a command "+who)
		if !s.known {
			return c.fail("runs a command string known only at run time")
		}
		return c.shell(c.name+" -c", s.val, c.in)
	}
	if c.name == "runuser" && hasOpt(opts, "-u", "--user") && len(operands) > 0 {
		c.set(privilege, "runs "+programLabel(operands[0])+" "+who)
		return c.run("runuser", operands, c.in)
	}
	c.set(privilege, "opens a shell "+who)
	return c.stdinShell(c.name)
}

// wrapNsenter takes off nsenter: it enters another process's namespaces,
// the host's when the target is PID 1.
func wrapNsenter(c *call) step {
	_, i := optSpec{short: "tSG", long: []string{"--target", "--setuid", "--setgid"}}.scan(c.args)
	rest := c.args[i:]
	if len(rest) == 0 {
		c.set(privilege, "opens a shell in another process's namespaces")
		return c.stdinShell("nsenter")
	}
	c.set(privilege, "runs "+programLabel(rest[0])+" in another process's namespaces")
	return c.run("nsenter", rest, c.in)
}

// wrapChroot takes off chroot [--userspec U] NEWROOT [CMD].
func wrapChroot(c *call) step {
	_, i := optSpec{long: []string{"--userspec", "--groups"}}.scan(c.args)
	if i >= len(c.args) {
		return c.self()
	}
	rest := c.args[i+1:]
	c.set(privilege, "changes the root directory, which needs root")
	if len(rest) == 0 {
		return c.stdinShell("chroot")
	}
	return c.run("chroot", rest, c.in)
}
