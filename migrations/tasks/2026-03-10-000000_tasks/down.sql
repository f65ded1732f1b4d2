DROP TABLE task_checklist_items;
DROP TRIGGER lawos_task_sync_assignments ON tasks;
DROP FUNCTION tasks.lawos_task_sync_assignments();
DROP TABLE task_assignments;
DROP FUNCTION tasks.lawos_assignment_copy();
DROP FUNCTION tasks.lawos_task_is_open(tasks.tasks);
DROP TABLE tasks;
