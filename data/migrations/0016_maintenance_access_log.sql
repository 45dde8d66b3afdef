-- The last maintenance pass also counts the API access-log rows it removed
-- (kept 7 days), so `status` and the Metrics pane show every row it took.
ALTER TABLE maintenance_state ADD COLUMN access_log_removed INTEGER NOT NULL DEFAULT 0;
