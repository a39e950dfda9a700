-- Times are bigints: Unix nanoseconds, UTC, so that they round-trip exactly
-- (timestamptz keeps microseconds only, and event times are hashed into the
-- ledger). JSON columns are json, not jsonb, so that they are kept verbatim.
-- A request's doc (JSON of countersign.Request) is the source of truth; the
-- other columns are copies of its fields for lookups.
CREATE TABLE requests (
	seq             bigserial PRIMARY KEY,
	id              text      NOT NULL UNIQUE,
	agent           text      NOT NULL,
	idempotency_key text,
	state           text      NOT NULL,
	due_at          bigint,
	created_at      bigint    NOT NULL,
	doc             json      NOT NULL
);
CREATE UNIQUE INDEX requests_idempotency ON requests (agent, idempotency_key)
	WHERE idempotency_key IS NOT NULL;
CREATE INDEX requests_state_seq ON requests (state, seq);
CREATE INDEX requests_agent_seq ON requests (agent, seq);
CREATE INDEX requests_due_at ON requests (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE keys (
	seq        bigserial PRIMARY KEY,
	id         text      NOT NULL UNIQUE,
	hash       text      NOT NULL UNIQUE,
	principal  json      NOT NULL,
	created_at bigint    NOT NULL,
	revoked_at bigint
);

CREATE TABLE agents (
	name       text    PRIMARY KEY,
	frozen     boolean NOT NULL,
	updated_at bigint  NOT NULL
);

CREATE TABLE events (
	seq       bigserial PRIMARY KEY,
	time      bigint    NOT NULL,
	type      text      NOT NULL,
	action_id text,
	actor     text      NOT NULL,
	data      json      NOT NULL
);
CREATE INDEX events_action_id ON events (action_id) WHERE action_id IS NOT NULL;
