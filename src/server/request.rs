//! `ApiRequest`: the extractor every API handler takes. It captures the request without
//! judging it, so that each handler can apply the checks in the order endpoints.md §1.3 fixes
//! (rate limit, authentication, credential kind, body size and JSON, existence, authorisation,
//! validation, conflicts). `Body` gives typed access to the JSON object with the API's 400s.

use super::error::{ApiError, ApiResult};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Request};
use axum::http::{HeaderMap, Method, StatusCode};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Bodies above this size are refused with 413 (endpoints.md §1.1).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub struct ApiRequest {
    pub method: Method,
    pub headers: HeaderMap,
    pub query: HashMap<String, String>,
    pub body: Bytes,
    /// The TCP peer (127.0.0.1 when served without connection info, e.g. in `oneshot` tests).
    pub peer: IpAddr,
}

impl<S: Send + Sync> FromRequest<S> for ApiRequest {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let method = req.method().clone();
        let headers = req.headers().clone();
        let query = req.uri().query().map(parse_query).unwrap_or_default();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|_| body_too_large())?;
        Ok(ApiRequest {
            method,
            headers,
            query,
            body,
            peer,
        })
    }
}

fn parse_query(raw: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

fn body_too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large")
}

impl ApiRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    /// The body as a JSON object: empty means `{}` whatever the content type; over 1 MiB is
    /// 413; anything that is not a JSON object is 400 `Invalid JSON body`.
    pub fn json(&self) -> ApiResult<Body> {
        if self.body.len() > MAX_BODY_BYTES {
            return Err(body_too_large());
        }
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(Map::new()));
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            _ => Err(ApiError::bad_request("Invalid JSON body")),
        }
    }
}

/// A request body that is a JSON object, with accessors that turn type errors into 400s.
#[derive(Debug, Default, Clone)]
pub struct Body(pub Map<String, Value>);

impl Body {
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// A present, non-null value of `key`.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// `None` when absent or null; 400 when present but not a string.
    pub fn opt_str(&self, key: &str) -> ApiResult<Option<String>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::bad_request(format!("{key} must be a string"))),
        }
    }

    /// The first of several spellings that is present (e.g. `webhookUrl` then `webhook_url`).
    pub fn opt_str_any(&self, keys: &[&str]) -> ApiResult<Option<String>> {
        for key in keys {
            if let Some(value) = self.opt_str(key)? {
                return Ok(Some(value));
            }
        }
        Ok(None)
    }

    /// A required, non-empty string: 400 `<key> is required` otherwise.
    pub fn req_str(&self, key: &str) -> ApiResult<String> {
        match self.opt_str(key) {
            Ok(Some(s)) if !s.trim().is_empty() => Ok(s),
            _ => Err(ApiError::bad_request(format!("{key} is required"))),
        }
    }

    pub fn opt_bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::bad_request(format!("{key} must be a boolean"))),
        }
    }

    pub fn opt_i64(&self, key: &str) -> ApiResult<Option<i64>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::bad_request(format!("{key} must be an integer"))),
        }
    }

    pub fn opt_f64(&self, key: &str) -> ApiResult<Option<f64>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| ApiError::bad_request(format!("{key} must be a number"))),
        }
    }

    /// `None` when absent or null; 400 unless an array of strings.
    pub fn opt_str_list(&self, key: &str) -> ApiResult<Option<Vec<String>>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| ApiError::bad_request(format!("{key} must be an array of strings"))),
            Some(_) => Err(ApiError::bad_request(format!(
                "{key} must be an array of strings"
            ))),
        }
    }
}

/// A string whose length in characters lies in `min..=max`, or 400 naming the field.
pub fn check_len(key: &str, value: &str, min: usize, max: usize) -> ApiResult<()> {
    let len = value.chars().count();
    if len < min || len > max {
        return Err(ApiError::bad_request(format!(
            "{key} must be between {min} and {max} characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &'static str) -> ApiRequest {
        ApiRequest {
            method: Method::POST,
            headers: HeaderMap::new(),
            query: HashMap::new(),
            body: Bytes::from_static(body.as_bytes()),
            peer: IpAddr::V4(Ipv4Addr::LOCALHOST),
        }
    }

    #[test]
    fn empty_body_is_an_empty_object() {
        assert!(request("").json().unwrap().0.is_empty());
        assert!(request("  \n").json().unwrap().0.is_empty());
    }

    #[test]
    fn non_objects_and_garbage_are_invalid_json() {
        for body in ["[1]", "\"x\"", "{", "null"] {
            let err = request(body).json().unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST);
            assert_eq!(err.message, "Invalid JSON body");
        }
    }

    #[test]
    fn typed_accessors_reject_wrong_types() {
        let body = request(r#"{"name": 3, "ok": "yes", "list": ["a", 1]}"#)
            .json()
            .unwrap();
        assert!(body.opt_str("name").is_err());
        assert!(body.opt_bool("ok").is_err());
        assert!(body.opt_str_list("list").is_err());
        assert_eq!(body.opt_str("absent").unwrap(), None);
        assert!(body.req_str("absent").is_err());
    }
}
