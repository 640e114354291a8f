//! The certificate as a PDF a learner can print and frame: one A4 landscape page in the
//! certificate's language, set in DejaVu Sans, which is embedded (subset, with its Unicode
//! map) so that every alphabet of the Council of Europe's member states prints and reads
//! back exactly: Latin with every diacritic, Greek, Cyrillic, Georgian and Armenian. The
//! file is PDF/A-2u (archival, with text that extracts as Unicode). A QR code holds the
//! public verification address.

use chrono::{Datelike as _, Timelike as _};
use help_lms_persistence::learning::Certificate;
use krilla::Document;
use krilla::SerializeSettings;
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder, Validator};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use super::wording::{self, Wording};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const W: f32 = 842.0;
const H: f32 = 595.0;
/// The widest a line may be.
const MEASURE: f32 = 700.0;
const NAVY: (u8, u8, u8) = (0, 51, 153);
const INK: (u8, u8, u8) = (26, 26, 26);
const GREY: (u8, u8, u8) = (90, 90, 90);

struct Face {
    font: Font,
    shaper: rustybuzz::Face<'static>,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Result<Face, String> {
        Ok(Face {
            font: Font::new(bytes.into(), 0).ok_or("the embedded font does not load")?,
            shaper: rustybuzz::Face::from_slice(bytes, 0)
                .ok_or("the embedded font does not shape")?,
        })
    }

    /// The width of `text` set at `size`, as krilla will set it (the same shaper).
    fn width(&self, text: &str, size: f32) -> f32 {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(&self.shaper, &[], buffer);
        let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
        units as f32 * size / self.shaper.units_per_em() as f32
    }
}

fn fill((r, g, b): (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::default(),
    }
}

struct Page<'a, 'b> {
    surface: Surface<'b>,
    regular: &'a Face,
    bold: &'a Face,
}

