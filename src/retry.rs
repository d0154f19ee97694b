//! When to try again and how long to wait, as pure functions of the response and the clock.

use crate::providers::{split, HttpResponse, RETRY_AFTER, RETRY_AFTER_MS};

/// Longest server-requested wait we honour; longer requests fall back to our own backoff.
const MAX_RETRY_AFTER_MS: f64 = 60_000.0;

/// The wait the provider asked for: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP date (`at_ms`),
/// else the error's `message` in words ("…, please try again after 1 seconds": Moonshot's rate limits, which send
/// no header); `None` when absent, unreadable or outside 0–60 s. Header values come trimmed by the executor.
pub fn retry_after_ms(resp: &HttpResponse, message: &str, now_ms: f64) -> Option<f64> {
    let ms = resp.header(RETRY_AFTER_MS).and_then(decimal).or_else(|| {
        let v = resp.header(RETRY_AFTER).or_else(|| in_words(message))?;
        // A date already past means now (`f64::max` would link core's `fmax`).
        decimal(v).map(|s| s * 1000.0).or_else(|| at_ms(v).map(|t| if t > now_ms { t - now_ms } else { 0.0 }))
    })?;
    (ms.is_finite() && (0.0..=MAX_RETRY_AFTER_MS).contains(&ms)).then_some(ms)
}

/// The seconds a message states in words, as Moonshot's rate limits do: "…, please try again after 1 seconds".
fn in_words(message: &str) -> Option<&str> {
    let mut words = split(message, b' ');
    while words.next()? != "after" {}
    let n = words.next()?;
    // "seconds", or "second" before a full stop or comma.
    words.next()?.as_bytes().starts_with(b"second").then_some(n)
}

/// A non-negative decimal such as `2` or `0.25` (no sign, exponent or NaN), without core's float parser: 1 to 15
/// digits, then optionally `.` and 1 to 9 more. Summed as one integer, exact below 2^53, then divided once.
fn decimal(s: &str) -> Option<f64> {
    let (mut n, mut scale, mut whole, mut frac) = (0.0, 1.0, 0, None);
    for &c in s.as_bytes() {
        let d = c.wrapping_sub(b'0');
        match (d, &mut frac) {
            (0..=9, None) => whole += 1,
            (0..=9, Some(k)) => {
                *k += 1;
                scale *= 10.0;
            }
            (_, f @ None) if c == b'.' => *f = Some(0),
            _ => return None,
        }
        if d <= 9 {
            n = n * 10.0 + f64::from(d);
        }
    }
    ((1..=15).contains(&whole) && frac.is_none_or(|k| (1..=9).contains(&k))).then_some(n / scale)
}

/// Our own backoff before retry number `n` (0-based): 0.5 s·2^n up to 8 s, shortened by up to 25 % jitter.
/// `random` is in [0, 1).
pub fn backoff_ms(n: u32, random: f64) -> f64 {
    let base = (500.0 * f64::from(1u32 << n.min(4))).min(8000.0);
    base * (1.0 - 0.25 * random.clamp(0.0, 1.0))
}

/// An absolute time the executor read from an HTTP date (the `Date` header; a `Retry-After` that is not a number of
/// seconds): `@` and its Unix milliseconds. The platform's `Date.parse` reads the date, in the three forms RFC 9110
/// asks recipients to accept, so the wasm carries no calendar; anything else, `@NaN` included, is `None`.
pub fn at_ms(v: &str) -> Option<f64> {
    match v.as_bytes() {
        // Not `strip_prefix`, whose generic code costs more wasm than a test of one ASCII byte.
        [b'@', ..] => decimal(v.get(1..)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::test_util::resp;

    #[test]
    fn reads_every_form_of_retry_after() {
        // Sun, 22 Nov 2026 11:00:00 GMT; dates come as the executor hands them over (`@` and Unix milliseconds).
        let now = 1_795_345_200_000.0;
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", "250")], ""), "", now), Some(250.0));
        assert_eq!(retry_after_ms(&resp(429, &[("Retry-After", "2")], ""), "", now), Some(2000.0));
        assert_eq!(retry_after_ms(&resp(429, &[("Retry-After", "0.5")], ""), "", now), Some(500.0));
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "@1795345203000")], ""), "", now), Some(3000.0));
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "@1795341600000")], ""), "", now), Some(0.0));
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "61")], ""), "", now), None);
        // 60 s is the longest wait honoured, itself included.
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "60")], ""), "", now), Some(60_000.0));
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", "60001")], ""), "", now), None);
        // Values come trimmed (the executor trims them, as fetch's Headers do): spaces are not read past.
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", " 5 ")], ""), "", now), None);
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "-1")], ""), "", now), None);
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "soon")], ""), "", now), None);
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", "NaN")], ""), "", now), None);
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", "1e3")], ""), "", now), None);
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", "12.5")], ""), "", now), Some(12.5));
        // Nine decimals are read, a tenth is refused.
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", "7.000000000")], ""), "", now), Some(7.0));
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", "7.0000000000")], ""), "", now), None);
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "1.")], ""), "", now), None);
        assert_eq!(retry_after_ms(&resp(429, &[], ""), "", now), None);
    }

    #[test]
    fn reads_the_wait_a_message_states_in_words() {
        let r = resp(429, &[], "");
        let words = "Your account org-1 request reached organization max RPM: 3, please try again after ";
        for (end, ms) in [("1 seconds", Some(1000.0)), ("2.5 seconds", Some(2500.0)), ("1 second.", Some(1000.0)), ("60 seconds", Some(60_000.0))] {
            assert_eq!(retry_after_ms(&r, &[words, end].concat(), 0.0), ms, "{end}");
        }
        for end in ["61 seconds", "1 minutes", "soon", "-1 seconds", "1", ""] {
            assert_eq!(retry_after_ms(&r, &[words, end].concat(), 0.0), None, "{end}");
        }
        // A header wins over the words.
        let r = resp(429, &[("retry-after", "3")], "");
        assert_eq!(retry_after_ms(&r, "please try again after 1 seconds", 0.0), Some(3000.0));
    }

    #[test]
    fn http_dates_come_read_by_the_platform() {
        assert_eq!(at_ms("@0"), Some(0.0));
        assert_eq!(at_ms("@784111777000"), Some(784111777000.0));
        // The executor marks every date it read; a date it could not read is `@NaN`, one before 1970 negative.
        for bad in ["", "@", "@NaN", "@-5", "@1e12", "784111777000", "Sun, 06 Nov 1994 08:49:37 GMT", "@ 5"] {
            assert_eq!(at_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_down() {
        assert_eq!(backoff_ms(0, 0.0), 500.0);
        assert_eq!(backoff_ms(1, 0.0), 1000.0);
        assert_eq!(backoff_ms(4, 0.0), 8000.0);
        assert_eq!(backoff_ms(30, 0.0), 8000.0);
        assert_eq!(backoff_ms(0, 1.0), 375.0);
        assert!((375.0..=500.0).contains(&backoff_ms(0, 0.5)));
    }
}
