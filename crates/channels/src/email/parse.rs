//! Turning one raw MIME message into an [`InboundEvent`].
//!
//! The work is split in three: deciding whether the message must be taken in at all (bounces,
//! auto-replies, mailing lists and our own mail coming back), reading the parts a ticket needs
//! (sender, subject, threading headers, attachments), and making a readable text body (the
//! text/plain part, or the sanitized HTML part converted to text, without the quoted history
//! of earlier replies).
//!
//! Every function here takes its input from the network, so none of them may panic: slices are
//! taken with `get`, and parsed data is never unwrapped. A fuzz target calls
//! [`parse_message`] on arbitrary bytes.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use jiff::Timestamp;
use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};
use sanad_domain::Channel;
use sha2::{Digest, Sha256};

use crate::{IgnoredReason, InboundAttachment, InboundEvent, InboundMessage, Sender, ThreadHints};

/// What we know about the mailbox a message arrived in, to recognise our own mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mailbox {
    /// The addresses we send from and receive at, lower-cased. A message whose `From` is one of
    /// them is our own, come back (a loop through a forwarding rule or a mailing list).
    pub own_addresses: Vec<String>,
    /// The domain of the `Message-ID`s we generate (the part after `@`). A message carrying such
    /// an id is one we wrote.
    pub own_message_id_domain: String,
}

/// Why a raw message could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not a single header could be read: the bytes are not an RFC 5322 message.
    #[error("the bytes are not an e-mail message: no header could be read")]
    NotAMessage,
    /// The message has no `From` header, or none with a usable address, so there is nobody to
    /// open a ticket for or to answer.
    #[error("the message has no usable From address")]
    NoSender,
}

/// Parses one raw message as fetched over IMAP or handed over by the mail server.
///
/// Bounces (RFC 3464 delivery status notifications) come back as [`InboundEvent::Bounce`];
/// auto-replies, mailing-list mail and our own mail as [`InboundEvent::Ignored`]; everything
/// else as [`InboundEvent::Message`].
pub fn parse_message(raw: &[u8], mailbox: &Mailbox) -> Result<InboundEvent, ParseError> {
    let message = MessageParser::new()
        .parse(raw)
        .ok_or(ParseError::NotAMessage)?;
    // mail-parser's header accessors (`subject()`, `from()`…) read the first part directly;
    // it always has one when `parse` succeeds, and this check makes that explicit.
    let root = message.parts.first().ok_or(ParseError::NotAMessage)?;
    if root.headers.is_empty() {
        return Err(ParseError::NotAMessage);
    }

    // Bounces come first: a delivery status notification carries `Auto-Submitted`, and it may
    // even carry our own Message-ID domain when our own mail server wrote it, yet it is the one
    // automatic message we must act on.
    if let Some(event) = delivery_status_event(&message) {
        return Ok(event);
    }

    // The rules that ignore a message need no sender, so a missing one is only an error for a
    // message that would otherwise become a ticket.
    let from = first_from_mailbox(&message);
    let sender_address = from.as_ref().map(|(address, _)| address.as_str());
    if let Some(reason) = ignored_reason(&message, sender_address, mailbox) {
        return Ok(InboundEvent::Ignored { reason });
    }
    let (address, display_name) = from.ok_or(ParseError::NoSender)?;

    let provider_message_id = match message_id(&message) {
        Some(id) => id,
        None => missing_message_id(raw),
    };

    let subject = message
        .subject()
        .map(clean_single_line)
        .filter(|subject| !subject.is_empty());

    let thread = ThreadHints {
        in_reply_to: message_ids(message.in_reply_to()),
        references: message_ids(message.references()),
        conversation_id: None,
    };

    let sent_at = message
        .date()
        .filter(|date| date.is_valid())
        .and_then(|date| Timestamp::from_second(date.to_timestamp()).ok());

    Ok(InboundEvent::Message(InboundMessage {
        channel: Channel::Email,
        provider_message_id,
        sender: Sender {
            address: address.clone(),
            display_name,
            phone: None,
            email: Some(address),
        },
        subject,
        body_text: body_text(&message),
        attachments: attachments(&message),
        thread,
        sent_at,
        unsupported_type: None,
    }))
}

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

