//! lawos-events
