//! E-mail: parsing inbound MIME, composing outbound mail, and the three transports (IMAP
//! fetching, an SMTP/LMTP receiver a mail server hands messages to, SMTP sending).

pub mod compose;
pub mod imap;
pub mod parse;
pub mod receiver;
pub mod smtp;