/// The raw text of the first top-level header called `name` (case-insensitive), unfolded and
/// trimmed. Raw text is used for the loop-protection headers because their parsed form depends
/// on how mail-parser classifies each header name.
fn raw_header(message: &Message<'_>, name: &str) -> Option<String> {
    let root = message.parts.first()?;
    let header = root
        .headers
        .iter()
        .find(|header| header.name.as_str().eq_ignore_ascii_case(name))?;
    let start = usize::try_from(header.offset_start).ok()?;
    let end = usize::try_from(header.offset_end).ok()?;
    let bytes = message.raw_message.get(start..end)?;
    let text = String::from_utf8_lossy(bytes);
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn has_header(message: &Message<'_>, name: &str) -> bool {
    message.parts.first().is_some_and(|root| {
        root.headers
            .iter()
            .any(|header| header.name.as_str().eq_ignore_ascii_case(name))
    })
}

/// The first `From` mailbox with a usable address: the address lower-cased and the decoded
/// display name.
fn first_from_mailbox(message: &Message<'_>) -> Option<(String, Option<String>)> {
    let from = message.from()?;
    from.iter().find_map(|mailbox| {
        let address = clean_single_line(mailbox.address()?).to_lowercase();
        let address = address.trim_matches(|c| c == '<' || c == '>').to_owned();
        if !is_plausible_address(&address) {
            return None;
        }
        let display_name = mailbox
            .name()
            .map(clean_single_line)
            .map(|name| name.trim_matches('"').trim().to_owned())
            .filter(|name| !name.is_empty() && !name.eq_ignore_ascii_case(&address));
        Some((address, display_name))
    })
}

/// An address we could answer: one `@` with something on each side and no spaces.
fn is_plausible_address(address: &str) -> bool {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !address.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// The message's own `Message-ID`, without brackets, when it has a usable one.
fn message_id(message: &Message<'_>) -> Option<String> {
    let id = clean_single_line(message.message_id()?);
    let id = id.trim_matches(|c| c == '<' || c == '>').trim().to_owned();
    if id.is_empty() { None } else { Some(id) }
}

/// A stable stand-in for a missing `Message-ID`: the same bytes fetched twice get the same id,
/// so the store's idempotency still holds.
fn missing_message_id(raw: &[u8]) -> String {
    format!("missing-{}", hex::encode(Sha256::digest(raw)))
}

/// The ids of an `In-Reply-To` or `References` header, without brackets, in header order.
fn message_ids(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    let ids: Vec<&str> = match value {
        mail_parser::HeaderValue::Text(id) => vec![id.as_ref()],
        mail_parser::HeaderValue::TextList(ids) => ids.iter().map(|id| id.as_ref()).collect(),
        _ => Vec::new(),
    };
    ids.into_iter()
        .map(|id| {
            clean_single_line(id)
                .trim_matches(|c| c == '<' || c == '>')
                .trim()
                .to_owned()
        })
        .filter(|id| !id.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Loop and noise protection
// ---------------------------------------------------------------------------------------------

/// Why the message must not become a ticket, if it must not.
///
/// Our own mail is checked first: our notifications carry `Auto-Submitted`, and when one comes
/// back "own message" is the more useful explanation in the log.
fn ignored_reason(
    message: &Message<'_>,
    sender_address: Option<&str>,
    mailbox: &Mailbox,
) -> Option<IgnoredReason> {
    if is_own_message(message, sender_address, mailbox) {
        return Some(IgnoredReason::OwnMessage);
    }
    if is_auto_submitted(message, sender_address) {
        return Some(IgnoredReason::AutoSubmitted);
    }
    if is_bulk_or_list(message) {
        return Some(IgnoredReason::BulkOrList);
    }
    None
}

fn is_own_message(message: &Message<'_>, sender_address: Option<&str>, mailbox: &Mailbox) -> bool {
    if has_header(message, "X-Sanad-Outbox") {
        return true;
    }
    let own_domain = mailbox.own_message_id_domain.trim().to_lowercase();
    if !own_domain.is_empty()
        && let Some(id) = message_id(message)
        && let Some((_, domain)) = id.rsplit_once('@')
        && domain.trim().to_lowercase() == own_domain
    {
        return true;
    }
    match sender_address {
        Some(sender) => mailbox
            .own_addresses
            .iter()
            .any(|own| own.trim().eq_ignore_ascii_case(sender)),
        None => false,
    }
}

fn is_auto_submitted(message: &Message<'_>, sender_address: Option<&str>) -> bool {
    // RFC 3834: any value but "no" (parameters may follow after a semicolon) marks a message
    // written by a machine.
    if let Some(value) = raw_header(message, "Auto-Submitted") {
        let keyword = value.split(';').next().unwrap_or_default().trim();
        if !keyword.eq_ignore_ascii_case("no") {
            return true;
        }
    }
    // The markers older auto-responders use instead of RFC 3834.
    if has_header(message, "X-Autoreply") || has_header(message, "X-Autorespond") {
        return true;
    }
    if precedence(message).as_deref() == Some("auto_reply") {
        return true;
    }
    // A null return path is, by RFC 5321, the mark of a delivery notification or an
    // auto-reply; no person sends with it. Answering such a message can only start a loop.
    if raw_header(message, "Return-Path").is_some_and(|value| value.trim() == "<>") {
        return true;
    }
    // Old mail servers send bounces as plain text without any of the markers above. A ticket
    // for the mailer daemon would only send it a receipt.
    sender_address.is_some_and(|address| {
        address
            .split('@')
            .next()
            .is_some_and(|local| local.eq_ignore_ascii_case("mailer-daemon"))
    })
}

fn is_bulk_or_list(message: &Message<'_>) -> bool {
    if matches!(
        precedence(message).as_deref(),
        Some("bulk" | "list" | "junk")
    ) {
        return true;
    }
    has_header(message, "List-Id") || has_header(message, "List-Unsubscribe")
}

/// The `Precedence` header's value, lower-cased.
fn precedence(message: &Message<'_>) -> Option<String> {
    raw_header(message, "Precedence").map(|value| value.trim().to_lowercase())
}

// ---------------------------------------------------------------------------------------------
// Bounces (RFC 3462 multipart/report, RFC 3464 delivery status)
// ---------------------------------------------------------------------------------------------

/// For a `multipart/report`: the bounce of the first failed recipient, or an ignored
/// auto-submitted event when no recipient failed (a delay warning, a delivery or read report).
/// `None` for every other message.
fn delivery_status_event(message: &Message<'_>) -> Option<InboundEvent> {
    let root = message.parts.first()?;
    let content_type = root.content_type()?;
    let is_report = content_type.ctype().eq_ignore_ascii_case("multipart")
        && content_type
            .subtype()
            .is_some_and(|subtype| subtype.eq_ignore_ascii_case("report"));
    if !is_report {
        return None;
    }
    // Any report is written by a machine (delivery status, read receipts, abuse reports), so
    // whatever it turns out to say, it never becomes a ticket.
    let ignored = InboundEvent::Ignored {
        reason: IgnoredReason::AutoSubmitted,
    };
    let is_delivery_status = content_type
        .attribute("report-type")
        .is_some_and(|report_type| report_type.trim().eq_ignore_ascii_case("delivery-status"));
    if !is_delivery_status {
        return Some(ignored);
    }
    let status_text = message.parts.iter().find_map(|part| {
        let part_type = part.content_type()?;
        let is_status_part = part_type.ctype().eq_ignore_ascii_case("message")
            && part_type.subtype().is_some_and(|subtype| {
                subtype.eq_ignore_ascii_case("delivery-status")
                    || subtype.eq_ignore_ascii_case("global-delivery-status")
            });
        is_status_part.then(|| String::from_utf8_lossy(part.contents()).into_owned())
    });
    match status_text.as_deref().and_then(first_failed_recipient) {
        Some((recipient, reason)) => Some(InboundEvent::Bounce { recipient, reason }),
        None => Some(ignored),
    }
}

/// Reads the per-recipient blocks of a `message/delivery-status` body and returns the first
/// recipient whose `Action` is `failed`, with the status and diagnostic as the reason.
fn first_failed_recipient(status_text: &str) -> Option<(String, String)> {
    let normalised = normalise_line_endings(status_text);
    // Blocks are separated by blank lines; the first block holds the per-message fields and
    // never has an `Action`, so it falls out by itself.
    let mut blocks: Vec<Vec<&str>> = vec![Vec::new()];
    for line in normalised.split('\n') {
        if line.trim().is_empty() {
            if blocks.last().is_some_and(|block| !block.is_empty()) {
                blocks.push(Vec::new());
            }
        } else if let Some(block) = blocks.last_mut() {
            block.push(line);
        }
    }
    blocks.iter().find_map(|lines| {
        let fields = status_fields(lines);
        let action = fields.get("action")?;
        let action = action.split_whitespace().next()?;
        if !action.eq_ignore_ascii_case("failed") {
            return None;
        }
        let recipient = fields
            .get("final-recipient")
            .or_else(|| fields.get("original-recipient"))
            .map(|value| dsn_address(value))
            .filter(|address| !address.is_empty())?;
        let status = fields.get("status").map(|value| value.trim().to_owned());
        let diagnostic = fields
            .get("diagnostic-code")
            .map(|value| diagnostic_text(value));
        let reason = [status, diagnostic]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let reason = if reason.is_empty() {
            "failed".to_owned()
        } else {
            reason
        };
        Some((recipient, reason))
    })
}

/// The `Name: value` fields of one delivery-status block, names lower-cased, folded lines
/// joined. The first occurrence of a name wins.
fn status_fields(lines: &[&str]) -> HashMap<String, String> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_lowercase(), value.trim().to_owned()));
        }
    }
    let mut map = HashMap::new();
    for (name, value) in fields {
        map.entry(name).or_insert(value);
    }
    map
}

