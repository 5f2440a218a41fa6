//! Throwaway certificates for `sakke serve --dev` and the tests: a CA, a server
//! certificate for localhost and 127.0.0.1, and one client certificate, all signed by
//! that CA. Never for production: the keys exist only in these PEM strings.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

use crate::authz::fingerprint;

/// A certificate and its private key, PEM.
pub struct Pem {
    pub cert: String,
    pub key: String,
}

pub struct DevCertificates {
    pub ca: Pem,
    pub server: Pem,
    pub client: Pem,
    /// SHA-256 of the client certificate's DER, as the authorisation file names it.
    pub client_fingerprint: String,
}

/// A client certificate, and its fingerprint.
pub struct ClientCertificate {
    pub pem: Pem,
    pub fingerprint: String,
}

fn named(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn
}

/// A CA that can sign further client certificates.
pub struct DevCa {
    key: KeyPair,
    cert: rcgen::Certificate,
}

impl DevCa {
    pub fn new(cn: &str) -> Result<DevCa, rcgen::Error> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        params.distinguished_name = named(cn);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key)?;
        Ok(DevCa { key, cert })
    }

    pub fn pem(&self) -> Pem {
        Pem {
            cert: self.cert.pem(),
            key: self.key.serialize_pem(),
        }
    }

    /// A server certificate for `names` (DNS names or IP addresses).
    pub fn server(&self, names: &[&str]) -> Result<Pem, rcgen::Error> {
        let key = KeyPair::generate()?;
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())?;
        params.distinguished_name = named(names.first().copied().unwrap_or("server"));
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &self.cert, &self.key)?;
        Ok(Pem {
            cert: cert.pem(),
            key: key.serialize_pem(),
        })
    }

    /// A client certificate with subject CN `cn`.
    pub fn client(&self, cn: &str) -> Result<ClientCertificate, rcgen::Error> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        params.distinguished_name = named(cn);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.signed_by(&key, &self.cert, &self.key)?;
        Ok(ClientCertificate {
            fingerprint: fingerprint(cert.der()),
            pem: Pem {
                cert: cert.pem(),
                key: key.serialize_pem(),
            },
        })
    }
}

impl DevCertificates {
    pub fn generate() -> Result<DevCertificates, rcgen::Error> {
        let ca = DevCa::new("sakke serve --dev CA")?;
        let server = ca.server(&["localhost", "127.0.0.1"])?;
        let client = ca.client("sakke-dev-client")?;
        Ok(DevCertificates {
            ca: ca.pem(),
            server,
            client_fingerprint: client.fingerprint,
            client: client.pem,
        })
    }
}
