//! A real SMTP server for tests: it listens on 127.0.0.1, accepts every message the
//! application sends (plain SMTP, no TLS, no AUTH) and keeps it in a [`Mailbox`] that
//! tests read, wait on and parse ([`Received`] decodes headers and bodies on demand).
//!
//! The server speaks enough ESMTP for lettre and Python's smtplib: EHLO/HELO, MAIL,
//! RCPT, DATA (dot-unstuffed, at most 10 MiB), RSET, NOOP and QUIT. A message counts as
//! accepted only once it is stored, so after a client's send succeeds it is in the mailbox.

use mail_parser::{Addr, HeaderValue, Message, MessageParser, PartType};
use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio::task::{JoinHandle, JoinSet};

/// The largest message accepted; a larger one is refused with `552`.
const MAX_MESSAGE: usize = 10 * 1024 * 1024;
/// The longest command line read before the session is closed with `500`.
const MAX_COMMAND: u64 = 4096;
const OK: &str = "250 OK\r\n";
const EHLO_REPLY: &str = "250-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 OK\r\n";

/// Everything the sink has received, shared across restarts of the server (so a test can
/// stop the server, start it again on the same port, and keep one list of messages).
#[derive(Clone, Default)]
pub struct Mailbox {
    inner: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    messages: Mutex<Vec<Received>>,
    arrived: Notify,
}

impl Mailbox {
    /// An empty mailbox.
    pub fn new() -> Mailbox {
        Mailbox::default()
    }

    /// All messages so far, in arrival order.
    pub fn all(&self) -> Vec<Received> {
        self.lock().clone()
    }

    /// Messages addressed (RCPT TO) to this address, case-insensitive, in arrival order.
    pub fn to(&self, address: &str) -> Vec<Received> {
        let messages = self.lock();
        let addressed = |m: &&Received| m.rcpt_to.iter().any(|r| r.eq_ignore_ascii_case(address));
        messages.iter().filter(addressed).cloned().collect()
    }

