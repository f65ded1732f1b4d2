//! lawos-svc-auth
