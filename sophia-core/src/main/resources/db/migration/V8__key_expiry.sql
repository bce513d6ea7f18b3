-- API keys that expire (a key made to last a while, or a rotated key's old secret during its grace
-- period), and the key a rotated one replaced.
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
ALTER TABLE api_keys ADD COLUMN rotated_from TEXT;
-- A second factor for signing in with an admin key (TOTP, RFC 6238): the shared secret (sealed at
-- rest when a key is configured), when it was confirmed with a first code (NULL: enrolment
-- pending), and the last time step accepted, so that no code counts twice.
CREATE TABLE key_totp (
  key_id        TEXT PRIMARY KEY,
  secret        TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  confirmed_at  INTEGER,
  last_step     INTEGER NOT NULL DEFAULT 0
);
