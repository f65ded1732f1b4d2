//! lawos-tenancy
