-- A migration that breaks the expand/contract rule (it renames a column the previous release
-- writes); MigrationsUpgradeIT shows its check catches this.
ALTER TABLE proxies RENAME COLUMN fingerprint TO certificate_fingerprint;
