//! The OpenAPI 3.1 document of a service, built next to its routes from the
//! types its handlers extract, so the description cannot drift from the code:
//!
//! - path parameters come from the path template (`{id}`, `{userId}`: a uuid
//!   when the name is `id` or ends in `Id`, else a string);
//! - query parameters and request bodies from the `JsonSchema` of the very
//!   structs `web::Query<T>` and `web::Json<T>` deserialize
//!   ([`OpenApi::query`], [`OpenApi::body`]);
//! - success bodies from the `JsonSchema` of what the handler answers
//!   ([`OpenApi::returns`], [`OpenApi::returns_page`]);
//! - the error envelope of every status the shared app itself can answer is
//!   added once, here: 401 on authenticated operations, 403 where a scope
//!   decides, 404 where a path names a resource, 400/413/415/422 where a body
//!   is read, 400/422 where a query is parsed, 409/422 for `Idempotency-Key`
//!   on `POST`, 429 for rate limits and 500 everywhere. A service lists the
//!   statuses its own handler decides (403, 404, 409, 412, 503, …).
//!
//! Schemas are inlined (no `$ref` besides the shared `Error`), so documents
//! merge by path alone in the all-in-one.

use schemars::JsonSchema;
use serde_json::{Value, json};

/// Media type of JSON bodies.
const JSON: &str = "application/json";

