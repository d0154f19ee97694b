//! When to try again and how long to wait, as pure functions of the response and the clock.

use crate::json::{digits, uint};
use crate::providers::{cut, HttpResponse, RETRY_AFTER, RETRY_AFTER_MS};

/// Longest server-requested wait we honour; longer requests fall back to our own backoff.
const MAX_RETRY_AFTER_MS: f64 = 60_000.0;

/// The wait the provider asked for: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP date;
/// `None` when absent, unreadable or outside 0–60 s.
pub fn retry_after_ms(resp: &HttpResponse, now_ms: f64) -> Option<f64> {
    let ms = resp.header(RETRY_AFTER_MS).and_then(|v| decimal(v.trim_ascii())).or_else(|| {
        let v = resp.header(RETRY_AFTER)?.trim_ascii();
        // A date already past means now (`f64::max` would link core's `fmax`).
        decimal(v).map(|s| s * 1000.0).or_else(|| http_date_ms(v).map(|t| if t > now_ms { t - now_ms } else { 0.0 }))
    })?;
    (ms.is_finite() && (0.0..=MAX_RETRY_AFTER_MS).contains(&ms)).then_some(ms)
}

/// A non-negative decimal such as `2` or `0.25` (no sign, exponent or NaN), without core's float parser.
fn decimal(s: &str) -> Option<f64> {
    let (int, frac) = cut(s, b'.').unwrap_or((s, "0"));
    // `uint` refuses empty parts and anything but digits.
    if int.len() > 15 || frac.len() > 9 {
        return None;
    }
    let whole = uint(int)? as f64;
    // frac has at most 9 digits, so the power of ten is exact (core has no powi without std).
    let part = uint(frac)? as f64 / 10u64.pow(frac.len() as u32) as f64;
    Some(whole + part)
}

/// Our own backoff before retry number `n` (0-based): 0.5 s·2^n up to 8 s, shortened by up to 25 % jitter.
/// `random` is in [0, 1).
pub fn backoff_ms(n: u32, random: f64) -> f64 {
    let base = (500.0 * f64::from(1u32 << n.min(4))).min(8000.0);
    base * (1.0 - 0.25 * random.clamp(0.0, 1.0))
}

/// Milliseconds since the epoch of an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT` (the one form RFC 9110
/// lets servers send), read by the fixed place of each field.
pub fn http_date_ms(s: &str) -> Option<f64> {
    let t = cut(s, b',')?.1.as_bytes();
    let at = |a: usize, n: usize| t.get(a..a + n);
    let num = |a: usize, n: usize| at(a, n).and_then(digits).map(|v| v as i64);
    // " 06 Nov 1994 08:49:37 GMT": the separators, then the numbers, each checked.
    let layout = t.len() == 25 && at(0, 1)? == b" " && at(3, 1)? == b" " && at(7, 1)? == b" " && at(12, 1)? == b" ";
    if !layout || at(15, 1)? != b":" || at(18, 1)? != b":" || at(21, 4)? != b" GMT" {
        return None;
    }
    let month = b"JanFebMarAprMayJunJulAugSepOctNovDec".chunks(3).position(|m| Some(m) == at(4, 3))? as i64 + 1;
    let (day, year, h, m, sec) = (num(1, 2)?, num(8, 4)?, num(13, 2)?, num(16, 2)?, num(19, 2)?);
    if !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    // Days from civil date (Howard Hinnant's algorithm); the year has four digits, so nothing overflows.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + h * 3600 + m * 60 + sec) * 1000) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::test_util::resp;

    #[test]
    fn reads_every_form_of_retry_after() {
        let now = http_date_ms("Sun, 22 Nov 2026 11:00:00 GMT").unwrap();
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", "250")], ""), now), Some(250.0));
        assert_eq!(retry_after_ms(&resp(429, &[("Retry-After", "2")], ""), now), Some(2000.0));
        assert_eq!(retry_after_ms(&resp(429, &[("Retry-After", "0.5")], ""), now), Some(500.0));
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "Sun, 22 Nov 2026 11:00:03 GMT")], ""), now), Some(3000.0));
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "Sun, 22 Nov 2026 10:00:00 GMT")], ""), now), Some(0.0));
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "61")], ""), now), None);
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "-1")], ""), now), None);
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "soon")], ""), now), None);
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", "NaN")], ""), now), None);
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", "1e3")], ""), now), None);
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after-ms", "12.5")], ""), now), Some(12.5));
        assert_eq!(retry_after_ms(&resp(429, &[("retry-after", "1.")], ""), now), None);
        assert_eq!(retry_after_ms(&resp(429, &[], ""), now), None);
    }

    #[test]
    fn http_dates() {
        assert_eq!(http_date_ms("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0.0));
        assert_eq!(http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784111777000.0));
        assert_eq!(http_date_ms("Tue, 29 Feb 2028 23:59:59 GMT"), Some(1835481599000.0));
        for bad in ["", "06 Nov 1994", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT ", "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:60:37 GMT", "Sun, 06 Nov 1994 08-49-37 GMT"] {
            assert_eq!(http_date_ms(bad), None, "{bad}");
        }
        // Out-of-range fields are refused rather than overflowing the day arithmetic.
        for bad in ["Sun, 06 Nov 99999999999999 08:49:37 GMT", "Sun, 06 Nov 1994 -5:49:37 GMT"] {
            assert_eq!(http_date_ms(bad), None, "{bad}");
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
