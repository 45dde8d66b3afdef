-- Atlas migration 001, "API Infrastructure", seeds an admin key whose hash is
-- the literal 'admin_key_hash_placeholder'.  A key row with a made-up hash is
-- a hole, not data, so streamtop does not ship it.  Instead the database
-- refuses such rows from any writer: a key hash must be a real digest (at
-- least 32 characters) and never a placeholder.  Keys are created by a
-- command that stores only the hash of a random key.
CREATE TRIGGER api_keys_refuse_placeholder_insert
BEFORE INSERT ON api_keys
WHEN length(NEW.key_hash) < 32 OR NEW.key_hash LIKE '%placeholder%'
BEGIN
    SELECT RAISE(ABORT, 'api_keys.key_hash must be the digest of a real key, not a placeholder');
END;

CREATE TRIGGER api_keys_refuse_placeholder_update
BEFORE UPDATE OF key_hash ON api_keys
WHEN length(NEW.key_hash) < 32 OR NEW.key_hash LIKE '%placeholder%'
BEGIN
    SELECT RAISE(ABORT, 'api_keys.key_hash must be the digest of a real key, not a placeholder');
END;
