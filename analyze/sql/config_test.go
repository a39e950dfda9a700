package sql

import (
	"fmt"
	"testing"
)

func TestSensitiveMatching(t *testing.T) {
	t.Parallel()
	cfg := compile(Options{SensitiveTables: []string{"Users", " billing.Cards ", "HR.*", "pg_catalog.pg_authid", ""}})
	for _, tc := range []struct {
		schema, table string
		want          bool
	}{
		{"", "users", true},        // "table": any schema
		{"public", "users", true},  //
		{"auth", "users", true},    //
		{"billing", "cards", true}, // "schema.table"
		{"", "cards", true},        // unqualified: could resolve to billing.cards
		{"other", "cards", false},  //
		{"billing", "invoices", false},
		{"hr", "salaries", true},   // "schema.*"
		{"hr", "anything", true},   //
		{"", "salaries", false},    // hr is not on every search path
		{"hrx", "salaries", false}, //
		{"pg_catalog", "pg_authid", true},
		{"", "pg_authid", true},
		{"", "orders", false},
	} {
		if got := cfg.sensitive(tc.schema, tc.table); got != tc.want {
			t.Errorf("sensitive(%q, %q) = %v, want %v", tc.schema, tc.table, got, tc.want)
		}
	}
}

func TestSensitivePublicSchema(t *testing.T) {
	t.Parallel()
	cfg := compile(Options{SensitiveTables: []string{"public.*"}})
	for _, tc := range []struct {
		schema, table string
		want          bool
	}{
		{"public", "orders", true},
		{"", "orders", true}, // public is on every search path
		{"app", "orders", false},
	} {
		if got := cfg.sensitive(tc.schema, tc.table); got != tc.want {
			t.Errorf("sensitive(%q, %q) = %v, want %v", tc.schema, tc.table, got, tc.want)
		}
	}
	if compile(Options{}).sensitive("", "users") {
		t.Error("no SensitiveTables: users is sensitive, want not")
	}
}

func TestMaxRows(t *testing.T) {
	t.Parallel()
	sens := []string{"users"}
	for _, tc := range []struct {
		max   int64
		limit string
		want  bool // is_export
	}{
		{0, "1000", false}, // 0 means 1000
		{0, "1001", true},
		{10, "10", false},
		{10, "11", true},
		{5000, "5000", false},
		{-1, "0", false}, // negative counts as 0 rows
		{-1, "1", true},
		{10, "ALL", true},
		{10, "NULL", true},
		{10, "2.5", true},
		{10, "$1", true},
		{10, "(SELECT 5)", true},
		{10, "9223372036854775807", true},
	} {
		t.Run(fmt.Sprintf("max=%d,limit=%s", tc.max, tc.limit), func(t *testing.T) {
			f := Analyze("SELECT * FROM users LIMIT "+tc.limit, Options{SensitiveTables: sens, MaxRows: tc.max})
			if f.ParseError {
				t.Fatalf("parse error: %s", f.Error)
			}
			if f.IsExport != tc.want {
				t.Errorf("IsExport = %v, want %v (reasons %q)", f.IsExport, tc.want, f.Reasons)
			}
		})
	}
}

func TestNoSensitiveTablesNoExport(t *testing.T) {
	t.Parallel()
	f := Analyze("SELECT * FROM users", Options{})
	if f.IsExport || !f.ReadOnly {
		t.Errorf("got IsExport %v ReadOnly %v, want false true", f.IsExport, f.ReadOnly)
	}
}