#[derive(Debug, Clone)]
pub struct OpenApi {
    doc: Value,
    /// The operation the last [`OpenApi::op`] added: (path, method).
    last: Option<(String, String)>,
    /// The statuses that operation's handler decides (listed in `op`).
    explicit: Vec<u16>,
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
            last: None,
            explicit: Vec::new(),
        }
    }

    /// Adds one operation. `responses` maps the statuses the handler decides to
    /// descriptions; the statuses of the shared app are added by this builder.
    /// Refine it with the methods below, which apply to the operation added last.
    pub fn op(
        mut self,
        method: &str,
        path: &str,
        summary: &str,
        scope: Option<&str>,
        responses: &[(u16, &str)],
    ) -> Self {
        let method = method.to_ascii_lowercase();
        let params: Vec<Value> = path_params(path);
        let mut op = json!({
            "summary": summary,
            "operationId": operation_id(&method, path),
            "responses": {},
        });
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if let Some(scope) = scope {
            op["x-required-scope"] = json!(scope);
        }
        if let Some(paths) = self.doc["paths"].as_object_mut() {
            let entry = paths.entry(path.to_owned()).or_insert_with(|| json!({}));
            entry[&method] = op;
        }
        self.last = Some((path.to_owned(), method.clone()));
        self.explicit = responses.iter().map(|(s, _)| *s).collect();
        for (status, description) in responses {
            self = self.response(*status, description);
        }
        // What the shared app answers on every operation.
        self = self
            .default_response(401, "Token missing, invalid or expired (AUTH_TOKEN_*)")
            .default_response(
                429,
                "Rate limit exceeded (RATE_LIMIT_EXCEEDED, Retry-After)",
            )
            .default_response(
                500,
                "Unexpected failure (INTERNAL_ERROR; no internals in the body)",
            );
        if scope.is_some() {
            self = self.default_response(403, "Not allowed (PERMISSION_DENIED, requiredScopes)");
        }
        if path.contains('{') {
            self = self.default_response(
                404,
                "No such resource in the caller's reach (RESOURCE_NOT_FOUND)",
            );
        }
        if method == "post" && crate::idempotency::applies_to(path) {
            self = self
                .header(
                    "Idempotency-Key",
                    "Replays the first response for the same key and body (24 h)",
                )
                .default_response(
                    400,
                    "Idempotency-Key is not 1–255 visible characters (INVALID_FIELD_FORMAT)",
                )
                .default_response(
                    409,
                    "The same Idempotency-Key is still being answered (RESOURCE_CONFLICT)",
                )
                .default_response(
                    422,
                    "Invalid input, each field named (VALIDATION_ERROR), or IDEMPOTENCY_KEY_REUSED",
                );
        }
        self
    }

    /// The query parameters of the last operation: the properties of `T`, the
    /// struct its handler extracts with `web::Query<T>`.
    pub fn query<T: JsonSchema>(mut self) -> Self {
        let schema = schema_of::<T>();
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut params = Vec::new();
        if let Some(props) = schema["properties"].as_object() {
            for (name, prop) in props {
                let mut prop = not_null(prop.clone());
                let description = prop.as_object_mut().and_then(|p| p.remove("description"));
                let mut param = json!({
                    "name": name,
                    "in": "query",
                    "required": required.contains(&name.as_str()),
                    "schema": prop,
                });
                if let Some(d) = description {
                    param["description"] = d;
                }
                params.push(param);
            }
        }
        if let Some(op) = self.last_op() {
            let list = op
                .as_object_mut()
                .map(|o| o.entry("parameters").or_insert_with(|| json!([])));
            if let Some(Value::Array(list)) = list {
                list.extend(params);
            }
        }
        self.default_response(
            400,
            "A query parameter does not parse (INVALID_FIELD_FORMAT)",
        )
        .default_response(422, "Invalid parameters, each named (VALIDATION_ERROR)")
    }

    /// The cursor pagination parameters of the last operation
    /// (`lawos_core::PageParams`: `cursor`, `limit` 1..=100), for a handler
    /// extracting `web::Query<PageParams>`.
    pub fn page_params(mut self) -> Self {
        let params = [
            json!({ "name": "cursor", "in": "query", "required": false,
                    "description": "The nextCursor of the previous page",
                    "schema": { "type": "string" } }),
            json!({ "name": "limit", "in": "query", "required": false,
                    "description": "Page size (default 20)",
                    "schema": { "type": "integer", "minimum": 1, "maximum": 100 } }),
        ];
        if let Some(op) = self.last_op() {
            let list = op
                .as_object_mut()
                .map(|o| o.entry("parameters").or_insert_with(|| json!([])));
            if let Some(Value::Array(list)) = list {
                list.extend(params);
            }
        }
        self.default_response(
            400,
            "A query parameter does not parse (INVALID_FIELD_FORMAT)",
        )
        .default_response(422, "Invalid parameters, each named (VALIDATION_ERROR)")
    }

    /// The JSON request body of the last operation: `T`, the struct its handler
    /// extracts with `web::Json<T>`.
    pub fn body<T: JsonSchema>(self) -> Self {
        self.request(JSON, schema_of::<T>())
    }

    /// A request body of another media type (`multipart/form-data`, …) with `schema`.
    pub fn request(mut self, media_type: &str, schema: Value) -> Self {
        if let Some(op) = self.last_op() {
            op["requestBody"] = json!({
                "required": true,
                "content": { media_type: { "schema": schema } },
            });
        }
        let post = self
            .last
            .as_ref()
            .is_some_and(|(p, m)| m == "post" && crate::idempotency::applies_to(p));
        let malformed = if post {
            "The body is not valid JSON (MALFORMED_JSON), or Idempotency-Key is not 1–255 \
             visible characters (INVALID_FIELD_FORMAT)"
        } else {
            "The body is not valid JSON (MALFORMED_JSON)"
        };
        let this = if self.explicit.contains(&400) {
            self
        } else {
            self.response(400, malformed)
        };
        this.default_response(413, "The body is too large (PAYLOAD_TOO_LARGE)")
            .default_response(415, "Wrong Content-Type (UNSUPPORTED_MEDIA_TYPE)")
            .default_response(422, "Invalid fields, each named (VALIDATION_ERROR)")
    }

    /// The JSON body answered with `status` (which must be listed in `op`'s
    /// responses or be added here).
    pub fn returns<T: JsonSchema>(self, status: u16) -> Self {
        self.content(status, JSON, schema_of::<T>())
    }

    /// A page of `T`: `{"data": [T], "pagination": {…}}` with 200.
    pub fn returns_page<T: JsonSchema>(self) -> Self {
        self.content(200, JSON, page_schema(schema_of::<T>()))
    }

    /// A body of `media_type` answered with `status` (`text/calendar`, `application/pdf`, …).
    pub fn content(mut self, status: u16, media_type: &str, schema: Value) -> Self {
        if let Some(op) = self.last_op() {
            let key = status.to_string();
            let slot = &mut op["responses"][&key];
            if slot.is_null() {
                *slot = json!({ "description": reason(status) });
            }
            slot["content"] = json!({ media_type: { "schema": schema } });
        }
        self
    }

    /// The last operation needs no bearer token (webhooks, public intake,
    /// token endpoints): no 401, no 403 from scopes.
    pub fn public(mut self) -> Self {
        if let Some(op) = self.last_op() {
            op["security"] = json!([]);
        }
        if !self.explicit.contains(&401)
            && let Some(r) = self
                .last_op()
                .and_then(|op| op["responses"].as_object_mut())
        {
            r.remove("401");
        }
        self
    }

    /// An optional request header of the last operation (`If-Match`, a signature, …).
    pub fn header(mut self, name: &str, description: &str) -> Self {
        if let Some(op) = self.last_op() {
            let list = op
                .as_object_mut()
                .map(|o| o.entry("parameters").or_insert_with(|| json!([])));
            if let Some(Value::Array(list)) = list {
                list.push(json!({
                    "name": name, "in": "header", "required": false,
                    "description": description, "schema": { "type": "string" }
                }));
            }
        }
        self
    }

    /// `If-Match` on the last operation, with its 412.
    pub fn if_match(self) -> Self {
        self.header("If-Match", "The ETag the change is based on")
            .default_response(412, "Stale If-Match (PRECONDITION_FAILED)")
    }

    /// Overrides the schema of a path parameter of the last operation.
    pub fn path_param(mut self, name: &str, schema: Value) -> Self {
        if let Some(op) = self.last_op()
            && let Some(list) = op["parameters"].as_array_mut()
        {
            for p in list {
                if p["in"] == "path" && p["name"] == name {
                    p["schema"] = schema.clone();
                }
            }
        }
        self
    }

    /// Adds (or re-describes) one response of the last operation; errors carry
    /// the envelope.
    pub fn response(mut self, status: u16, description: &str) -> Self {
        if let Some(op) = self.last_op() {
            let key = status.to_string();
            let slot = &mut op["responses"][&key];
            let content = slot.get("content").cloned();
            *slot = json!({ "description": description });
            if let Some(content) = content {
                slot["content"] = content;
            } else if status >= 400 {
                slot["content"] = error_content();
            }
        }
        self
    }

    /// Adds a response unless the operation describes that status already.
    fn default_response(mut self, status: u16, description: &str) -> Self {
        let present = self
            .last_op()
            .is_some_and(|op| !op["responses"][status.to_string()].is_null());
        if present {
            self
        } else {
            self.response(status, description)
        }
    }

    fn last_op(&mut self) -> Option<&mut Value> {
        let (path, method) = self.last.clone()?;
        self.doc["paths"].get_mut(&path)?.get_mut(&method)
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

/// The JSON Schema (2020-12, as OpenAPI 3.1 takes it) of `T`, subschemas inlined.
pub fn schema_of<T: JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator();
    let mut value = generator.into_root_schema_for::<T>().to_value();
    if let Some(o) = value.as_object_mut() {
        o.remove("title");
        o.remove("$defs");
    }
    value
}

