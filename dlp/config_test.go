package dlp

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestConfigCustomDetectors(t *testing.T) {
	t.Parallel()
	c := Config{
		Mask:    map[Type]Strategy{"EMPLOYEE_ID": Partial},
		Disable: []string{"IBAN", "twilio-key"},
		Detectors: []CustomDetector{
			{Name: "employee-id", Type: "EMPLOYEE_ID", Regex: `\bEMP-[0-9]{8}\b`},
			{Name: "ticket-secret", Type: "TICKET", Regex: `(?i)ticket[ _]?pin[:=]\s*([0-9]{4,8})`, Group: 1, Keywords: []string{"ticket"}},
			{Name: "codenames", Type: "CODENAME", Dictionary: []string{"Bluebird", "night jar"}},
		},
		Columns: []ColumnRule{{Match: "hr.salary*", Type: "SALARY"}},
	}
	m, err := c.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	in := "EMP-12345678 asked about project BLUEBIRD and Night Jar; ticket pin: 4821; bluebirds are not it; " +
		"iban GB82WEST12345698765432"
	out, counts, err := m.Mask(context.Background(), []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := "********5678 asked about project [CODENAME] and [CODENAME]; ticket pin: [TICKET]; bluebirds are not it; " +
		"iban GB82WEST12345698765432"
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if counts["EMPLOYEE_ID"] != 1 || counts["CODENAME"] != 2 || counts["TICKET"] != 1 || counts[IBAN] != 0 {
		t.Errorf("counts %v", counts)
	}
	if got := m.ColumnType(Column{Table: "hr", Name: "base_salary_eur"}); got != "" {
		t.Errorf("hr.base_salary_eur: %q, want no rule", got)
	}
	if got := m.ColumnType(Column{Table: "HR", Name: "Salary_2026"}); got != "SALARY" {
		t.Errorf("HR.Salary_2026: %q, want SALARY", got)
	}
	if got := m.ColumnType(Column{Name: "customer_email"}); got != Email {
		t.Errorf("customer_email: %q, want EMAIL from the default rules", got)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		c    Config
		want string
	}{
		{Config{Default: "scramble"}, `unknown strategy "scramble"`},
		{Config{Mask: map[Type]Strategy{"email": Redact}}, `"email" is not a type name`},
		{Config{Disable: []string{"no-such"}}, `no built-in detector or type named "no-such"`},
		{Config{MinConfidence: 2}, "min_confidence"},
		{Config{Detectors: []CustomDetector{{Name: "x", Type: "X"}}}, "needs a regex or a dictionary"},
		{Config{Detectors: []CustomDetector{{Name: "x", Type: "X", Regex: `[0-9]{6}`}}}, "needs keywords"},
		{Config{Detectors: []CustomDetector{{Name: "x", Type: "X", Regex: `(`}}}, "regex: error parsing"},
		{Config{Detectors: []CustomDetector{{Name: "x", Type: "X", Regex: `ABC(d)`, Group: 2}}}, "group 2"},
		{Config{Detectors: []CustomDetector{{Name: "email", Type: "X", Regex: `ABCD`}}}, "the name is taken"},
		{Config{Detectors: []CustomDetector{{Name: "Bad Name", Type: "X", Regex: `ABCD`}}}, "the name must be"},
		{Config{Detectors: []CustomDetector{{Name: "x", Type: "X", Dictionary: []string{"a"}}}}, "too short"},
		{Config{Columns: []ColumnRule{{Match: "[", Type: "X"}}}, "bad pattern"},
		{Config{Mask: map[Type]Strategy{"EMAL": Redact}}, "no detector or column rule reports type EMAL"},
		{Config{Detectors: []CustomDetector{{Name: "x", Type: "X", Regex: `ABCD`, Required: true}}}, "required needs context words"},
		{Config{Detectors: []CustomDetector{{Name: "x", Type: "X", Regex: `ABCD`, Confidence: math.NaN()}}}, "confidence NaN"},
		{Config{MinConfidence: math.NaN()}, "min_confidence"},
	} {
		err := tc.c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want %q", tc.c, err, tc.want)
		}
	}
	// Hash needs a key when built for real, not to validate.
	c := Config{Mask: map[Type]Strategy{Email: Hash}}
	if err := c.Validate(); err != nil {
		t.Errorf("validate with hash: %v", err)
	}
	if _, err := c.Build(nil); err == nil || !strings.Contains(err.Error(), "needs a key") {
		t.Errorf("build with hash and no key: %v", err)
	}
}

func TestLiteralPrefix(t *testing.T) {
	t.Parallel()
	for expr, want := range map[string]string{
		`\bEMP-[0-9]{6}\b`: "EMP-",
		`(ACME_[a-z]+)`:    "ACME_",
		`(?i)acme_[a-z]+`:  "",
		`[0-9]+`:           "",
		`(?:ab|cd)x`:       "",
	} {
		if got := literalPrefix(expr); got != want {
			t.Errorf("literalPrefix(%q) = %q, want %q", expr, got, want)
		}
	}
}

func TestMaskRow(t *testing.T) {
	t.Parallel()
	m := DefaultMasker()
	cols := []Column{{Table: "users", Name: "id"}, {Table: "users", Name: "Email"}, {Table: "users", Name: "note"},
		{Table: "users", Name: "dob"}, {Table: "users", Name: "phone"}}
	row := [][]byte{[]byte("17"), []byte("not-an-address"), []byte("paid with 4111 1111 1111 1111"), []byte("1984-02-29"), nil}
	out, counts, err := m.MaskRow(context.Background(), cols, row)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"17", "[EMAIL]", "paid with [PAYMENT_CARD]", "[DATE_OF_BIRTH]", ""}
	for i := range want {
		if string(out[i]) != want[i] {
			t.Errorf("column %s: %q, want %q", cols[i].Name, out[i], want[i])
		}
	}
	if out[4] != nil {
		t.Errorf("NULL became %q", out[4])
	}
	if counts[Email] != 1 || counts[PaymentCard] != 1 || counts[DateOfBirth] != 1 {
		t.Errorf("counts %v", counts)
	}
	if _, _, err := m.MaskRow(context.Background(), cols, row[:2]); err == nil {
		t.Error("a row of the wrong width was masked")
	}
}

func TestColumnNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"customerSSN": "customer_ssn", "SSNNumber": "ssn_number", "userId": "user_id", "email": "email", "IBAN": "iban", "card2Number": "card2_number"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
	m, err := Config{Columns: []ColumnRule{{Match: "hr.salary*", Type: "SALARY"}}}.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Column{{Table: "", Name: "salary_eur"}, {Table: "public.hr", Name: "salary"}, {Table: "HR", Name: "SalaryTotal"}} {
		if got := m.ColumnType(c); got != "SALARY" {
			t.Errorf("%+v: %q, want SALARY", c, got)
		}
	}
	if got := m.ColumnType(Column{Table: "finance", Name: "salary"}); got != "" {
		t.Errorf("finance.salary: %q, want no rule", got)
	}
}
