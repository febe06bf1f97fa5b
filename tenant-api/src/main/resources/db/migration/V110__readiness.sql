-- The readiness probe (/readyz) checks, as the application role, that the newest migration a
-- replica ships is applied: it reads Flyway's history table, nothing else of it.
GRANT SELECT ON ${flyway:table} TO trellis_app;
