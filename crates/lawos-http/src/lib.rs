//! lawos-http
