package dlp

import (
	"context"
	"fmt"
	"path"
	"strings"
)

// ColumnRule says every value of the result columns it matches holds data of
// Type, whatever a scan would find in it: a column named ssn is masked even
// where a value does not look like an SSN.
type ColumnRule struct {
	// Match is a glob (path.Match syntax, matched case-insensitively) over
	// the column name, or over "table.column" when it holds a dot.
	Match string `yaml:"match" json:"match"`
	// Type is the type the values are masked as.
	Type Type `yaml:"type" json:"type"`
}

// Column names a result column; Table may be empty when unknown.
type Column struct {
	Table, Name string
}

// DefaultColumns are the column rules of the default profile: columns whose
// names say they hold personal data or credentials.
func DefaultColumns() []ColumnRule {
	rules := []ColumnRule{}
	add := func(t Type, names ...string) {
		for _, n := range names {
			rules = append(rules, ColumnRule{Match: n, Type: t})
		}
	}
	add(Email, "email", "e_mail", "email_address", "*_email")
	add(USSSN, "ssn", "social_security_number", "*_ssn")
	add(PaymentCard, "card_number", "cc_number", "pan", "credit_card", "credit_card_number")
	add(IBAN, "iban", "*_iban")
	add(GenericSecret, "password", "passwd", "password_hash", "password_digest", "*_password", "*_passwd",
		"api_key", "*_api_key", "secret", "*_secret", "secret_key", "private_key", "*_private_key", "access_key",
		"*_token", "token")
	add(Phone, "phone", "phone_number", "mobile", "*_phone")
	add(DateOfBirth, "dob", "date_of_birth", "birth_date", "birthdate")
	add(UKNINO, "nino", "ni_number", "national_insurance_number")
	add(NLBSN, "bsn", "burgerservicenummer")
	add(ESDNI, "dni", "nie")
	add(IPv4, "ip", "ip_address", "client_ip", "remote_addr")

	return rules
}

func validColumns(rules []ColumnRule) error {
	for _, r := range rules {
		if _, err := path.Match(r.Match, ""); err != nil || r.Match == "" {
			return fmt.Errorf("dlp column rule %q: bad pattern", r.Match)
		}
		if !validType(r.Type) {
			return fmt.Errorf("dlp column rule %q: bad type %q (want upper-case letters, digits and _)", r.Match, r.Type)
		}
	}
	return nil
}

// validType reports whether t is a type name: A-Z, 0-9 and _, starting with
// a letter, at most 64 bytes.
func validType(t Type) bool {
	if t == "" || len(t) > 64 || t[0] < 'A' || t[0] > 'Z' {
		return false
	}
	for _, c := range []byte(t) {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ColumnType returns the type a column rule gives c, or "" if none does.
// The first matching rule wins. Names match case-insensitively, and
// camelCase names also as snake_case (customerSSN as customer_ssn); a rule
// with a dot matches "table.column" and, when the table is unknown or
// qualified by a schema, the column alone or the last table part.
func (m *Masker) ColumnType(c Column) Type {
	names := []string{strings.ToLower(c.Name)}
	if s := snakeCase(c.Name); s != names[0] {
		names = append(names, s)
	}
	table := strings.ToLower(c.Table)
	if i := strings.LastIndexByte(table, '.'); i >= 0 {
		table = table[i+1:] // schema.table
	}
	for _, r := range m.columns {
		pat := strings.ToLower(r.Match)
		for _, name := range names {
			subject := name
			if strings.Contains(pat, ".") {
				subject = table + "." + name
				if table == "" {
					// The table is unknown: match the column part alone.
					_, col, _ := strings.Cut(pat, ".")
					if ok, _ := path.Match(col, name); ok {
						return r.Type
					}
					continue
				}
			}
			if ok, _ := path.Match(pat, subject); ok {
				return r.Type
			}
		}
	}
	return ""
}

// snakeCase lower-cases a camelCase name with _ between its words:
// customerSSN -> customer_ssn, SSNNumber -> ssn_number, userId -> user_id.
func snakeCase(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		upper := 'A' <= c && c <= 'Z'
		if upper && i > 0 {
			prev := s[i-1]
			prevLower := 'a' <= prev && prev <= 'z' || '0' <= prev && prev <= '9'
			prevUpper := 'A' <= prev && prev <= 'Z'
			nextLower := i+1 < len(s) && 'a' <= s[i+1] && s[i+1] <= 'z'
			if prevLower || prevUpper && nextLower {
				b.WriteByte('_')
			}
		}
		b.WriteByte(lowerASCII(c))
	}
	return b.String()
}

// MaskRow masks one row of a query result. Values of columns with a rule are
// masked whole as the rule's type; the others are scanned. A nil value
// (SQL NULL) stays nil. On error nothing is returned: withhold the row.
func (m *Masker) MaskRow(ctx context.Context, cols []Column, values [][]byte) ([][]byte, Counts, error) {
	if len(cols) != len(values) {
		return nil, nil, fmt.Errorf("%w: row has %d values for %d columns", ErrWithheld, len(values), len(cols))
	}
	out := make([][]byte, len(values))
	counts := Counts{}
	for i, v := range values {
		if len(v) == 0 {
			out[i] = v
			continue
		}
		var (
			masked []byte
			c      Counts
			err    error
		)
		if t := m.ColumnType(cols[i]); t != "" {
			f := Finding{Type: t, Start: 0, End: len(v), Confidence: 1, Detector: "column"}
			masked, c, err = Mask(v, []Finding{f}, m.policy)
		} else {
			masked, c, err = m.Mask(ctx, v)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w: column %s: %w", ErrWithheld, cols[i].Name, err)
		}
		out[i] = masked
		counts.Add(c)
	}
	return out, counts, nil
}
