//! The median days to complete, estimated from a histogram of completion durations.
//!
//! Durations are counted in buckets (exact days up to two weeks, weeks up to 14 weeks,
//! 30-day months up to a year, then years) so that the median comes out of the same
//! GROUP BY as the counts. The bucket SQL of the statistics queries and these functions
//! must agree.

use std::collections::BTreeMap;

/// The width in days of the bucket starting at `lower`.
pub fn bucket_width(lower: i64) -> i64 {
    match lower {
        ..14 => 1,
        14..98 => 7,
        98..368 => 30,
        _ => 365,
    }
}

/// The bucket (its lower bound) a duration in whole days falls in.
pub fn bucket_of(days: i64) -> i64 {
    match days {
        ..14 => days,
        14..98 => 14 + ((days - 14) / 7) * 7,
        98..368 => 98 + ((days - 98) / 30) * 30,
        _ => 368 + ((days - 368) / 365) * 365,
    }
}

/// The median of a histogram of whole days `(bucket lower bound, count)`, to one decimal.
/// Exact while every value is under 14 days; within wider buckets the values are taken as
/// spread evenly, so the error is at most half the bucket's width.
pub fn median_of_histogram(buckets: &BTreeMap<i64, u64>) -> Option<f64> {
    let n: u64 = buckets.values().sum();
    if n == 0 {
        return None;
    }
    let value_at = |rank: u64| -> f64 {
        let mut seen = 0;
        for (&lower, &count) in buckets {
            if rank < seen + count {
                let width = bucket_width(lower);
                if width == 1 {
                    return lower as f64;
                }
                let within = (rank - seen) as f64 + 0.5;
                return lower as f64 + width as f64 * within / count as f64;
            }
            seen += count;
        }
        0.0
    };
    let m = (value_at((n - 1) / 2) + value_at(n / 2)) / 2.0;
    Some((m * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(values: &[i64]) -> BTreeMap<i64, u64> {
        let mut h = BTreeMap::new();
        for v in values {
            *h.entry(bucket_of(*v)).or_default() += 1;
        }
        h
    }

    #[test]
    fn buckets_cover_every_duration_without_gaps() {
        let mut expected_next = 0;
        let mut lower = 0;
        while lower < 2000 {
            assert_eq!(bucket_of(lower), lower, "{lower} starts a bucket");
            let w = bucket_width(lower);
            for d in lower..lower + w {
                assert_eq!(bucket_of(d), lower, "day {d}");
            }
            expected_next += w;
            lower += w;
            assert_eq!(lower, expected_next);
        }
    }

    #[test]
    fn buckets_at_their_edges() {
        for (days, bucket, width) in [
            (0, 0, 1),
            (13, 13, 1),
            (14, 14, 7),
            (20, 14, 7),
            (21, 21, 7),
            (97, 91, 7),
            (98, 98, 30),
            (367, 338, 30),
            (368, 368, 365),
            (732, 368, 365),
            (733, 733, 365),
        ] {
            assert_eq!(bucket_of(days), bucket, "bucket of {days}");
            assert_eq!(bucket_width(bucket), width, "width at {bucket}");
        }
    }

    #[test]
    fn the_median_is_exact_for_short_durations() {
        for (values, median) in [
            (&[][..], None),
            (&[3][..], Some(3.0)),
            (&[0, 1, 5][..], Some(1.0)),
            (&[2, 3, 10, 13][..], Some(6.5)),
            (&[0, 0, 0, 1][..], Some(0.0)),
            (&[13, 1][..], Some(7.0)),
        ] {
            assert_eq!(median_of_histogram(&hist(values)), median, "{values:?}");
        }
    }

    #[test]
    fn the_median_of_long_durations_stays_within_its_bucket() {
        for (values, bucket) in [
            // 30, 31, 32 fall in the week bucket 28..35: the estimate lies in it.
            (&[1, 30, 31, 32, 200][..], 28.0..35.0),
            (&[400, 500, 600][..], 368.0..733.0),
            (&[100, 101, 102][..], 98.0..128.0),
        ] {
            let m = median_of_histogram(&hist(values)).unwrap();
            assert!(bucket.contains(&m), "{values:?}: {m}");
        }
    }
}
