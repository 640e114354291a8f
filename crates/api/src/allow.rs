//! Which methods a path takes, and which media types each operation answers, from the
//! OpenAPI document (built from the same registrations as the app): a known path asked with
//! another method answers 405 with `Allow` instead of 404, and an `Accept` that none of the
//! operation's representations meets answers 406.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{OpenApi, RefOr};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `{name}`: any one non-empty segment, as actix matches it.
    Param,
}

/// Path templates (`/api/v1/cohorts/{id}`) and the methods each takes.
#[derive(Debug, Clone, Default)]
pub struct AllowTable {
    routes: Vec<(Vec<Segment>, Vec<&'static str>)>,
    /// Per template and method, the media types of the successful answers.
    media: Vec<(Vec<Segment>, &'static str, Vec<String>)>,
}

/// The methods a path item can hold, in the order `Allow` lists them.
const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
];

fn operation<'a>(item: &'a PathItem, method: &str) -> Option<&'a Operation> {
    match method {
        "GET" => item.get.as_ref(),
        "HEAD" => item.head.as_ref(),
        "POST" => item.post.as_ref(),
        "PUT" => item.put.as_ref(),
        "PATCH" => item.patch.as_ref(),
        "DELETE" => item.delete.as_ref(),
        "OPTIONS" => item.options.as_ref(),
        "TRACE" => item.trace.as_ref(),
        _ => None,
    }
}

/// The media types an operation's 2xx answers come in.
fn produced(op: &Operation) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (status, response) in &op.responses.responses {
        if let (true, RefOr::T(r)) = (status.starts_with('2'), response) {
            for media in r.content.keys() {
                if !out.contains(media) {
                    out.push(media.clone());
                }
            }
        }
    }
    out
}

/// The methods of a path item, in the order of [`METHODS`].
fn methods(item: &PathItem) -> Vec<&'static str> {
    METHODS
        .into_iter()
        .filter(|m| operation(item, m).is_some())
        .collect()
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

fn template(path: &str) -> Vec<Segment> {
    segments(path)
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Param
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

fn matches(template: &[Segment], asked: &[&str]) -> bool {
    template.len() == asked.len()
        && template.iter().zip(asked).all(|(t, a)| match t {
            Segment::Literal(l) => l == a,
            Segment::Param => !a.is_empty(),
        })
}

impl AllowTable {
    pub fn from_openapi(api: &OpenApi) -> Self {
        let mut table = AllowTable::default();
        for (path, item) in &api.paths.paths {
            let methods = methods(item);
            for m in &methods {
                if let Some(op) = operation(item, m) {
                    table.media.push((template(path), m, produced(op)));
                }
            }
            table.add(path, methods);
        }
        table
    }

    fn add(&mut self, path: &str, methods: Vec<&'static str>) {
        self.routes.push((template(path), methods));
    }

    /// The media types the operation at `path` and `method` answers in; `None` when no
    /// operation matches or it answers without a body. A literal segment wins over a
    /// parameter, as in the router.
    pub fn produces(&self, path: &str, method: &str) -> Option<&[String]> {
        let asked: Vec<&str> = segments(path).collect();
        self.media
            .iter()
            .filter(|(t, m, types)| *m == method && !types.is_empty() && matches(t, &asked))
            .max_by_key(|(t, _, _)| {
                t.iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count()
            })
            .map(|(_, _, types)| types.as_slice())
    }

    /// The methods some template matching `path` takes (empty when none matches), in the
    /// order GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE.
    pub fn allowed(&self, path: &str) -> Vec<&'static str> {
        let asked: Vec<&str> = segments(path).collect();
        let mut out: Vec<&'static str> = Vec::new();
        for (template, methods) in &self.routes {
            if matches(template, &asked) {
                for m in methods {
                    if !out.contains(m) {
                        out.push(m);
                    }
                }
            }
        }
        out.sort_by_key(|m| METHODS.iter().position(|o| o == m));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> AllowTable {
        let mut t = AllowTable::default();
        t.add("/api/v1/cohorts", vec!["GET", "POST"]);
        t.add("/api/v1/cohorts/{id}", vec!["GET", "PATCH"]);
        t.add("/api/v1/cohorts/{id}/close", vec!["POST"]);
        t.add("/api/v1/stats/targets/{id}", vec!["GET", "DELETE"]);
        t.add("/api/v1/stats/targets/summary", vec!["POST"]);
        t
    }

    #[test]
    fn a_literal_path_gives_its_methods() {
        assert_eq!(table().allowed("/api/v1/cohorts"), vec!["GET", "POST"]);
        assert_eq!(table().allowed("/api/v1/cohorts/3f2a/close"), vec!["POST"]);
    }

    #[test]
    fn a_parameter_matches_exactly_one_non_empty_segment() {
        assert_eq!(table().allowed("/api/v1/cohorts/abc"), vec!["GET", "PATCH"]);
        assert!(table().allowed("/api/v1/cohorts/").is_empty());
        assert!(table().allowed("/api/v1/cohorts/a/b").is_empty());
        assert!(table().allowed("/api/v1/cohorts/a/open").is_empty());
    }

    #[test]
    fn unknown_paths_allow_nothing() {
        assert!(table().allowed("/api/v1/nothing-here").is_empty());
        assert!(table().allowed("/").is_empty());
        assert!(table().allowed("/api/v1").is_empty());
    }

    #[test]
    fn overlapping_templates_join_their_methods_in_a_fixed_order() {
        assert_eq!(
            table().allowed("/api/v1/stats/targets/summary"),
            vec!["GET", "POST", "DELETE"]
        );
    }

    #[test]
    fn the_real_document_lists_every_route() {
        let t = AllowTable::from_openapi(&crate::openapi());
        assert_eq!(t.allowed("/api/v1/courses"), vec!["GET"]);
        assert_eq!(t.allowed("/api/v1/auth/login"), vec!["POST"]);
        assert_eq!(t.allowed("/healthz"), vec!["GET"]);
    }

    #[test]
    fn the_real_document_says_what_each_operation_answers_in() {
        let t = AllowTable::from_openapi(&crate::openapi());
        let roster = t.produces("/api/v1/cohorts/7/enrolments", "GET").unwrap();
        assert!(roster.iter().any(|m| m == "application/json"));
        assert!(roster.iter().any(|m| m == "text/csv"));
        assert_eq!(
            t.produces("/api/v1/courses", "GET").unwrap(),
            ["application/json"]
        );
        assert!(t.produces("/api/v1/courses", "DELETE").is_none());
        assert!(t.produces("/api/v1/nothing", "GET").is_none());
    }
}
