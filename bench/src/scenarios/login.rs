//! Scenario 6: a login flood. Wrong passwords for ever new email addresses, from one
//! address and then from ever new addresses, while signed-in learners keep reading their
//! pages; the learners must keep at least half of the throughput they have alone.

use crate::report::Scenario;
use crate::wrk::{Mode, Wrk, WrkResult, request_file};

use super::{Ctx, reads};

fn flood_and_read(
    ctx: &Ctx,
    readers: &Wrk,
    forwarded: bool,
) -> Result<(WrkResult, WrkResult), String> {
    let flood = Wrk {
        threads: 1,
        ..Wrk::new(
            ctx.base(),
            if ctx.smoke { 4 } else { 32 },
            ctx.phase,
            Mode::LoginFlood { forwarded },
        )
    };
    let handle = std::thread::spawn(move || flood.run(&[401, 429]));
    let read = readers.run(&[200])?;
    let flood = handle
        .join()
        .map_err(|_| "the flood thread panicked".to_owned())??;
    Ok((flood, read))
}

pub fn run(ctx: &Ctx) -> Result<Vec<Scenario>, String> {
    let file = request_file(
        ctx.dir.path(),
        "learner-flood.tsv",
        reads::learner_requests(ctx),
    )
    .map_err(|e| e.to_string())?;
    let readers = Wrk::new(ctx.base(), ctx.connections, ctx.phase, Mode::Requests(file));
    let alone = readers.run(&[200])?;
    let mut rows = Vec::new();
    for (id, forwarded, what) in [
        ("6a", false, "from one address"),
        (
            "6b",
            true,
            "from ever new addresses (X-Forwarded-For, trusted as behind a proxy)",
        ),
    ] {
        let (flood, read) = flood_and_read(ctx, &readers, forwarded)?;
        let kept = read.summary.throughput / alone.summary.throughput.max(f64::MIN_POSITIVE);
        let count = |code: u16| flood.status.get(&code).copied().unwrap_or(0);
        rows.push(
            ctx.wrk_row(
                id,
                &format!("learners' pages (as 1b) during a login flood {what}"),
                read.summary,
            )
            .with_goal("keeps ≥ 0.5 of its throughput alone", kept, kept >= 0.5)
            .note(format!(
                "the flood: {} login attempts in {:.0} s on {} connections ({:.0}/s): {} answered 401 (wrong password, an argon2 verification each), {} answered 429 (throttled), {} other or failed; the learners alone: {:.0}/s, p95 {:.1} ms",
                flood.summary.requests,
                flood.summary.seconds,
                if ctx.smoke { 4 } else { 32 },
                flood.summary.requests as f64 / flood.summary.seconds.max(f64::MIN_POSITIVE),
                count(401),
                count(429),
                flood.summary.errors,
                alone.summary.throughput,
                alone.summary.p95_ms
            )),
        );
    }
    Ok(rows)
}
