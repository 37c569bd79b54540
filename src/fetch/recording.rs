//! The WARC recording layer: every exchange handed to it becomes a response
//! record and a request record, written by one dedicated thread that owns the
//! WARC writer. The async side takes a [`Slot`] in the thread's bounded queue
//! (awaiting it is the back-pressure when the disk or gzip falls behind) and
//! fills it with the response, whose bodies are shared `Bytes`, not copies.
//! Records are assembled, gzipped and written on the thread, in the order the
//! slots were filled; with [`Recorder::keep_index`], the thread also keeps the
//! index a WACZ of the file needs. [`Recorder::sync`] puts a marker in the
//! same queue, so the file it syncs holds every exchange sent before it.
//!
//! It must not block an async worker on the file or on compression, and it
//! does not choose what is recorded: the transport decides which exchanges are
//! worth a record.

use std::io;
use std::thread::{self, JoinHandle};

use tokio::sync::{mpsc, oneshot};

use super::Response;
use crate::archive::wacz::Indexed;
use crate::archive::warc::{Exchange, WarcWriter};
use crate::output_file::{Durable, PendingFile};

/// A WARC being written by its own thread.
pub(super) struct Recorder<W: Durable + Send + 'static = PendingFile> {
    queue: mpsc::Sender<Entry>,
    writer: JoinHandle<io::Result<(W, Written)>>,
    keep_index: bool,
}

/// An exchange the WARC lacks: writing it failed, and what was written of it
/// was cut back out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unrecorded {
    pub url: url::Url,
    pub error: String,
}

/// What a finished WARC tells the crawl: its index, when one was kept, and the
/// exchanges it lacks.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Finished {
    pub index: Option<Vec<Indexed>>,
    pub unrecorded: Vec<Unrecorded>,
}

/// What the writer thread hands back besides the output.
struct Written {
    index: Vec<Indexed>,
    unrecorded: Vec<Unrecorded>,
}

#[allow(
    clippy::large_enum_variant,
    reason = "the queue holds exchanges; boxing them to make a rare sync smaller costs an allocation each"
)]
enum Entry {
    /// One exchange to record, and whether the WACZ index wants it.
    Exchange { response: Response, index: bool },
    /// A request to sync what was sent before it, answered with the length.
    Sync(oneshot::Sender<io::Result<Option<u64>>>),
}

/// Room for one exchange in the writer's queue.
pub(super) struct Slot<'a> {
    permit: mpsc::Permit<'a, Entry>,
    index: bool,
}

impl Slot<'_> {
    pub(super) fn record(self, response: &Response) {
        self.permit.send(Entry::Exchange {
            response: response.clone(),
            index: self.index,
        });
    }
}

impl<W: Durable + Send + 'static> Recorder<W> {
    /// Starts the writer thread for `warc`, with room for `capacity` exchanges
    /// on their way to it.
    pub(super) fn start(warc: WarcWriter<W>, capacity: usize) -> io::Result<Recorder<W>> {
        let (queue, entries) = mpsc::channel(capacity.max(1));
        let writer = thread::Builder::new()
            .name("warc-writer".into())
            .spawn(move || write_records(warc, entries))?;
        Ok(Recorder {
            queue,
            writer,
            keep_index: false,
        })
    }

    /// Keeps an index of the responses recorded from now on, for a WACZ.
    pub(super) fn keep_index(&mut self) {
        self.keep_index = true;
    }

    /// Waits for room in the queue. `None` when the writer thread is gone,
    /// which only a panic does; [`Recorder::close`] reports it.
    pub(super) async fn reserve(&self) -> Option<Slot<'_>> {
        let permit = self.queue.reserve().await.ok()?;
        Some(Slot {
            permit,
            index: self.keep_index,
        })
    }

    /// Waits until every exchange sent so far is written and on the disk, and
    /// says how long the output is then (none for a pipe). It waits for room in
    /// the queue as an exchange does, which requests in flight cannot hold for
    /// ever: the queue has room for twice as many.
    pub(super) async fn sync(&self) -> io::Result<Option<u64>> {
        let gone = || io::Error::other("the WARC writer thread panicked");
        let (answer, synced) = oneshot::channel();
        self.queue
            .send(Entry::Sync(answer))
            .await
            .map_err(|_| gone())?;
        synced.await.map_err(|_| gone())?
    }

    /// Waits until every exchange sent is written, then hands back the flushed
    /// output and, when one was kept, the index.
    pub(super) fn close(self) -> io::Result<(W, Finished)> {
        let Recorder {
            queue,
            writer,
            keep_index,
        } = self;
        // The thread ends when the queue is closed and empty.
        drop(queue);
        let (output, written) = writer
            .join()
            .map_err(|_| io::Error::other("the WARC writer thread panicked"))??;
        let finished = Finished {
            index: keep_index.then_some(written.index),
            unrecorded: written.unrecorded,
        };
        Ok((output, finished))
    }
}

