DROP TABLE external_refs;
DROP TRIGGER mycase_runs_finished_guard ON mycase_runs;
DROP FUNCTION mycase_runs_finished_guard();
DROP TABLE mycase_runs;
DROP TABLE mycase_credentials;
DROP TABLE mycase_connections;
