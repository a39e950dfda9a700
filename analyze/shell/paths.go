package shell

import (
	"path"
	"strings"
)

// systemDirs are directories whose contents, at any depth, belong to the
// operating system: deleting or overwriting anything there is destructive.
var systemDirs = []string{
	"/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/boot", "/efi", "/sys", "/proc", "/dev", "/root", "/var", "/snap",
	"/System", "/Library", "/private/etc", "/private/var",
}

// systemExempt are the scratch directories inside systemDirs.
var systemExempt = []string{"/var/tmp", "/private/var/tmp", "/private/var/folders", "/var/folders"}

// topDirs are directories that are broad targets themselves, though what is
// deep inside them is not: /tmp, /opt, /home/alice (a whole home).
var topDirs = []string{"/tmp", "/opt", "/srv", "/mnt", "/media", "/home", "/Users", "/Volumes", "/var/tmp"}

// homeDirs hold users' homes: /home/alice is a broad target.
var homeDirs = []string{"/home", "/Users"}

// homeCritical are the directories of a home whose loss is destructive.
var homeCritical = []string{".ssh", ".gnupg", ".aws", ".kube", ".config", ".local", ".git"}

// under reports whether p is dir or inside it.
func under(p, dir string) bool {
	return strings.HasPrefix(p, dir) && (len(p) == len(dir) || p[len(dir)] == '/')
}

// systemPath reports whether the absolute path p belongs to the operating
// system.
func systemPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	p = path.Clean(p)
	if p == "/" {
		return true
	}
	for _, d := range systemExempt {
		if under(p, d) {
			return false
		}
	}
	for _, d := range systemDirs {
		if under(p, d) {
			return true
		}
	}
	return false
}

// allWild reports whether a path element is nothing but glob characters and
// dots, so that it matches everything (*, .*, *.*, ??*).
func allWild(s string) bool {
	wild := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?':
			wild = true
		case '.':
		default:
			return false
		}
	}
	return wild
}

// broadTarget reports whether removing (or recursively changing) the path p
// would hit the whole system, a home, the working directory or a parent of
// it, and says which.
func broadTarget(p string) (string, bool) {
	if p == "" {
		return "", false
	}
	if p[0] == '~' {
		user, rest, _ := strings.Cut(p[1:], "/")
		home := "the home directory"
		if user != "" {
			home = "the home of " + user
		}
		rest = path.Clean("./" + rest)
		dir, base := path.Split(rest)
		if allWild(base) {
			rest = path.Clean("./" + dir)
		}
		switch {
		case rest == ".":
			return home, true
		case rest == ".." || strings.HasPrefix(rest, "../"):
			return "a directory above " + home, true
		}
		for _, c := range homeCritical {
			if rest == c {
				return home + "'s " + c, true
			}
		}
		return "", false
	}
	clean := path.Clean(p)
	target := clean
	if dir, base := path.Split(clean); allWild(base) {
		target = path.Clean(dir)
		if dir == "" {
			target = "."
		}
	}
	if p[0] == '/' {
		if target == "/" {
			return "everything under /", true
		}
		if systemPath(target) {
			return "the system path " + target, true
		}
		for _, d := range topDirs {
			if target == d {
				return "all of " + d, true
			}
		}
		for _, d := range homeDirs {
			if path.Dir(target) == d {
				return "the home " + target, true
			}
		}
		if path.Base(target) == ".git" {
			return "the repository history " + target, true
		}
		if path.Dir(target) == "/" {
			return "the top-level directory " + target, true
		}
		return "", false
	}
	switch {
	case target == ".":
		return "the working directory", true
	case target == ".." || strings.HasPrefix(target, "../") && strings.Trim(target, "./") == "":
		return "a parent directory", true
	case path.Base(target) == ".git":
		return "the repository history " + target, true
	}
	return "", false
}

// isNetDevice reports whether p is bash's /dev/tcp or /dev/udp pseudo-device.
func isNetDevice(p string) bool {
	return strings.HasPrefix(p, "/dev/tcp/") || strings.HasPrefix(p, "/dev/udp/")
}

// isHarmlessDevice reports whether p is a device that is safe to write to.
func isHarmlessDevice(p string) bool {
	switch p {
	case "/dev/null", "/dev/zero", "/dev/stdout", "/dev/stderr", "/dev/stdin",
		"/dev/tty", "/dev/full", "/dev/random", "/dev/urandom", "/dev/ptmx", "/dev/console":
		return true
	}
	for _, d := range []string{"/dev/fd/", "/dev/pts/", "/dev/shm/", "/dev/tcp/", "/dev/udp/", "/dev/mqueue/"} {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// isBlockDevice reports whether p is a device whose overwriting destroys
// data: a disk, a partition, memory.
func isBlockDevice(p string) bool {
	if !strings.HasPrefix(p, "/dev/") || isHarmlessDevice(p) {
		return false
	}
	return len(p) > len("/dev/")
}

// persistenceFile reports whether writing p makes commands run later: shell
// start-up files, cron, the dynamic loader's preload list, systemd units,
// git hooks and git configuration (aliases, core.fsmonitor, hooksPath).
func persistenceFile(p string) (string, bool) {
	clean := path.Clean(p)
	base := path.Base(clean)
	switch {
	case contains([]string{".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", ".zshenv", ".zlogin", ".kshrc", ".cshrc", ".tcshrc", ".xprofile", ".xinitrc", ".bash_logout"}, base):
		return "a shell start-up file", true
	case clean == "/etc/profile" || under(clean, "/etc/profile.d") || clean == "/etc/bash.bashrc" || clean == "/etc/environment" || clean == "/etc/zsh/zshrc":
		return "a system shell start-up file", true
	case clean == "/etc/crontab" || strings.HasPrefix(clean, "/etc/cron.") || under(clean, "/var/spool/cron") || under(clean, "/etc/anacrontab"):
		return "a cron table", true
	case clean == "/etc/ld.so.preload" || under(clean, "/etc/ld.so.conf.d"):
		return "the dynamic loader's preload list", true
	case under(clean, "/etc/systemd") || under(clean, "/lib/systemd/system") || under(clean, "/usr/lib/systemd/system") ||
		hasSeg(clean, ".config/systemd") || clean == "/etc/rc.local" || under(clean, "/etc/init.d"):
		return "a service definition", true
	case hasSeg(clean, ".git") && (base == "config" || hasSeg(clean, "hooks")),
		base == ".gitconfig" || hasSeg(clean, ".config/git") || clean == "/etc/gitconfig":
		return "git's configuration or hooks, which make git run commands", true
	case hasSeg(clean, ".husky") || hasSeg(clean, ".config/autostart") || strings.Contains(clean, "LaunchAgents") || strings.Contains(clean, "LaunchDaemons"):
		return "a hook or start-up item", true
	}
	return "", false
}

// privilegeFile reports whether writing p grants privileges: the sudoers,
// the account databases, authorized SSH keys.
func privilegeFile(p string) (string, bool) {
	clean := path.Clean(p)
	switch {
	case under(clean, "/etc/sudoers"), under(clean, "/etc/sudoers.d"), clean == "/etc/doas.conf":
		return "the sudoers rules", true
	case clean == "/etc/passwd", clean == "/etc/shadow", clean == "/etc/group", clean == "/etc/gshadow":
		return "the account database " + clean, true
	case path.Base(clean) == "authorized_keys" || path.Base(clean) == "authorized_keys2":
		return "authorized SSH keys", true
	case strings.HasPrefix(clean, "/etc/pam.d/"):
		return "the PAM configuration", true
	}
	return "", false
}
