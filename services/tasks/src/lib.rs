//! lawos-svc-tasks
