//! Content sniffing of uploads: the media type a client declares must agree with the file's
//! first bytes, so that a program, an HTML page or an SVG with script cannot be stored under
//! the name of a picture or a PDF and later handed to a browser or a colleague as one.
//!
//! A small signature table for the types Sanad accepts is enough here and keeps the rule
//! readable; it errs on refusing, since a person can always send the real file again.

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    /// The OLE compound file of old Word and Excel documents.
    OleCompound,
    /// A ZIP archive, the container of Office Open XML documents.
    Zip,
    /// A program: Windows PE, ELF, Mach-O, a Java class or a script with `#!`.
    Executable,
    /// HTML, XML or SVG markup, which a browser may run script from.
    Markup,
    /// None of the above (plain text, or a type without a signature here).
    Other,
}

/// Why a file was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The bytes are a program, whatever the declared type.
    Executable,
    /// The declared type names a known format and the bytes are something else.
    Mismatch { found: Sniffed },
    /// An SVG picture that carries script or event handlers.
    ScriptInSvg,
}

impl Refusal {
    /// The reason in English, for the API's field errors.
    pub fn describe(self, declared: &str) -> String {
        match self {
            Refusal::Executable => "the file is a program; programs cannot be attached".to_owned(),
            Refusal::Mismatch { found } => format!(
                "the file's content ({}) does not match its declared type {declared}",
                found.describe()
            ),
            Refusal::ScriptInSvg => {
                "the SVG picture contains script, which is not allowed".to_owned()
            }
        }
    }
}

impl Sniffed {
    fn describe(self) -> &'static str {
        match self {
            Sniffed::Pdf => "a PDF document",
            Sniffed::Png => "a PNG picture",
            Sniffed::Jpeg => "a JPEG picture",
            Sniffed::Gif => "a GIF picture",
            Sniffed::Webp => "a WebP picture",
            Sniffed::OleCompound => "an old Office document",
            Sniffed::Zip => "a ZIP archive",
            Sniffed::Executable => "a program",
            Sniffed::Markup => "HTML or XML markup",
            Sniffed::Other => "an unrecognized format",
        }
    }
}

/// Reads the signature at the start of `bytes`.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let starts = |signature: &[u8]| bytes.starts_with(signature);
    if starts(b"%PDF-") {
        Sniffed::Pdf
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Sniffed::Png
    } else if starts(b"\xff\xd8\xff") {
        Sniffed::Jpeg
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Sniffed::Gif
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Sniffed::Webp
    } else if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        Sniffed::OleCompound
    } else if starts(b"PK\x03\x04") {
        Sniffed::Zip
    } else if starts(b"MZ")
        || starts(b"\x7fELF")
        || starts(b"\xca\xfe\xba\xbe")
        || starts(b"\xfe\xed\xfa\xce")
        || starts(b"\xfe\xed\xfa\xcf")
        || starts(b"\xce\xfa\xed\xfe")
        || starts(b"\xcf\xfa\xed\xfe")
        || starts(b"#!")
    {
        Sniffed::Executable
    } else if looks_like_markup(bytes) {
        Sniffed::Markup
    } else {
        Sniffed::Other
    }
}

/// HTML, XML or SVG, as a browser's own sniffer would take it: after optional whitespace and
/// a byte-order mark, a tag that starts a document or a script.
fn looks_like_markup(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(head.len());
    let lowered = head[start..].to_ascii_lowercase();
    [
        b"<!doctype".as_slice(),
        b"<html",
        b"<head",
        b"<body",
        b"<script",
        b"<iframe",
        b"<svg",
        b"<?xml",
        b"<!--",
        b"<object",
        b"<embed",
        b"<a ",
        b"<img",
        b"<div",
        b"<style",
        b"<meta",
    ]
    .iter()
    .any(|tag| lowered.starts_with(tag))
}

/// Whether an SVG document carries script: a script element, an event-handler attribute, or
/// a `javascript:` address.
fn svg_has_script(bytes: &[u8]) -> bool {
    let lowered = bytes.to_ascii_lowercase();
    let contains = |needle: &[u8]| lowered.windows(needle.len()).any(|window| window == needle);
    if contains(b"<script") || contains(b"javascript:") || contains(b"<foreignobject") {
        return true;
    }
    // An attribute such as onload= or onclick=, preceded by whitespace.
    lowered.windows(3).enumerate().any(|(index, window)| {
        window[0].is_ascii_whitespace()
            && &window[1..] == b"on"
            && lowered[index + 3..]
                .iter()
                .take_while(|byte| byte.is_ascii_alphabetic())
                .count()
                > 0
            && lowered[index + 3..]
                .iter()
                .find(|byte| !byte.is_ascii_alphabetic())
                .is_some_and(|byte| *byte == b'=' || byte.is_ascii_whitespace())
    })
}

