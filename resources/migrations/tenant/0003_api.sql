-- SPDX-License-Identifier: GPL-3.0-or-later
-- Idempotency keys: per caller, stored in the same transaction as the write they protect.
CREATE TABLE {{schema}}.idempotency_keys (
    caller         text NOT NULL CHECK (char_length(caller) <= 200),
    key            text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash   bytea NOT NULL,
    status         integer NOT NULL,
    content_type   text NOT NULL,
    response_body  bytea NOT NULL,
    headers        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created ON {{schema}}.idempotency_keys (created_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON {{schema}}.idempotency_keys TO {{runtime}};
