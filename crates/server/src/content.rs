//! Reading course directories from disk (or from the copy bundled in the binary) for the
//! pure parser in `help_lms_domain::content`.

use std::collections::BTreeMap;
use std::path::Path;

use help_lms_domain::content::{ContentError, CourseSource};

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// The catalogue compiled into the binary.
pub fn bundled() -> Vec<CourseSource> {
    let mut by_course: BTreeMap<String, CourseSource> = BTreeMap::new();
    for (path, text) in BUNDLED {
        if let Some((dir, rel)) = path.split_once('/') {
            let src = by_course
                .entry(dir.to_owned())
                .or_insert_with(|| CourseSource {
                    dir_name: dir.to_owned(),
                    files: BTreeMap::new(),
                });
            src.files.insert(rel.to_owned(), (*text).to_owned());
        }
    }
    by_course.into_values().collect()
}

fn read_tree(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, String>,
    errors: &mut Vec<ContentError>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(ContentError {
                file: dir.display().to_string(),
                line: None,
                message: e.to_string(),
            });
            return;
        }
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            read_tree(root, &path, files, errors);
        } else if matches!(
            path.extension().and_then(|x| x.to_str()),
            Some("toml" | "md")
        ) {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    files.insert(rel, text);
                }
                Err(e) => errors.push(ContentError {
                    file: path.display().to_string(),
                    line: None,
                    message: format!("cannot read as UTF-8 text: {e}"),
                }),
            }
        }
    }
}

/// Reads a catalogue directory: every subdirectory is a course. A directory that itself
/// holds `course.toml` is read as a single course.
pub fn read_dir(dir: &Path) -> Result<Vec<CourseSource>, Vec<ContentError>> {
    let mut errors = Vec::new();
    let mut sources = Vec::new();
    let course_dirs: Vec<_> = if dir.join("course.toml").is_file() {
        vec![dir.to_path_buf()]
    } else {
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                let mut v: Vec<_> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect();
                v.sort();
                v
            }
            Err(e) => {
                return Err(vec![ContentError {
                    file: dir.display().to_string(),
                    line: None,
                    message: e.to_string(),
                }]);
            }
        }
    };
    for d in course_dirs {
        let mut files = BTreeMap::new();
        read_tree(&d, &d, &mut files, &mut errors);
        let dir_name = d
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        sources.push(CourseSource { dir_name, files });
    }
    if errors.is_empty() {
        Ok(sources)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use help_lms_domain::content::parse_catalogue;
    use help_lms_domain::values::Language;

    use super::*;

    /// The seed catalogue meets the bar set for it: substantial lessons in English and
    /// French, and quizzes that test judgment: at least 60% of each quiz's questions set a
    /// scenario, every question has its source, and no quiz is of a single kind.
    #[test]
    fn the_bundled_catalogue_is_complete() {
        let courses = parse_catalogue(&bundled()).unwrap();
        let slugs: Vec<&str> = courses.iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(
            slugs,
            [
                "evidence-counter-terrorism",
                "international-cooperation-pre-trial-detention",
                "radicalisation-prevention-prison-probation"
            ]
        );
        for c in &courses {
            assert!(
                c.modules.len() >= 5,
                "{}: {} modules",
                c.slug,
                c.modules.len()
            );
            for m in &c.modules {
                assert!(m.lessons.len() >= 2, "{}/{}", c.slug, m.key);
                for l in &m.lessons {
                    for (lang, body) in &l.body {
                        let words = body.split_whitespace().count();
                        assert!(
                            words >= 400,
                            "{}/{} ({lang}) has only {words} words",
                            c.slug,
                            l.key
                        );
                    }
                    assert!(
                        !l.references.is_empty(),
                        "{}/{} cites nothing",
                        c.slug,
                        l.key
                    );
                }
                let quiz = m
                    .quiz
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}/{} has no quiz", c.slug, m.key));
                assert!(quiz.questions.len() >= 5, "{}/{}", c.slug, m.key);
                let kinds: BTreeSet<_> = quiz.questions.iter().map(|q| q.body.kind()).collect();
                assert!(kinds.len() >= 2, "{}/{} is all {kinds:?}", c.slug, m.key);
                let (scenarios, all) = help_lms_domain::content::scenario_share(quiz);
                assert!(
                    scenarios * 10 >= all * 6,
                    "{}/{}: {scenarios} of {all} questions set a scenario",
                    c.slug,
                    m.key
                );
                for q in &quiz.questions {
                    assert!(
                        !q.references.is_empty(),
                        "{}/{}/{} cites no source",
                        c.slug,
                        m.key,
                        q.key
                    );
                }
            }
        }
        for c in &courses {
            assert_eq!(c.languages, [Language::En, Language::Fr], "{}", c.slug);
        }
    }
}
