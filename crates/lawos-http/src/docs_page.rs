//! `/docs`: an API reference page rendered from the OpenAPI document, self-contained
//! (no scripts or styles fetched from elsewhere).

use actix_web::{HttpResponse, web};
use serde_json::Value;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page's HTML for `doc`.
pub fn render(doc: &Value) -> String {
    let title = escape(doc["info"]["title"].as_str().unwrap_or("LawOS"));
    let mut rows = String::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            let Some(ops) = ops.as_object() else { continue };
            for (method, op) in ops {
                let responses = op["responses"]
                    .as_object()
                    .map(|r| r.keys().cloned().collect::<Vec<_>>().join(" "))
                    .unwrap_or_default();
                rows.push_str(&format!(
                    "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
                    escape(&method.to_uppercase()),
                    escape(path),
                    escape(op["summary"].as_str().unwrap_or_default()),
                    escape(op["x-required-scope"].as_str().unwrap_or("")),
                    escape(&responses),
                ));
            }
        }
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} API</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}}</style></head><body>\
         <h1>{title} API</h1><p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a>. \
         Errors use the envelope <code>{{\"error\":{{code,message,details,timestamp,requestId}}}}</code>.</p>\
         <table><tr><th>method</th><th>path</th><th>summary</th><th>scope</th><th>responses</th></tr>\n{rows}</table></body></html>"
    )
}

pub async fn docs(doc: web::Data<Value>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(render(doc.get_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_operations_and_escapes() {
        let doc = crate::OpenApi::new("T<x>")
            .op("get", "/a/{id}", "Get <a>", Some("a:read"), &[(200, "ok")])
            .into_value();
        let html = render(&doc);
        assert!(html.contains("<code>GET</code>"));
        assert!(html.contains("Get &lt;a&gt;"));
        assert!(html.contains("T&lt;x&gt; API"));
        assert!(html.contains("a:read"));
    }
}
