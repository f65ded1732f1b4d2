//! lawos-svc-billing