/// `rfc822; Someone@Example.sa` → `someone@example.sa`.
fn dsn_address(value: &str) -> String {
    let address = match value.split_once(';') {
        Some((_, address)) => address,
        None => value,
    };
    clean_single_line(address)
        .trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())
        .to_lowercase()
}

/// `smtp; 550 5.1.1 user unknown` → `550 5.1.1 user unknown`: the diagnostic type adds nothing
/// a person reading the ticket needs.
fn diagnostic_text(value: &str) -> String {
    let text = match value.split_once(';') {
        Some((kind, text)) if !kind.trim().is_empty() && !kind.contains(char::is_whitespace) => {
            text
        }
        _ => value,
    };
    clean_single_line(text)
}

// ---------------------------------------------------------------------------------------------
// Body text
// ---------------------------------------------------------------------------------------------

/// The readable text of the message: the text/plain body parts, or the HTML ones converted to
/// text when there is no plain text, with the quoted reply history removed.
fn body_text(message: &Message<'_>) -> String {
    let plain: Vec<String> = message
        .text_body
        .iter()
        .filter_map(|id| message.parts.get(usize::try_from(*id).ok()?))
        .filter_map(|part| match &part.body {
            PartType::Text(text) => Some(plain_part_text(part, text)),
            _ => None,
        })
        .filter(|text| !text.trim().is_empty())
        .collect();
    let full_text = if plain.is_empty() {
        let html_ids = message.html_body.iter().chain(message.text_body.iter());
        let mut seen = HashSet::new();
        let html: Vec<String> = html_ids
            .filter(|id| seen.insert(**id))
            .filter_map(|id| message.parts.get(usize::try_from(*id).ok()?))
            .filter_map(|part| match &part.body {
                PartType::Html(html) => Some(html_to_text(html)),
                _ => None,
            })
            .filter(|text| !text.trim().is_empty())
            .collect();
        html.join("\n\n")
    } else {
        plain.join("\n\n")
    };
    let full_text = tidy_lines(&clean_multi_line(&full_text));
    // In a forward the quoted message is what the sender wants us to read, and Outlook gives
    // it the same header block as a reply; only the subject tells them apart.
    if message.subject().is_some_and(looks_forwarded) {
        return full_text;
    }
    strip_quoted_history(&full_text)
}

