-- Full-text search under row-level security. A qual is used as an index
-- condition ahead of a policy's quals only when its operator is LEAKPROOF;
-- `@@` is not, so the GIN index on body_tsv cannot serve a search by the
-- runtime role. Text equality is leakproof: message_terms is an inverted
-- index of the live messages (one row per lexeme of body_tsv), kept by the
-- triggers below in the writer's transaction, under the same firm policy.
-- A search takes its candidates from it with `term = ANY(lexemes)` (btree)
-- and applies `body_tsv @@ query`, visibility and ranking to those only.

CREATE TABLE message_terms (
    firm_id uuid NOT NULL,
    term text NOT NULL,
    message_id uuid NOT NULL,
    PRIMARY KEY (firm_id, term, message_id)
) WITH (fillfactor = 90);

-- A message's lexemes while it is live (not deleted).
CREATE FUNCTION messages.lawos_message_terms() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    kept text[] := '{}';
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.deleted_at IS NULL THEN
        kept := tsvector_to_array(NEW.body_tsv);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        DELETE FROM messages.message_terms
         WHERE firm_id = OLD.firm_id
           AND term = ANY (tsvector_to_array(OLD.body_tsv))
           AND message_id = OLD.id
           AND NOT term = ANY (kept);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        INSERT INTO messages.message_terms (firm_id, term, message_id)
        SELECT NEW.firm_id, t, NEW.id FROM unnest(tsvector_to_array(NEW.body_tsv)) t
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER lawos_message_terms AFTER INSERT OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION messages.lawos_message_terms();
CREATE TRIGGER lawos_message_terms_update AFTER UPDATE OF body, deleted_at ON messages
    FOR EACH ROW
    WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION messages.lawos_message_terms();

-- What a search asks of message_terms for the tsquery q: the lexemes of its
-- indexable part (querytree: negated parts dropped), and how many of them a
-- candidate must have (all when the query has no OR, else one). No row when
-- the index cannot answer: q matches a message without any of its lexemes
-- (only negations, `a | !b`), or a lexeme is a prefix or weighted match.
-- Lexemes are read from querytree's text, where each is quoted with ' and \
-- doubled.
CREATE FUNCTION messages.lawos_search_terms(q tsquery, OUT lexemes text[], OUT needed integer)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 1 AS $fn$
    WITH tree AS (
        SELECT querytree(q) AS qt
    ), found AS (
        SELECT coalesce(array_agg(DISTINCT regexp_replace(m[1], '([''\\])\1', '\1', 'g')), '{}') AS lexemes,
               bool_or(m[2] IS NOT NULL) AS affixed
          FROM tree, regexp_matches(tree.qt, '''((?:[^''\\]|''''|\\.)*)''(:[*A-Da-d]+)?', 'g') m
    )
    SELECT found.lexemes,
           CASE WHEN strpos(tree.qt, '|') = 0 THEN cardinality(found.lexemes) ELSE 1 END
      FROM tree, found
     WHERE tree.qt IS DISTINCT FROM 'T'
       AND NOT coalesce(found.affixed, false)
       AND NOT (''::tsvector @@ q)
$fn$;

-- The live messages' lexemes. Migrations run as the owner, which FORCE ROW
-- LEVEL SECURITY holds to the policy (no firm set: no rows); the owner lifts
-- FORCE on messages for this statement only, inside the migration's
-- transaction (its ACCESS EXCLUSIVE lock keeps everyone else out meanwhile).
ALTER TABLE messages NO FORCE ROW LEVEL SECURITY;
INSERT INTO message_terms (firm_id, term, message_id)
SELECT m.firm_id, t, m.id
  FROM messages m, unnest(tsvector_to_array(m.body_tsv)) t
 WHERE m.deleted_at IS NULL;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
SELECT messages.lawos_tenant_table('messages.message_terms');
