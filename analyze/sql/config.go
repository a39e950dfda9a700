package sql

import "strings"

// Options tunes the analysis; policy supplies it.
type Options struct {
	// SensitiveTables: "schema.table" matches that table, "table" that table in any schema, "schema.*" every table of the schema. Case-insensitive.
	// A name the query leaves unqualified matches the table part of every
	// "schema.table" entry, and "schema.*" entries for the schemas every
	// search path holds (public, pg_catalog). A role whose search_path
	// reaches other schemas should list their sensitive tables by name too.
	SensitiveTables []string
	// MaxRows: a SELECT reading a sensitive table is an export when it has no LIMIT, a non-constant LIMIT, or a LIMIT above MaxRows; 0 means 1000. A query whose result is provably one row of scalars (count, sum or max of a column, without GROUP BY) is not, unless something in it gathers many rows into one value (string_agg, ARRAY(subquery), ...): then any LIMIT still exports.
	// A negative MaxRows counts as 0 rows: any LIMIT above 0 is an export.
	MaxRows int64
}

// defaultMaxRows is the row budget when Options.MaxRows is 0.
const defaultMaxRows = 1000

// config is Options compiled for lookups.
type config struct {
	maxRows   int64
	names     map[string]bool // "table": any schema
	qualified map[string]bool // "schema.table"
	bare      map[string]bool // table part of "schema.table", for unqualified names
	schemas   map[string]bool // "schema.*"
	any       bool            // some entry exists
}

func compile(o Options) *config {
	c := &config{maxRows: o.MaxRows}
	switch {
	case o.MaxRows == 0:
		c.maxRows = defaultMaxRows
	case o.MaxRows < 0:
		c.maxRows = 0
	}
	for _, e := range o.SensitiveTables {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		c.any = true
		schema, table, ok := strings.Cut(e, ".")
		switch {
		case !ok:
			put(&c.names, e)
		case table == "*":
			put(&c.schemas, schema)
		default:
			put(&c.qualified, e)
			put(&c.bare, table)
		}
	}
	return c
}

func put(m *map[string]bool, k string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[k] = true
}

// sensitive reports whether a relation, given lowercased as schema ("" when
// unqualified) and table, matches SensitiveTables.
func (c *config) sensitive(schema, table string) bool {
	if !c.any {
		return false
	}
	if c.names[table] {
		return true
	}
	if schema == "" {
		return c.bare[table] || c.schemas["public"] || c.schemas["pg_catalog"]
	}
	return c.qualified[schema+"."+table] || c.schemas[schema]
}
