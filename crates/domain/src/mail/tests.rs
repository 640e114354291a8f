//! Tests of the emailed messages: language choice, links, escaping and wording.

use super::*;

const LINK: &str = "https://help.example.org/activate?token=abc&next=%2Fcourses#start";

fn all_kinds() -> Vec<MailKind> {
    vec![
        MailKind::Invitation {
            institution: Some("Judicial Academy".into()),
            role: Role::Learner,
        },
        MailKind::Invitation {
            institution: None,
            role: Role::Admin,
        },
        MailKind::ConfirmRegistration,
        MailKind::RegistrationAttemptActive,
        MailKind::RegistrationAttemptPending,
        MailKind::PasswordReset,
        MailKind::PasswordChanged,
        MailKind::CohortInvitation {
            institution: "Judicial Academy".into(),
            cohort: "Juges 2027".into(),
        },
        MailKind::CohortInvitationRefused {
            institution: "Judicial Academy".into(),
            cohort: "Juges 2027".into(),
        },
    ]
}

fn mail(kind: MailKind) -> Mail<'static> {
    Mail {
        kind,
        name: "Ana Petrović",
        link: LINK,
        valid_hours: 720,
    }
}

fn invite(institution: Option<&str>, role: Role, language: Language) -> Rendered {
    let kind = MailKind::Invitation {
        institution: institution.map(str::to_owned),
        role,
    };
    render(&mail(kind), language)
}

#[test]
fn french_is_written_in_french() {
    for kind in all_kinds() {
        let en = render(&mail(kind.clone()), Language::En);
        let fr = render(&mail(kind), Language::Fr);
        assert_eq!(fr.language, Language::Fr);
        assert_eq!(en.language, Language::En);
        assert_ne!(fr.subject, en.subject);
        assert_ne!(fr.text, en.text);
        assert!(fr.subject.starts_with("HELP : "), "{}", fr.subject);
        assert!(fr.text.contains("L'équipe HELP, Conseil de l'Europe"));
        assert!(fr.text.contains("Ce message est envoyé automatiquement"));
        assert!(en.text.contains("The HELP team, Council of Europe"));
        assert!(en.text.contains("replies to it are not read"));
    }
}

#[test]
fn languages_not_written_fall_back_to_english() {
    let en = render(&mail(MailKind::PasswordReset), Language::En);
    for language in [Language::De, Language::Uk, Language::Tr] {
        let r = render(&mail(MailKind::PasswordReset), language);
        assert_eq!(r, en, "{language}");
    }
    for language in Language::ALL {
        let r = render(&mail(MailKind::ConfirmRegistration), *language);
        let expected = if *language == Language::Fr {
            Language::Fr
        } else {
            Language::En
        };
        assert_eq!(r.language, expected, "{language}");
    }
}

#[test]
fn every_message_has_its_link_subject_and_document() {
    for language in WRITTEN {
        for kind in all_kinds() {
            let r = render(&mail(kind.clone()), language);
            let what = format!("{kind:?} in {language}");
            assert!(r.subject.starts_with("HELP"), "{what}");
            assert!(
                r.text.lines().any(|l| l == LINK),
                "{what}: link on its own line"
            );
            let escaped = "https://help.example.org/activate?token=abc&amp;next=%2Fcourses#start";
            assert!(r.html.contains(&format!("<a href=\"{escaped}\"")), "{what}");
            assert!(
                r.html.contains(&format!(">{escaped}</span>")),
                "{what}: raw URL"
            );
            assert!(!r.html.contains("token=abc&next"), "{what}");
            assert!(r.html.starts_with("<!DOCTYPE html>"), "{what}");
            assert!(
                r.html.contains(&format!("<html lang=\"{language}\">")),
                "{what}"
            );
            assert!(
                r.html
                    .contains(&format!("<title>{}</title>", escape(&r.subject)))
            );
            assert!(r.html.contains("<h1") && r.html.contains("<p"), "{what}");
            assert!(r.html.trim_end().ends_with("</html>"), "{what}");
            for banned in ["<img", "<script", "src=", "<link", "url("] {
                assert!(!r.html.contains(banned), "{what}: {banned}");
            }
        }
    }
}

#[test]
fn the_programme_is_named_once_per_message() {
    for kind in all_kinds() {
        let en = render(&mail(kind.clone()), Language::En).text;
        let fr = render(&mail(kind), Language::Fr).text;
        let en_name = "the Council of Europe's HELP programme (Human Rights Education for Legal Professionals)";
        let fr_name = "le programme HELP du Conseil de l'Europe (formation aux droits humains pour les professionnels du droit)";
        assert_eq!(en.matches(en_name).count(), 1, "{en}");
        assert_eq!(fr.matches(fr_name).count(), 1, "{fr}");
    }
}

#[test]
fn links_that_work_once_say_so_and_the_notice_does_not() {
    for kind in all_kinds() {
        let changed = !kind.has_token();
        let en = render(&mail(kind.clone()), Language::En);
        let fr = render(&mail(kind), Language::Fr);
        assert_eq!(en.text.contains("can be used only once"), !changed);
        assert_eq!(fr.text.contains("qu'une seule fois"), !changed);
        assert_eq!(en.text.contains("30 days"), !changed);
        assert_eq!(fr.html.contains("30 jours"), !changed);
    }
    let changed = render(&mail(MailKind::PasswordChanged), Language::En);
    assert!(changed.html.contains(">Sign in to HELP</a>"));
    assert!(changed.text.contains("contact your institution"));
}

