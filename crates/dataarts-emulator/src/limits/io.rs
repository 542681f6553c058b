//! The socket as hyper sees it: an idle timeout on every wait for a byte, the count of bytes
//! read (for [`super::HeadTimer`]), and hyper's own error answers turned into JSON.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use super::rewrite;
use super::timer::ReadCounter;

/// Makes request ids.
pub(crate) type RequestIds = Arc<dyn Fn() -> String + Send + Sync>;

/// One accepted connection.
pub(crate) struct GuardedIo<S> {
    inner: S,
    idle: Duration,
    reads: ReadCounter,
    read_wait: IdleClock,
    write_wait: IdleClock,
    parser_buffer_bytes: usize,
    /// Makes the `X-Request-Id` of a replacement answer.
    request_ids: RequestIds,
    /// A JSON answer replacing hyper's, and how much of it is written.
    replaced: Option<(Vec<u8>, usize)>,
}

impl<S> GuardedIo<S> {
    pub(crate) fn new(
        inner: S,
        idle: Duration,
        parser_buffer_bytes: usize,
        reads: ReadCounter,
        request_ids: RequestIds,
    ) -> Self {
        Self {
            inner,
            idle,
            reads,
            read_wait: IdleClock::default(),
            write_wait: IdleClock::default(),
            parser_buffer_bytes,
            request_ids,
            replaced: None,
        }
    }
}

/// The idle clock of one direction: started by the first wait, stopped by progress. Its
/// timer is kept and reset, not reallocated, from one wait to the next.
#[derive(Default)]
struct IdleClock {
    sleep: Option<Pin<Box<Sleep>>>,
    running: bool,
}

impl IdleClock {
    fn stop(&mut self) {
        self.running = false;
    }

    /// Starts the clock if stopped; tells whether `idle` has passed since it started.
    fn expired(&mut self, idle: Duration, cx: &mut Context<'_>) -> bool {
        let deadline = tokio::time::Instant::now() + idle;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if !self.running {
            sleep.as_mut().reset(deadline);
            self.running = true;
        }
        sleep.as_mut().poll(cx).is_ready()
    }
}

fn idle_error(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        format!("no byte {what} within the idle timeout"),
    )
}

impl<S: AsyncWrite + Unpin> GuardedIo<S> {
    fn write_progress(&mut self) {
        self.write_wait.stop();
        // Writing means hyper has finished reading for now: a read wait starts afresh.
        self.read_wait.stop();
    }

    /// Writes what is left of a replacement answer.
    fn poll_replaced(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, pos)) = self.replaced.as_mut() {
            if *pos >= bytes.len() {
                self.replaced = None;
                break;
            }
            match Pin::new(&mut self.inner).poll_write(cx, &bytes[*pos..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    *pos += n;
                    self.write_progress();
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return self.write_pending(cx),
            }
        }
        Poll::Ready(Ok(()))
    }

    fn write_pending<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        if self.write_wait.expired(self.idle, cx) {
            Poll::Ready(Err(idle_error("written")))
        } else {
            Poll::Pending
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for GuardedIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                let n = buf.filled().len().saturating_sub(before);
                if n > 0 {
                    this.reads.fetch_add(n as u64, Ordering::Relaxed);
                }
                this.read_wait.stop();
                Poll::Ready(r)
            }
            Poll::Pending => {
                if this.read_wait.expired(this.idle, cx) {
                    Poll::Ready(Err(idle_error("received")))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for GuardedIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_replaced(cx))?;
        if let Some(answer) =
            rewrite::replacement(buf, this.parser_buffer_bytes, || (this.request_ids)())
        {
            this.replaced = Some((answer, 0));
            // hyper's bytes count as written; ours follow (here, or on flush or shutdown).
            if let Poll::Ready(Err(e)) = this.poll_replaced(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(r) => {
                this.write_progress();
                Poll::Ready(r)
            }
            Poll::Pending => this.write_pending(cx),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_replaced(cx))?;
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Ready(r) => {
                this.write_wait.stop();
                Poll::Ready(r)
            }
            Poll::Pending => this.write_pending(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_replaced(cx))?;
        match Pin::new(&mut this.inner).poll_shutdown(cx) {
            Poll::Ready(r) => {
                this.write_wait.stop();
                Poll::Ready(r)
            }
            Poll::Pending => this.write_pending(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn guarded(inner: tokio::io::DuplexStream) -> GuardedIo<tokio::io::DuplexStream> {
        GuardedIo::new(
            inner,
            Duration::from_secs(30),
            8192,
            ReadCounter::default(),
            Arc::new(|| "0".repeat(32)),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn a_read_without_bytes_fails_after_the_idle_timeout_and_bytes_reset_it() {
        let (client, server) = tokio::io::duplex(64);
        let mut io = guarded(server);
        let (_client_rd, mut client_wr) = tokio::io::split(client);
        let mut buf = [0u8; 8];
        let feeder = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(20)).await;
            client_wr.write_all(b"x").await.unwrap();
            client_wr
        });
        assert_eq!(io.read(&mut buf).await.unwrap(), 1);
        let started = tokio::time::Instant::now();
        let e = io.read(&mut buf).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(30));
        assert_eq!(io.reads.load(Ordering::Relaxed), 1);
        drop(feeder);
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_does_not_read_its_answer_is_cut_after_the_idle_timeout() {
        let (_client, server) = tokio::io::duplex(16);
        let mut io = guarded(server);
        let started = tokio::time::Instant::now();
        let e = io.write_all(&[b'a'; 64]).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test]
    async fn hypers_own_answer_is_replaced_on_the_wire() {
        let (mut client, server) = tokio::io::duplex(4096);
        let mut io = guarded(server);
        io.write_all(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
            .await
            .unwrap();
        io.shutdown().await.unwrap();
        let mut got = String::new();
        client.read_to_string(&mut got).await.unwrap();
        assert!(got.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{got}");
        assert!(got.contains("\"error_code\":\"APIGW.0201\""), "{got}");
        assert!(
            got.contains(&format!("x-request-id: {}", "0".repeat(32))),
            "{got}"
        );
    }
}
