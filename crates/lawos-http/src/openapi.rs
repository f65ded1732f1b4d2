//! A small OpenAPI 3.1 document builder: each service describes its routes, the
//! all-in-one merges the documents.

use serde_json::{Map, Value, json};

#[derive(Debug, Clone)]
pub struct OpenApi {
    doc: Value,
}

impl OpenApi {
    pub fn new(title: &str) -> Self {
        Self {
            doc: json!({
                "openapi": "3.1.0",
                "info": { "title": title, "version": env!("CARGO_PKG_VERSION") },
                "paths": {},
                "components": {
                    "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } },
                    "schemas": { "Error": error_schema() }
                },
                "security": [ { "bearer": [] } ]
            }),
        }
    }

    /// Adds one operation. `responses` maps status codes to descriptions.
    pub fn op(
        mut self,
        method: &str,
        path: &str,
        summary: &str,
        scope: Option<&str>,
        responses: &[(u16, &str)],
    ) -> Self {
        let mut resp = Map::new();
        for (status, description) in responses {
            let body = if *status >= 400 {
                json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
            } else {
                json!({ "description": description })
            };
            resp.insert(status.to_string(), body);
        }
        let mut op = json!({ "summary": summary, "responses": resp });
        if let Some(scope) = scope {
            op["x-required-scope"] = json!(scope);
        }
        if let Some(paths) = self.doc["paths"].as_object_mut() {
            let entry = paths.entry(path.to_owned()).or_insert_with(|| json!({}));
            entry[method] = op;
        }
        self
    }

    pub fn into_value(self) -> Value {
        self.doc
    }

    /// Merges service documents into one (paths are disjoint by prefix).
    pub fn merge(title: &str, docs: impl IntoIterator<Item = Value>) -> Value {
        let mut merged = Self::new(title).into_value();
        for doc in docs {
            if let (Some(into), Some(from)) =
                (merged["paths"].as_object_mut(), doc["paths"].as_object())
            {
                for (k, v) in from {
                    into.insert(k.clone(), v.clone());
                }
            }
        }
        merged
    }
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": { "error": {
            "type": "object",
            "required": ["code", "message", "timestamp", "requestId"],
            "properties": {
                "code": { "type": "string" },
                "message": { "type": "string" },
                "details": { "type": "object" },
                "timestamp": { "type": "string", "format": "date-time" },
                "requestId": { "type": "string" }
            }
        } }
    })
}
