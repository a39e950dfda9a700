package shell

import (
	"path"
	"strings"
)

// Where writes land: directories on PATH, the system's configuration, a
// whole home; and the options and operands through which programs name the
// files they write (curl -o, sort -o, go build -o, uniq IN OUT, ...).

// pathDirs are the system directories on a usual PATH: a file written there
// becomes a command.
var pathDirs = []string{"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin",
	"/opt/homebrew/bin", "/opt/homebrew/sbin", "/snap/bin", "/usr/games", "/usr/local/games"}

// homePathDirs are the directories of a home that installers put on PATH.
var homePathDirs = []string{"bin", ".local/bin", "go/bin", ".cargo/bin", ".npm-global/bin", ".deno/bin",
	".bun/bin", ".nix-profile/bin", ".volta/bin", ".yarn/bin", ".pyenv/shims", ".rbenv/shims", ".asdf/shims"}

// homeRel returns p relative to the home it lies in (~/x, ~user/x,
// /home/u/x, /Users/u/x, /root/x), "." for the home itself.
func homeRel(p string) (string, bool) {
	if strings.HasPrefix(p, "~") {
		_, rest, _ := strings.Cut(p, "/")
		return path.Clean("./" + rest), true
	}
	if p == "" || p[0] != '/' {
		return "", false
	}
	clean := path.Clean(p)
	if under(clean, "/root") {
		return path.Clean("./" + strings.TrimPrefix(clean, "/root")), true
	}
	for _, d := range homeDirs {
		if under(clean, d) && clean != d {
			_, rest, _ := strings.Cut(strings.TrimPrefix(clean, d+"/"), "/")
			return path.Clean("./" + rest), true
		}
	}
	return "", false
}

// homeWord reads a word known only at run time that starts with the home
// ($HOME/x, "${HOME}/x") as ~/x, so that where it writes can be judged.
func homeWord(w word) (string, bool) {
	s := strings.Trim(w.val, `"'`)
	for _, h := range []string{"$HOME", "${HOME}"} {
		if rest, ok := strings.CutPrefix(s, h); ok && (rest == "" || rest[0] == '/') &&
			!strings.ContainsAny(rest, "$`") {
			return "~" + rest, true
		}
	}
	return "", false
}

// pathDir reports whether writing p puts a program into a directory on
// PATH (p is in it, or is it), and which.
func pathDir(p string) (string, bool) {
	clean := path.Clean(p)
	for _, d := range []string{clean, path.Dir(clean)} {
		if rel, ok := homeRel(d); ok {
			if contains(homePathDirs, rel) {
				return d, true
			}
			continue
		}
		if contains(pathDirs, d) {
			return d, true
		}
		if parts := strings.Split(strings.Trim(d, "/"), "/"); len(parts) == 3 && parts[0] == "opt" && parts[2] == "bin" {
			return d, true
		}
	}
	return "", false
}

// systemConfigDirs are the directories where only root may write: the
// system's configuration, programs and libraries, boot files, cron tables,
// root's home and kernel settings.
var systemConfigDirs = []string{"/etc", "/boot", "/efi", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
	"/libx32", "/var/spool/cron", "/root", "/proc/sys", "/sys", "/private/etc", "/System", "/Library"}

// systemConfig reports whether p lies where only root may write;
// /usr/local/share and /usr/local/src are left to the user.
func systemConfig(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	clean := path.Clean(p)
	if under(clean, "/usr/local/share") || under(clean, "/usr/local/src") {
		return false
	}
	for _, d := range systemConfigDirs {
		if under(clean, d) {
			return true
		}
	}
	return false
}

// outputSpec tells how a program names the files it writes with options.
type outputSpec struct {
	valued string   // short options that take a value (getopt clusters)
	short  string   // those of them that name a file or directory written
	long   []string // long options that name a file or directory written
	single bool     // one option per word, value attached or next (gcc -ofile, go -o=file)
}

