-- Documents and their versions (Backstage §5.1.5, schema overview SLICE 21).
-- The bytes live in S3 under {firmId}/{documentId}/{versionId}: keys never
-- carry user input. A document's searchable text (name, description, tags and
-- the current version's extracted text) lives in document_search, apart from
-- the documents row, so the entity events stay small. The three tables also
-- admit platform transactions (app.all_firms), which only the service's jobs
-- open (extraction, abandoning stale uploads, the retention purge).

CREATE TABLE documents (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    resource_type text NOT NULL CHECK (resource_type IN ('MATTER', 'CLIENT', 'GENERAL')),
    resource_id uuid,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    description text CHECK (length(description) <= 5000),
    category text NOT NULL
        CHECK (category IN ('PLEADING', 'EVIDENCE', 'CONTRACT', 'CORRESPONDENCE', 'OTHER')),
    privileged boolean NOT NULL DEFAULT false,
    confidential boolean NOT NULL DEFAULT false,
    tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 50),
    current_version_id uuid,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz,
    -- Soft delete: the objects stay until the retention purge deletes them
    -- (document_versions.object_deleted_at); who did what is in the events.
    deleted_at timestamptz,
    CHECK ((resource_type = 'GENERAL') = (resource_id IS NULL))
);
CREATE INDEX documents_firm_updated_idx ON documents (firm_id, updated_at DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX documents_firm_resource_idx ON documents (firm_id, resource_type, resource_id)
    WHERE deleted_at IS NULL;
CREATE INDEX documents_deleted_idx ON documents (deleted_at) WHERE deleted_at IS NOT NULL;
SELECT documents.lawos_tenant_table('documents.documents', 'firm_id', true);
SELECT documents.lawos_emit_events('documents.documents', 'document');

CREATE TABLE document_versions (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    document_id uuid NOT NULL REFERENCES documents (id),
    -- Given when the version becomes available (1, 2, …); pending and
    -- abandoned uploads have none.
    version_number integer CHECK (version_number >= 1),
    parent_version_id uuid REFERENCES document_versions (id),
    restored_from_version_id uuid REFERENCES document_versions (id),
    status text NOT NULL CHECK (status IN ('PENDING', 'AVAILABLE', 'ABANDONED')),
    upload_method text NOT NULL CHECK (upload_method IN ('PRESIGNED', 'DIRECT', 'RESTORE')),
    file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    mime_type text NOT NULL CHECK (length(mime_type) BETWEEN 3 AND 255),
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    sha256 bytea NOT NULL CHECK (length(sha256) = 32),
    uploaded_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    -- The object is gone: an abandoned upload's, or a purged document's.
    object_deleted_at timestamptz,
    CHECK ((status = 'AVAILABLE') = (version_number IS NOT NULL)),
    CHECK ((status = 'AVAILABLE') = (completed_at IS NOT NULL))
);
CREATE UNIQUE INDEX document_versions_number_key ON document_versions (firm_id, document_id, version_number)
    WHERE version_number IS NOT NULL;
CREATE INDEX document_versions_firm_document_idx ON document_versions (firm_id, document_id, created_at DESC);
CREATE INDEX document_versions_pending_idx ON document_versions (created_at) WHERE status = 'PENDING';
SELECT documents.lawos_tenant_table('documents.document_versions', 'firm_id', true);
SELECT documents.lawos_emit_events('documents.document_versions', 'document_version');

-- Text extraction of available versions: a row per version, PENDING until the
-- worker took it (DONE, SKIPPED: a type without text or too large, FAILED).
CREATE TABLE document_extractions (
    version_id uuid PRIMARY KEY REFERENCES document_versions (id),
    firm_id uuid NOT NULL,
    document_id uuid NOT NULL REFERENCES documents (id),
    status text NOT NULL CHECK (status IN ('PENDING', 'DONE', 'SKIPPED', 'FAILED')),
    created_at timestamptz NOT NULL DEFAULT now(),
    extracted_at timestamptz
);
CREATE INDEX document_extractions_pending_idx ON document_extractions (created_at)
    WHERE status = 'PENDING';
SELECT documents.lawos_tenant_table('documents.document_extractions', 'firm_id', true);

ALTER TABLE documents ADD CONSTRAINT documents_current_version_fkey
    FOREIGN KEY (current_version_id) REFERENCES document_versions (id);

-- array_to_string is only STABLE; over text[] it is immutable in fact.
CREATE FUNCTION documents.tags_text(text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string($1, ' ') $$;

CREATE TABLE document_search (
    document_id uuid PRIMARY KEY REFERENCES documents (id),
    firm_id uuid NOT NULL,
    name text NOT NULL,
    description text,
    tags text[] NOT NULL DEFAULT '{}',
    -- The current version's extracted text (at most 200 000 characters).
    content text,
    search tsvector GENERATED ALWAYS AS (
        -- A file name ("agreement.pdf") is one token to the parser: its words
        -- are indexed as well.
        setweight(to_tsvector('english', name), 'A')
        || setweight(to_tsvector('english', translate(name, '._-', '   ')), 'A')
        || setweight(to_tsvector('english', documents.tags_text(tags)), 'A')
        || setweight(to_tsvector('english', coalesce(description, '')), 'B')
        || setweight(to_tsvector('english', coalesce(content, '')), 'C')
    ) STORED
);
CREATE INDEX document_search_search_idx ON document_search USING gin (search);
CREATE INDEX document_search_firm_idx ON document_search (firm_id);
SELECT documents.lawos_tenant_table('documents.document_search', 'firm_id', true);

-- The searchable metadata follows the document row.
CREATE FUNCTION documents.sync_document_search() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO documents.document_search (document_id, firm_id, name, description, tags)
    VALUES (NEW.id, NEW.firm_id, NEW.name, NEW.description, NEW.tags)
    ON CONFLICT (document_id) DO UPDATE
        SET name = EXCLUDED.name, description = EXCLUDED.description, tags = EXCLUDED.tags;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER documents_sync_search AFTER INSERT OR UPDATE OF name, description, tags ON documents
    FOR EACH ROW EXECUTE FUNCTION documents.sync_document_search();
