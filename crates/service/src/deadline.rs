//! A request's deadline: the sooner of the client's own `Scheduling.timeout_ms` and the
//! gRPC deadline its library sends as the `grpc-timeout` header, so that a request the
//! client has already given up on is answered `deadline_exceeded` by the engine instead
//! of being computed.

use std::time::Duration;

use tonic::metadata::MetadataMap;

/// The `grpc-timeout` header, if present and well formed: 1 to 8 ASCII digits and a
/// unit, H, M, S, m (milliseconds), u (microseconds) or n (nanoseconds), as the gRPC
/// over HTTP/2 specification writes it. A malformed header is ignored, as tonic's own
/// timeout layer ignores it.
pub fn grpc_timeout(metadata: &MetadataMap) -> Option<Duration> {
    parse(metadata.get("grpc-timeout")?.to_str().ok()?)
}

fn parse(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// The sooner of two optional timeouts.
pub fn sooner(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_and_the_malformed_headers() {
        assert_eq!(parse("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse("3M"), Some(Duration::from_secs(180)));
        assert_eq!(parse("10S"), Some(Duration::from_secs(10)));
        assert_eq!(parse("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse("99999999u"), Some(Duration::from_micros(99_999_999)));
        assert_eq!(parse("5n"), Some(Duration::from_nanos(5)));
        for bad in [
            "",
            "m",
            "123456789m",
            "10",
            "10s",
            "-1S",
            "1.5S",
            " 1S",
            "1Sm",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn sooner_takes_the_smaller_or_the_one_given() {
        let (a, b) = (Duration::from_millis(5), Duration::from_millis(7));
        assert_eq!(sooner(Some(a), Some(b)), Some(a));
        assert_eq!(sooner(Some(b), Some(a)), Some(a));
        assert_eq!(sooner(None, Some(b)), Some(b));
        assert_eq!(sooner(Some(a), None), Some(a));
        assert_eq!(sooner(None, None), None);
    }

    #[test]
    fn read_from_metadata() {
        let mut m = MetadataMap::new();
        assert_eq!(grpc_timeout(&m), None);
        m.insert("grpc-timeout", "1500m".parse().unwrap());
        assert_eq!(grpc_timeout(&m), Some(Duration::from_millis(1500)));
    }
}