impl Recorder<PendingFile> {
    /// Writes what is still queued and puts the WARC file in place.
    pub(super) fn finish(self) -> io::Result<Finished> {
        let (file, finished) = self.close()?;
        file.commit()?;
        Ok(finished)
    }
}

/// The writer thread. An exchange that cannot be written is reported, cut
/// back out of the file, and the crawl goes on, as a full disk should not lose
/// the records already fetched; only flushing the file at the end is an error.
/// A file that cannot be cut back holds a torn record: every sync says so from
/// then on, so a state database never takes it for whole.
fn write_records<W: Durable>(
    mut warc: WarcWriter<W>,
    mut entries: mpsc::Receiver<Entry>,
) -> io::Result<(W, Written)> {
    let mut index = Vec::new();
    let mut unrecorded = Vec::new();
    // What the last sync answered: a crawl replaying pages from its state asks
    // again and again with nothing written between.
    let mut synced: Option<(u64, Option<u64>)> = None;
    let mut torn: Option<String> = None;
    while let Some(entry) = entries.blocking_recv() {
        let (response, wants_index) = match entry {
            Entry::Exchange { response, index } => (response, index),
            Entry::Sync(answer) => {
                let position = warc.position();
                let answered = match (&torn, synced) {
                    (Some(why), _) => Err(io::Error::other(why.clone())),
                    (None, Some((at, length))) if at == position => Ok(length),
                    (None, _) => warc.output_mut().sync(),
                };
                if let Ok(length) = &answered {
                    synced = Some((position, *length));
                }
                // Whoever asked may have gone; the sync was done all the same.
                let _ = answer.send(answered);
                continue;
            }
        };
        let exchange = exchange(&response);
        let before = warc.position();
        match warc.write_exchange(&exchange) {
            Ok(written) => {
                if wants_index && let Some(indexed) = Indexed::of(&exchange, &written) {
                    index.push(indexed);
                }
            }
            Err(e) => {
                tracing::error!(url = %response.url, "cannot write the WARC record: {e}");
                unrecorded.push(Unrecorded {
                    url: response.url.clone(),
                    error: e.to_string(),
                });
                if let Err(cut) = warc.cut_back(before)
                    && torn.is_none()
                {
                    torn = Some(format!(
                        "the WARC holds a record cut off by a failed write ({e}), which could not be removed ({cut})"
                    ));
                }
            }
        }
    }
    Ok((warc.finish()?, Written { index, unrecorded }))
}

