package shell

import (
	"path"
	"strings"
)

// Wholesale reads: archiving or copying a whole home, root's home, /etc or
// the whole file system takes ~/.ssh, ~/.aws and /etc/shadow with it.

// bulkReaders are programs that read whole trees they are named: archivers,
// copiers and backup tools.
var bulkReaders = map[string]bool{
	"tar": true, "gtar": true, "bsdtar": true, "zip": true, "7z": true, "7za": true, "7zz": true, "rar": true,
	"rsync": true, "scp": true, "cp": true, "rclone": true, "restic": true, "borg": true, "duplicity": true,
	"cpio": true, "pax": true,
}

// destLast are the bulk readers whose last operand is where they write.
var destLast = map[string]bool{"rsync": true, "scp": true, "cp": true, "rclone": true}

// wholesale reports whether reading the tree p takes credentials with it,
// and what it is.
func wholesale(p string) (string, bool) {
	if p == "" {
		return "", false
	}
	if dir, base := path.Split(p); allWild(base) && dir != "" {
		p = dir
	}
	if rel, ok := homeRel(p); ok {
		switch rel {
		case ".":
			return "a whole home (" + p + ")", true
		case ".config", ".local", ".local/share":
			return "a home's " + rel + " (" + p + ")", true
		}
		return "", false
	}
	if p[0] != '/' {
		return "", false
	}
	switch clean := path.Clean(p); clean {
	case "/":
		return "the whole file system", true
	case "/home", "/Users":
		return "every home (" + clean + ")", true
	case "/etc", "/var", "/var/lib", "/run", "/var/run", "/proc":
		return "all of " + clean, true
	}
	return "", false
}

// wholesaleReads sets reads_secrets when an archiver or copier reads a
// whole home, /etc or /; for tar, relative operands are taken from -C.
func (c *call) wholesaleReads() {
	if !bulkReaders[c.name] {
		return
	}
	if c.name == "cp" && !c.has("-r", "-R", "-a", "--recursive", "--archive") && !c.hasClusterFlag('r') && !c.hasClusterFlag('R') && !c.hasClusterFlag('a') {
		return
	}
	last := -1
	if destLast[c.name] {
		last = c.lastOperand()
	}
	base := ""
	if strings.HasSuffix(c.name, "tar") {
		if d, ok := c.value("-C", "--directory"); ok {
			base = d.val
			if !d.known {
				base, _ = homeWord(d)
			}
		}
	}
	skip := false
	for i, w := range c.args {
		if skip || i == last {
			skip = false
			continue
		}
		if base != "" && w.known && (w.val == "-C" || w.val == "--directory") {
			skip = true
			continue
		}
		p := w.val
		if !w.known {
			h, ok := homeWord(w)
			if !ok {
				continue
			}
			p = h
		}
		if base != "" && p != "" && p[0] != '/' && p[0] != '~' && p[0] != '-' {
			p = path.Join(base, p)
		}
		if what, ok := wholesale(p); ok {
			c.set(readsSecrets, "reads "+what+", credentials included")
			return
		}
	}
}
