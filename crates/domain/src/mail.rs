//! The messages the platform emails (invitations, confirmations, password notices), rendered
//! as subject, plain text and HTML in the recipient's language: English and French, else English.

use crate::markdown::escape;
use crate::values::{Language, Role};

/// What a message is about; each kind has its own wording. `link` (in `Mail`) is the page
/// that takes the token, except for `PasswordChanged`, which has no action link (then `link`
/// is the platform's sign-in/home address, shown as "sign in" / informational).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailKind {
    /// A person was invited (by an institution or the HELP secretariat): set a password to activate.
    Invitation {
        institution: Option<String>,
        role: Role,
    },
    /// A learner registered themselves: confirm the address to activate the account.
    ConfirmRegistration,
    /// Someone tried to register with this address, which already has an active account:
    /// "if it was you, you already have an account; forgot your password? use this link (a
    /// password reset link)"; "if not, you can ignore this message, nothing was changed".
    RegistrationAttemptActive,
    /// Someone tried to register with this address, whose account was never activated:
    /// the link lets the owner set their own password and activate it; ignore otherwise.
    RegistrationAttemptPending,
    /// A password reset was requested: the link sets a new password; ignore if it was not you
    /// (the password stays unchanged); every session is signed out when the reset completes.
    PasswordReset,
    /// The password was changed (by a reset or by the person signed in): a notice; if it was
    /// not them, they should reset their password at once and contact their institution.
    PasswordChanged,
    /// An institution asks the owner of an existing account to join one of its cohorts:
    /// nothing happens unless they sign in and accept (the link); they may ignore it.
    CohortInvitation { institution: String, cohort: String },
    /// An institution listed the address of a staff or admin account as a learner of one of
    /// its cohorts: a notice that nothing was done (staff accounts do not join cohorts).
    CohortInvitationRefused { institution: String, cohort: String },
}

impl MailKind {
    /// Whether the message carries a link that works once and for a limited time (an
    /// invitation to join a cohort waits until answered).
    pub fn has_token(&self) -> bool {
        !matches!(
            self,
            MailKind::PasswordChanged
                | MailKind::CohortInvitation { .. }
                | MailKind::CohortInvitationRefused { .. }
        )
    }
}

/// A message to render.
#[derive(Debug, Clone)]
pub struct Mail<'a> {
    pub kind: MailKind,
    /// The recipient's name as stored (any Unicode, may be empty: then greet without a name).
    pub name: &'a str,
    /// Absolute URL (https://...); may contain `?` `&` `#` characters.
    pub link: &'a str,
    /// How long the link works, in hours (e.g. 720 for 30 days, 1 for one hour); said in
    /// words, in days when it is a whole number of days ≥ 2 ("30 days" / "30 jours"), else
    /// hours ("1 hour" / "1 heure", "2 hours" / "2 heures"). Ignored for `PasswordChanged`.
    pub valid_hours: i64,
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The language actually used (En unless the language asked for has this message).
    pub language: Language,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The languages messages are written in; others fall back to English.
pub const WRITTEN: [Language; 2] = [Language::En, Language::Fr];

/// Renders a message in `language`, or in English when that language is not written.
pub fn render(mail: &Mail<'_>, language: Language) -> Rendered {
    let language = if WRITTEN.contains(&language) {
        language
    } else {
        Language::FALLBACK
    };
    let w = words(language);
    let body = compose(mail, w);
    let subject = one_line(&format!("HELP{} {}", w.colon, body.subject));
    Rendered {
        language,
        text: text(&body, mail.link, w),
        html: html(&body, mail.link, w, language, &subject),
        subject,
    }
}

/// The wording of one kind of message. In `before` and `after`, `{programme}`, `{who}` and
/// `{role}` stand for the programme's name, who sent the invitation and what the role allows.
struct Text {
    subject: &'static str,
    heading: &'static str,
    before: &'static [&'static str],
    /// The label of the link, meaningful on its own.
    action: &'static str,
    after: &'static [&'static str],
}