// compilerOut is the output option of compilers and linkers.
var compilerOut = outputSpec{short: "o", single: true}

// outputOpts are programs' options naming the files they write.
var outputOpts = map[string]outputSpec{
	"curl":  {valued: curlShortWithValue, short: "oc", long: []string{"--output", "--output-dir", "--cookie-jar", "--dump-header"}},
	"wget":  {valued: "aBeiOoPQtTUwlADIRXn", short: "OoaP", long: []string{"--output-document", "--output-file", "--append-output", "--directory-prefix"}},
	"sort":  {valued: "kotST", short: "o", long: []string{"--output"}},
	"iconv": {valued: "oft", short: "o", long: []string{"--output"}},
	"patch": {valued: "BDFVYdgioprz", short: "or", long: []string{"--output", "--reject-file"}},
	"go":    compilerOut, "gcc": compilerOut, "cc": compilerOut, "g++": compilerOut, "c++": compilerOut,
	"clang": compilerOut, "clang++": compilerOut, "tcc": compilerOut, "rustc": compilerOut, "ld": compilerOut,
	"gfortran": compilerOut, "nvcc": compilerOut, "as": compilerOut, "zig": compilerOut,
}

// outputArgs returns the files a program names with its output options, and
// the indices in c.args of the words that name them.
func (c *call) outputArgs() (files []word, idx []int) {
	spec, ok := outputOpts[c.name]
	if !ok {
		return nil, nil
	}
	add := func(w word, i int) {
		if w.val != "-" {
			files, idx = append(files, w), append(idx, i)
		}
	}
	for i := 0; i < len(c.args); i++ {
		s := c.args[i].val
		if !c.args[i].known || len(s) < 2 || s[0] != '-' {
			continue
		}
		if s == "--" {
			break
		}
		if strings.HasPrefix(s, "--") {
			name, val, eq := strings.Cut(s, "=")
			switch {
			case !contains(spec.long, name):
			case eq:
				add(word{val: val, known: true}, i)
			case i+1 < len(c.args):
				i++
				add(c.args[i], i)
			}
			continue
		}
		if spec.single {
			switch {
			case s[1] != spec.short[0]:
			case len(s) == 2 && i+1 < len(c.args):
				i++
				add(c.args[i], i)
			case len(s) > 2:
				add(word{val: strings.TrimPrefix(s[2:], "="), known: true}, i)
			}
			continue
		}
		for j := 1; j < len(s); j++ {
			if strings.IndexByte(spec.valued, s[j]) < 0 {
				continue
			}
			writes := strings.IndexByte(spec.short, s[j]) >= 0
			switch {
			case j+1 < len(s):
				if writes {
					add(word{val: s[j+1:], known: true}, i)
				}
			case i+1 < len(c.args):
				i++
				if writes {
					add(c.args[i], i)
				}
			}
			break
		}
	}
	return files, idx
}

// outputs judges the files a program writes through its options.
func (c *call) outputs() {
	files, _ := c.outputArgs()
	for _, f := range files {
		c.a.writeTarget(brief(vals(c.argv)), f, false)
	}
}

// treeInto judges a tree of files written into dir (cp -r, mv, rsync, tar
// -x -C, unzip -d): into a whole home or its .config it may bring start-up
// files with it.
func (c *call) treeInto(dir word) {
	p := dir.val
	if !dir.known {
		h, ok := homeWord(dir)
		if !ok {
			return
		}
		p = h
	}
	if rel, ok := homeRel(p); ok && (rel == "." || rel == ".config") {
		c.set(privilege, "writes a tree of files into "+p+", which may replace start-up files")
	}
}

