//! lawos-db
