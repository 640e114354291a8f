//! HTML from text: lesson bodies rendered from Markdown, safe to insert into a page whatever
//! the source contains (no scripts, no event handlers, no `javascript:` links), and plain
//! text escaped for the pages and messages that interpolate it.

use pulldown_cmark::{Options, Parser, html};

/// Renders CommonMark (with tables, footnotes and strikethrough) and sanitises the result.
pub fn render_safe_html(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let parser = Parser::new_ext(markdown, opts);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&raw)
        .to_string()
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_markdown() {
        let html = render_safe_html(
            "## Article 5\n\nNo one shall be *deprived* of liberty.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(html.contains("<h2>Article 5</h2>"));
        assert!(html.contains("<em>deprived</em>"));
        assert!(html.contains("<table>"));
    }

    #[test]
    fn strips_active_content() {
        let nasty = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n\n<a href=\"JaVaScRiPt:alert(1)\">x</a>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n<p style=\"x\" onclick=\"steal()\">hi</p>";
        let html = render_safe_html(nasty).to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "<iframe",
            "alert(1)</script",
        ] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("hi"));
    }

    #[test]
    fn links_are_kept_and_marked() {
        let html = render_safe_html("[HUDOC](https://hudoc.echr.coe.int)");
        assert!(html.contains("href=\"https://hudoc.echr.coe.int\""));
        assert!(html.contains("noopener"));
    }
}
