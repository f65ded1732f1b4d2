//! lawos-svc-matters