/// `Fwd: …`, `FW: …` and the Arabic Outlook and Gmail prefixes.
fn looks_forwarded(subject: &str) -> bool {
    let subject = without_bidi_controls(subject);
    let lower = subject.to_lowercase();
    [
        "fwd:",
        "fw:",
        "fwd :",
        "fw :",
        "إعادة توجيه:",
        "اعادة توجيه:",
        "توجيه:",
        "تحويل:",
    ]
    .iter()
    .any(|prefix| lower.starts_with(prefix))
}

/// The text of one text/plain part, with `format=flowed` (RFC 3676) paragraphs joined back.
fn plain_part_text(part: &MessagePart<'_>, text: &str) -> String {
    let text = normalise_line_endings(text);
    let content_type = part.content_type();
    let is_flowed = content_type
        .and_then(|content_type| content_type.attribute("format"))
        .is_some_and(|format| format.trim().eq_ignore_ascii_case("flowed"));
    if !is_flowed {
        return text;
    }
    let delete_space = content_type
        .and_then(|content_type| content_type.attribute("delsp"))
        .is_some_and(|delsp| delsp.trim().eq_ignore_ascii_case("yes"));
    unflow(&text, delete_space)
}

/// Joins the soft line breaks of `format=flowed` text. A line ending in a space continues on
/// the next line of the same quote depth; the signature separator `-- ` never flows.
fn unflow(text: &str, delete_space: bool) -> String {
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut previous_flowed = false;
    for line in text.split('\n') {
        let depth = line.chars().take_while(|c| *c == '>').count();
        let content = line.get(depth..).unwrap_or_default();
        let content = content.strip_prefix(' ').unwrap_or(content);
        let is_signature_separator = content == "-- ";
        let flowed = content.ends_with(' ') && !is_signature_separator;
        let content = if flowed && delete_space {
            content.strip_suffix(' ').unwrap_or(content)
        } else {
            content
        };
        match lines.last_mut() {
            Some((last_depth, last)) if previous_flowed && *last_depth == depth => {
                last.push_str(content);
            }
            _ => lines.push((depth, content.to_owned())),
        }
        previous_flowed = flowed;
    }
    lines
        .into_iter()
        .map(|(depth, content)| {
            if depth == 0 {
                content
            } else {
                format!("{} {}", ">".repeat(depth), content)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn normalise_line_endings(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Trims trailing spaces from every line, folds runs of blank lines into one and drops blank
/// lines at both ends.
fn tidy_lines(text: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    for line in text.split('\n') {
        let line = line.trim_end();
        if line.is_empty() && output.last().is_none_or(|last| last.is_empty()) {
            continue;
        }
        output.push(line);
    }
    while output.last().is_some_and(|last| last.is_empty()) {
        output.pop();
    }
    output.join("\n")
}

/// Removes characters a database text column or a terminal must not receive (NUL and the other
/// C0 controls but tab and newline), and normalises line endings.
fn clean_multi_line(text: &str) -> String {
    normalise_line_endings(text)
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// One line of header text: control characters become spaces, runs of whitespace one space.
fn clean_single_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------------
// Quoted reply history
// ---------------------------------------------------------------------------------------------

/// Removes the history a mail client quotes under a reply, conservatively: the text is cut at
/// the first line that announces the quote ("On … wrote:", "في … كتب …:", an "Original
/// Message" separator, an Outlook header block), and a trailing block of `>` lines is dropped.
/// When nothing is recognised the text is returned whole; when cutting would leave nothing, the
/// full text is returned, so a message that had text never ends up empty.
fn strip_quoted_history(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut keep = lines.len();
    if let Some(index) = (0..lines.len()).find(|index| starts_quoted_history(&lines, *index)) {
        keep = index;
    }
    let mut kept: Vec<&str> = lines.get(..keep).unwrap_or_default().to_vec();
    drop_trailing_separators(&mut kept);
    drop_trailing_quote_block(&mut kept);
    drop_trailing_separators(&mut kept);
    let stripped = kept.join("\n");
    if stripped.trim().is_empty() {
        text.to_owned()
    } else {
        stripped
    }
}

/// Whether the quoted history starts at `lines[index]`.
fn starts_quoted_history(lines: &[&str], index: usize) -> bool {
    let Some(line) = lines.get(index) else {
        return false;
    };
    let line = without_bidi_controls(line);
    let next = lines
        .get(index + 1)
        .map(|next| without_bidi_controls(next))
        .unwrap_or_default();
    is_reply_header(&line, &next)
        || is_original_message_separator(&line)
        || is_outlook_header_block(lines, index)
}

/// The direction marks and embeddings clients wrap Arabic header lines in; they are invisible
/// and must not defeat the matching.
fn without_bidi_controls(line: &str) -> String {
    line.chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            )
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn has_digit(text: &str) -> bool {
    text.chars().any(|c| {
        c.is_ascii_digit()
            || ('\u{0660}'..='\u{0669}').contains(&c)
            || ('\u{06F0}'..='\u{06F9}').contains(&c)
    })
}

/// "On <date>, <name> wrote:" and the Arabic attributions: "في <date>، كتب <name>:", Gmail's
/// "في <date>، <name> كتب:" and "في <date> تمت كتابة ما يلي بواسطة <name>:", and the older
/// "بتاريخ <date>، جاء من <name>:", each possibly wrapped onto a second line. A date is
/// required (a digit somewhere) so that an ordinary sentence such as "On Monday the trainer
/// wrote:" is kept.
fn is_reply_header(line: &str, next: &str) -> bool {
    let joined = format!("{line} {next}");
    let english = |text: &str| {
        text.starts_with("On ") && text.ends_with("wrote:") && has_digit(text) && text.len() < 400
    };
    let arabic = |text: &str| {
        (text.starts_with("في ") || text.starts_with("بتاريخ "))
            && (text.contains("كتب")
                || text.contains("تمت كتابة ما يلي بواسطة")
                || text.contains("جاء من"))
            && (text.ends_with(':') || text.ends_with('：'))
            && has_digit(text)
            && text.len() < 600
    };
    english(line)
        || arabic(line)
        || (!next.is_empty() && !line.ends_with(':') && (english(&joined) || arabic(&joined)))
}

/// "-----Original Message-----", "-------- Original message --------" and the Arabic Outlook
/// "-----الرسالة الأصلية-----". Forwarded-message separators are deliberately not matched: a
/// forwarded message is what the sender wants us to read.
fn is_original_message_separator(line: &str) -> bool {
    if !line.starts_with("--") {
        return false;
    }
    let inner = line.trim_matches(|c: char| c == '-' || c == '_' || c.is_whitespace());
    inner.eq_ignore_ascii_case("original message")
        || inner == "الرسالة الأصلية"
        || inner == "رسالة أصلية"
}

/// The header block Outlook puts above the quoted message:
///
/// ```text
/// From: …            من: …
/// Sent: …            تم الإرسال: …
/// To: …              إلى: …
/// Subject: …         الموضوع: …
/// ```
///
/// A `From:` line alone could be part of the sender's own text, so a date line and a
/// recipient or subject line must follow within the next four lines.
fn is_outlook_header_block(lines: &[&str], index: usize) -> bool {
    let Some(line) = lines.get(index) else {
        return false;
    };
    let line = without_bidi_controls(line);
    let line = line.trim_start_matches('*');
    if !(line.starts_with("From:") || line.starts_with("من:") || line.starts_with("من :")) {
        return false;
    }
    // Gmail introduces a forwarded message with the same header lines, under a separator.
    let previous = lines
        .get(..index)
        .unwrap_or_default()
        .iter()
        .rev()
        .map(|line| without_bidi_controls(line))
        .find(|line| !line.is_empty())
        .unwrap_or_default()
        .to_lowercase();
    if previous.contains("forwarded message") || previous.contains("توجيه") {
        return false;
    }
    let following: Vec<String> = lines
        .iter()
        .skip(index + 1)
        .take(4)
        .map(|line| {
            without_bidi_controls(line)
                .trim_start_matches('*')
                .to_owned()
        })
        .collect();
    let has_date = following.iter().any(|line| {
        [
            "Sent:",
            "Date:",
            "تم الإرسال:",
            "التاريخ:",
            "تاريخ الإرسال:",
            "أُرسلت:",
            "أرسلت:",
            "الإرسال:",
        ]
        .iter()
        .any(|label| line.starts_with(label))
    });
    let has_recipient_or_subject = following.iter().any(|line| {
        ["To:", "Subject:", "إلى:", "الى:", "الموضوع:"]
            .iter()
            .any(|label| line.starts_with(label))
    });
    has_date && has_recipient_or_subject
}

/// Drops trailing blank lines and the underscore or dash rules Outlook puts above a quote.
fn drop_trailing_separators(lines: &mut Vec<&str>) {
    while let Some(last) = lines.last() {
        let trimmed = last.trim();
        let is_rule = trimmed.len() >= 5 && trimmed.chars().all(|c| c == '_' || c == '-');
        if trimmed.is_empty() || is_rule {
            lines.pop();
        } else {
            break;
        }
    }
}

/// Drops a block of `>` lines (blank lines allowed between them) at the very end. Quoted lines
/// followed by the sender's own text are an inline reply and stay.
fn drop_trailing_quote_block(lines: &mut Vec<&str>) {
    let mut cut = lines.len();
    let mut saw_quote = false;
    for (index, line) in lines.iter().enumerate().rev() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('>') {
            saw_quote = true;
            cut = index;
        } else if trimmed.is_empty() {
            continue;
        } else {
            break;
        }
    }
    if saw_quote {
        lines.truncate(cut);
    }
}

// ---------------------------------------------------------------------------------------------
// HTML to text
// ---------------------------------------------------------------------------------------------

/// The tags whose structure matters for text: everything else is removed by the sanitizer and
/// only its text kept.
const STRUCTURE_TAGS: &[&str] = &[
    "a",
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements dropped with everything inside them: code, styles, and the page title and
/// embedded objects whose text is not part of what the sender wrote.
const DROPPED_WITH_CONTENT_TAGS: &[&str] = &[
    "script", "style", "title", "noscript", "template", "iframe", "object", "embed", "svg", "math",
    "head",
];

/// One sanitizer for every call: building it allocates a dozen sets.
static HTML_SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    let mut tag_attributes = HashMap::new();
    tag_attributes.insert("a", HashSet::from(["href"]));
    tag_attributes.insert("ol", HashSet::from(["start"]));
    builder
        .tags(STRUCTURE_TAGS.iter().copied().collect())
        .clean_content_tags(DROPPED_WITH_CONTENT_TAGS.iter().copied().collect())
        .generic_attributes(HashSet::new())
        .tag_attributes(tag_attributes)
        .link_rel(None)
        .strip_comments(true);
    builder
});

/// Sanitizes HTML with ammonia and converts the result to readable text: paragraphs and `<br>`
/// become line breaks, list items `- ` (or numbered) lines, quotes `> ` lines, and a link
/// `text (url)` when the address is not already its text.
///
/// ammonia parses the HTML (with html5ever, so broken markup and every named entity are
/// handled) and serializes it back in a canonical form: only the structure tags above, every
/// attribute double-quoted, and `&`, `<`, `>`, `"` and no-break spaces escaped as entities. The
/// small reader below relies on that form and on nothing else.
fn html_to_text(html: &str) -> String {
    let sanitized = HTML_SANITIZER.clean(html).to_string();
    let mut writer = PlainTextWriter::default();
    let mut rest = sanitized.as_str();
    while !rest.is_empty() {
        match rest.find('<') {
            Some(0) => {
                let end = rest.find('>').unwrap_or(rest.len());
                let tag = rest.get(1..end).unwrap_or_default();
                writer.tag(tag);
                rest = rest.get(end + 1..).unwrap_or_default();
            }
            Some(start) => {
                writer.text(&decode_canonical_entities(
                    rest.get(..start).unwrap_or_default(),
                ));
                rest = rest.get(start..).unwrap_or_default();
            }
            None => {
                writer.text(&decode_canonical_entities(rest));
                rest = "";
            }
        }
    }
    writer.finish()
}

/// Decodes the entities html5ever's serializer writes; anything else is left as it is.
fn decode_canonical_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The value of `name="…"` in a canonical tag body.
fn canonical_attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let value = tag.get(start..)?;
    let end = value.find('"')?;
    Some(decode_canonical_entities(value.get(..end)?))
}

enum ListKind {
    Unordered,
    Ordered { next_number: i64 },
}

#[derive(Default)]
struct PlainTextWriter {
    output: String,
    /// Whether whitespace was seen since the last visible character.
    pending_space: bool,
    /// Whether the current line has anything on it yet (the quote prefix does not count).
    line_started: bool,
    preformatted_depth: usize,
    blockquote_depth: usize,
    lists: Vec<ListKind>,
    /// For each open link: its address and where its text starts in `output`.
    open_links: Vec<(Option<String>, usize)>,
}

impl PlainTextWriter {
    fn tag(&mut self, tag: &str) {
        if tag.starts_with('!') {
            return;
        }
        let (is_closing, body) = match tag.strip_prefix('/') {
            Some(body) => (true, body),
            None => (false, tag),
        };
        let name_end = body.find([' ', '/']).unwrap_or(body.len());
        let name = body
            .get(..name_end)
            .unwrap_or_default()
            .to_ascii_lowercase();
        if is_closing {
            self.close(&name);
        } else {
            self.open(&name, body);
        }
    }

    fn open(&mut self, name: &str, body: &str) {
        match name {
            "br" => self.line_break(),
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" | "dl" | "hr" => {
                self.block_break(true);
            }
            "pre" => {
                self.block_break(true);
                self.preformatted_depth += 1;
            }
            "blockquote" => {
                self.block_break(true);
                self.blockquote_depth += 1;
            }
            "ul" => {
                self.block_break(self.lists.is_empty());
                self.lists.push(ListKind::Unordered);
            }
            "ol" => {
                self.block_break(self.lists.is_empty());
                let start = canonical_attribute(body, "start")
                    .and_then(|start| start.trim().parse::<i64>().ok())
                    .unwrap_or(1);
                self.lists.push(ListKind::Ordered { next_number: start });
            }
            "li" => {
                self.block_break(false);
                let indent = "  ".repeat(self.lists.len().saturating_sub(1));
                let marker = match self.lists.last_mut() {
                    Some(ListKind::Ordered { next_number }) => {
                        let marker = format!("{next_number}. ");
                        *next_number = next_number.saturating_add(1);
                        marker
                    }
                    Some(ListKind::Unordered) | None => "- ".to_owned(),
                };
                self.write_visible(&format!("{indent}{marker}"));
            }
            // A cell after another on the same row is set apart by a space.
            "td" | "th" if self.line_started => self.pending_space = true,
            "a" => {
                let href = canonical_attribute(body, "href");
                self.open_links.push((href, self.output.len()));
            }
            "div" | "tr" | "dt" | "dd" | "address" | "article" | "aside" | "caption" | "center"
            | "figure" | "figcaption" | "footer" | "header" | "main" | "nav" | "section" => {
                self.block_break(false);
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" | "dl" => {
                self.block_break(true);
            }
            "pre" => {
                self.preformatted_depth = self.preformatted_depth.saturating_sub(1);
                self.block_break(true);
            }
            "blockquote" => {
                self.blockquote_depth = self.blockquote_depth.saturating_sub(1);
                self.block_break(true);
            }
            "ul" | "ol" => {
                self.lists.pop();
                self.block_break(self.lists.is_empty());
            }
            "a" => self.close_link(),
            "li" | "div" | "tr" | "dt" | "dd" | "address" | "article" | "aside" | "caption"
            | "center" | "figure" | "figcaption" | "footer" | "header" | "main" | "nav"
            | "section" => self.block_break(false),
            _ => {}
        }
    }

    fn close_link(&mut self) {
        let Some((href, start)) = self.open_links.pop() else {
            return;
        };
        let Some(href) = href.map(|href| href.trim().to_owned()) else {
            return;
        };
        // The quote prefix of a new line is not part of the link's text.
        let text = self
            .output
            .get(start..)
            .unwrap_or_default()
            .trim_start_matches(['>', ' '])
            .trim()
            .to_owned();
        if href.is_empty() || text.is_empty() || link_shows_its_address(&text, &href) {
            return;
        }
        self.write_visible(&format!(" ({href})"));
    }

    fn text(&mut self, text: &str) {
        if self.preformatted_depth > 0 {
            for (index, line) in text.split('\n').enumerate() {
                if index > 0 {
                    self.line_break();
                }
                if !line.is_empty() {
                    self.write_visible(&line.replace('\u{a0}', " "));
                }
            }
            return;
        }
        for character in text.chars() {
            if matches!(character, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
                self.pending_space = true;
            } else {
                let character = if character == '\u{a0}' {
                    ' '
                } else {
                    character
                };
                let mut buffer = [0u8; 4];
                self.write_visible(character.encode_utf8(&mut buffer));
            }
        }
    }

    /// Writes visible text, with the space owed from earlier whitespace and the quote prefix
    /// when the line is new.
    fn write_visible(&mut self, text: &str) {
        if self.line_started {
            if self.pending_space && !self.output.ends_with(' ') {
                self.output.push(' ');
            }
        } else if self.blockquote_depth > 0 {
            self.output.push_str(&"> ".repeat(self.blockquote_depth));
        }
        self.pending_space = false;
        self.line_started = true;
        self.output.push_str(text);
    }

    fn line_break(&mut self) {
        self.trim_trailing_spaces();
        self.output.push('\n');
        self.line_started = false;
        self.pending_space = false;
    }

    /// Ends the current line (and leaves a blank line after it when `blank_line` is set),
    /// unless that is already done.
    fn block_break(&mut self, blank_line: bool) {
        self.trim_trailing_spaces();
        self.pending_space = false;
        if self.output.is_empty() {
            return;
        }
        if !self.output.ends_with('\n') {
            self.output.push('\n');
        }
        if blank_line && !self.output.ends_with("\n\n") {
            self.output.push('\n');
        }
        self.line_started = false;
    }

    fn trim_trailing_spaces(&mut self) {
        let trimmed_length = self.output.trim_end_matches(' ').len();
        self.output.truncate(trimmed_length);
    }

    fn finish(self) -> String {
        tidy_lines(&self.output)
    }
}

/// Whether a link's text already says where it goes, so repeating the address adds nothing.
fn link_shows_its_address(text: &str, href: &str) -> bool {
    let normalise = |value: &str| {
        let value = value.trim().to_lowercase();
        let value = value
            .strip_prefix("mailto:")
            .or_else(|| value.strip_prefix("tel:"))
            .map(str::to_owned)
            .unwrap_or(value);
        let value = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
            .map(str::to_owned)
            .unwrap_or(value);
        value.trim_end_matches('/').to_owned()
    };
    normalise(text) == normalise(href)
}

// ---------------------------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------------------------

/// Every attachment of the top-level message: files, inline images and attached messages.
/// Files inside an attached message stay inside its `.eml`.
fn attachments(message: &Message<'_>) -> Vec<InboundAttachment> {
    let referenced_content_ids = referenced_content_ids(message);
    let mut generated_names = 0usize;
    message
        .attachments
        .iter()
        .filter_map(|id| message.parts.get(usize::try_from(*id).ok()?))
        .filter_map(|part| attachment(part, &referenced_content_ids, &mut generated_names))
        .collect()
}

fn attachment(
    part: &MessagePart<'_>,
    referenced_content_ids: &HashSet<String>,
    generated_names: &mut usize,
) -> Option<InboundAttachment> {
    let declared_type = part.content_type().map(|content_type| {
        let main = content_type.ctype().trim().to_lowercase();
        match content_type.subtype() {
            Some(subtype) => format!("{main}/{}", subtype.trim().to_lowercase()),
            None => main,
        }
    });
    let (content_type, bytes) = match &part.body {
        PartType::Multipart(_) => return None,
        PartType::Message(nested) => ("message/rfc822".to_owned(), nested_message_bytes(nested)),
        // mail-parser hands text parts over decoded to UTF-8 whatever their charset was, so
        // the type says so.
        PartType::Text(text) | PartType::Html(text) => {
            let main = declared_type.unwrap_or_else(|| {
                if matches!(part.body, PartType::Html(_)) {
                    "text/html".to_owned()
                } else {
                    "text/plain".to_owned()
                }
            });
            (format!("{main}; charset=utf-8"), text.as_bytes().to_vec())
        }
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => (
            declared_type
                .filter(|declared| declared.contains('/'))
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            bytes.to_vec(),
        ),
    };

    let content_id = part
        .content_id()
        .map(|id| id.trim().trim_matches(|c| c == '<' || c == '>').to_owned())
        .filter(|id| !id.is_empty());
    let disposition_is_attachment = part
        .content_disposition()
        .is_some_and(|disposition| disposition.is_attachment());
    // An image is inline when the HTML body shows it; an image with a Content-ID that nothing
    // shows (Apple Mail sends attachments that way) is a file the sender attached.
    let inline = !disposition_is_attachment
        && content_id
            .as_ref()
            .is_some_and(|id| referenced_content_ids.contains(&id.to_lowercase()));

    let is_message = matches!(part.body, PartType::Message(_));
    let filename = part
        .attachment_name()
        .map(safe_filename)
        .filter(|name| !name.is_empty())
        .or_else(|| {
            if is_message {
                part.message()
                    .and_then(|nested| nested.subject())
                    .map(safe_filename)
                    .filter(|name| !name.is_empty())
                    .map(|subject| format!("{subject}.eml"))
            } else if inline {
                content_id
                    .as_deref()
                    .and_then(|id| id.split('@').next())
                    .map(safe_filename)
                    .filter(|name| !name.is_empty())
                    .map(|name| with_extension(name, &content_type))
            } else {
                None
            }
        })
        .unwrap_or_else(|| {
            *generated_names += 1;
            let stem = if inline { "image" } else { "attachment" };
            with_extension(format!("{stem}-{generated_names}"), &content_type)
        });
    let filename = if is_message && !filename.to_lowercase().ends_with(".eml") {
        format!("{filename}.eml")
    } else {
        filename
    };

    Some(InboundAttachment {
        filename,
        content_type,
        bytes,
        inline,
    })
}

/// The bytes of an attached message, as it was attached.
fn nested_message_bytes(nested: &Message<'_>) -> Vec<u8> {
    let Some(root) = nested.parts.first() else {
        return nested.raw_message.to_vec();
    };
    let start = usize::try_from(root.offset_header).unwrap_or(0);
    let end = usize::try_from(root.offset_end).unwrap_or(usize::MAX);
    match nested.raw_message.get(start..end) {
        Some(bytes) if !bytes.is_empty() => bytes.to_vec(),
        _ => nested.raw_message.to_vec(),
    }
}

/// The `cid:` references of every HTML part, lower-cased, for telling inline images from
/// attached ones.
fn referenced_content_ids(message: &Message<'_>) -> HashSet<String> {
    let mut ids = HashSet::new();
    for part in &message.parts {
        let PartType::Html(html) = &part.body else {
            continue;
        };
        let lower = html.to_lowercase();
        let mut rest = lower.as_str();
        while let Some(position) = rest.find("cid:") {
            let after = rest.get(position + 4..).unwrap_or_default();
            let end = after
                .find(|c: char| c == '"' || c == '\'' || c == ')' || c == '>' || c.is_whitespace())
                .unwrap_or(after.len());
            let id = percent_decode(after.get(..end).unwrap_or_default());
            if !id.is_empty() {
                ids.insert(id);
            }
            rest = after;
        }
    }
    ids
}

/// RFC 2392 allows `cid:` URLs to be percent-encoded.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut output = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%'
            && let Some(hex_digits) = bytes.get(index + 1..index + 3)
            && let Ok(hex_text) = std::str::from_utf8(hex_digits)
            && let Ok(value) = u8::from_str_radix(hex_text, 16)
        {
            output.push(value);
            index += 3;
        } else {
            output.push(byte);
            index += 1;
        }
    }
    String::from_utf8_lossy(&output).into_owned()
}

/// A file name without directories, control characters or characters that are unsafe in
/// common file systems, so whoever stores the file can use it as given.
fn safe_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let cleaned = clean_single_line(&cleaned);
    let cleaned = cleaned.trim_matches('.').trim();
    // Keep names to a length every file system accepts, cutting on a character boundary.
    cleaned.chars().take(200).collect::<String>()
}

/// `name` with an extension for its content type when it has none.
fn with_extension(name: String, content_type: &str) -> String {
    let has_extension = name
        .rsplit_once('.')
        .is_some_and(|(stem, extension)| !stem.is_empty() && (1..=5).contains(&extension.len()));
    if has_extension {
        return name;
    }
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    let extension = match essence.as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/bmp" => "bmp",
        "image/svg+xml" => "svg",
        "image/tiff" => "tiff",
        "image/heic" => "heic",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/html" => "html",
        "text/calendar" => "ics",
        "text/csv" => "csv",
        "message/rfc822" => "eml",
        "application/zip" => "zip",
        "audio/mpeg" => "mp3",
        "audio/ogg" => "ogg",
        "video/mp4" => "mp4",
        _ => "bin",
    };
    format!("{name}.{extension}")
}