/// Checks a file against the media type its sender declared (lower case, parameters allowed).
pub fn check(declared: &str, bytes: &[u8]) -> Result<(), Refusal> {
    let essence = declared.split(';').next().unwrap_or("").trim();
    let found = sniff(bytes);
    if found == Sniffed::Executable {
        return Err(Refusal::Executable);
    }
    let expected: &[Sniffed] = match essence {
        "application/pdf" => &[Sniffed::Pdf],
        "image/png" => &[Sniffed::Png],
        "image/jpeg" | "image/jpg" | "image/pjpeg" => &[Sniffed::Jpeg],
        "image/gif" => &[Sniffed::Gif],
        "image/webp" => &[Sniffed::Webp],
        "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint" => {
            &[Sniffed::OleCompound]
        }
        "application/zip"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation" => {
            &[Sniffed::Zip]
        }
        "image/svg+xml" => {
            return if svg_has_script(bytes) {
                Err(Refusal::ScriptInSvg)
            } else {
                Ok(())
            };
        }
        // Markup that says what it is is stored as such: it is only ever served as a download
        // with `nosniff`. Markup declared as anything else (plain text, a picture of another
        // kind, an unknown type) is refused, because that is how a page is smuggled in.
        "text/html" | "application/xhtml+xml" | "text/xml" | "application/xml" => return Ok(()),
        _ if found == Sniffed::Markup => return Err(Refusal::Mismatch { found }),
        _ => return Ok(()),
    };
    if expected.contains(&found) {
        Ok(())
    } else {
        Err(Refusal::Mismatch { found })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn matching_signatures_pass() {
        assert_eq!(check("image/png", PNG), Ok(()));
        assert_eq!(check("application/pdf", b"%PDF-1.7\n..."), Ok(()));
        assert_eq!(check("image/jpeg", b"\xff\xd8\xff\xe0\0\x10JFIF"), Ok(()));
        assert_eq!(check("image/webp", b"RIFF\x10\0\0\0WEBPVP8 "), Ok(()));
        assert_eq!(check("text/plain", "شكوى بشأن الجدول".as_bytes()), Ok(()));
        assert_eq!(
            check(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                b"PK\x03\x04\x14\0"
            ),
            Ok(())
        );
        assert_eq!(
            check(
                "image/svg+xml",
                b"<svg xmlns='http://www.w3.org/2000/svg'><circle r='4'/></svg>"
            ),
            Ok(())
        );
    }

    #[test]
    fn disguised_files_are_refused() {
        assert_eq!(
            check("image/png", b"MZ\x90\0\x03"),
            Err(Refusal::Executable)
        );
        assert_eq!(
            check("text/plain", b"#!/bin/sh\nrm -rf /"),
            Err(Refusal::Executable)
        );
        assert_eq!(
            check(
                "application/pdf",
                b"  <!DOCTYPE html><script>alert(1)</script>"
            ),
            Err(Refusal::Mismatch {
                found: Sniffed::Markup
            })
        );
        assert_eq!(
            check("image/png", b"\xff\xd8\xff\xe0"),
            Err(Refusal::Mismatch {
                found: Sniffed::Jpeg
            })
        );
        assert_eq!(
            check("text/plain", b"<html><body onload=x()>"),
            Err(Refusal::Mismatch {
                found: Sniffed::Markup
            })
        );
        assert_eq!(
            check("image/svg+xml", b"<svg><script>alert(1)</script></svg>"),
            Err(Refusal::ScriptInSvg)
        );
        assert_eq!(
            check("image/svg+xml", b"<svg><rect onclick =\"x()\"/></svg>"),
            Err(Refusal::ScriptInSvg)
        );
        assert_eq!(
            check("image/gif", b"<svg onload=alert(1)>"),
            Err(Refusal::Mismatch {
                found: Sniffed::Markup
            })
        );
    }
}
