//! lawos-auth
