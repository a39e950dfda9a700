package policy

import (
	"maps"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/countersign/countersign/dlp"
)

// DLP returns the policy's data-leakage settings, its included packs' merged
// in. Build a masker with its Build method and the deployment's hash key.
func (p *Policy) DLP() dlp.Config { return p.dlp }

// dlpSection decodes
//
//	dlp:
//	  default: redact
//	  mask: {EMAIL: hash, PAYMENT_CARD: partial}
//	  disable: [twilio-key, IPV4]
//	  min_confidence: 0.5
//	  timeout: 5s
//	  detectors:
//	    - {name: employee-id, type: EMPLOYEE_ID, regex: '\bEMP-[0-9]{8}\b'}
//	    - {name: codenames, type: CODENAME, dictionary: [bluebird]}
//	  columns:
//	    - {match: hr.salary*, type: SALARY}
//
// into p.dlp, over what includes gave, and validates the result.
func (d *decoder) dlpSection(p *Policy, n *yaml.Node) {
	top := d.mapping(n, "dlp", "default", "mask", "disable", "min_confidence", "timeout", "detectors", "columns")
	if top == nil {
		return
	}
	c := &p.dlp
	if e, ok := top["default"]; ok {
		if s, ok := d.str(e.val, "dlp.default"); ok {
			c.Default = dlp.Strategy(s)
		}
	}
	if e, ok := top["mask"]; ok {
		m := d.anyMapping(e.val, "dlp.mask")
		if c.Mask == nil && len(m) > 0 {
			c.Mask = map[dlp.Type]dlp.Strategy{}
		}
		for k, v := range m {
			if s, ok := d.str(v, "dlp.mask."+k); ok {
				c.Mask[dlp.Type(k)] = dlp.Strategy(s)
			}
		}
	}
	if e, ok := top["disable"]; ok {
		items, _ := d.list(e.val, "dlp.disable")
		for _, it := range items {
			if !slices.Contains(c.Disable, it.Value) {
				c.Disable = append(c.Disable, it.Value)
			}
		}
	}
	if e, ok := top["min_confidence"]; ok {
		if v, ok := d.fraction(e.val, "dlp.min_confidence"); ok {
			c.MinConfidence = v
		}
	}
	if e, ok := top["timeout"]; ok {
		if v, ok := d.duration(e.val, "dlp.timeout"); ok {
			c.Timeout = v
		}
	}
	if e, ok := top["detectors"]; ok {
		for _, item := range d.mappings(e.val, "dlp.detectors") {
			c.Detectors = append(c.Detectors, d.customDetector(item))
		}
	}
	if e, ok := top["columns"]; ok {
		for _, item := range d.mappings(e.val, "dlp.columns") {
			m := d.mapping(item, "dlp.columns", "match", "type")
			var r dlp.ColumnRule
			if e, ok := m["match"]; ok {
				r.Match, _ = d.str(e.val, "dlp.columns.match")
			}
			if e, ok := m["type"]; ok {
				s, _ := d.str(e.val, "dlp.columns.type")
				r.Type = dlp.Type(s)
			}
			c.Columns = append(c.Columns, r)
		}
	}
	if len(d.errs) == 0 {
		if err := c.Validate(); err != nil {
			d.errorf(n, "%v", err)
		}
	}
}

func (d *decoder) customDetector(n *yaml.Node) dlp.CustomDetector {
	m := d.mapping(n, "dlp.detectors", "name", "type", "regex", "group", "keywords", "dictionary", "confidence", "context", "required")
	var cd dlp.CustomDetector
	if e, ok := m["name"]; ok {
		cd.Name, _ = d.str(e.val, "dlp.detectors.name")
	}
	if e, ok := m["type"]; ok {
		s, _ := d.str(e.val, "dlp.detectors.type")
		cd.Type = dlp.Type(s)
	}
	if e, ok := m["regex"]; ok {
		cd.Regex, _ = d.str(e.val, "dlp.detectors.regex")
	}
	if e, ok := m["group"]; ok {
		cd.Group, _ = d.integer(e.val, "dlp.detectors.group")
	}
	strs := func(key string) []string {
		e, ok := m[key]
		if !ok {
			return nil
		}
		items, _ := d.list(e.val, "dlp.detectors."+key)
		var out []string
		for _, it := range items {
			out = append(out, it.Value)
		}
		return out
	}
	cd.Keywords, cd.Dictionary, cd.Context = strs("keywords"), strs("dictionary"), strs("context")
	if e, ok := m["confidence"]; ok {
		cd.Confidence, _ = d.fraction(e.val, "dlp.detectors.confidence")
	}
	if e, ok := m["required"]; ok {
		cd.Required, _ = d.boolean(e.val, "dlp.detectors.required")
	}
	return cd
}

// anyMapping returns a mapping's values by key, for mappings whose keys are
// data (type names) rather than a fixed set.
func (d *decoder) anyMapping(n *yaml.Node, what string) map[string]*yaml.Node {
	if !d.plain(n, what) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping", what)
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "%s: keys must be plain strings", what)
			continue
		}
		if _, dup := out[k.Value]; dup {
			d.errorf(k, "%s: key %q is repeated", what, k.Value)
			continue
		}
		out[k.Value] = n.Content[i+1]
	}
	return out
}

// mappings returns the items of a sequence of mappings.
func (d *decoder) mappings(n *yaml.Node, what string) []*yaml.Node {
	if !d.plain(n, what) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list", what)
		return nil
	}
	return n.Content
}

// fraction returns a number between 0 and 1.
func (d *decoder) fraction(n *yaml.Node, what string) (float64, bool) {
	if !d.plain(n, what) {
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!float" && n.Tag != "!!int") || err != nil || v < 0 || v > 1 {
		d.errorf(n, "%s must be a number between 0 and 1, not %q", what, n.Value)
		return 0, false
	}
	return v, true
}

// mergeDLP adds an included pack's DLP settings to p's: its detectors,
// column rules and disabled detectors, and its strategies for types p has
// not chosen. The file's own section, decoded after, overrides.
func (p *Policy) mergeDLP(c dlp.Config) {
	p.dlp.Detectors = append(p.dlp.Detectors, c.Detectors...)
	p.dlp.Columns = append(p.dlp.Columns, c.Columns...)
	for _, s := range c.Disable {
		if !slices.Contains(p.dlp.Disable, s) {
			p.dlp.Disable = append(p.dlp.Disable, s)
		}
	}
	if p.dlp.Default == "" {
		p.dlp.Default = c.Default
	}
	if len(c.Mask) > 0 {
		if p.dlp.Mask == nil {
			p.dlp.Mask = map[dlp.Type]dlp.Strategy{}
		}
		for t, s := range maps.All(c.Mask) {
			if _, ok := p.dlp.Mask[t]; !ok {
				p.dlp.Mask[t] = s
			}
		}
	}
	p.dlp.MinConfidence = max(p.dlp.MinConfidence, c.MinConfidence)
	if c.Timeout > 0 && (p.dlp.Timeout == 0 || c.Timeout < p.dlp.Timeout) {
		p.dlp.Timeout = c.Timeout
	}
}
