//! The shape of the demo platform: the EU member states among the platform's countries,
//! kinds of institution, who studies which course.

use help_lms_domain::enrolment::InstitutionKind;
use help_lms_domain::values::{Country, Language, Profession};

/// The EU member states: weight (about their population, in millions), the language their
/// learners prefer, and how many training institutions take part.
pub(super) const COUNTRIES: &[(Country, f64, Language, usize)] = &[
    (Country::De, 84.0, Language::De, 4),
    (Country::Fr, 68.0, Language::Fr, 4),
    (Country::It, 59.0, Language::It, 4),
    (Country::Es, 48.0, Language::Es, 4),
    (Country::Pl, 37.0, Language::Pl, 4),
    (Country::Ro, 19.0, Language::Ro, 3),
    (Country::Nl, 18.0, Language::Nl, 3),
    (Country::Be, 12.0, Language::Fr, 3),
    (Country::Cz, 11.0, Language::Cs, 3),
    (Country::Se, 10.0, Language::Sv, 3),
    (Country::Gr, 10.0, Language::El, 3),
    (Country::Pt, 10.0, Language::Pt, 3),
    (Country::Hu, 10.0, Language::Hu, 3),
    (Country::At, 9.0, Language::De, 3),
    (Country::Bg, 6.5, Language::Bg, 2),
    (Country::Dk, 6.0, Language::Da, 2),
    (Country::Fi, 5.5, Language::Fi, 2),
    (Country::Sk, 5.4, Language::Sk, 2),
    (Country::Ie, 5.2, Language::En, 2),
    (Country::Hr, 3.9, Language::Hr, 2),
    (Country::Lt, 2.9, Language::Lt, 2),
    (Country::Si, 2.1, Language::Sl, 2),
    (Country::Lv, 1.9, Language::Lv, 2),
    (Country::Ee, 1.4, Language::Et, 2),
    (Country::Cy, 0.9, Language::El, 2),
    (Country::Lu, 0.7, Language::Fr, 2),
    (Country::Mt, 0.5, Language::Mt, 2),
];

pub(super) const KINDS: [InstitutionKind; 4] = [
    InstitutionKind::JudicialTraining,
    InstitutionKind::PrisonProbationTraining,
    InstitutionKind::ProsecutionTraining,
    InstitutionKind::BarAssociation,
];

pub(super) const PRETRIAL: &str = "international-cooperation-pre-trial-detention";
pub(super) const EVIDENCE: &str = "evidence-counter-terrorism";
pub(super) const PRISON: &str = "radicalisation-prevention-prison-probation";

/// The three bundled courses the demo enrols learners in.
pub(super) const COURSES: [&str; 3] = [PRETRIAL, EVIDENCE, PRISON];

/// The language learners of a country prefer (English for those not in the demo).
pub(super) fn preferred_language(country: Country) -> Language {
    COUNTRIES
        .iter()
        .find(|c| c.0 == country)
        .map(|c| c.2)
        .unwrap_or(Language::En)
}

pub(super) fn kind_name(k: InstitutionKind) -> &'static str {
    match k {
        InstitutionKind::JudicialTraining => "Judicial Training Institute",
        InstitutionKind::ProsecutionTraining => "Prosecutors' Academy",
        InstitutionKind::PrisonProbationTraining => "Prison and Probation Academy",
        InstitutionKind::BarAssociation => "Bar Association Training Centre",
        _ => "Training Centre",
    }
}

/// How often an institution of this kind is picked to run a cohort, relative to its
/// country's weight.
pub(super) fn kind_weight(k: InstitutionKind) -> f64 {
    match k {
        InstitutionKind::JudicialTraining => 1.0,
        InstitutionKind::PrisonProbationTraining => 0.8,
        _ => 0.6,
    }
}

/// The professions of the learners an institution of this kind trains.
pub(super) fn professions_of(k: InstitutionKind) -> &'static [(Profession, f64)] {
    match k {
        InstitutionKind::JudicialTraining => {
            &[(Profession::Judge, 0.75), (Profession::CourtStaff, 0.25)]
        }
        InstitutionKind::ProsecutionTraining => {
            &[(Profession::Prosecutor, 0.9), (Profession::Other, 0.1)]
        }
        InstitutionKind::PrisonProbationTraining => &[
            (Profession::PrisonStaff, 0.65),
            (Profession::ProbationStaff, 0.35),
        ],
        _ => &[(Profession::Lawyer, 1.0)],
    }
}

pub(super) const SELF_STUDY_PROFESSIONS: &[(Profession, f64)] = &[
    (Profession::Judge, 18.0),
    (Profession::Prosecutor, 12.0),
    (Profession::Lawyer, 30.0),
    (Profession::PrisonStaff, 8.0),
    (Profession::ProbationStaff, 5.0),
    (Profession::CourtStaff, 12.0),
    (Profession::LawEnforcement, 10.0),
    (Profession::Other, 5.0),
];

/// The courses a self-study learner of this profession picks.
pub(super) fn courses_for(p: Profession) -> &'static [(&'static str, f64)] {
    match p {
        Profession::PrisonStaff | Profession::ProbationStaff => {
            &[(PRISON, 0.8), (PRETRIAL, 0.15), (EVIDENCE, 0.05)]
        }
        Profession::LawEnforcement => &[(EVIDENCE, 0.6), (PRETRIAL, 0.25), (PRISON, 0.15)],
        Profession::Lawyer => &[(PRETRIAL, 0.6), (EVIDENCE, 0.35), (PRISON, 0.05)],
        _ => &[(PRETRIAL, 0.5), (EVIDENCE, 0.4), (PRISON, 0.1)],
    }
}

/// The courses an institution of this kind runs cohorts in.
pub(super) fn courses_of(k: InstitutionKind) -> &'static [(&'static str, f64)] {
    match k {
        InstitutionKind::PrisonProbationTraining => &[(PRISON, 0.85), (PRETRIAL, 0.15)],
        InstitutionKind::ProsecutionTraining => &[(EVIDENCE, 0.55), (PRETRIAL, 0.45)],
        InstitutionKind::BarAssociation => &[(PRETRIAL, 0.6), (EVIDENCE, 0.4)],
        _ => &[(PRETRIAL, 0.5), (EVIDENCE, 0.4), (PRISON, 0.1)],
    }
}
