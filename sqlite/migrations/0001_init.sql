-- Times are integers: Unix nanoseconds, UTC, so that they round-trip exactly.
-- Rows are never deleted, so INTEGER PRIMARY KEY (max + 1) numbers them in
-- increasing order without AUTOINCREMENT, whose sqlite_sequence table would
-- add a page to every commit.
-- A request's doc (JSON of countersign.Request) is the source of truth; the
-- other columns are copies of its fields for lookups.
CREATE TABLE requests (
	seq             INTEGER PRIMARY KEY,
	id              TEXT    NOT NULL UNIQUE,
	agent           TEXT    NOT NULL,
	idempotency_key TEXT,
	state           TEXT    NOT NULL,
	due_at          INTEGER,
	created_at      INTEGER NOT NULL,
	doc             TEXT    NOT NULL
);
CREATE UNIQUE INDEX requests_idempotency ON requests (agent, idempotency_key)
	WHERE idempotency_key IS NOT NULL;
CREATE INDEX requests_state_seq ON requests (state, seq);
CREATE INDEX requests_agent_seq ON requests (agent, seq);
CREATE INDEX requests_due_at ON requests (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE keys (
	seq        INTEGER PRIMARY KEY,
	id         TEXT    NOT NULL UNIQUE,
	hash       TEXT    NOT NULL UNIQUE,
	principal  TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

CREATE TABLE agents (
	name       TEXT    PRIMARY KEY,
	frozen     INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE events (
	seq       INTEGER PRIMARY KEY,
	time      INTEGER NOT NULL,
	type      TEXT    NOT NULL,
	action_id TEXT,
	actor     TEXT    NOT NULL,
	data      TEXT    NOT NULL
);
CREATE INDEX events_action_id ON events (action_id) WHERE action_id IS NOT NULL;