/// The exchange as the WARC records it.
fn exchange(response: &Response) -> Exchange {
    let mut request_headers = response.request_headers.clone();
    // reqwest adds these itself; the archived request should say what was sent.
    request_headers.push(("Accept-Encoding".into(), "gzip, br".into()));
    Exchange {
        url: response.url.to_string(),
        date: response.fetched_at,
        method: if response.request_body.is_empty() {
            "GET"
        } else {
            "POST"
        }
        .into(),
        request_headers,
        request_body: response.request_body.to_vec(),
        status: response.status,
        reason: reqwest::StatusCode::from_u16(response.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
            .to_string(),
        response_headers: response
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: response.body.to_vec(),
        truncated: response.truncated,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Condvar, Mutex};
    use std::time::Duration;

    use bytes::Bytes;
    use reqwest::header::{self, HeaderMap, HeaderValue};
    use url::Url;

    use super::*;
    use crate::archive::warc::WarcReader;

    fn response(n: usize) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        Response {
            url: Url::parse(&format!("http://x.fi/{n}")).unwrap(),
            status: 200,
            headers,
            request_headers: vec![("User-Agent".into(), "harava-test".into())],
            request_body: Bytes::new(),
            body: Bytes::from(format!("<title>Sivu {n}</title>")),
            fetched_at: chrono::Utc::now(),
            not_modified: false,
            truncated: false,
        }
    }

    fn warc<W: Write>(out: W) -> WarcWriter<W> {
        WarcWriter::new(out, true, None, &[]).unwrap()
    }

    /// The target URI and body of every response record, in file order.
    fn responses(file: &[u8]) -> Vec<(String, Vec<u8>)> {
        WarcReader::new(file)
            .unwrap()
            .map(|r| {
                let r = r.unwrap();
                (r.target_uri, r.payload)
            })
            .collect()
    }

    impl Durable for Vec<u8> {
        fn sync(&mut self) -> io::Result<Option<u64>> {
            Ok(Some(self.len() as u64))
        }

        fn cut_back(&mut self, length: u64) -> io::Result<()> {
            self.truncate(length as usize);
            Ok(())
        }
    }

    async fn record(recorder: &Recorder<impl Durable + Send>, response: &Response) {
        recorder.reserve().await.unwrap().record(response);
    }

    #[tokio::test]
    async fn records_are_written_in_the_order_sent_and_read_back() {
        let recorder = Recorder::start(warc(Vec::new()), 4).unwrap();
        let sent: Vec<Response> = (0..50).map(response).collect();
        for response in &sent {
            record(&recorder, response).await;
        }
        let (file, finished) = recorder.close().unwrap();
        assert_eq!(finished, Finished::default(), "no index unless asked for");
        let expected: Vec<(String, Vec<u8>)> = sent
            .iter()
            .map(|r| (r.url.to_string(), r.body.to_vec()))
            .collect();
        assert_eq!(responses(&file), expected);
    }

    #[tokio::test]
    async fn the_index_covers_what_was_recorded_where_it_was_written() {
        let mut recorder = Recorder::start(warc(Vec::new()), 1).unwrap();
        recorder.keep_index();
        for n in 0..3 {
            record(&recorder, &response(n)).await;
        }
        let (file, finished) = recorder.close().unwrap();
        let index = finished.index.unwrap();
        let titles: Vec<_> = index.iter().map(|i| i.title.as_deref().unwrap()).collect();
        assert_eq!(titles, ["Sivu 0", "Sivu 1", "Sivu 2"]);
        for entry in &index {
            let capture = &entry.capture;
            let member = &file[capture.offset as usize..][..capture.length as usize];
            assert_eq!(responses(member)[0].0, capture.url);
        }
    }

    /// An output that counts the times it was synced.
    #[derive(Default)]
    struct CountsSyncs {
        written: Vec<u8>,
        syncs: usize,
    }

    impl Write for CountsSyncs {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written.write(buf)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Durable for CountsSyncs {
        fn sync(&mut self) -> io::Result<Option<u64>> {
            self.syncs += 1;
            Ok(Some(self.written.len() as u64))
        }

        fn cut_back(&mut self, length: u64) -> io::Result<()> {
            self.written.truncate(length as usize);
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_sync_with_nothing_written_since_the_last_is_not_done_again() {
        let recorder = Recorder::start(warc(CountsSyncs::default()), 2).unwrap();
        record(&recorder, &response(0)).await;
        let first = recorder.sync().await.unwrap();
        assert_eq!(recorder.sync().await.unwrap(), first);
        record(&recorder, &response(1)).await;
        let second = recorder.sync().await.unwrap();
        let (output, _) = recorder.close().unwrap();
        assert_eq!(output.syncs, 2);
        assert_eq!(second, Some(output.written.len() as u64));
        assert!(first < second);
    }

    #[tokio::test]
    async fn a_sync_answers_with_a_length_that_holds_every_exchange_sent_before_it() {
        let recorder = Recorder::start(warc(Vec::new()), 2).unwrap();
        for n in 0..5 {
            record(&recorder, &response(n)).await;
        }
        let synced = recorder.sync().await.unwrap().unwrap() as usize;
        record(&recorder, &response(5)).await;
        let (file, _) = recorder.close().unwrap();
        let urls = |file: &[u8]| -> Vec<String> {
            responses(file).into_iter().map(|(url, _)| url).collect()
        };
        let sent: Vec<String> = (0..6).map(|n| format!("http://x.fi/{n}")).collect();
        assert_eq!(urls(&file[..synced]), sent[..5]);
        assert_eq!(urls(&file), sent);
    }

    /// A disk that fills up at `full_at` bytes, once: the write that reaches it
    /// gets as far as it, the next fails, and then there is room again.
    struct FillsUp {
        written: Vec<u8>,
        full_at: Option<usize>,
        can_cut: bool,
    }

    impl Write for FillsUp {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            match self.full_at {
                Some(full) if self.written.len() >= full => {
                    self.full_at = None;
                    Err(io::Error::other("No space left on device"))
                }
                Some(full) => {
                    let room = buf.len().min(full - self.written.len());
                    self.written.extend_from_slice(&buf[..room]);
                    Ok(room)
                }
                None => {
                    self.written.extend_from_slice(buf);
                    Ok(buf.len())
                }
            }
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Durable for FillsUp {
        fn sync(&mut self) -> io::Result<Option<u64>> {
            Ok(Some(self.written.len() as u64))
        }

        fn cut_back(&mut self, length: u64) -> io::Result<()> {
            if !self.can_cut {
                return Err(io::Error::other("cannot truncate"));
            }
            self.written.truncate(length as usize);
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_record_a_full_disk_cut_off_is_cut_back_out_of_the_file() {
        for can_cut in [true, false] {
            let disk = FillsUp {
                written: Vec::new(),
                full_at: None,
                can_cut,
            };
            let mut warc = warc(disk);
            warc.write_exchange(&exchange(&response(0))).unwrap();
            // The next exchange's first record reaches the disk in part.
            warc.output_mut().full_at = Some(warc.position() as usize + 100);
            let recorder = Recorder::start(warc, 2).unwrap();
            for n in 1..3 {
                record(&recorder, &response(n)).await;
            }
            let synced = recorder.sync().await;
            let (disk, finished) = recorder.close().unwrap();
            let unrecorded: Vec<&str> =
                finished.unrecorded.iter().map(|u| u.url.as_str()).collect();
            assert_eq!(unrecorded, ["http://x.fi/1"]);
            if can_cut {
                let urls: Vec<String> = responses(&disk.written)
                    .into_iter()
                    .map(|(url, _)| url)
                    .collect();
                assert_eq!(urls, ["http://x.fi/0", "http://x.fi/2"]);
                assert_eq!(synced.unwrap(), Some(disk.written.len() as u64));
            } else {
                let why = synced.unwrap_err().to_string();
                assert!(
                    why.starts_with("the WARC holds a record cut off by a failed write"),
                    "{why}"
                );
            }
        }
    }

    /// An output whose writes wait while it is shut, to stand for a slow disk.
    #[derive(Clone)]
    struct Gate {
        open: Arc<(Mutex<bool>, Condvar)>,
        written: Arc<Mutex<Vec<u8>>>,
    }

    impl Gate {
        fn new() -> Gate {
            Gate {
                open: Arc::new((Mutex::new(true), Condvar::new())),
                written: Arc::default(),
            }
        }

        fn set(&self, open: bool) {
            let (lock, changed) = &*self.open;
            *lock.lock().unwrap() = open;
            changed.notify_all();
        }
    }

    impl Write for Gate {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let (lock, changed) = &*self.open;
            let _open = changed
                .wait_while(lock.lock().unwrap(), |open| !*open)
                .unwrap();
            self.written.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Durable for Gate {
        fn sync(&mut self) -> io::Result<Option<u64>> {
            Ok(Some(self.written.lock().unwrap().len() as u64))
        }

        fn cut_back(&mut self, length: u64) -> io::Result<()> {
            self.written.lock().unwrap().truncate(length as usize);
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_full_queue_holds_the_sender_back_until_the_writer_catches_up() {
        let gate = Gate::new();
        let recorder = Recorder::start(warc(gate.clone()), 2).unwrap();
        gate.set(false);
        // The thread takes the first exchange and waits on the shut output; two
        // more fill the queue.
        for n in 0..3 {
            record(&recorder, &response(n)).await;
        }
        let waiting = tokio::time::timeout(Duration::from_millis(200), recorder.reserve());
        assert!(waiting.await.is_err(), "a slot was free in a full queue");
        gate.set(true);
        record(&recorder, &response(3)).await;
        let (gate, _) = recorder.close().unwrap();
        let written = gate.written.lock().unwrap().clone();
        let urls: Vec<String> = responses(&written).into_iter().map(|r| r.0).collect();
        assert_eq!(
            urls,
            (0..4)
                .map(|n| format!("http://x.fi/{n}"))
                .collect::<Vec<_>>()
        );
    }

    #[tokio::test]
    async fn finishing_puts_the_warc_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crawl.warc.gz");
        let recorder = Recorder::start(WarcWriter::create(&path, &[]).unwrap(), 2).unwrap();
        record(&recorder, &response(1)).await;
        assert_eq!(recorder.finish().unwrap(), Finished::default());
        let file = std::fs::read(&path).unwrap();
        assert_eq!(responses(&file)[0].0, "http://x.fi/1");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    }
}
