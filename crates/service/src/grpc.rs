//! The `sakke.v1.Sakke` gRPC service: who the client is (its certificate), what it may
//! do (the authorisation file), and the requests handed to [`Context`].

use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use tonic::{Code, Request, Response, Status, Streaming};

use crate::authz::{Authorisation, ClientIdentity, Grant};
use crate::counters::{Counters, Method};
use crate::deadline::grpc_timeout;
use crate::proto;
use crate::requests::{finish_decapsulate, Context};

/// Answers a stream may have computed but not yet sent; past it the stream stops
/// reading requests until the client reads answers.
const STREAM_BUFFER: usize = 256;

pub struct SakkeService {
    context: Arc<Context>,
    authz: Arc<Authorisation>,
    counters: Arc<Counters>,
    /// True once shutdown has begun: streams stop taking new requests.
    draining: watch::Receiver<bool>,
}

impl SakkeService {
    pub fn new(
        context: Arc<Context>,
        authz: Arc<Authorisation>,
        counters: Arc<Counters>,
        draining: watch::Receiver<bool>,
    ) -> SakkeService {
        SakkeService {
            context,
            authz,
            counters,
            draining,
        }
    }

    /// What the client's certificate (the first of the chain it presented) may do.
    fn grant<T>(&self, request: &Request<T>) -> Result<Grant, Status> {
        let certs = request.peer_certs();
        let leaf = certs
            .as_ref()
            .and_then(|c| c.first())
            .ok_or_else(|| Status::unauthenticated("unauthenticated: no client certificate"))?;
        Ok(self.authz.grant(&ClientIdentity::from_der(leaf)))
    }

    fn counted<T>(&self, method: Method, result: Result<T, Status>) -> Result<Response<T>, Status> {
        let code = result.as_ref().map_or_else(Status::code, |_| Code::Ok);
        self.counters.count(method, code);
        result.map(Response::new)
    }
}

type AnswerStream =
    Pin<Box<dyn Stream<Item = Result<proto::DecapsulateStreamResponse, Status>> + Send>>;

#[tonic::async_trait]
impl proto::sakke_server::Sakke for SakkeService {
    async fn decapsulate(
        &self,
        request: Request<proto::DecapsulateRequest>,
    ) -> Result<Response<proto::DecapsulateResponse>, Status> {
        let result = match self.grant(&request) {
            Ok(grant) => {
                let timeout = grpc_timeout(request.metadata());
                self.context
                    .decapsulate(&grant, request.get_ref(), timeout)
                    .await
            }
            Err(status) => Err(status),
        };
        self.counted(Method::Decapsulate, result)
    }

    async fn encapsulate(
        &self,
        request: Request<proto::EncapsulateRequest>,
    ) -> Result<Response<proto::EncapsulateResponse>, Status> {
        let result = match self.grant(&request) {
            Ok(_) => {
                let timeout = grpc_timeout(request.metadata());
                self.context.encapsulate(request.get_ref(), timeout).await
            }
            Err(status) => Err(status),
        };
        self.counted(Method::Encapsulate, result)
    }

    async fn open_i_message(
        &self,
        request: Request<proto::OpenIMessageRequest>,
    ) -> Result<Response<proto::OpenIMessageResponse>, Status> {
        let result = match self.grant(&request) {
            Ok(grant) => {
                let timeout = grpc_timeout(request.metadata());
                self.context
                    .open_i_message(&grant, request.get_ref(), timeout)
                    .await
            }
            Err(status) => Err(status),
        };
        self.counted(Method::OpenIMessage, result)
    }

    type DecapsulateStreamStream = AnswerStream;

    /// Requests are queued in the order they arrive and answered as they are computed;
    /// the stream ends when the client has finished sending (or shutdown has begun) and
    /// every request read has been answered.
    async fn decapsulate_stream(
        &self,
        request: Request<Streaming<proto::DecapsulateStreamRequest>>,
    ) -> Result<Response<AnswerStream>, Status> {
        let grant = self.grant(&request)?;
        let mut inbound = request.into_inner();
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        let context = Arc::clone(&self.context);
        let counters = Arc::clone(&self.counters);
        let mut draining = self.draining.clone();
        tokio::spawn(async move {
            loop {
                let next = tokio::select! {
                    next = inbound.message() => next,
                    _ = draining.wait_for(|d| *d) => break,
                };
                let item = match next {
                    Ok(Some(item)) => item,
                    Ok(None) => break,
                    Err(status) => {
                        let _ = tx.send(Err(status)).await;
                        break;
                    }
                };
                let client_id = item.client_id;
                let started = match item.request {
                    // Each item's own timeout_ms applies; the stream's gRPC deadline
                    // is for the whole stream.
                    Some(req) => context.start_decapsulate(&grant, &req, None),
                    None => Err(crate::status::bad_request("the item has no request")),
                };
                let tx = tx.clone();
                let counters = Arc::clone(&counters);
                tokio::spawn(async move {
                    let result = match started {
                        Ok(ticket) => finish_decapsulate(ticket).await,
                        Err(status) => Err(status),
                    };
                    let code = result.as_ref().map_or_else(Status::code, |_| Code::Ok);
                    counters.count(Method::DecapsulateStream, code);
                    let result = Some(match result {
                        Ok(answer) => proto::decapsulate_stream_response::Result::Ssv(answer.ssv),
                        Err(status) => {
                            proto::decapsulate_stream_response::Result::Error(proto::Error {
                                code: status.code() as i32,
                                message: status.message().to_string(),
                            })
                        }
                    });
                    let _ = tx
                        .send(Ok(proto::DecapsulateStreamResponse { client_id, result }))
                        .await;
                });
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