/// Every sentence of the messages in one language.
struct Words {
    /// A colon as the language writes it: French puts a space before it.
    colon: &'static str,
    /// Whether zero takes the singular ("0 heure" in French, "0 hours" in English).
    zero_singular: bool,
    dear: &'static str,
    hello: &'static str,
    programme: &'static str,
    secretariat: &'static str,
    /// What each role allows, in the order learner, tutor, NTI manager, admin.
    roles: [&'static str; 4],
    /// `{time}` is the validity in words.
    valid: &'static str,
    hour: &'static str,
    hours: &'static str,
    days: &'static str,
    copy: &'static str,
    regards: &'static str,
    team: &'static str,
    footer: &'static str,
    invitation: Text,
    confirm: Text,
    attempt_active: Text,
    attempt_pending: Text,
    reset: Text,
    changed: Text,
    join: Text,
    join_refused: Text,
}

static EN: Words = Words {
    colon: ":",
    zero_singular: false,
    dear: "Dear {name},",
    hello: "Hello,",
    programme: "the Council of Europe's HELP programme (Human Rights Education for Legal Professionals)",
    secretariat: "The HELP secretariat",
    roles: [
        "take HELP courses",
        "follow the learners of a cohort as their tutor",
        "manage your institution's cohorts",
        "administer the platform",
    ],
    valid: "This link works for {time} and can be used only once.",
    hour: "hour",
    hours: "hours",
    days: "days",
    copy: "If the button does not work, copy this address into your browser:",
    regards: "Kind regards,",
    team: "The HELP team, Council of Europe",
    footer: "This is an automatic message; replies to it are not read.",
    invitation: Text {
        subject: "activate your account",
        heading: "Activate your HELP account",
        before: &[
            "{who} has invited you to the online learning platform of {programme}.",
            "Your account will let you {role}.",
            "To activate your account, choose your password using the link below.",
        ],
        action: "Set your password",
        after: &["If you were not expecting this invitation, you can ignore this message."],
    },
    confirm: Text {
        subject: "confirm your email address",
        heading: "Confirm your email address",
        before: &[
            "Thank you for registering on the online learning platform of {programme}.",
            "To activate your account, please confirm your email address using the link below.",
        ],
        action: "Confirm your email address",
        after: &[
            "If you did not register, you can ignore this message: the account will not be activated.",
        ],
    },
    attempt_active: Text {
        subject: "registration attempt with your address",
        heading: "Registration attempt with your address",
        before: &[
            "Someone has just tried to register on the online learning platform of {programme} with this email address, which already has an active account.",
            "If it was you: you already have an account and can simply sign in. If you have forgotten your password, you can choose a new one using the link below.",
        ],
        action: "Reset your password",
        after: &[
            "If it was not you, you can ignore this message: nothing has been changed in your account.",
        ],
    },
    attempt_pending: Text {
        subject: "finish activating your account",
        heading: "Finish activating your account",
        before: &[
            "Someone has just tried to register on the online learning platform of {programme} with this email address. An account already exists for it but has never been activated.",
            "If it was you, choose your password using the link below to activate your account.",
        ],
        action: "Set your password and activate your account",
        after: &[
            "If it was not you, you can ignore this message: the account will remain inactive.",
        ],
    },
    reset: Text {
        subject: "reset your password",
        heading: "Reset your password",
        before: &[
            "We have received a request to reset the password of your account on the online learning platform of {programme}.",
            "To choose a new password, use the link below.",
        ],
        action: "Choose a new password",
        after: &[
            "Once your new password is set, you will be signed out everywhere, on every device.",
            "If you did not ask for this, you can ignore this message: your password remains unchanged.",
        ],
    },
    changed: Text {
        subject: "your password has been changed",
        heading: "Your password has been changed",
        before: &[
            "The password of your account on the online learning platform of {programme} has just been changed.",
            "If it was you, there is nothing more to do.",
            "If it was not you, reset your password at once from the sign-in page, and contact your institution.",
        ],
        action: "Sign in to HELP",
        after: &[],
    },
    join: Text {
        subject: "an invitation to join a cohort",
        heading: "An invitation to join a cohort",
        before: &[
            "{who} invites you to join its cohort “{cohort}” on the online learning platform of {programme}.",
            "You already have an account: nothing changes in it unless you accept. If you accept, {who} will see your progress in this course, your name, profession and country.",
            "To accept, sign in and confirm using the link below.",
        ],
        action: "See the invitation",
        after: &["If you do not want to join, ignore this message or decline the invitation."],
    },
    join_refused: Text {
        subject: "your address was listed for a cohort",
        heading: "Your address was listed for a cohort",
        before: &[
            "{who} listed this email address as a learner of its cohort “{cohort}” on the online learning platform of {programme}.",
            "Your account is a staff or administrator account, which does not join cohorts as a learner: nothing was changed, and {who} was told nothing about your account.",
            "If you also want to take this course, ask {who} to enrol another address of yours.",
        ],
        action: "Sign in to HELP",
        after: &[],
    },
};

static FR: Words = Words {
    colon: " :",
    zero_singular: true,
    dear: "Bonjour {name},",
    hello: "Bonjour,",
    programme: "le programme HELP du Conseil de l'Europe (formation aux droits humains pour les professionnels du droit)",
    secretariat: "Le secrétariat HELP",
    roles: [
        "de suivre les cours HELP",
        "d'accompagner les apprenants d'une cohorte en tant que tuteur ou tutrice",
        "de gérer les cohortes de votre institution",
        "d'administrer la plateforme",
    ],
    valid: "Ce lien est valable {time} et ne peut être utilisé qu'une seule fois.",
    hour: "heure",
    hours: "heures",
    days: "jours",
    copy: "Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :",
    regards: "Bien cordialement,",
    team: "L'équipe HELP, Conseil de l'Europe",
    footer: "Ce message est envoyé automatiquement ; les réponses ne sont pas lues.",
    invitation: Text {
        subject: "activez votre compte",
        heading: "Activez votre compte HELP",
        before: &[
            "{who} vous invite à rejoindre la plateforme de formation en ligne proposée par {programme}.",
            "Votre compte vous permettra {role}.",
            "Pour activer votre compte, choisissez votre mot de passe à l'aide du lien ci-dessous.",
        ],
        action: "Définir votre mot de passe",
        after: &["Si vous n'attendiez pas cette invitation, vous pouvez ignorer ce message."],
    },
    confirm: Text {
        subject: "confirmez votre adresse électronique",
        heading: "Confirmez votre adresse électronique",
        before: &[
            "Nous vous remercions de votre inscription sur la plateforme de formation en ligne proposée par {programme}.",
            "Pour activer votre compte, veuillez confirmer votre adresse électronique à l'aide du lien ci-dessous.",
        ],
        action: "Confirmer votre adresse électronique",
        after: &[
            "Si vous n'êtes pas à l'origine de cette inscription, vous pouvez ignorer ce message : le compte ne sera pas activé.",
        ],
    },
    attempt_active: Text {
        subject: "tentative d'inscription avec votre adresse",
        heading: "Tentative d'inscription avec votre adresse",
        before: &[
            "Quelqu'un vient de tenter de s'inscrire sur la plateforme de formation en ligne proposée par {programme} avec cette adresse électronique, qui correspond déjà à un compte actif.",
            "Si c'était vous : vous avez déjà un compte et pouvez simplement vous connecter. Si vous avez oublié votre mot de passe, vous pouvez en choisir un nouveau à l'aide du lien ci-dessous.",
        ],
        action: "Réinitialiser votre mot de passe",
        after: &[
            "Si ce n'était pas vous, vous pouvez ignorer ce message : rien n'a été modifié dans votre compte.",
        ],
    },
    attempt_pending: Text {
        subject: "finalisez l'activation de votre compte",
        heading: "Finalisez l'activation de votre compte",
        before: &[
            "Quelqu'un vient de tenter de s'inscrire sur la plateforme de formation en ligne proposée par {programme} avec cette adresse électronique. Un compte existe déjà pour cette adresse, mais il n'a jamais été activé.",
            "Si c'était vous, choisissez votre mot de passe à l'aide du lien ci-dessous pour activer votre compte.",
        ],
        action: "Définir votre mot de passe et activer votre compte",
        after: &[
            "Si ce n'était pas vous, vous pouvez ignorer ce message : le compte restera inactif.",
        ],
    },
    reset: Text {
        subject: "réinitialisez votre mot de passe",
        heading: "Réinitialisez votre mot de passe",
        before: &[
            "Nous avons reçu une demande de réinitialisation du mot de passe de votre compte sur la plateforme de formation en ligne proposée par {programme}.",
            "Pour choisir un nouveau mot de passe, utilisez le lien ci-dessous.",
        ],
        action: "Choisir un nouveau mot de passe",
        after: &[
            "Une fois le nouveau mot de passe défini, toutes vos sessions seront fermées, sur tous vos appareils.",
            "Si vous n'êtes pas à l'origine de cette demande, vous pouvez ignorer ce message : votre mot de passe reste inchangé.",
        ],
    },
    changed: Text {
        subject: "votre mot de passe a été modifié",
        heading: "Votre mot de passe a été modifié",
        before: &[
            "Le mot de passe de votre compte sur la plateforme de formation en ligne proposée par {programme} vient d'être modifié.",
            "Si c'était vous, vous n'avez rien d'autre à faire.",
            "Si ce n'était pas vous, réinitialisez immédiatement votre mot de passe depuis la page de connexion et prenez contact avec votre institution.",
        ],
        action: "Se connecter à HELP",
        after: &[],
    },
    join: Text {
        subject: "une invitation à rejoindre une session",
        heading: "Une invitation à rejoindre une session",
        before: &[
            "{who} vous invite à rejoindre sa session « {cohort} » sur la plateforme de formation en ligne proposée par {programme}.",
            "Vous avez déjà un compte : rien n'y change si vous n'acceptez pas. Si vous acceptez, {who} verra votre progression dans ce cours, votre nom, votre profession et votre pays.",
            "Pour accepter, connectez-vous et confirmez à l'aide du lien ci-dessous.",
        ],
        action: "Voir l'invitation",
        after: &[
            "Si vous ne souhaitez pas participer, ignorez ce message ou déclinez l'invitation.",
        ],
    },
    join_refused: Text {
        subject: "votre adresse a été inscrite à une session",
        heading: "Votre adresse a été inscrite à une session",
        before: &[
            "{who} a indiqué cette adresse électronique pour un apprenant de sa session « {cohort} » sur la plateforme de formation en ligne proposée par {programme}.",
            "Votre compte est un compte de personnel ou d'administration, qui ne rejoint pas de session en tant qu'apprenant : rien n'a été modifié, et {who} n'a rien appris de votre compte.",
            "Si vous souhaitez aussi suivre ce cours, demandez à {who} d'inscrire une autre de vos adresses.",
        ],
        action: "Se connecter à HELP",
        after: &[],
    },
};

fn words(language: Language) -> &'static Words {
    match language {
        Language::Fr => &FR,
        _ => &EN,
    }
}

