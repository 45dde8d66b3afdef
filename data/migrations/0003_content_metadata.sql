-- Base table for content metadata, which the atlas seed extends with search
-- and access columns.  streamtop itself does not write it; the neutral base
-- exists so the seed's columns and indexes have a table to live on.
CREATE TABLE content_metadata (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    reference   TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
