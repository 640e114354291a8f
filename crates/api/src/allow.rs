//! Which methods a path takes, from the OpenAPI document (built from the same registrations
//! as the app), so that a known path asked with another method answers 405 with `Allow`
//! instead of 404.

use utoipa::openapi::OpenApi;
use utoipa::openapi::path::PathItem;

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
}

/// The methods of a path item, in a fixed order.
fn methods(item: &PathItem) -> Vec<&'static str> {
    [
        ("GET", item.get.is_some()),
        ("HEAD", item.head.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
        ("OPTIONS", item.options.is_some()),
        ("TRACE", item.trace.is_some()),
    ]
    .into_iter()
    .filter_map(|(m, present)| present.then_some(m))
    .collect()
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

impl AllowTable {
    pub fn from_openapi(api: &OpenApi) -> Self {
        let mut table = AllowTable::default();
        for (path, item) in &api.paths.paths {
            table.add(path, methods(item));
        }
        table
    }

    fn add(&mut self, template: &str, methods: Vec<&'static str>) {
        let segs = segments(template)
            .map(|s| {
                if s.starts_with('{') && s.ends_with('}') {
                    Segment::Param
                } else {
                    Segment::Literal(s.to_owned())
                }
            })
            .collect();
        self.routes.push((segs, methods));
    }

    /// The methods some template matching `path` takes (empty when none matches), in the
    /// order GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE.
    pub fn allowed(&self, path: &str) -> Vec<&'static str> {
        let asked: Vec<&str> = segments(path).collect();
        let mut out: Vec<&'static str> = Vec::new();
        for (template, methods) in &self.routes {
            let matches = template.len() == asked.len()
                && template.iter().zip(&asked).all(|(t, a)| match t {
                    Segment::Literal(l) => l == a,
                    Segment::Param => !a.is_empty(),
                });
            if matches {
                for m in methods {
                    if !out.contains(m) {
                        out.push(m);
                    }
                }
            }
        }
        let order = [
            "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
        ];
        out.sort_by_key(|m| order.iter().position(|o| o == m));
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
}
