//! lawos-svc-rbac
