package policy

import (
	"slices"

	countersign "github.com/countersign/countersign"
	"gopkg.in/yaml.v3"
)

// offlineAllow decodes offline_allow: the action kinds a coding agent's
// hook may allow while the server cannot be reached. Only the file's own
// list counts; included packs never loosen it.
func (d *decoder) offlineAllow(p *Policy, n *yaml.Node) {
	items, _ := d.list(n, "offline_allow")
	for _, c := range items {
		k := countersign.ActionKind(c.Value)
		switch k {
		case countersign.ActionSQL, countersign.ActionShell, countersign.ActionMCP, countersign.ActionHTTP, countersign.ActionCustom:
			if !slices.Contains(p.offlineAllow, k) {
				p.offlineAllow = append(p.offlineAllow, k)
			}
		default:
			d.errorf(c, "offline_allow: unknown kind %q (want sql, shell, mcp.tool, http or custom)", c.Value)
		}
	}
}

// OfflineAllow returns the action kinds the policy lets hooks allow while
// the server cannot be reached (none by default: fail closed).
func (p *Policy) OfflineAllow() []countersign.ActionKind { return slices.Clone(p.offlineAllow) }
