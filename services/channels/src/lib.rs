//! lawos-svc-channels
