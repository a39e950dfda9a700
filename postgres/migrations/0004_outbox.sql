-- Notifications to deliver (Store.ClaimOutbox), written in the transaction
-- of the change that caused them. Times are Unix nanoseconds, UTC. A row is
-- deleted when delivered or abandoned; lease_until keeps a claimed row from
-- other workers until it runs out.
CREATE TABLE outbox (
	id          bigserial PRIMARY KEY,
	target      text    NOT NULL,
	request_id  text    NOT NULL,
	event_type  text    NOT NULL,
	created_at  bigint NOT NULL,
	due_at      bigint NOT NULL,
	lease_until bigint NOT NULL DEFAULT 0,
	attempts    bigint NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (due_at);
CREATE INDEX outbox_request_target ON outbox (request_id, target, id);

-- What a channel posted for a request (a Slack message's channel and ts),
-- so that any replica can update it in place.
CREATE TABLE channel_refs (
	request_id text NOT NULL,
	target     text NOT NULL,
	ref        text NOT NULL,
	PRIMARY KEY (request_id, target)
);
