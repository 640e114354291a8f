//! Scenario 1: catalogue and lesson reads, anonymous and signed in.

use std::collections::BTreeSet;

use crate::report::Scenario;
use crate::wrk::{Mode, Wrk, request_file};

use super::Ctx;

/// The anonymous reads: the catalogue, each course page and every lesson, in English and,
/// where the course has it, French.
pub fn anonymous_requests(ctx: &Ctx) -> Vec<(String, String, Option<String>, Option<String>)> {
    let mut lessons = BTreeSet::new();
    for l in ctx.learners.iter() {
        for id in &l.lessons {
            lessons.insert((l.course.clone(), *id));
        }
    }
    let courses: BTreeSet<&String> = lessons.iter().map(|(c, _)| c).collect();
    let mut rows = vec![("GET".into(), "/api/v1/courses".into(), None, None)];
    for c in courses {
        rows.push(("GET".into(), format!("/api/v1/courses/{c}"), None, None));
    }
    for (c, id) in &lessons {
        for lang in ["en", "fr"] {
            rows.push((
                "GET".into(),
                format!("/api/v1/courses/{c}/lessons/{id}?lang={lang}"),
                None,
                None,
            ));
        }
    }
    rows
}

/// A signed-in learner's pages: the course with their progress and resume point, and their
/// dashboard, for many learners in turn.
pub fn learner_requests(ctx: &Ctx) -> Vec<(String, String, Option<String>, Option<String>)> {
    let mut rows = Vec::new();
    for l in ctx.learners.iter().take(if ctx.smoke { 50 } else { 5_000 }) {
        rows.push((
            "GET".into(),
            format!("/api/v1/enrolments/{}", l.enrolment),
            Some(l.token.clone()),
            None,
        ));
        rows.push((
            "GET".into(),
            "/api/v1/me/enrolments".into(),
            Some(l.token.clone()),
            None,
        ));
    }
    rows
}

pub fn run(ctx: &Ctx) -> Result<Vec<Scenario>, String> {
    let anon = request_file(ctx.dir.path(), "anonymous.tsv", anonymous_requests(ctx))
        .map_err(|e| e.to_string())?;
    let learner = request_file(ctx.dir.path(), "learner.tsv", learner_requests(ctx))
        .map_err(|e| e.to_string())?;
    let a = Wrk::new(ctx.base(), ctx.connections, ctx.phase, Mode::Requests(anon)).run(&[200])?;
    let b = Wrk::new(
        ctx.base(),
        ctx.connections,
        ctx.phase,
        Mode::Requests(learner),
    )
    .run(&[200])?;
    Ok(vec![
        ctx.wrk_row(
            "1a",
            "catalogue, course pages and lessons (anonymous; English and French)",
            a.summary,
        ),
        ctx.wrk_row(
            "1b",
            "a learner's course page with progress, and dashboard (signed in, many learners)",
            b.summary,
        ),
    ])
}
