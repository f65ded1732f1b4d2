//! lawos
