//! Scenario 1: catalogue and lesson reads, anonymous and signed in.

use std::collections::BTreeSet;

use crate::Summary;
use crate::report::Scenario;
use crate::wrk::{Mode, Wrk, request_file, revalidation_file};

use super::Ctx;

/// A GET without a token, as a request file's row.
type Row = (String, String, Option<String>, Option<String>);

fn get(path: String) -> Row {
    ("GET".into(), path, None, None)
}

/// The anonymous reads by kind: the catalogue (in English and in French), each course page,
/// and every lesson, in English and, where the course has it, French.
pub struct Anonymous {
    pub catalogue: Vec<Row>,
    pub outlines: Vec<Row>,
    pub lessons: Vec<Row>,
}

impl Anonymous {
    pub fn all(&self) -> impl Iterator<Item = &Row> {
        self.catalogue
            .iter()
            .chain(&self.outlines)
            .chain(&self.lessons)
    }
}

pub fn anonymous_requests(ctx: &Ctx) -> Anonymous {
    let mut lessons = BTreeSet::new();
    for l in ctx.learners.iter() {
        for id in &l.lessons {
            lessons.insert((l.course.clone(), *id));
        }
    }
    let courses: BTreeSet<&String> = lessons.iter().map(|(c, _)| c).collect();
    let mut out = Anonymous {
        catalogue: vec![
            get("/api/v1/courses".into()),
            get("/api/v1/courses?lang=fr".into()),
        ],
        outlines: Vec::new(),
        lessons: Vec::new(),
    };
    for c in courses {
        for lang in ["en", "fr"] {
            out.outlines
                .push(get(format!("/api/v1/courses/{c}?lang={lang}")));
        }
    }
    for (c, id) in &lessons {
        for lang in ["en", "fr"] {
            out.lessons
                .push(get(format!("/api/v1/courses/{c}/lessons/{id}?lang={lang}")));
        }
    }
    out
}

/// Each anonymous read with the entity tag its answer carries now, to revalidate.
async fn tagged(ctx: &Ctx, rows: &Anonymous) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (_, path, _, _) in rows.all() {
        let res = ctx
            .client
            .get(format!("{}{path}", ctx.base()))
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let tag = res
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("{path}: {} without an ETag", res.status()))?
            .to_owned();
        out.push((path.clone(), tag));
    }
    Ok(out)
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

/// The goal of an anonymous read of published content, as a ratio to `/healthz`.
const READ_GOAL: f64 = 0.5;
/// The goal of a signed-in learner's pages.
const SIGNED_IN_GOAL: f64 = 0.1;
/// The goal of a revalidation answered 304.
const REVALIDATION_GOAL: f64 = 0.7;

pub async fn run(ctx: &Ctx) -> Result<Vec<Scenario>, String> {
    let anon = anonymous_requests(ctx);
    let revalidations = tagged(ctx, &anon).await?;
    let phase = |name: &str, rows: Vec<Row>, expected: &[u16]| -> Result<Summary, String> {
        let file = request_file(ctx.dir.path(), name, rows).map_err(|e| e.to_string())?;
        Ok(
            Wrk::new(ctx.base(), ctx.connections, ctx.phase, Mode::Requests(file))
                .run(expected)?
                .summary,
        )
    };
    let read_row = |id: &str, name: &str, m: Summary| {
        let row = ctx.wrk_row(id, name, m);
        let ratio = row.vs_baseline;
        row.with_goal(
            &format!("≥ {READ_GOAL} of /healthz"),
            ratio,
            ratio >= READ_GOAL,
        )
    };
    let catalogue = phase("catalogue.tsv", anon.catalogue.clone(), &[200])?;
    let outlines = phase("outlines.tsv", anon.outlines.clone(), &[200])?;
    let lessons = phase("lessons.tsv", anon.lessons.clone(), &[200])?;
    let file = revalidation_file(ctx.dir.path(), "revalidations.tsv", revalidations)
        .map_err(|e| e.to_string())?;
    let fresh = Wrk::new(ctx.base(), ctx.connections, ctx.phase, Mode::Requests(file))
        .run(&[304])?
        .summary;
    let learner = request_file(ctx.dir.path(), "learner.tsv", learner_requests(ctx))
        .map_err(|e| e.to_string())?;
    let b = Wrk::new(
        ctx.base(),
        ctx.connections,
        ctx.phase,
        Mode::Requests(learner),
    )
    .run(&[200])?;
    let revalidated = ctx.wrk_row(
        "1e",
        "revalidations of all of 1a, 1c and 1d with their ETag (anonymous; answered 304)",
        fresh,
    );
    let ratio = revalidated.vs_baseline;
    let signed_in = ctx.wrk_row(
        "1b",
        "a learner's course page with progress, and dashboard (signed in, many learners)",
        b.summary,
    );
    let signed_in_ratio = signed_in.vs_baseline;
    Ok(vec![
        read_row(
            "1a",
            "the catalogue (anonymous; English and French)",
            catalogue,
        ),
        read_row(
            "1c",
            "course pages (anonymous; English and French)",
            outlines,
        ),
        read_row(
            "1d",
            "every lesson (anonymous; English and French)",
            lessons,
        ),
        revalidated.with_goal(
            &format!("≥ {REVALIDATION_GOAL} of /healthz"),
            ratio,
            ratio >= REVALIDATION_GOAL,
        ),
        signed_in.with_goal(
            &format!("≥ {SIGNED_IN_GOAL} of /healthz"),
            signed_in_ratio,
            signed_in_ratio >= SIGNED_IN_GOAL,
        ),
    ])
}