impl Page<'_, '_> {
    /// One line centred on the page with its baseline at `y`, made smaller (down to half)
    /// if it would not fit the measure.
    fn centred(&mut self, text: &str, y: f32, size: f32, bold: bool, colour: (u8, u8, u8)) {
        let face = if bold { self.bold } else { self.regular };
        let mut size = size;
        let mut width = face.width(text, size);
        if width > MEASURE {
            size = (size * MEASURE / width).max(size / 2.0);
            width = face.width(text, size);
        }
        self.surface.set_fill(Some(fill(colour)));
        self.surface.draw_text(
            Point::from_xy((W - width) / 2.0, y),
            face.font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    fn left(&mut self, text: &str, x: f32, y: f32, size: f32, colour: (u8, u8, u8)) {
        self.surface.set_fill(Some(fill(colour)));
        self.surface.draw_text(
            Point::from_xy(x, y),
            self.regular.font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    fn frame(&mut self, inset: f32, width: f32) {
        let mut pb = PathBuilder::new();
        if let Some(r) = Rect::from_xywh(inset, inset, W - 2.0 * inset, H - 2.0 * inset) {
            pb.push_rect(r);
        }
        if let Some(path) = pb.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(NAVY.0, NAVY.1, NAVY.2).into(),
                width,
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
        }
    }

    /// The QR code of `text`, `size` points wide, its top left corner at (`x`, `y`).
    fn qr(&mut self, text: &str, x: f32, y: f32, size: f32) -> Result<(), String> {
        let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
            .map_err(|e| e.to_string())?;
        let n = code.width();
        let colours = code.to_colors();
        // Four modules of quiet zone on each side, as readers expect.
        let module = size / (n + 8) as f32;
        let mut pb = PathBuilder::new();
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if colours[row * n + col] == qrcode::Color::Dark {
                    let start = col;
                    while col < n && colours[row * n + col] == qrcode::Color::Dark {
                        col += 1;
                    }
                    if let Some(r) = Rect::from_xywh(
                        x + (start + 4) as f32 * module,
                        y + (row + 4) as f32 * module,
                        (col - start) as f32 * module,
                        module,
                    ) {
                        pb.push_rect(r);
                    }
                } else {
                    col += 1;
                }
            }
        }
        if let Some(path) = pb.finish() {
            self.surface.set_fill(Some(fill((0, 0, 0))));
            self.surface.draw_path(&path);
        }
        Ok(())
    }
}

/// Splits `text` into at most two lines that fit the measure at `size`.
fn two_lines(face: &Face, text: &str, size: f32) -> Vec<String> {
    if face.width(text, size) <= MEASURE {
        return vec![text.to_owned()];
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut best = (f32::MAX, 1);
    for cut in 1..words.len() {
        let (a, b) = (words[..cut].join(" "), words[cut..].join(" "));
        let widest = face.width(&a, size).max(face.width(&b, size));
        if widest < best.0 {
            best = (widest, cut);
        }
    }
    if words.len() < 2 {
        return vec![text.to_owned()];
    }
    vec![words[..best.1].join(" "), words[best.1..].join(" ")]
}

/// The certificate's PDF; `url` is its public verification address.
pub fn certificate(c: &Certificate, url: &str) -> Result<Vec<u8>, String> {
    let w = wording::of(c.language);
    let regular = Face::load(REGULAR)?;
    let bold = Face::load(BOLD)?;
    let configuration = ConfigurationBuilder::new()
        .set_validator(Validator::A(Archival::A2_U))
        .finish()
        .map_err(|e| format!("{e:?}"))?;
    let mut doc = Document::new_with(SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    });
    let issued = c.issued_at;
    doc.set_metadata(
        Metadata::new()
            .title(format!("{} – {}", w.title, c.learner_name))
            .description(format!("{}. {} {url}", c.course_title, w.verify_at))
            .language(w.lang.to_owned())
            .creator("help-lms".to_owned())
            .authors(vec![super::badge::ISSUER_NAME.to_owned()])
            .creation_date(
                DateTime::new(issued.year() as u16)
                    .month(issued.month() as u8)
                    .day(issued.day() as u8)
                    .hour(issued.hour() as u8)
                    .minute(issued.minute() as u8)
                    .second(issued.second() as u8)
                    .utc_offset_hour(0)
                    .utc_offset_minute(0),
            ),
    );
    let settings = PageSettings::from_wh(W, H).ok_or("no A4 page")?;
    let mut page = doc.start_page_with(settings);
    {
        let mut p = Page {
            surface: page.surface(),
            regular: &regular,
            bold: &bold,
        };
        draw(&mut p, c, w, url)?;
        p.surface.finish();
    }
    page.finish();
    doc.finish().map_err(|e| format!("{e:?}"))
}

fn draw(p: &mut Page<'_, '_>, c: &Certificate, w: &Wording, url: &str) -> Result<(), String> {
    p.frame(18.0, 2.5);
    p.frame(26.0, 0.75);
    p.centred(w.programme, 74.0, 15.0, true, NAVY);
    p.centred(w.programme_full, 94.0, 11.0, false, GREY);
    p.centred(w.title, 160.0, 34.0, true, NAVY);
    p.centred(w.certifies, 204.0, 14.0, false, INK);
    p.centred(&c.learner_name, 252.0, 30.0, true, INK);
    p.centred(w.completed, 290.0, 14.0, false, INK);
    let lines = two_lines(p.bold, &c.course_title, 20.0);
    let mut y = 326.0;
    for line in &lines {
        p.centred(line, y, 20.0, true, NAVY);
        y += 26.0;
    }
    y += 6.0;
    let facts = format!(
        "{}{}{}   ·   {}{}{}   ·   {} {}",
        w.hours,
        w.colon,
        w.hours_of(c.estimated_hours),
        w.score,
        w.colon,
        w.percent(c.final_score),
        w.completed_on,
        w.date(c.issued_at.date_naive()),
    );
    p.centred(&facts, y, 12.0, false, INK);
    if let Some(run) = &c.run {
        y += 22.0;
        p.centred(
            &format!(
                "{} {}, {}",
                w.run_by,
                run.institution,
                w.period(run.starts_on, run.ends_on)
            ),
            y,
            11.0,
            false,
            GREY,
        );
        if !run.tutors.is_empty() {
            y += 17.0;
            let label = if run.tutors.len() > 1 {
                w.tutors
            } else {
                w.tutor
            };
            p.centred(
                &format!("{label}{}{}", w.colon, run.tutors.join(", ")),
                y,
                11.0,
                false,
                GREY,
            );
        }
    }
    // The verification block, bottom left: the QR code, then the address and the code.
    p.qr(url, 44.0, 455.0, 100.0)?;
    p.left(w.verify_at, 150.0, 500.0, 10.0, GREY);
    p.left(url, 150.0, 515.0, 10.0, INK);
    p.left(
        &format!("{}{}{}", w.code, w.colon, c.code),
        150.0,
        532.0,
        10.0,
        INK,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone as _, Utc};
    use help_lms_domain::values::Language;
    use help_lms_persistence::learning::TutoredRun;

    fn sample(name: &str, language: Language) -> Certificate {
        Certificate {
            id: uuid::Uuid::nil(),
            code: "ABCD-EFGH-JKMN-PQRS-TVWX".to_owned(),
            enrolment_id: uuid::Uuid::nil(),
            user_id: uuid::Uuid::nil(),
            course_id: uuid::Uuid::nil(),
            course_version: 1,
            learner_name: name.to_owned(),
            course_title: "International cooperation in criminal matters with a focus on pre-trial detention and its alternatives".to_owned(),
            language,
            issued_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 15, 0).unwrap(),
            final_score: 87.5,
            estimated_hours: 5.0,
            revoked_at: None,
            revoked_reason: None,
            run: Some(TutoredRun {
                institution: "Institutul Național al Magistraturii".to_owned(),
                tutors: vec!["Ana Popescu".to_owned(), "Ion Ionescu".to_owned()],
                starts_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                ends_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            }),
            status_index: 0,
            erased_at: None,
        }
    }

    #[test]
    fn every_alphabet_prints_into_a_pdf_a_file() {
        for name in [
            "Мария Иванова",
            "Γιώργος Παπαδόπουλος",
            "Vâlcu-Șerban Mădălina",
            "ნინო ბერიძე",
            "Արամ Պետրոսյան",
        ] {
            let pdf =
                certificate(&sample(name, Language::Fr), "https://h.example/verify/X").unwrap();
            assert!(pdf.starts_with(b"%PDF-"), "{name}");
            // PDF/A identifies itself in the XMP metadata.
            let text = String::from_utf8_lossy(&pdf);
            assert!(text.contains("pdfaid:part"), "{name}");
        }
    }

    #[test]
    fn widths_grow_with_the_text_and_long_titles_break_in_two() {
        let f = Face::load(REGULAR).unwrap();
        assert!(f.width("Мария Иванова", 12.0) > f.width("Мария", 12.0));
        assert!((f.width("ab", 24.0) - 2.0 * f.width("ab", 12.0)).abs() < 0.01);
        let title = sample("x", Language::En).course_title;
        let lines = two_lines(&f, &title, 20.0);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines.join(" "), title);
    }
}
