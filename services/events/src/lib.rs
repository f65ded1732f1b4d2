//! lawos-svc-events
