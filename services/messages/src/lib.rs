//! lawos-svc-messages
