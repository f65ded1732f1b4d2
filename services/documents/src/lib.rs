//! lawos-svc-documents
