//! Rows the service tests build on: a course from the bundled catalogue, an institution,
//! its tutor and an open cohort.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use help_lms_domain::cohorts::CohortDraft;
use help_lms_domain::content::{CourseSource, parse_course};
use help_lms_domain::enrolment::InstitutionKind;
use help_lms_domain::values::{
    Country, Email, Language, PersonName, Profession, Role, Title, UserStatus,
};
use uuid::Uuid;

use crate::accounts::{self, NewUser};
use crate::cohorts::{self, Cohort};
use crate::{Db, catalogue, institutions};

/// Offered in English and French.
pub const COURSE: &str = "international-cooperation-pre-trial-detention";

fn read_tree(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("read content dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            read_tree(root, &path, files);
        } else if matches!(
            path.extension().and_then(|x| x.to_str()),
            Some("toml" | "md")
        ) {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(
                rel,
                std::fs::read_to_string(&path).expect("read content file"),
            );
        }
    }
}

/// Imports `COURSE` from the repository's `content/` directory.
pub async fn import_course(db: &Db) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../content")
        .join(COURSE);
    let mut files = BTreeMap::new();
    read_tree(&root, &root, &mut files);
    let def = parse_course(&CourseSource {
        dir_name: COURSE.to_owned(),
        files,
    })
    .expect("the bundled course parses");
    catalogue::import(db, &[def]).await.expect("import");
}

pub struct Nti {
    pub institution_id: Uuid,
    pub tutor_id: Uuid,
}

pub async fn nti(db: &Db) -> Nti {
    let inst = institutions::create(
        db,
        &Title::parse("Institut national").unwrap(),
        Country::Fr,
        InstitutionKind::JudicialTraining,
    )
    .await
    .unwrap();
    let tutor = accounts::insert(
        &db.conn,
        NewUser {
            email: Email::parse(&format!("tutor-{}@inm.example", Uuid::now_v7().simple())).unwrap(),
            name: PersonName::parse("Tuteur").unwrap(),
            profession: Profession::Judge,
            country: Country::Fr,
            language: Language::Fr,
            institution_id: Some(inst.id),
            role: Role::Tutor,
            status: UserStatus::Active,
            password_hash: None,
        },
    )
    .await
    .unwrap();
    Nti {
        institution_id: inst.id,
        tutor_id: tutor.id,
    }
}

pub fn draft(capacity: i32, tutor_ids: Vec<Uuid>) -> CohortDraft {
    CohortDraft {
        name: "Juges 2027".into(),
        language: "fr".into(),
        starts_on: NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
        ends_on: NaiveDate::from_ymd_opt(2027, 4, 9).unwrap(),
        capacity,
        tutor_ids,
    }
}

/// A migrated database with the course imported, an institution and an open cohort.
pub async fn cohort(db: &Db, capacity: i32) -> (Nti, Cohort) {
    import_course(db).await;
    let nti = nti(db).await;
    let c = cohorts::create(
        db,
        nti.institution_id,
        COURSE,
        draft(capacity, vec![nti.tutor_id]),
    )
    .await
    .unwrap();
    (nti, c)
}
