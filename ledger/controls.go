package ledger

import (
	"bytes"
	_ "embed"
	"fmt"
	"text/template"
	"time"
)

//go:embed controls.md.tmpl
var controlsText string

var controlsTemplate = template.Must(template.New("CONTROLS.md").Funcs(template.FuncMap{
	"period": func(t *time.Time) string {
		if t == nil {
			return "not given"
		}
		return t.UTC().Format(time.RFC3339)
	},
}).Parse(controlsText))

// Controls returns the CONTROLS.md of a bundle with manifest m: what the
// bundle proves and how `countersign evidence verify` checks it, mapped to
// SOC 2 CC6.1, CC6.3 and CC8.1, ISO/IEC 27001:2022 A.8.15 and the EU AI Act
// Articles 12 and 14. It is explanation, not evidence: VerifyBundle does not
// read it.
func Controls(m Manifest) ([]byte, error) {
	var b bytes.Buffer
	if err := controlsTemplate.Execute(&b, m); err != nil {
		return nil, fmt.Errorf("controls: %w", err)
	}
	return b.Bytes(), nil
}
