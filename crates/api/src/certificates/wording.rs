//! The fixed text of a certificate and of its verification page, in the certificate's
//! language: English and French; any other language reads in English.

use chrono::{Datelike as _, NaiveDate};
use help_lms_domain::values::Language;

pub struct Wording {
    pub lang: &'static str,
    pub programme: &'static str,
    pub programme_full: &'static str,
    pub title: &'static str,
    pub certifies: &'static str,
    pub completed: &'static str,
    pub hours: &'static str,
    pub score: &'static str,
    pub completed_on: &'static str,
    pub run_by: &'static str,
    pub tutors: &'static str,
    pub tutor: &'static str,
    pub verify_at: &'static str,
    pub code: &'static str,
    /// What follows a label: `: ` (French sets a narrow no-break space before the colon).
    pub colon: &'static str,
    /// The unit of a workload of one hour or less, and of more.
    unit_hour: &'static str,
    unit_hours: &'static str,
    months: [&'static str; 12],
    decimal: char,
    percent: &'static str,
    // The verification page.
    pub page_title: &'static str,
    pub valid: &'static str,
    pub revoked: &'static str,
    pub erased: &'static str,
    pub learner: &'static str,
    pub course: &'static str,
    pub issued: &'static str,
    pub revoked_on: &'static str,
    pub issuer: &'static str,
    pub credential: &'static str,
    pub credential_hint: &'static str,
}

const EN: Wording = Wording {
    lang: "en",
    programme: "Council of Europe · HELP Programme",
    programme_full: "Human Rights Education for Legal Professionals",
    title: "Certificate of completion",
    certifies: "This is to certify that",
    completed: "has completed the HELP online course",
    hours: "Workload",
    score: "Final score",
    completed_on: "Completed on",
    run_by: "Tutored course run by",
    tutors: "Tutors",
    tutor: "Tutor",
    verify_at: "Verify this certificate at",
    code: "Verification code",
    colon: ": ",
    unit_hour: "hour",
    unit_hours: "hours",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    decimal: '.',
    percent: "%",
    page_title: "Certificate verification",
    valid: "This certificate is valid.",
    revoked: "This certificate has been revoked.",
    erased: "This certificate was issued, but its holder's personal data has since been erased at their request: it no longer says who holds it.",
    learner: "Awarded to",
    course: "Course",
    issued: "Issued on",
    revoked_on: "Revoked on",
    issuer: "Issuer",
    credential: "Open Badges credential (JSON)",
    credential_hint: "A signed, machine-verifiable copy of this certificate.",
};

const FR: Wording = Wording {
    lang: "fr",
    programme: "Conseil de l’Europe · Programme HELP",
    programme_full: "Programme européen de formation aux droits humains pour les professionnels du droit",
    title: "Certificat de réussite",
    certifies: "Le présent certificat atteste que",
    completed: "a suivi avec succès le cours en ligne HELP",
    hours: "Durée estimée",
    score: "Note finale",
    completed_on: "Terminé le",
    run_by: "Cours tutoré organisé par",
    tutors: "Tuteurs",
    tutor: "Tuteur",
    verify_at: "Vérifier ce certificat sur",
    code: "Code de vérification",
    colon: "\u{202f}: ",
    unit_hour: "heure",
    unit_hours: "heures",
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    decimal: ',',
    // A narrow no-break space before the sign, as French typography has it.
    percent: "\u{202f}%",
    page_title: "Vérification d’un certificat",
    valid: "Ce certificat est valide.",
    revoked: "Ce certificat a été révoqué.",
    erased: "Ce certificat a été délivré, mais les données personnelles de son titulaire ont depuis été effacées à sa demande : il n'indique plus qui le détient.",
    learner: "Décerné à",
    course: "Cours",
    issued: "Délivré le",
    revoked_on: "Révoqué le",
    issuer: "Émetteur",
    credential: "Attestation Open Badges (JSON)",
    credential_hint: "Une copie signée de ce certificat, vérifiable par machine.",
};

pub fn of(language: Language) -> &'static Wording {
    match language {
        Language::Fr => &FR,
        _ => &EN,
    }
}

impl Wording {
    /// A day as people write it: `1 December 2026`, `1 décembre 2026`.
    pub fn date(&self, d: NaiveDate) -> String {
        let month = self.months[d.month0() as usize];
        format!("{} {month} {}", d.day(), d.year())
    }

    /// A run's dates: `3 March 2026 – 30 June 2026`.
    pub fn period(&self, from: NaiveDate, to: NaiveDate) -> String {
        format!("{} – {}", self.date(from), self.date(to))
    }

    /// A number with at most one decimal, in the language's form: `2.5`, `2,5`, `5`.
    pub fn number(&self, x: f64) -> String {
        let rounded = (x * 10.0).round() / 10.0;
        let text = if rounded.fract() == 0.0 {
            format!("{rounded:.0}")
        } else {
            format!("{rounded:.1}")
        };
        text.replace('.', &self.decimal.to_string())
    }

    pub fn percent(&self, x: f64) -> String {
        format!("{}{}", self.number(x), self.percent)
    }

    pub fn hours_of(&self, h: f64) -> String {
        let unit = if h <= 1.0 {
            self.unit_hour
        } else {
            self.unit_hours
        };
        format!("{} {unit}", self.number(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_reads_in_french_and_others_in_english() {
        let d = NaiveDate::from_ymd_opt(2026, 8, 1).unwrap_or_default();
        assert_eq!(of(Language::Fr).date(d), "1 août 2026");
        assert_eq!(of(Language::En).date(d), "1 August 2026");
        assert_eq!(of(Language::Fr).percent(87.46), "87,5\u{202f}%");
        assert_eq!(of(Language::En).percent(90.0), "90%");
        assert_eq!(of(Language::Fr).hours_of(2.5), "2,5 heures");
        assert_eq!(of(Language::En).hours_of(1.0), "1 hour");
        assert_eq!(of(Language::Bg).title, EN.title);
    }
}
