-- Base table for companies.  The streaming seed extends a `companies` table
-- that an existing system owns; this is the shape streamtop creates when it
-- makes the database itself.  When the table already exists, adoption adds
-- only the columns missing from it and keeps everything else as it is.
CREATE TABLE companies (
    company_number    TEXT PRIMARY KEY,
    company_name      TEXT,
    company_status    TEXT,
    company_type      TEXT,
    date_of_creation  TEXT,
    date_of_cessation TEXT,
    address_line_1    TEXT,
    address_line_2    TEXT,
    locality          TEXT,
    region            TEXT,
    postal_code       TEXT,
    country           TEXT,
    sic_codes         TEXT,     -- JSON array, as published
    etag              TEXT,     -- data.etag of the applied profile: repeats are counted by it
    data              TEXT,     -- the last applied profile, as JSON
    -- The stream timepoint of the event `data` reflects.  Applying compares
    -- against it so an older event (a retry, a replay) never overwrites newer data.
    stream_timepoint  INTEGER,
    deleted_at        TEXT,
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