/// A message in one language with everything filled in, before layout; not yet escaped.
struct Body {
    subject: &'static str,
    heading: &'static str,
    greeting: String,
    before: Vec<String>,
    action: &'static str,
    /// How long the link works, when it matters.
    validity: Option<String>,
    after: Vec<String>,
}

fn compose(mail: &Mail<'_>, w: &Words) -> Body {
    let mut cohort_name = String::new();
    let (t, who, role) = match &mail.kind {
        MailKind::Invitation { institution, role } => {
            let who = institution
                .as_deref()
                .map(one_line)
                .filter(|i| !i.is_empty())
                .unwrap_or_else(|| w.secretariat.to_owned());
            (&w.invitation, who, w.roles[role_index(*role)])
        }
        MailKind::ConfirmRegistration => (&w.confirm, String::new(), ""),
        MailKind::RegistrationAttemptActive => (&w.attempt_active, String::new(), ""),
        MailKind::RegistrationAttemptPending => (&w.attempt_pending, String::new(), ""),
        MailKind::PasswordReset => (&w.reset, String::new(), ""),
        MailKind::PasswordChanged => (&w.changed, String::new(), ""),
        MailKind::CohortInvitation {
            institution,
            cohort,
        } => {
            cohort_name = one_line(cohort);
            (&w.join, one_line(institution), "")
        }
        MailKind::CohortInvitationRefused {
            institution,
            cohort,
        } => {
            cohort_name = one_line(cohort);
            (&w.join_refused, one_line(institution), "")
        }
    };
    // `{who}` last, so that an institution's name is never itself filled in.
    let fill = |s: &&str| {
        s.replace("{programme}", w.programme)
            .replace("{role}", role)
            .replace("{cohort}", &cohort_name)
            .replace("{who}", &who)
    };
    let name = one_line(mail.name);
    let greeting = if name.is_empty() {
        w.hello.to_owned()
    } else {
        w.dear.replace("{name}", &name)
    };
    let validity = mail
        .kind
        .has_token()
        .then(|| w.valid.replace("{time}", &duration(mail.valid_hours, w)));
    Body {
        subject: t.subject,
        heading: t.heading,
        greeting,
        before: t.before.iter().map(fill).collect(),
        action: t.action,
        validity,
        after: t.after.iter().map(fill).collect(),
    }
}