/// The list response around items of `item`.
pub fn page_schema(item: Value) -> Value {
    json!({
        "type": "object",
        "required": ["data", "pagination"],
        "properties": {
            "data": { "type": "array", "items": item },
            "pagination": {
                "type": "object",
                "required": ["hasMore"],
                "properties": {
                    "nextCursor": { "type": ["string", "null"] },
                    "hasMore": { "type": "boolean" },
                    "total": { "type": ["integer", "null"] }
                }
            }
        }
    })
}

/// `schema` without its `null` alternative (a query parameter is absent, never null).
fn not_null(mut schema: Value) -> Value {
    if let Some(types) = schema["type"].as_array() {
        let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        schema["type"] = match kept.len() {
            1 => kept[0].clone(),
            _ => Value::Array(kept),
        };
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = schema[key].as_array() {
            let kept: Vec<Value> = alts
                .iter()
                .filter(|a| a["type"] != "null" && a.get("const") != Some(&Value::Null))
                .cloned()
                .collect();
            if kept.len() == 1 {
                let mut only = kept[0].clone();
                if let (Some(o), Some(d)) = (only.as_object_mut(), schema.get("description")) {
                    o.insert("description".into(), d.clone());
                }
                return only;
            }
            schema[key] = Value::Array(kept);
        }
    }
    if let Some(o) = schema.as_object_mut() {
        o.remove("default");
    }
    schema
}

/// The parameters a path template names.
fn path_params(path: &str) -> Vec<Value> {
    let mut params = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + len];
        let schema = if name == "id" || name.ends_with("Id") || name.ends_with("_id") {
            json!({ "type": "string", "format": "uuid" })
        } else {
            json!({ "type": "string" })
        };
        params.push(json!({ "name": name, "in": "path", "required": true, "schema": schema }));
        rest = &rest[start + len + 1..];
    }
    params
}

/// A stable operation id: `get_api_v1_matters_id`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = String::from(method);
    for part in path.split('/').filter(|p| !p.is_empty()) {
        id.push('_');
        id.extend(
            part.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .map(|c| if c == '-' { '_' } else { c }),
        );
    }
    id
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No content",
        _ => "Answer",
    }
}

