-- Tasks (of a matter, or firm-level), their assignments and checklists. Every
-- table is a tenant table (firm_id, forced RLS) with indexes leading with
-- firm_id; entity events come from the triggers, except for assignments, whose
-- changes are the business events assignment.created / assignment.removed.

CREATE TABLE tasks (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    -- The matter the task belongs to (checked at matters); null for a firm-level task.
    matter_id uuid,
    -- Subtasks are one level deep: a parent has no parent (checked on write).
    parent_id uuid REFERENCES tasks (id),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description text CHECK (length(description) <= 10000),
    priority text NOT NULL DEFAULT 'NORMAL' CHECK (priority IN ('LOW', 'NORMAL', 'HIGH', 'URGENT')),
    status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED')),
    -- The instant the task is due. For a due date without a time: the end of
    -- that day (the next midnight) in due_time_zone.
    due_at timestamptz,
    due_date date,
    due_time_zone text,
    completed_at timestamptz,
    completed_by uuid,
    created_by uuid,
    updated_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz,
    deleted_at timestamptz,
    CHECK (due_date IS NULL OR due_at IS NOT NULL),
    CHECK ((due_at IS NULL) = (due_time_zone IS NULL))
);
CREATE INDEX tasks_firm_created_idx ON tasks (firm_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX tasks_firm_matter_idx ON tasks (firm_id, matter_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL AND matter_id IS NOT NULL;
CREATE INDEX tasks_firm_due_idx ON tasks (firm_id, due_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_firm_parent_idx ON tasks (firm_id, parent_id) WHERE parent_id IS NOT NULL;
SELECT tasks.lawos_tenant_table('tasks.tasks');
SELECT tasks.lawos_emit_events('tasks.tasks', 'task');

-- Who a task is assigned to. matter_id, due_at and open are the task's, copied
-- by the triggers below, so "my open tasks, overdue first, then by due date"
-- is one range of one index (task_assignments_mine_idx).
CREATE TABLE task_assignments (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    task_id uuid NOT NULL REFERENCES tasks (id),
    user_id uuid NOT NULL,
    assigned_by uuid,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    removed_by uuid,
    removed_at timestamptz,
    matter_id uuid,
    due_at timestamptz,
    open boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX task_assignments_active_key ON task_assignments (firm_id, task_id, user_id)
    WHERE removed_at IS NULL;
CREATE INDEX task_assignments_mine_idx ON task_assignments (firm_id, user_id, due_at NULLS LAST, task_id)
    WHERE removed_at IS NULL AND open;
CREATE INDEX task_assignments_user_idx ON task_assignments (firm_id, user_id, task_id)
    WHERE removed_at IS NULL;
SELECT tasks.lawos_tenant_table('tasks.task_assignments');

CREATE FUNCTION tasks.lawos_task_is_open(t tasks.tasks) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT t.status IN ('OPEN', 'IN_PROGRESS') AND t.archived_at IS NULL AND t.deleted_at IS NULL
$fn$;

-- A new assignment takes the task's copies.
CREATE FUNCTION tasks.lawos_assignment_copy() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    t tasks.tasks;
BEGIN
    SELECT * INTO t FROM tasks.tasks WHERE id = NEW.task_id;
    NEW.matter_id := t.matter_id;
    NEW.due_at := t.due_at;
    NEW.open := tasks.lawos_task_is_open(t);
    RETURN NEW;
END
$fn$;
CREATE TRIGGER lawos_assignment_copy BEFORE INSERT ON task_assignments
    FOR EACH ROW EXECUTE FUNCTION tasks.lawos_assignment_copy();

-- A task's change reaches its live assignments' copies in the same transaction.
CREATE FUNCTION tasks.lawos_task_sync_assignments() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE tasks.task_assignments
       SET matter_id = NEW.matter_id, due_at = NEW.due_at, open = tasks.lawos_task_is_open(NEW)
     WHERE task_id = NEW.id AND removed_at IS NULL
       AND (matter_id IS DISTINCT FROM NEW.matter_id OR due_at IS DISTINCT FROM NEW.due_at
            OR open IS DISTINCT FROM tasks.lawos_task_is_open(NEW));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER lawos_task_sync_assignments
    AFTER UPDATE OF matter_id, due_at, status, archived_at, deleted_at ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks.lawos_task_sync_assignments();

CREATE TABLE task_checklist_items (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    task_id uuid NOT NULL REFERENCES tasks (id),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    done boolean NOT NULL DEFAULT false,
    position integer NOT NULL,
    done_at timestamptz,
    done_by uuid,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX task_checklist_items_task_idx ON task_checklist_items (firm_id, task_id, position, id)
    WHERE deleted_at IS NULL;
SELECT tasks.lawos_tenant_table('tasks.task_checklist_items');
SELECT tasks.lawos_emit_events('tasks.task_checklist_items', 'task_checklist_item');
