//! W3C trace context (`traceparent`) for outgoing REST calls and events, and
//! for continuing a caller's trace.

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use std::collections::HashMap;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The `traceparent` of the current span (`00-{trace id}-{span id}-{flags}`),
/// or `None` outside a span or before [`crate::init`].
pub fn traceparent_from_current_span() -> Option<String> {
    let cx = tracing::Span::current().context();
    let span = cx.span();
    let sc = span.span_context();
    sc.is_valid().then(|| {
        format!(
            "00-{}-{}-{:02x}",
            sc.trace_id(),
            sc.span_id(),
            sc.trace_flags().to_u8()
        )
    })
}

/// Makes `span` a child of the remote span in an incoming `traceparent`
/// header. False (and nothing changes) when the header is not valid.
pub fn set_parent_from_traceparent(span: &tracing::Span, traceparent: &str) -> bool {
    let carrier = HashMap::from([("traceparent".to_owned(), traceparent.trim().to_owned())]);
    let cx = TraceContextPropagator::new().extract(&carrier);
    if !cx.span().span_context().is_valid() {
        return false;
    }
    span.set_parent(cx);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(tp: &str) -> Vec<String> {
        tp.split('-').map(str::to_owned).collect()
    }

    #[test]
    fn spans_get_and_continue_a_traceparent() {
        let _guard = crate::init("lawos-test");
        // error level passes any RUST_LOG filter short of `off`.
        let span = tracing::error_span!("outgoing");
        let tp = span.in_scope(traceparent_from_current_span).unwrap();
        let p = parts(&tp);
        assert_eq!(
            (p.len(), p[0].as_str(), p[1].len(), p[2].len()),
            (4, "00", 32, 16),
            "{tp}"
        );

        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let child = tracing::error_span!("handler");
        assert!(set_parent_from_traceparent(&child, incoming));
        let tp = child.in_scope(traceparent_from_current_span).unwrap();
        let p = parts(&tp);
        assert_eq!(p[1], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_ne!(p[2], "00f067aa0ba902b7");
        assert_eq!(p[3], "01");

        assert!(!set_parent_from_traceparent(
            &tracing::error_span!("x"),
            "garbage"
        ));
    }

    #[test]
    fn no_span_no_traceparent() {
        assert_eq!(
            tracing::Span::none().in_scope(traceparent_from_current_span),
            None
        );
    }
}
