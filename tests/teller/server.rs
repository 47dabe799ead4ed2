//! A scripted Teller server on 127.0.0.1:0, built from Teller's API reference (2020-10-12):
//! HTTPS that asks for a client certificate signed by a throwaway CA made here (`Pki`), and,
//! as Teller documents, answers a request without one with 400 `bad_request` "Missing
//! certificate"; one from another CA fails the handshake. Every request must carry HTTP Basic
//! with the access token as user and an empty password, and `Teller-Version: 2020-10-12`;
//! anything else is recorded as a violation, which the tests assert never happens.
//! `/accounts/{id}/transactions` pages newest first by `count` and `from_id`.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{Value, json};

/// The enrollment's access token: a test greps the database and outputs for it.
pub const ACCESS_TOKEN: &str = "token_6xqbq2zzl4hlmkzn3yr7afy4xe";

/// A throwaway CA, the server's certificate, a client certificate the server trusts, and one
/// from another CA that it does not.
pub struct Pki {
    pub ca: String,
    pub client_cert: String,
    pub client_key: String,
    pub stranger_cert: String,
    pub stranger_key: String,
    server: rustls::ServerConfig,
}

fn ca(name: &str) -> (Issuer<'static, KeyPair>, String) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (Issuer::new(params, key), cert.pem())
}

fn leaf(issuer: &Issuer<'_, KeyPair>, san: &str, usage: ExtendedKeyUsagePurpose) -> (String, KeyPair) {
    let mut params = CertificateParams::new(vec![san.to_string()]).unwrap();
    params.extended_key_usages = vec![usage];
    let key = KeyPair::generate().unwrap();
    (params.signed_by(&key, issuer).unwrap().pem(), key)
}

impl Pki {
    pub fn new() -> Pki {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (issuer, ca_pem) = ca("tally test Teller CA");
        let (server_pem, server_key) = leaf(&issuer, "127.0.0.1", ExtendedKeyUsagePurpose::ServerAuth);
        let (client_cert, client_key) = leaf(&issuer, "tally-app", ExtendedKeyUsagePurpose::ClientAuth);
        let (other, _) = ca("someone else's CA");
        let (stranger_cert, stranger_key) = leaf(&other, "tally-app", ExtendedKeyUsagePurpose::ClientAuth);

        let der = |pem: &str| CertificateDer::from(pem_der(pem));
        let mut roots = rustls::RootCertStore::empty();
        roots.add(der(&ca_pem)).unwrap();
        let verifier =
            rustls::server::WebPkiClientVerifier::builder(Arc::new(roots)).allow_unauthenticated().build().unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let server = rustls::ServerConfig::builder()
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![der(&server_pem), der(&ca_pem)], key)
            .unwrap();
        Pki {
            ca: ca_pem,
            client_cert,
            client_key: client_key.serialize_pem(),
            stranger_cert,
            stranger_key: stranger_key.serialize_pem(),
            server,
        }
    }
}

/// The DER inside one PEM block.
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

#[derive(Debug, Default)]
pub struct State {
    pub accounts: Vec<Value>,
    pub balances: HashMap<String, Value>,
    /// Per account, newest first, as Teller lists them.
    pub transactions: HashMap<String, Vec<Value>>,
    /// One-shot errors (status, body) by path (without the query), before its answer.
    pub fail: HashMap<String, Vec<(u16, Value)>>,
    /// Transactions calls to leave unanswered until the client gives up (a time-out).
    pub stall: u32,
    /// Accounts whose transactions calls all get the first page, whatever `from_id` says.
    pub ignore_from_id: HashSet<String>,
    /// `METHOD path?query` in the order received (certified requests only).
    pub seen: Vec<String>,
    /// Requests that came without a client certificate.
    pub uncertified: u32,
    pub violations: Vec<String>,
}

pub struct TellerServer {
    pub url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
}

impl Drop for TellerServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

impl TellerServer {
    pub fn start(pki: &Pki) -> TellerServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let config = Arc::new(pki.server.clone());
        let (st, halt) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (st, config) = (st.clone(), config.clone());
                std::thread::spawn(move || serve(stream, config, &st));
            }
        });
        TellerServer { url: format!("https://{addr}"), state, stop, addr }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// The requests received whose path starts with `prefix`.
    pub fn seen(&self, prefix: &str) -> Vec<String> {
        self.state().seen.iter().filter(|s| s.starts_with(prefix)).cloned().collect()
    }

    #[track_caller]
    pub fn assert_no_violations(&self) {
        let v = &self.state().violations;
        assert!(v.is_empty(), "the server was sent what Teller does not allow: {v:#?}");
    }
}

