package policy

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The built-in policy packs, shipped in the binary: policy/packs/NAME.yaml.
//
//go:embed packs/*.yaml
var packFS embed.FS

// PackPrefix marks a policy reference that names a built-in pack.
const PackPrefix = "pack:"

// maxIncludeDepth bounds how deep packs may include packs.
const maxIncludeDepth = 4

// Packs returns the names of the built-in policy packs, sorted.
func Packs() []string {
	ents, _ := fs.ReadDir(packFS, "packs")
	var out []string
	for _, e := range ents {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			out = append(out, name)
		}
	}
	return out
}

// PackSource returns the YAML of the built-in pack name.
func PackSource(name string) ([]byte, error) {
	if !groupName.MatchString(name) || !slices.Contains(Packs(), name) {
		return nil, fmt.Errorf("no policy pack %q (the packs are %s)", name, strings.Join(Packs(), ", "))
	}
	return fs.ReadFile(packFS, path.Join("packs", name+".yaml"))
}

// Pack parses the built-in pack name as a whole policy.
func Pack(name string) (*Policy, error) {
	src, err := PackSource(name)
	if err != nil {
		return nil, err
	}
	return Parse(PackPrefix+name, src)
}

// LoadRef loads a policy by reference: "pack:NAME" for a built-in pack,
// anything else a file path.
func LoadRef(ref string) (*Policy, error) {
	if name, ok := strings.CutPrefix(ref, PackPrefix); ok {
		return Pack(name)
	}
	return Load(ref)
}

// include decodes "include: [PACK, ...]" and merges each pack's rules,
// groups and analysis settings into p, ahead of the file's own. A pack
// included twice, directly or through another pack, is merged once.
func (d *decoder) include(p *Policy, n *yaml.Node) {
	items, _ := d.list(n, "include")
	for _, it := range items {
		name := strings.TrimPrefix(it.Value, PackPrefix)
		if slices.Contains(p.includes, name) {
			continue
		}
		if d.depth >= maxIncludeDepth {
			d.errorf(it, "include: packs nest deeper than %d", maxIncludeDepth)
			return
		}
		src, err := PackSource(name)
		if err != nil {
			d.errorf(it, "include: %v", err)
			continue
		}
		pp, err := parse(PackPrefix+name, src, d.depth+1)
		if err != nil {
			d.errorf(it, "include %s: %v", name, err)
			continue
		}
		d.merge(p, it, name, pp)
	}
}

// merge adds an included pack to p: its own rules and those of the packs it
// includes, except rules of packs p already has.
func (d *decoder) merge(p *Policy, at *yaml.Node, name string, pp *Policy) {
	var add []*rule
	for _, r := range pp.rules {
		origin := r.pack
		if origin == "" {
			origin = name
		}
		if slices.Contains(p.includes, origin) {
			continue // merged already, through another include
		}
		if slices.ContainsFunc(p.rules, func(x *rule) bool { return x.name == r.name }) {
			d.errorf(at, "include %s: its rule %q has the name of a rule already included", name, r.name)
			return
		}
		r.pack = origin
		add = append(add, r)
	}
	for g, members := range pp.groups {
		if have, ok := p.groups[g]; ok && !slices.Equal(have, members) {
			d.errorf(at, "include %s: its group %q differs from the group of that name already included", name, g)
			return
		}
	}
	p.rules = append(p.rules, add...)
	maps.Copy(p.groups, pp.groups)
	p.mergeAnalysis(pp.analysis)
	p.mergeDLP(pp.dlp)
	for _, inc := range pp.includes {
		if !slices.Contains(p.includes, inc) {
			p.includes = append(p.includes, inc)
		}
	}
	p.includes = append(p.includes, name)
	p.packDigests = append(p.packDigests, name+" "+pp.digest)
}

// Includes returns the packs the policy includes, directly or not.
func (p *Policy) Includes() []string { return slices.Clone(p.includes) }

// sealDigest folds the included packs' digests into the policy's, so that a
// decision's digest pins the packs' rules as well as the file's.
func (p *Policy) sealDigest() {
	if len(p.packDigests) == 0 {
		return
	}
	h := sha256.New()
	h.Write(p.src)
	for _, pd := range p.packDigests {
		h.Write([]byte("\x00include " + pd))
	}
	p.digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
}
