//! The pages' static files, compiled into the binary: nothing is fetched from elsewhere at
//! build or run time. URLs carry a digest of the content, so browsers may cache them forever
//! and still see a new version at once.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "sanad.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/sanad.css"),
    },
    Asset {
        name: "sanad.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/sanad.js"),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/htmx.min.js"),
    },
    Asset {
        name: "plex-arabic-arabic-400.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("../../assets/fonts/plex-arabic-arabic-400.woff2"),
    },
    Asset {
        name: "plex-arabic-arabic-700.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("../../assets/fonts/plex-arabic-arabic-700.woff2"),
    },
    Asset {
        name: "plex-arabic-latin-400.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("../../assets/fonts/plex-arabic-latin-400.woff2"),
    },
    Asset {
        name: "plex-arabic-latin-700.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("../../assets/fonts/plex-arabic-latin-700.woff2"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../../assets/favicon.svg"),
    },
];

/// A short digest of every asset together: one version for the whole set is enough, since
/// they change together with the binary.
fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut all = Vec::new();
        for asset in ASSETS {
            all.extend_from_slice(asset.bytes);
        }
        sanad_store::secrets::sha256_hex(&all)[..12].to_owned()
    })
}

/// The URL of an asset, with the version that lets browsers cache it.
pub fn asset_url(name: &str) -> String {
    format!("/assets/{}/{name}", version())
}

pub async fn serve_asset(Path((requested_version, name)): Path<(String, String)>) -> Response {
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // An old version's URL still gets the current file, but must not be cached as if it were
    // the old one.
    let cache = if requested_version == version() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.bytes,
    )
        .into_response()
}
