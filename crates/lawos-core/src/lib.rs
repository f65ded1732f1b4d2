//! lawos-core
