//! Security headers on every response, pages and API alike. The pages' `guard` sets the
//! Content-Security-Policy of HTML pages (no inline script or style at all, which is stricter
//! than a policy with nonces); this layer adds what applies to every answer and fills in a
//! policy for the responses that have none (JSON, problem+json, files).

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// For JSON and other non-page answers: nothing may load from them, and nobody may frame them.
const API_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
/// For other documents without a policy of their own (the API explorer): no framing.
const FRAMING_ONLY_POLICY: &str = "frame-ancestors 'none'";
/// Sanad uses none of these browser features.
const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), \
     magnetometer=(), gyroscope=(), accelerometer=(), display-capture=()";
/// Two years, the preload list's minimum, once the deployment is reached over HTTPS.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

/// Whether `public_url` says the deployment is reached over HTTPS; only then is
/// `Strict-Transport-Security` sent (over plain HTTP a browser ignores it, and a local trial
/// must not pin `localhost` to HTTPS).
pub fn behind_tls(public_url: &str) -> bool {
    public_url
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

pub async fn security_headers(behind_tls: bool, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    add(response.headers_mut(), behind_tls);
    response
}

fn add(headers: &mut HeaderMap, behind_tls: bool) {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/") && value.contains("json"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(if json {
            API_CONTENT_SECURITY_POLICY
        } else {
            FRAMING_ONLY_POLICY
        }));
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    headers
        .entry("permissions-policy")
        .or_insert(HeaderValue::from_static(PERMISSIONS_POLICY));
    headers
        .entry("cross-origin-opener-policy")
        .or_insert(HeaderValue::from_static("same-origin"));
    if behind_tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    } else {
        // The pages' guard decides by the cookie setting, which a deployment may force; the
        // public address is the one fact that says whether TLS is in front.
        headers.remove(header::STRICT_TRANSPORT_SECURITY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_addresses_count_as_behind_tls() {
        assert!(behind_tls("https://help.example.sa"));
        assert!(behind_tls("HTTPS://help.example.sa"));
        assert!(!behind_tls("http://127.0.0.1:8080"));
        assert!(!behind_tls("http"));
    }

    #[test]
    fn json_answers_get_the_strict_policy_and_pages_keep_their_own() {
        let mut json = HeaderMap::new();
        json.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        add(&mut json, true);
        assert_eq!(
            json[header::CONTENT_SECURITY_POLICY],
            API_CONTENT_SECURITY_POLICY
        );
        assert_eq!(
            json[header::STRICT_TRANSPORT_SECURITY],
            STRICT_TRANSPORT_SECURITY
        );
        let mut page = HeaderMap::new();
        page.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'"),
        );
        page.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=1"),
        );
        add(&mut page, false);
        assert_eq!(page[header::CONTENT_SECURITY_POLICY], "default-src 'none'");
        assert!(page.get(header::STRICT_TRANSPORT_SECURITY).is_none());
        assert_eq!(page["cross-origin-opener-policy"], "same-origin");
    }
}