    /// Waits until at least `n` messages are addressed to `address`, then returns all the
    /// messages addressed to it; panics with a clear message (listing the recipients
    /// received so far) after `timeout`.
    pub async fn wait_for(&self, address: &str, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let mut arrived = std::pin::pin!(self.inner.arrived.notified());
            arrived.as_mut().enable();
            let found = self.to(address);
            if found.len() >= n {
                return found;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                let recipients: Vec<String> =
                    self.lock().iter().flat_map(|m| m.rcpt_to.clone()).collect();
                panic!(
                    "SMTP sink: waited {timeout:?} for {n} message(s) to {address}, got {}; \
                     recipients so far: {recipients:?}",
                    found.len()
                );
            }
        }
    }

    fn store(&self, message: Received) {
        self.lock().push(message);
        self.inner.arrived.notify_waiters();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Received>> {
        self.inner
            .messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running SMTP server on 127.0.0.1. Dropping it also shuts it down, but only
/// [`SmtpSink::stop`] waits until the port is free.
pub struct SmtpSink {
    port: u16,
    mailbox: Mailbox,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    /// Starts on a free port.
    pub async fn start(mailbox: Mailbox) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the SMTP sink");
        SmtpSink::serve(listener, mailbox)
    }

    /// Starts on this port (to bring a stopped sink back where the application expects it).
    /// Retries binding for up to ~5 s if the port is briefly in use.
    pub async fn start_on(port: u16, mailbox: Mailbox) -> SmtpSink {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            match TcpListener::bind(("127.0.0.1", port)).await {
                Ok(listener) => return SmtpSink::serve(listener, mailbox),
                Err(e)
                    if e.kind() == io::ErrorKind::AddrInUse
                        && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("SMTP sink: cannot bind 127.0.0.1:{port}: {e}"),
            }
        }
    }

    fn serve(listener: TcpListener, mailbox: Mailbox) -> SmtpSink {
        let port = listener
            .local_addr()
            .expect("the sink's local address")
            .port();
        let (shutdown, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, mailbox.clone(), stopped));
        SmtpSink {
            port,
            mailbox,
            shutdown,
            task,
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:{port}`
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Where its messages go (shared with every clone of the mailbox it was started with).
    pub fn mailbox(&self) -> &Mailbox {
        &self.mailbox
    }

    /// Stops: the listening socket is closed (new connections are refused) and open
    /// sessions are dropped; returns when the port is free.
    pub async fn stop(self) {
        // An error means the loop has already ended, which is what is asked.
        let _ = self.shutdown.send(());
        self.task
            .await
            .expect("the SMTP sink's accept loop panicked");
    }
}

/// Accepts connections until told to stop (or until the sink is dropped), then closes the
/// listener and ends every session before returning.
async fn accept_loop(listener: TcpListener, mailbox: Mailbox, mut stop: oneshot::Receiver<()>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    sessions.spawn(session(stream, mailbox.clone()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
    drop(listener);
    sessions.shutdown().await;
}

/// The envelope of the message being sent on one connection.
#[derive(Default)]
struct Transaction {
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

/// What a command line calls for.
enum Step {
    Reply(&'static str),
    Data,
    Quit,
}

/// One connection, from the greeting to QUIT or the end of the stream.
async fn session(stream: TcpStream, mailbox: Mailbox) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut tx = Transaction::default();
    let mut line = Vec::new();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    loop {
        if read_line(&mut reader, &mut line, MAX_COMMAND).await? == 0 {
            return Ok(());
        }
        if line.len() as u64 == MAX_COMMAND && !line.ends_with(b"\n") {
            return write.write_all(b"500 Line too long\r\n").await;
        }
        let reply = match handle(&String::from_utf8_lossy(trim_eol(&line)), &mut tx) {
            Step::Reply(reply) => reply,
            Step::Quit => return write.write_all(b"221 Bye\r\n").await,
            Step::Data => {
                write.write_all(b"354 End with <CRLF>.<CRLF>\r\n").await?;
                receive(&mut reader, std::mem::take(&mut tx), &mailbox).await?
            }
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// Reads the message after `354` and stores it (before the `250`, so "sent" means stored).
async fn receive<R>(reader: &mut R, tx: Transaction, mailbox: &Mailbox) -> io::Result<&'static str>
where
    R: AsyncBufRead + Unpin,
{
    let Some(raw) = read_data(reader).await? else {
        return Ok("552 Message exceeds 10 MiB\r\n");
    };
    let (mail_from, rcpt_to) = (tx.mail_from.unwrap_or_default(), tx.rcpt_to);
    mailbox.store(Received {
        mail_from,
        rcpt_to,
        raw,
    });
    Ok("250 OK queued\r\n")
}

/// Answers one command line (without its line ending), updating the transaction.
fn handle(line: &str, tx: &mut Transaction) -> Step {
    let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
    let verb = verb.to_ascii_uppercase();
    let reply = match verb.as_str() {
        "EHLO" | "HELO" | "RSET" => {
            *tx = Transaction::default();
            if verb == "EHLO" { EHLO_REPLY } else { OK }
        }
        "MAIL" => match path(arg, "FROM:") {
            Some(address) => {
                *tx = Transaction::default();
                tx.mail_from = Some(address);
                OK
            }
            None => "501 Syntax: MAIL FROM:<address>\r\n",
        },
        "RCPT" if tx.mail_from.is_none() => "503 MAIL first\r\n",
        "RCPT" => match path(arg, "TO:") {
            Some(address) => {
                tx.rcpt_to.push(address);
                OK
            }
            None => "501 Syntax: RCPT TO:<address>\r\n",
        },
        "DATA" if tx.rcpt_to.is_empty() => "503 RCPT first\r\n",
        "DATA" => return Step::Data,
        "NOOP" => OK,
        "QUIT" => return Step::Quit,
        _ => "502 Command not implemented\r\n",
    };
    Step::Reply(reply)
}

/// The address in `FROM:<a@b> PARAMS` or `TO:<a@b>` (brackets optional, parameters ignored).
fn path(arg: &str, keyword: &str) -> Option<String> {
    let arg = arg.trim_start();
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start();
    match rest.strip_prefix('<') {
        Some(inner) => inner.split_once('>').map(|(address, _)| address.to_owned()),
        None => rest.split_whitespace().next().map(str::to_owned),
    }
}

/// Reads the DATA lines up to the lone `.`, undoing dot-stuffing (a line's leading dot
/// goes, as RFC 5321 says). `None` when too large (the rest is still read, so the session
/// can go on).
async fn read_data<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<Vec<u8>>> {
    let (mut raw, mut line, mut too_large, mut at_line_start) =
        (Vec::new(), Vec::new(), false, true);
    loop {
        if read_line(reader, &mut line, MAX_MESSAGE as u64 + 3).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if at_line_start && trim_eol(&line) == b"." {
            return Ok((!too_large).then_some(raw));
        }
        let content = if at_line_start && line.starts_with(b".") {
            &line[1..]
        } else {
            &line[..]
        };
        at_line_start = line.ends_with(b"\n");
        if too_large || raw.len() + content.len() > MAX_MESSAGE {
            (too_large, raw) = (true, Vec::new());
        } else {
            raw.extend_from_slice(content);
        }
    }
}

/// Reads one line (ending with `\n`, or cut at `limit` bytes) into `line`; 0 at end of stream.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    limit: u64,
) -> io::Result<usize> {
    line.clear();
    (&mut *reader).take(limit).read_until(b'\n', line).await
}

/// The line without its `\r\n` or bare `\n`.
fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// One message as received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The address inside `MAIL FROM:<...>` (empty for the null sender `<>`).
    pub mail_from: String,
    /// The addresses inside each `RCPT TO:<...>`, in order.
    pub rcpt_to: Vec<String>,
    /// The DATA, dot-unstuffed, without the final `.\r\n` (line endings as sent).
    pub raw: Vec<u8>,
}

impl Received {
    /// A header's value, decoded (RFC 2047 encoded-words decoded, folding undone), e.g.
    /// "Subject"; the first one if repeated. Address headers read `Name <address>, ...`,
    /// Message-ID-like ones have no angle brackets, dates and MIME headers are as written.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = self.parsed()?;
        Some(match message.header(name)? {
            HeaderValue::Text(text) => text.to_string(),
            HeaderValue::TextList(list) => list.join(", "),
            HeaderValue::Address(list) => list.iter().map(addr).collect::<Vec<_>>().join(", "),
            _ => message
                .header_raw(name)?
                .replace(['\r', '\n'], "")
                .trim()
                .to_owned(),
        })
    }

    /// The decoded Subject, "" if none.
    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// The Message-ID, without its angle brackets (`abc@host` for `<abc@host>`).
    pub fn message_id(&self) -> Option<String> {
        self.parsed()?.message_id().map(str::to_owned)
    }

    /// The decoded text/plain body (quoted-printable/base64 decoded, charset applied), ""
    /// if there is no text/plain body part (an HTML-only message is not converted).
    pub fn text(&self) -> String {
        self.body(false)
    }

    /// The decoded text/html body, "" if none.
    pub fn html(&self) -> String {
        self.body(true)
    }

    /// Every http(s) URL in the text body, in order (a URL ends at whitespace, `<`, `>`,
    /// `"` or a trailing `.`/`,`/`)`), e.g. to pick the activation link.
    pub fn links(&self) -> Vec<String> {
        let text = self.text();
        let (mut links, mut rest) = (Vec::new(), text.as_str());
        while let Some(start) = rest.find("http") {
            let tail = &rest[start..];
            let end = tail
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
                .unwrap_or(tail.len());
            if tail.starts_with("http://") || tail.starts_with("https://") {
                links.push(tail[..end].trim_end_matches(['.', ',', ')']).to_owned());
            }
            rest = &tail[end..];
        }
        links
    }

    /// The first body part that is really text/html (`html`) or text/plain (not `html`).
    fn body(&self, html: bool) -> String {
        let Some(message) = self.parsed() else {
            return String::new();
        };
        let ids = if html {
            &message.html_body
        } else {
            &message.text_body
        };
        let text = ids
            .iter()
            .filter_map(|&id| message.part(id))
            .find_map(|part| match (&part.body, html) {
                (PartType::Html(text), true) | (PartType::Text(text), false) => Some(text),
                _ => None,
            });
        text.map(|t| t.to_string()).unwrap_or_default()
    }

    /// The message parsed, every header decoded; `None` only for an empty message.
    fn parsed(&self) -> Option<Message<'_>> {
        MessageParser::new()
            .with_mime_headers()
            .with_date_headers()
            .with_address_headers()
            .with_message_ids()
            .default_header_text()
            .parse(&self.raw)
    }
}

fn addr(addr: &Addr<'_>) -> String {
    match (addr.name(), addr.address()) {
        (Some(name), Some(address)) => format!("{name} <{address}>"),
        (name, address) => name.or(address).unwrap_or_default().to_owned(),
    }
}
