-- SPDX-License-Identifier: GPL-3.0-or-later
-- Refresh tokens (rotation with reuse detection), TOTP and recovery codes.

ALTER TABLE {{schema}}.users
    ADD COLUMN totp_secret   bytea,
    ADD COLUMN mfa_enabled   boolean NOT NULL DEFAULT false,
    ADD COLUMN last_totp_step bigint;

-- Only hashes are stored. A family is one sign-in; every refresh rotates to a new token of the
-- same family. Presenting a token that was already rotated revokes the whole family.
CREATE TABLE {{schema}}.refresh_tokens (
    id          uuid PRIMARY KEY,
    family_id   uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES {{schema}}.users (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE,
    amr         text[] NOT NULL DEFAULT '{pwd}',
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    family_expires_at timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family ON {{schema}}.refresh_tokens (family_id);

CREATE TABLE {{schema}}.recovery_codes (
    user_id    uuid NOT NULL REFERENCES {{schema}}.users (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

GRANT SELECT, INSERT, UPDATE ON {{schema}}.refresh_tokens TO {{runtime}};
GRANT SELECT, INSERT, UPDATE, DELETE ON {{schema}}.recovery_codes TO {{runtime}};