fn serve(stream: TcpStream, config: Arc<rustls::ServerConfig>, state: &Mutex<State>) {
    // Bounded, so a client that never finishes cannot hold the thread.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let Ok(conn) = rustls::ServerConnection::new(config) else { return };
    let mut tls = rustls::StreamOwned::new(conn, stream);
    let mut reader = BufReader::new(&mut tls);
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        // A failed handshake (a certificate from another CA) ends here.
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => head.push(line.trim_end().to_string()),
        }
    }
    drop(reader);
    let Some(first) = head.first().cloned() else { return };
    let mut parts = first.split(' ');
    let (method, target) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let header = |name: &str| {
        head.iter().skip(1).find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    let answer = if tls.conn.peer_certificates().is_none() {
        state.lock().unwrap().uncertified += 1;
        Some((
            400,
            json!({"error": {"code": "bad_request",
            "message": "Missing certificate: Retry request using your Teller client certificate."}}),
        ))
    } else {
        answer(&mut state.lock().unwrap(), &method, &target, header("authorization"), header("teller-version"))
    };
    let Some((status, body)) = answer else {
        // A stalled call: wait for the client to give up and close (or the read time-out).
        let _ = tls.read(&mut [0u8; 1]);
        return;
    };
    let body = if status == 204 { String::new() } else { body.to_string() };
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tls.write_all(response.as_bytes());
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

fn not_found(path: &str) -> (u16, Value) {
    (404, json!({"error": {"code": "not_found", "message": format!("{path} not found")}}))
}

fn answer(
    state: &mut State,
    method: &str,
    target: &str,
    authorization: Option<String>,
    version: Option<String>,
) -> Option<(u16, Value)> {
    state.seen.push(format!("{method} {target}"));
    let url = url::Url::parse(&format!("https://teller.test{target}")).unwrap();
    let path = url.path().to_string();
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    if version.as_deref() != Some("2020-10-12") {
        state.violations.push(format!("{target}: Teller-Version {version:?}"));
    }
    let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{ACCESS_TOKEN}:")));
    match authorization {
        None => return Some((401, json!({"error": {"code": "unauthorized", "message": "no access token"}}))),
        Some(a) if a != expected => {
            state.violations.push(format!("{target}: Authorization {a:?}"));
            return Some((403, json!({"error": {"code": "forbidden", "message": "invalid access token"}})));
        }
        Some(_) => {}
    }
    if let Some(errors) = state.fail.get_mut(&path).filter(|e| !e.is_empty()) {
        return Some(errors.remove(0));
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Some(match (method, segments.as_slice()) {
        ("GET", ["accounts"]) => (200, Value::Array(state.accounts.clone())),
        ("GET", ["accounts", id, "balances"]) => match state.balances.get(*id) {
            Some(b) => (200, b.clone()),
            None => not_found(&path),
        },
        ("GET", ["accounts", id, "transactions"]) => {
            if state.stall > 0 {
                state.stall -= 1;
                return None;
            }
            let Some(all) = state.transactions.get(*id) else { return Some(not_found(&path)) };
            let count: usize = match query.get("count").and_then(|c| c.parse().ok()) {
                Some(c) if c > 0 => c,
                _ => {
                    state.violations.push(format!("{target}: no positive count"));
                    all.len()
                }
            };
            let start = match query.get("from_id") {
                Some(from) if !state.ignore_from_id.contains(*id) => {
                    all.iter().position(|t| t["id"] == from.as_str()).map_or(all.len(), |i| i + 1)
                }
                _ => 0,
            };
            (200, Value::Array(all.iter().skip(start).take(count).cloned().collect()))
        }
        ("DELETE", ["accounts", id]) => {
            let before = state.accounts.len();
            state.accounts.retain(|a| a["id"] != *id);
            if state.accounts.len() == before { not_found(&path) } else { (204, Value::Null) }
        }
        _ => {
            state.violations.push(format!("{method} {target}: no such endpoint"));
            not_found(&path)
        }
    })
}
