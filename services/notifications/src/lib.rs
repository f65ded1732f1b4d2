//! lawos-svc-notifications
