-- Live matters per firm and stage, kept by statement triggers in the writing
-- transaction, so a list's `pagination.total` is a sum of at most five rows
-- instead of a count over every matter of the firm (storage/matters.rs
-- `count` uses it when the list has no filter beyond the stage and the caller
-- reaches the whole firm). A matter is live while deleted_at is null.
CREATE TABLE matter_counts (
    firm_id uuid NOT NULL,
    stage text NOT NULL,
    -- No CHECK (n >= 0): INSERT … ON CONFLICT checks the proposed row (a
    -- decrement, -1) before it finds the conflict it would update.
    n bigint NOT NULL,
    PRIMARY KEY (firm_id, stage)
);
SELECT matters.lawos_tenant_table('matters.matter_counts');

-- One statement's differences per (firm, stage), upserted in key order: two
-- transactions moving matters between the same stages in opposite directions
-- lock the rows in the same order, so they queue instead of deadlocking.
CREATE FUNCTION matters.lawos_count_matters() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO matters.matter_counts AS c (firm_id, stage, n)
        SELECT firm_id, stage, count(*) FROM new_rows WHERE deleted_at IS NULL
        GROUP BY firm_id, stage ORDER BY firm_id, stage
        ON CONFLICT (firm_id, stage) DO UPDATE SET n = c.n + excluded.n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO matters.matter_counts AS c (firm_id, stage, n)
        SELECT firm_id, stage, sum(d) FROM (
            SELECT firm_id, stage, 1 AS d FROM new_rows WHERE deleted_at IS NULL
            UNION ALL
            SELECT firm_id, stage, -1 AS d FROM old_rows WHERE deleted_at IS NULL
        ) moved
        GROUP BY firm_id, stage HAVING sum(d) <> 0 ORDER BY firm_id, stage
        ON CONFLICT (firm_id, stage) DO UPDATE SET n = c.n + excluded.n;
    ELSE
        UPDATE matters.matter_counts AS c SET n = c.n - gone.n
        FROM (SELECT firm_id, stage, count(*) AS n FROM old_rows WHERE deleted_at IS NULL
              GROUP BY firm_id, stage) gone
        WHERE c.firm_id = gone.firm_id AND c.stage = gone.stage;
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER matters_count_insert AFTER INSERT ON matters
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION matters.lawos_count_matters();
CREATE TRIGGER matters_count_update AFTER UPDATE ON matters
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION matters.lawos_count_matters();
CREATE TRIGGER matters_count_delete AFTER DELETE ON matters
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION matters.lawos_count_matters();

-- The matters that exist already.
INSERT INTO matter_counts (firm_id, stage, n)
SELECT firm_id, stage, count(*) FROM matters WHERE deleted_at IS NULL GROUP BY firm_id, stage;
