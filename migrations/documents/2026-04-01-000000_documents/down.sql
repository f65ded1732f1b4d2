DROP TRIGGER documents_sync_search ON documents;
DROP FUNCTION documents.sync_document_search();
DROP TABLE document_search;
DROP FUNCTION documents.tags_text(text[]);
ALTER TABLE documents DROP CONSTRAINT documents_current_version_fkey;
DROP TABLE document_extractions;
DROP TABLE document_versions;
DROP TABLE documents;
