package shell

import "strings"

// Local system administration: services, firewalls, networking, mounts,
// processes, packages, storage and virtual machines. Changing them counts as
// an infrastructure change; losing data or tearing them down is destructive.

func init() {
	register(ruleService, "systemctl", "service")
	register(ruleFirewall, "iptables", "ip6tables", "nft", "ufw", "firewall-cmd")
	register(ruleIP, "ip", "ifconfig", "ifdown")
	register(ruleMount, "mount", "umount", "swapoff")
	register(ruleKill, "kill", "pkill", "killall", "killall5")
	register(rulePackages, "apt", "apt-get", "yum", "dnf", "apk", "pacman", "zypper", "brew", "snap", "pip", "pip3")
	register(ruleStorage, "zfs", "zpool", "lvremove", "vgremove", "pvremove", "mdadm", "btrfs")
	register(ruleVM, "virsh", "vagrant", "minikube", "kind", "multipass", "lxc", "incus", "k3d")
	register(ruleUserdel, "userdel", "deluser", "groupdel")
	register(ruleJournal, "journalctl")
	register(ruleRemoteStore, "rclone", "s5cmd")
	register(ruleRepoHost, "glab")
}

// ruleService: stopping, disabling or masking services changes the system.
func ruleService(c *call) {
	ops := c.operands()
	for _, v := range ops {
		switch v {
		case "stop", "disable", "mask", "kill", "restart", "reload", "enable", "start", "isolate", "daemon-reload", "set-property", "edit", "revert":
			c.set(infraChange, "changes a service ("+v+")")
			return
		case "poweroff", "reboot", "halt", "kexec", "emergency", "rescue":
			c.set(infraChange|destructive, "stops or restarts the machine")
			return
		}
	}
}

// ruleFirewall: flushing or resetting a firewall removes its protection;
// other changes change the system.
func ruleFirewall(c *call) {
	if c.has("-L", "--list", "-S", "--list-rules", "list", "status", "--state", "--list-all") && !c.has("-F", "--flush", "-X", "flush", "reset") {
		return
	}
	if len(c.args) == 0 {
		return
	}
	c.set(infraChange, "changes the firewall")
	if c.has("-F", "--flush", "-X", "--delete-chain", "flush", "reset", "disable", "--panic-off") || c.hasClusterFlag('F') {
		c.set(destructive, "removes the firewall's rules")
	}
}

// ruleIP: bringing links down and deleting addresses or routes.
func ruleIP(c *call) {
	if c.name == "ifdown" || c.hasWord("down") || c.hasWord("del") || c.hasWord("delete") || c.hasWord("flush") {
		c.set(infraChange, "changes the network configuration")
	}
}

// ruleMount: mounting, unmounting and turning swap off change the system.
func ruleMount(c *call) {
	if c.name == "mount" && len(c.operands()) == 0 && !c.has("-o", "-a", "--all") {
		return
	}
	c.set(infraChange, "changes mounts")
}

// ruleKill: signalling every process (-1, killall5, pkill of everything) is
// destructive.
func ruleKill(c *call) {
	ops := c.operands()
	switch c.name {
	case "killall5":
		c.set(destructive, "kills every process")
	case "kill":
		for _, o := range ops {
			if o == "-1" || o == "1" {
				c.set(destructive, "kills every process (or init)")
				return
			}
		}
		for _, w := range c.args {
			if w.known && w.val == "-1" && len(ops) == 0 {
				c.set(destructive, "kills every process")
				return
			}
		}
	case "pkill", "killall":
		for _, o := range ops {
			if o == "." || o == ".*" || o == "-u" || o == "sshd" || o == "init" || o == "systemd" {
				c.set(destructive, "kills every process, or the system's own")
				return
			}
		}
	}
}

// rulePackages: removing packages is destructive; installing is not judged.
func rulePackages(c *call) {
	for _, v := range c.operands() {
		switch v {
		case "remove", "purge", "autoremove", "erase", "del", "uninstall":
			c.set(destructive, "removes installed software ("+v+")")
			return
		}
	}
	if c.name == "pacman" && (c.hasPrefix("-R") || c.hasPrefix("--remove")) {
		c.set(destructive, "removes installed software")
	}
}

// ruleStorage: destroying pools, volumes and arrays.
func ruleStorage(c *call) {
	switch c.name {
	case "lvremove", "vgremove", "pvremove":
		c.set(destructive|infraChange, "removes a volume")
	case "mdadm":
		if c.has("--zero-superblock", "--remove", "--fail", "--stop") {
			c.set(destructive|infraChange, "tears down a RAID array")
		}
	default:
		for _, v := range c.operands() {
			if v == "destroy" || v == "delete" || v == "rollback" {
				c.set(destructive|infraChange, "destroys storage ("+v+")")
				return
			}
			if v == "create" || v == "set" || v == "add" || v == "remove" {
				c.set(infraChange, "changes storage ("+v+")")
				return
			}
		}
	}
}

// ruleVM: deleting virtual machines and local clusters.
func ruleVM(c *call) {
	for _, v := range c.operands() {
		switch v {
		case "destroy", "delete", "undefine", "purge", "rm":
			c.set(destructive|infraChange, "deletes a machine or cluster ("+v+")")
			return
		case "create", "start", "up", "shutdown", "stop", "halt", "define", "launch":
			c.set(infraChange, "changes a machine or cluster ("+v+")")
			return
		}
	}
}

// ruleUserdel: deleting accounts changes privileges; -r deletes the home.
func ruleUserdel(c *call) {
	c.set(privilege, "deletes an account or group")
	if c.has("-r", "--remove", "--remove-home", "--remove-all-files") {
		c.set(destructive, "deletes the user's files")
	}
}

// ruleJournal: vacuuming or rotating away the journal destroys logs.
func ruleJournal(c *call) {
	if c.hasPrefix("--vacuum") {
		c.set(destructive, "deletes system logs")
	}
}

// ruleRemoteStore: rclone and s5cmd delete remote data and upload to it.
func ruleRemoteStore(c *call) {
	ops := c.operands()
	if len(ops) == 0 {
		return
	}
	switch ops[0] {
	case "purge", "delete", "deletefile", "rmdir", "rmdirs", "rm", "cleanup":
		c.set(destructive|infraChange, "deletes remote data ("+ops[0]+")")
	case "copy", "sync", "move", "cp", "mv", "copyto", "moveto", "bisync", "rcat", "put":
		dst := ops[len(ops)-1]
		if strings.Contains(dst, ":") {
			c.set(infraChange|networkEgress, "copies data to "+dst)
		}
		if ops[0] == "sync" || ops[0] == "move" || ops[0] == "mv" || ops[0] == "moveto" {
			c.set(destructive, "deletes data at the destination or source ("+ops[0]+")")
		}
	}
}

// ruleRepoHost: glab repo delete, like gh repo delete.
func ruleRepoHost(c *call) {
	ops := c.operands()
	if len(ops) > 1 && ops[0] == "repo" && ops[1] == "delete" {
		c.set(destructive|infraChange, "deletes a repository")
	}
}
