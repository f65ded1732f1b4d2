//! lawos-svc-contacts
