//! lawos-svc-tenants
