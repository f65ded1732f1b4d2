DROP TRIGGER matters_count_delete ON matters;
DROP TRIGGER matters_count_update ON matters;
DROP TRIGGER matters_count_insert ON matters;
DROP FUNCTION matters.lawos_count_matters();
DROP TABLE matter_counts;
