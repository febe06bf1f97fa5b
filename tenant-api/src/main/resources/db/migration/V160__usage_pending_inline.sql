-- A report's route rows (usage_pending.routes, about 5.5 KB for 20 routes) were over PostgreSQL's
-- 2 KB toast threshold: every insert compressed them with pglz and moved them out of line into the
-- toast table (two more tuples and index entries), and the fold read them back, decompressed them and
-- deleted those tuples again, for a row that lives about a minute. With the target at its maximum a
-- row up to about 8 KB is stored in the table as it is; a larger one (a proxy with many more routes)
-- is compressed and moved out of line as before. Storage only: nothing reads or writes differently.
ALTER TABLE usage_pending SET (toast_tuple_target = 8160);
