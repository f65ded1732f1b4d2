//! lawos-cache
