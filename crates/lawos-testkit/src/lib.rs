//! lawos-testkit
