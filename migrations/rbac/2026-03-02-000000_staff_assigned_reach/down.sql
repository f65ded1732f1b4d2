UPDATE builtin_role_permissions SET reach = 'ALL' WHERE role = 'STAFF';
