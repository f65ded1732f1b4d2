-- STAFF sees the matters it is assigned to (member or grant), not the whole
-- firm: its matter-bound scopes become ASSIGNED. Time entries and invoices stay
-- firm-wide (billing runs across every matter); catalogue.rs STAFF_FIRM_WIDE.
UPDATE builtin_role_permissions
SET reach = 'ASSIGNED'
WHERE role = 'STAFF'
  AND scope NOT IN (
    'time-entries:create', 'time-entries:read', 'time-entries:update',
    'time-entries:submit', 'time-entries:approve',
    'invoices:read', 'invoices:create', 'invoices:update'
  );
