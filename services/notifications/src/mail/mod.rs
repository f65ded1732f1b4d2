//! Outgoing e-mail: SMTP through lettre when `LAWOS_SMTP_URL` is set
//! (plain, STARTTLS with `?tls=required`, or TLS with `smtps://`), else each
//! message is written as an `.eml` file to `LAWOS_MAIL_DIR` (development:
//! the log names the file).

pub mod templates;

use std::path::PathBuf;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::NotifyConfig;
use templates::Rendered;

/// Why a message did not go out, and whether trying again may help.
#[derive(Debug, Clone, PartialEq)]
pub struct SendError {
    pub message: String,
    pub retryable: bool,
}

impl SendError {
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: false,
        }
    }
}

/// One e-mail to send.
#[derive(Debug, Clone)]
pub struct Mail {
    /// Makes the `Message-ID` (`<id@lawos.notifications>`): a retry after a lost
    /// answer carries the same id.
    pub id: uuid::Uuid,
    pub from: String,
    pub to: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub body: Rendered,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

pub struct Mailer {
    transport: Transport,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.transport {
            Transport::Smtp(_) => f.write_str("Mailer(smtp)"),
            Transport::Folder(dir) => write!(f, "Mailer({})", dir.display()),
        }
    }
}

impl Mailer {
    pub fn new(config: &NotifyConfig) -> Result<Self, String> {
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("LAWOS_SMTP_URL: {e}"))?
                    .timeout(Some(config.smtp_timeout))
                    .build(),
            ),
            None => {
                tracing::info!(dir = %config.mail_dir.display(), "LAWOS_SMTP_URL is not set: e-mail is written to this folder");
                Transport::Folder(config.mail_dir.clone())
            }
        };
        Ok(Self { transport })
    }

    fn message(mail: &Mail) -> Result<Message, SendError> {
        let from: Mailbox = mail
            .from
            .parse()
            .map_err(|e| SendError::permanent(format!("sender {:?}: {e}", mail.from)))?;
        let to_addr = mail
            .to
            .parse()
            .map_err(|e| SendError::permanent(format!("recipient {:?}: {e}", mail.to)))?;
        let to = Mailbox::new(mail.to_name.clone(), to_addr);
        Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{}@lawos.notifications>", mail.id)))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(mail.body.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(mail.body.html.clone()),
                    ),
            )
            .map_err(|e| SendError::permanent(format!("message: {e}")))
    }

    /// Sends `mail`; what the server answered (or the file written).
    pub async fn send(&self, mail: &Mail) -> Result<String, SendError> {
        let message = Self::message(mail)?;
        match &self.transport {
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(response) => Ok(response.message().collect::<Vec<_>>().join(" ")),
                Err(e) => Err(SendError {
                    retryable: !e.is_permanent(),
                    message: format!("SMTP: {e}"),
                }),
            },
            Transport::Folder(dir) => {
                let path = dir.join(format!("{}.eml", mail.id));
                let write = async {
                    tokio::fs::create_dir_all(dir).await?;
                    tokio::fs::write(&path, message.formatted()).await
                };
                write.await.map_err(|e| SendError {
                    message: format!("{}: {e}", path.display()),
                    retryable: true,
                })?;
                tracing::info!(to = %mail.to, subject = %mail.subject, file = %path.display(), "e-mail written");
                Ok(path.display().to_string())
            }
        }
    }
}