#[test]
fn html_escapes_the_name_and_the_text_keeps_it() {
    let name = "<script>alert(\"x\")</script> & Ö";
    let m = Mail {
        name,
        ..mail(MailKind::ConfirmRegistration)
    };
    for language in WRITTEN {
        let r = render(&m, language);
        assert!(r.text.contains(name));
        assert!(
            r.html
                .contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Ö")
        );
        assert!(!r.html.contains("<script"));
        assert!(!r.subject.contains("script"));
    }
    assert_eq!(escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
}

#[test]
fn validity_is_said_in_days_or_hours() {
    let cases = [
        (720, "30 days", "30 jours"),
        (48, "2 days", "2 jours"),
        (24, "24 hours", "24 heures"),
        (1, "1 hour", "1 heure"),
        (3, "3 hours", "3 heures"),
        (50, "50 hours", "50 heures"),
    ];
    for (hours, en, fr) in cases {
        let m = Mail {
            valid_hours: hours,
            ..mail(MailKind::PasswordReset)
        };
        let en_text = render(&m, Language::En).text;
        let fr_text = render(&m, Language::Fr).text;
        assert!(
            en_text.contains(&format!("works for {en} and")),
            "{en_text}"
        );
        assert!(fr_text.contains(&format!("valable {fr} et")), "{fr_text}");
    }
}

#[test]
fn invitations_say_who_invited_and_for_what() {
    let named = invite(Some("Escuela Judicial"), Role::Learner, Language::En);
    assert!(named.text.contains("Escuela Judicial has invited you"));
    assert!(!named.text.contains("HELP secretariat"));
    let fr = invite(
        Some("École nationale de la magistrature"),
        Role::Learner,
        Language::Fr,
    );
    assert!(
        fr.text
            .contains("École nationale de la magistrature vous invite")
    );
    assert!(
        invite(None, Role::Learner, Language::En)
            .text
            .contains("The HELP secretariat has invited you")
    );
    assert!(
        invite(None, Role::Learner, Language::Fr)
            .text
            .contains("Le secrétariat HELP vous invite")
    );
    assert!(
        invite(Some(" \n"), Role::Learner, Language::En)
            .text
            .contains("HELP secretariat")
    );
    let amp = invite(Some("Bar & Law <School>"), Role::Tutor, Language::En);
    assert!(
        amp.html
            .contains("Bar &amp; Law &lt;School&gt; has invited you")
    );
    for language in WRITTEN {
        let texts: Vec<String> = Role::ALL
            .iter()
            .map(|r| invite(None, *r, language).text)
            .collect();
        for (i, a) in texts.iter().enumerate() {
            for b in &texts[i + 1..] {
                assert_ne!(a, b, "roles must be worded apart in {language}");
            }
        }
    }
    assert!(
        invite(None, Role::Tutor, Language::En)
            .text
            .contains("as their tutor")
    );
    assert!(
        invite(None, Role::Tutor, Language::Fr)
            .text
            .contains("tuteur ou tutrice")
    );
    assert!(
        invite(None, Role::Learner, Language::En)
            .text
            .contains("take HELP courses")
    );
}

#[test]
fn greetings_use_the_name_when_there_is_one() {
    let en = render(&mail(MailKind::PasswordReset), Language::En);
    assert!(en.text.starts_with("Dear Ana Petrović,\n"));
    let fr = render(&mail(MailKind::PasswordReset), Language::Fr);
    assert!(fr.text.starts_with("Bonjour Ana Petrović,\n"));
    for name in ["", "  \t "] {
        let m = Mail {
            name,
            ..mail(MailKind::PasswordReset)
        };
        assert!(render(&m, Language::En).text.starts_with("Hello,\n"));
        assert!(render(&m, Language::Fr).text.starts_with("Bonjour,\n"));
        assert!(render(&m, Language::En).html.contains(">Hello,</p>"));
    }
}

#[test]
fn subjects_are_one_line_without_the_name() {
    let m = Mail {
        name: "Eve\r\nBcc: x@example.org",
        ..mail(MailKind::ConfirmRegistration)
    };
    for language in WRITTEN {
        for kind in all_kinds() {
            let r = render(&Mail { kind, ..m.clone() }, language);
            assert!(!r.subject.chars().any(char::is_control), "{}", r.subject);
            assert!(!r.subject.contains("Eve"));
            assert!(!r.text.contains('\r'));
        }
    }
    assert_eq!(one_line(" a\r\nb\tc "), "a  b c");
}

#[test]
fn a_cohort_invitation_names_the_institution_and_the_cohort_and_asks_for_consent() {
    let kind = MailKind::CohortInvitation {
        institution: "Scuola superiore della magistratura".into(),
        cohort: "Giudici <2027>".into(),
    };
    let en = render(&mail(kind.clone()), Language::En);
    assert!(en.text.contains("Scuola superiore della magistratura invites you to join its cohort \u{201c}Giudici <2027>\u{201d}"), "{}", en.text);
    assert!(en.text.contains("nothing changes in it unless you accept"));
    assert!(en.html.contains("Giudici &lt;2027&gt;"));
    let fr = render(&mail(kind), Language::Fr);
    assert!(
        fr.text.contains("rien n'y change si vous n'acceptez pas"),
        "{}",
        fr.text
    );
    let refused = render(
        &mail(MailKind::CohortInvitationRefused {
            institution: "Scuola".into(),
            cohort: "Giudici".into(),
        }),
        Language::En,
    );
    assert!(refused.text.contains("nothing was changed"));
    assert!(!refused.text.contains("only once"));
}
