//! The service's own counters (answers by method and gRPC code), rendered after the
//! engine's in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use tonic::Code;

/// The methods, in the order they are counted and rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Decapsulate = 0,
    Encapsulate = 1,
    OpenIMessage = 2,
    /// One count per item of a stream.
    DecapsulateStream = 3,
}

impl Method {
    const ALL: [Method; 4] = [
        Method::Decapsulate,
        Method::Encapsulate,
        Method::OpenIMessage,
        Method::DecapsulateStream,
    ];

    fn name(self) -> &'static str {
        match self {
            Method::Decapsulate => "Decapsulate",
            Method::Encapsulate => "Encapsulate",
            Method::OpenIMessage => "OpenIMessage",
            Method::DecapsulateStream => "DecapsulateStream",
        }
    }
}

/// gRPC codes run from 0 (OK) to 16 (UNAUTHENTICATED).
const CODES: usize = 17;

#[derive(Default)]
pub struct Counters {
    answers: [[AtomicU64; CODES]; 4],
}

impl Counters {
    pub fn count(&self, method: Method, code: Code) {
        let code = (code as usize).min(CODES - 1);
        self.answers[method as usize][code].fetch_add(1, Ordering::Relaxed);
    }

    /// `sakke_service_answers_total{method, code}` for every pair seen so far.
    pub fn render_prometheus(&self) -> String {
        let mut out = String::from(
            "# HELP sakke_service_answers_total gRPC answers by method and status code.\n\
             # TYPE sakke_service_answers_total counter\n",
        );
        for method in Method::ALL {
            for (code, n) in self.answers[method as usize].iter().enumerate() {
                let n = n.load(Ordering::Relaxed);
                if n > 0 {
                    let code = format!("{:?}", Code::from(code as i32));
                    let _ = writeln!(
                        out,
                        "sakke_service_answers_total{{method=\"{}\",code=\"{code}\"}} {n}",
                        method.name()
                    );
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_by_method_and_code() {
        let c = Counters::default();
        c.count(Method::Decapsulate, Code::Ok);
        c.count(Method::Decapsulate, Code::Ok);
        c.count(Method::OpenIMessage, Code::PermissionDenied);
        let text = c.render_prometheus();
        assert!(text.contains("sakke_service_answers_total{method=\"Decapsulate\",code=\"Ok\"} 2"));
        assert!(text.contains("{method=\"OpenIMessage\",code=\"PermissionDenied\"} 1"));
        assert!(!text.contains("Encapsulate\""));
    }
}
