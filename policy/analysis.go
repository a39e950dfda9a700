package policy

import (
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Analysis is what a policy tells the analysers: which tables hold data whose
// bulk reads count as exports, and which MCP servers' tool annotations to
// believe. The gateway passes it to the analysers with every action.
type Analysis struct {
	// SensitiveTables are table patterns, lowercased: "schema.table",
	// "table" (in any schema) or "schema.*".
	SensitiveTables []string
	// MaxRows is the largest LIMIT a SELECT of a sensitive table may have and
	// not count as an export; 0 means the analyser's default (1000).
	MaxRows int64
	// TrustedServers names the MCP servers whose readOnlyHint,
	// destructiveHint, idempotentHint and openWorldHint are believed. Other
	// servers' hints are ignored and the pessimistic defaults apply.
	TrustedServers []string
}

// Analysis returns the policy's analysis settings, its included packs' merged
// in. The caller must not modify the slices.
func (p *Policy) Analysis() Analysis { return p.analysis }

var (
	tablePattern = regexp.MustCompile(`^([a-z_][a-z0-9_$]*\.)?([a-z_][a-z0-9_$]*|\*)$`)
	serverName   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)
)

// analysis decodes "analysis: {sql: {sensitive_tables, max_rows}, mcp:
// {trusted_servers}}" into p.analysis, adding to what includes gave.
func (d *decoder) analysis(p *Policy, n *yaml.Node) {
	top := d.mapping(n, "analysis", "sql", "mcp")
	if top == nil {
		return
	}
	if e, ok := top["sql"]; ok {
		m := d.mapping(e.val, "analysis.sql", "sensitive_tables", "max_rows")
		if e, ok := m["sensitive_tables"]; ok {
			items, _ := d.list(e.val, "analysis.sql.sensitive_tables")
			for _, it := range items {
				t := strings.ToLower(strings.TrimSpace(it.Value))
				if t == "*" || !tablePattern.MatchString(t) {
					d.errorf(it, "analysis.sql.sensitive_tables: %q must be table, schema.table or schema.*", it.Value)
					continue
				}
				if !slices.Contains(p.analysis.SensitiveTables, t) {
					p.analysis.SensitiveTables = append(p.analysis.SensitiveTables, t)
				}
			}
		}
		if e, ok := m["max_rows"]; ok {
			if v, ok := d.integer(e.val, "analysis.sql.max_rows"); ok {
				if v < 1 {
					d.errorf(e.val, "analysis.sql.max_rows must be at least 1, not %d", v)
				}
				p.analysis.MaxRows = int64(v)
			}
		}
	}
	if e, ok := top["mcp"]; ok {
		m := d.mapping(e.val, "analysis.mcp", "trusted_servers")
		if e, ok := m["trusted_servers"]; ok {
			items, _ := d.list(e.val, "analysis.mcp.trusted_servers")
			for _, it := range items {
				if !serverName.MatchString(it.Value) {
					d.errorf(it, "analysis.mcp.trusted_servers: %q is not a server name", it.Value)
					continue
				}
				if !slices.Contains(p.analysis.TrustedServers, it.Value) {
					p.analysis.TrustedServers = append(p.analysis.TrustedServers, it.Value)
				}
			}
		}
	}
}

// mergeAnalysis adds an included pack's settings to p's.
func (p *Policy) mergeAnalysis(a Analysis) {
	for _, t := range a.SensitiveTables {
		if !slices.Contains(p.analysis.SensitiveTables, t) {
			p.analysis.SensitiveTables = append(p.analysis.SensitiveTables, t)
		}
	}
	for _, s := range a.TrustedServers {
		if !slices.Contains(p.analysis.TrustedServers, s) {
			p.analysis.TrustedServers = append(p.analysis.TrustedServers, s)
		}
	}
	if a.MaxRows > 0 && (p.analysis.MaxRows == 0 || a.MaxRows < p.analysis.MaxRows) {
		p.analysis.MaxRows = a.MaxRows // the stricter pack wins; the file's own setting comes after
	}
}