// readers are programs that read the files they are named and write none:
// naming a system file to them changes nothing.
var readers = map[string]bool{
	"cat": true, "tac": true, "head": true, "tail": true, "grep": true, "egrep": true, "fgrep": true,
	"zgrep": true, "rg": true, "ag": true, "ack": true, "wc": true, "diff": true, "colordiff": true,
	"cmp": true, "comm": true, "file": true, "md5sum": true, "sha1sum": true, "sha256sum": true,
	"sha512sum": true, "b2sum": true, "cksum": true, "sum": true, "strings": true, "od": true,
	"hexdump": true, "jq": true, "cut": true, "column": true, "nl": true, "fold": true, "fmt": true,
	"pr": true, "paste": true, "join": true, "base64": true, "ldd": true, "objdump": true,
	"readelf": true, "nm": true, "size": true, "otool": true, "namei": true, "lsattr": true,
	"zcat": true, "bzcat": true, "xzcat": true, "zless": true, "bat": true, "batcat": true,
	"lsof": true, "fuser": true, "dpkg": true, "dpkg-query": true, "rpm": true, "shellcheck": true,
	"whereis": true, "locate": true, "tree": true, "sort": true, "iconv": true, "look": true,
	"diff3": true, "sdiff": true, "expand": true, "unexpand": true, "uniq": true, "systemd-analyze": true,
}

// systemOperands fails closed for a program with no rule that names a file
// only root may change: it is not known to only read it.
func (c *call) systemOperands() {
	if rules[c.name] != nil || readers[c.name] || metadataOnly[c.name] {
		return
	}
	for _, p := range c.operands() {
		if !c.anyKnown(p) {
			continue
		}
		what := ""
		if systemConfig(p) && !sharedUsr(p) {
			what = "the system file " + p
		} else if w, ok := privilegeFile(p); ok {
			what = w
		}
		if what != "" {
			c.set(privilege, "names "+what+" and is not known to only read it")
			return
		}
	}
}

// sharedUsr reports whether p is in /usr/share, /usr/src or /usr/include,
// which programs commonly read: naming them does not fail closed.
func sharedUsr(p string) bool {
	clean := path.Clean(p)
	return under(clean, "/usr/share") || under(clean, "/usr/src") || under(clean, "/usr/include")
}

func init() {
	register(ruleUniq, "uniq")
	register(rulePatch, "patch")
	register(ruleSplit, "split", "csplit")
}

// ruleUniq: uniq IN OUT writes its second operand.
func ruleUniq(c *call) {
	_, ops := subcommand(optSpec{short: "fsw", long: []string{"--skip-fields", "--skip-chars", "--check-chars"}}, c.args)
	if len(ops) >= 2 {
		c.a.writeTarget(brief(vals(c.argv)), ops[1], false)
	}
}

// rulePatch: patch changes the file it is given (or those the patch names,
// in the working directory); -o and -r write others.
func rulePatch(c *call) {
	_, ops := subcommand(optSpec{short: "BDFVYdgioprz", long: []string{"--backup-prefix", "--ifdef", "--fuzz",
		"--version-control", "--basename-prefix", "--directory", "--get", "--input", "--output", "--strip",
		"--reject-file", "--suffix"}}, c.args)
	if len(ops) > 0 {
		c.a.writeTarget(brief(vals(c.argv)), ops[0], true)
	}
}

// ruleSplit: split IN PREFIX and csplit -f PREFIX write files named by the
// prefix.
func ruleSplit(c *call) {
	if c.name == "csplit" {
		if f, ok := c.value("-f", "--prefix"); ok {
			c.a.writeTarget(brief(vals(c.argv)), f, false)
		}
		return
	}
	_, ops := subcommand(optSpec{short: "abClnt", long: []string{"--suffix-length", "--bytes", "--line-bytes",
		"--lines", "--number", "--separator", "--additional-suffix", "--filter"}}, c.args)
	if len(ops) >= 2 {
		c.a.writeTarget(brief(vals(c.argv)), ops[1], false)
	}
	if f, ok := c.value("--filter"); ok {
		if !f.known {
			c.escape("runs a filter known only at run time")
			return
		}
		c.runString("split --filter", f.val)
	}
}