fn role_index(role: Role) -> usize {
    match role {
        Role::Learner => 0,
        Role::Tutor => 1,
        Role::NtiManager => 2,
        Role::Admin => 3,
    }
}

/// A number of hours in words: whole days from two days up, else hours.
fn duration(hours: i64, w: &Words) -> String {
    let hours = hours.max(0);
    if hours >= 48 && hours % 24 == 0 {
        return format!("{} {}", hours / 24, w.days);
    }
    let singular = hours == 1 || (hours == 0 && w.zero_singular);
    format!("{hours} {}", if singular { w.hour } else { w.hours })
}

fn text(b: &Body, link: &str, w: &Words) -> String {
    let mut parts = vec![b.greeting.clone()];
    parts.extend(b.before.iter().cloned());
    parts.push(format!("{}{}\n{link}", b.action, w.colon));
    parts.extend(b.validity.iter().cloned());
    parts.extend(b.after.iter().cloned());
    parts.push(format!("{}\n{}", w.regards, w.team));
    parts.push(w.footer.to_owned());
    let mut out = parts.join("\n\n");
    out.push('\n');
    out
}

const P: &str = "<p style=\"margin:0 0 16px 0\">";
const SMALL: &str = "<p style=\"margin:0 0 16px 0;font-size:14px;color:#404040\">";
const BUTTON: &str = "display:inline-block;padding:12px 24px;background-color:#003d7a;\
color:#ffffff;font-weight:bold;text-decoration:none;border-radius:4px";