fn error_content() -> Value {
    json!({ JSON: { "schema": { "$ref": "#/components/schemas/Error" } } })
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct ListQuery {
        /// Only these stages.
        stage: Option<String>,
        limit: Option<i64>,
        client_id: Option<uuid::Uuid>,
    }

    #[derive(serde::Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[allow(dead_code)]
    struct Create {
        title: Option<String>,
        client_id: Option<Option<uuid::Uuid>>,
    }

    #[derive(serde::Serialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    struct Out {
        id: uuid::Uuid,
        matter_number: String,
    }

    fn doc() -> Value {
        OpenApi::new("t")
            .op(
                "get",
                "/api/v1/x/",
                "List",
                Some("x:read"),
                &[(200, "A page")],
            )
            .query::<ListQuery>()
            .returns_page::<Out>()
            .op(
                "post",
                "/api/v1/x/",
                "Create",
                Some("x:create"),
                &[(201, "Created")],
            )
            .body::<Create>()
            .returns::<Out>(201)
            .op(
                "patch",
                "/api/v1/x/{id}/members/{userId}/{kind}",
                "Edit",
                Some("x:update"),
                &[(200, "Changed"), (503, "Down")],
            )
            .if_match()
            .op(
                "post",
                "/webhooks/x/",
                "Hook",
                None,
                &[(200, "Recorded"), (401, "Bad signature")],
            )
            .public()
            .into_value()
    }

    #[test]
    fn query_parameters_come_from_the_struct_without_null() {
        let d = doc();
        let params = d["paths"]["/api/v1/x/"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let stage = params.iter().find(|p| p["name"] == "stage").unwrap();
        assert_eq!(stage["in"], "query");
        assert_eq!(stage["required"], false);
        assert_eq!(stage["schema"]["type"], "string");
        assert_eq!(stage["description"], "Only these stages.");
        let client = params.iter().find(|p| p["name"] == "client_id").unwrap();
        assert_eq!(client["schema"]["format"], "uuid");
        let limit = params.iter().find(|p| p["name"] == "limit").unwrap();
        assert_eq!(limit["schema"]["type"], "integer");
        let responses = &d["paths"]["/api/v1/x/"]["get"]["responses"];
        for s in ["200", "400", "401", "403", "422", "429", "500"] {
            assert!(!responses[s].is_null(), "{s} missing");
        }
        assert!(responses["404"].is_null());
        assert_eq!(
            responses["200"]["content"]["application/json"]["schema"]["properties"]["data"]["items"]
                ["properties"]["matterNumber"]["type"],
            "string"
        );
    }

    #[test]
    fn every_post_documents_a_malformed_idempotency_key() {
        let d = doc();
        let hook = &d["paths"]["/webhooks/x/"]["post"]["responses"]["400"];
        assert!(
            hook["description"]
                .as_str()
                .unwrap()
                .contains("INVALID_FIELD_FORMAT"),
            "{hook}"
        );
        let create = &d["paths"]["/api/v1/x/"]["post"]["responses"]["400"]["description"];
        let create = create.as_str().unwrap();
        assert!(create.contains("MALFORMED_JSON") && create.contains("INVALID_FIELD_FORMAT"));
    }

    #[test]
    fn bodies_and_path_parameters_are_described() {
        let d = doc();
        let post = &d["paths"]["/api/v1/x/"]["post"];
        let body = &post["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["additionalProperties"], false);
        assert!(body["properties"]["clientId"].is_object());
        for s in ["201", "400", "409", "413", "415", "422"] {
            assert!(!post["responses"][s].is_null(), "{s} missing");
        }
        assert_eq!(post["parameters"][0]["name"], "Idempotency-Key");
        let patch = &d["paths"]["/api/v1/x/{id}/members/{userId}/{kind}"]["patch"];
        let names: Vec<_> = patch["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap(), p["schema"]["format"].as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("id", Some("uuid")),
                ("userId", Some("uuid")),
                ("kind", None),
                ("If-Match", None)
            ]
        );
        for s in ["200", "404", "412", "503"] {
            assert_eq!(
                patch["responses"][s]["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .unwrap_or("none")
                    .ends_with("Error"),
                s != "200",
                "{s}"
            );
        }
    }

    #[test]
    fn public_operations_need_no_token() {
        let d = doc();
        let hook = &d["paths"]["/webhooks/x/"]["post"];
        assert_eq!(hook["security"], json!([]));
        // A 401 the handler decides (a bad signature) is kept.
        assert_eq!(hook["responses"]["401"]["description"], "Bad signature");
        let mut d = OpenApi::new("t")
            .op("post", "/api/v1/leads/", "Lead", None, &[(201, "Taken")])
            .public()
            .into_value();
        assert!(
            d["paths"]["/api/v1/leads/"]["post"]["responses"]["401"]
                .take()
                .is_null()
        );
        assert_eq!(hook["operationId"], "post_webhooks_x");
    }
}
