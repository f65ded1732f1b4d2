-- The last activity on each matter from other services' events (task.completed
-- from tasks), kept by the consumer of `matters.events`, applied once (inbox).
CREATE TABLE matter_activity (
    firm_id uuid NOT NULL,
    matter_id uuid NOT NULL,
    last_activity_at timestamptz NOT NULL,
    last_event_type text NOT NULL,
    last_event_id uuid NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, matter_id)
);
SELECT matters.lawos_tenant_table('matters.matter_activity');