fn html(b: &Body, link: &str, w: &Words, language: Language, subject: &str) -> String {
    let link = escape(link);
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n</head>\n\
         <body style=\"margin:0;padding:0;background-color:#ffffff;color:#1a1a1a;\
         font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5\">\n\
         <div style=\"max-width:600px;margin:0 auto;padding:24px\">\n\
         <h1 style=\"margin:0 0 24px 0;font-size:22px;color:#003d7a\">{}</h1>\n",
        language.as_str(),
        escape(subject),
        escape(b.heading),
    );
    let para = |h: &mut String, s: &str| h.push_str(&format!("{P}{}</p>\n", escape(s)));
    para(&mut h, &b.greeting);
    b.before.iter().for_each(|s| para(&mut h, s));
    h.push_str(&format!(
        "<p style=\"margin:24px 0\"><a href=\"{link}\" style=\"{BUTTON}\">{}</a></p>\n\
         {SMALL}{}<br>\n<span style=\"word-break:break-all\">{link}</span></p>\n",
        escape(b.action),
        escape(w.copy),
    ));
    b.validity.iter().for_each(|s| para(&mut h, s));
    b.after.iter().for_each(|s| para(&mut h, s));
    h.push_str(&format!(
        "{P}{}<br>\n{}</p>\n\
         <hr style=\"border:none;border-top:1px solid #cccccc;margin:24px 0\">\n\
         <p style=\"margin:0;font-size:13px;color:#595959\">{}</p>\n</div>\n</body>\n</html>\n",
        escape(w.regards),
        escape(w.team),
        escape(w.footer),
    ));
    h
}

/// `s` on one line: control characters (CR, LF, tab...) become spaces; trimmed.
fn one_line(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    s.trim().to_owned()
}

#[cfg(test)]
mod tests;
