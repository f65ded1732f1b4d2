//! lawos-telemetry
