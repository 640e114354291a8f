//! The certificate as a one-page PDF, written by hand: the standard Helvetica fonts with
//! WinAnsi encoding need no embedded font files. Characters outside that encoding are
//! shown without their diacritics (ă as a), or as '?'.

use std::fmt::Write as _;

use help_lms_persistence::learning::Certificate;
use unicode_normalization::UnicodeNormalization;

/// The byte of `c` in WinAnsiEncoding (Windows-1252), if it has one.
fn win_ansi(c: char) -> Option<u8> {
    let code = c as u32;
    match code {
        0x20..=0x7e | 0xa0..=0xff => Some(code as u8),
        0x2013 => Some(0x96),
        0x2014 => Some(0x97),
        0x2018 => Some(0x91),
        0x2019 => Some(0x92),
        0x201c => Some(0x93),
        0x201d => Some(0x94),
        0x2026 => Some(0x85),
        0x20ac => Some(0x80),
        0x0152 => Some(0x8c),
        0x0153 => Some(0x9c),
        0x0160 => Some(0x8a),
        0x0161 => Some(0x9a),
        0x017d => Some(0x8e),
        0x017e => Some(0x9e),
        _ => None,
    }
}

/// Encodes text as a PDF string literal in WinAnsi.
fn pdf_string(s: &str) -> Vec<u8> {
    let mut out = vec![b'('];
    for c in s.chars() {
        let byte = win_ansi(c)
            .or_else(|| c.nfkd().find_map(win_ansi))
            .unwrap_or(b'?');
        if matches!(byte, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out.push(b')');
    out
}

pub struct Line<'a> {
    pub text: &'a str,
    pub size: u32,
    pub bold: bool,
    /// Distance from the top of the page, in points.
    pub y: u32,
}

/// An A4 landscape page with the given centred lines.
pub fn page(lines: &[Line<'_>]) -> Vec<u8> {
    const W: f64 = 842.0;
    const H: f64 = 595.0;
    let mut content: Vec<u8> = Vec::new();
    // A frame.
    content.extend_from_slice(b"0.15 0.25 0.45 RG 3 w 30 30 782 535 re S 1 w 40 40 762 515 re S\n");
    for l in lines {
        // Helvetica's average glyph width is about half the font size: good enough to centre.
        let width = l.text.chars().count() as f64 * f64::from(l.size) * 0.5;
        let x = ((W - width) / 2.0).max(50.0);
        let y = H - f64::from(l.y);
        let font = if l.bold { "F2" } else { "F1" };
        let mut op = String::new();
        let _ = write!(op, "BT /{font} {} Tf {x:.1} {y:.1} Td ", l.size);
        content.extend_from_slice(op.as_bytes());
        content.extend_from_slice(&pdf_string(l.text));
        content.extend_from_slice(b" Tj ET\n");
    }
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {W} {H}] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>")
            .into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec(),
        {
            let mut s = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
            s.extend_from_slice(&content);
            s.extend_from_slice(b"\nendstream");
            s
        },
    ];
    let mut pdf: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(o);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        let _ = writeln!(tail, "{off:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    pdf.extend_from_slice(tail.as_bytes());
    pdf
}

/// The printable certificate; `verification_url` is printed under the code.
pub fn certificate(c: &Certificate, verification_url: &str) -> Vec<u8> {
    let date = c.issued_at.format("%d %B %Y").to_string();
    let hours = format!(
        "{} hours of study, final score {:.0}%",
        c.estimated_hours, c.final_score
    );
    let version = format!("course version {}", c.course_version);
    let code_line = format!("Verification code: {}", c.code);
    let lines = [
        Line {
            text: "HELP - Human Rights Education for Legal Professionals",
            size: 14,
            bold: false,
            y: 90,
        },
        Line {
            text: "Certificate of completion",
            size: 30,
            bold: true,
            y: 150,
        },
        Line {
            text: "This certifies that",
            size: 14,
            bold: false,
            y: 210,
        },
        Line {
            text: &c.learner_name,
            size: 26,
            bold: true,
            y: 255,
        },
        Line {
            text: "has completed the course",
            size: 14,
            bold: false,
            y: 300,
        },
        Line {
            text: &c.course_title,
            size: 18,
            bold: true,
            y: 340,
        },
        Line {
            text: &version,
            size: 11,
            bold: false,
            y: 365,
        },
        Line {
            text: &hours,
            size: 12,
            bold: false,
            y: 400,
        },
        Line {
            text: &date,
            size: 12,
            bold: false,
            y: 425,
        },
        Line {
            text: &code_line,
            size: 12,
            bold: true,
            y: 490,
        },
        Line {
            text: verification_url,
            size: 10,
            bold: false,
            y: 510,
        },
    ];
    page(&lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_a_well_formed_pdf() {
        let pdf = page(&[Line {
            text: "Certificate (HELP) for Ana Căldăraru",
            size: 20,
            bold: true,
            y: 100,
        }]);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        // Parentheses are escaped, and ă falls back to a.
        assert!(text.contains("Certificate \\(HELP\\) for Ana Caldararu"));
        // The startxref offset points at the cross-reference table (in bytes).
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[xref_at..].starts_with(b"xref"));
    }

    #[test]
    fn latin1_characters_are_kept() {
        assert_eq!(
            pdf_string("Élise Müller"),
            [&b"("[..], &[0xc9], b"lise M", &[0xfc], b"ller)"].concat()
        );
    }
}
