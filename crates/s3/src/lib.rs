//! The S3 side of timestream-local (DESIGN.md, "Object store"): UNLOAD writes through it, batch
//! load tasks read through it, scheduled-query error reports land in it. One layer on the
//! `object_store` crate (the one DataFusion uses), with two backends:
//!
//! - a local directory (`--s3-dir`), the default: `s3://BUCKET/KEY` is the file
//!   `DIR/BUCKET/KEY`, and a bucket exists when its directory does, so a user with no S3 at all
//!   creates a bucket with `mkdir`;
//! - any S3-compatible endpoint (`--s3-endpoint-url`: LocalStack, MinIO, moto's server), path
//!   style, plain HTTP allowed.
//!
//! Everything above this crate names objects by bucket and key only; which backend holds them is
//! decided once, at start-up.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::{Path, PathPart};
use object_store::{GetResultPayload, ObjectStore, ObjectStoreExt, PutPayload};

/// How an S3 call failed, in terms the callers map to AWS's errors.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("The specified bucket does not exist: {0}")]
    NoSuchBucket(String),
    #[error("The specified key does not exist: s3://{bucket}/{key}")]
    NoSuchKey { bucket: String, key: String },
    #[error("Invalid S3 URL: {0}")]
    InvalidUrl(String),
    #[error("S3 request failed: {0}")]
    Store(#[from] object_store::Error),
    #[error("S3 request failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Where the S3-compatible endpoint is and how to sign for it.
#[derive(Clone, Debug)]
pub struct EndpointConfig {
    pub url: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

#[derive(Clone, Debug)]
enum Backend {
    Directory(PathBuf),
    Endpoint(EndpointConfig),
}

/// The server's S3: opens buckets on the configured backend.
#[derive(Clone, Debug)]
pub struct S3 {
    backend: Backend,
}

impl S3 {
    /// S3 on a local directory: `s3://BUCKET/KEY` is `dir/BUCKET/KEY`.
    pub fn directory(dir: PathBuf) -> Self {
        Self {
            backend: Backend::Directory(dir),
        }
    }

    /// S3 on an S3-compatible endpoint.
    pub fn endpoint(config: EndpointConfig) -> Self {
        Self {
            backend: Backend::Endpoint(config),
        }
    }

    /// The local directory standing in for S3, when that is the backend.
    pub fn dir(&self) -> Option<&FsPath> {
        match &self.backend {
            Backend::Directory(dir) => Some(dir),
            Backend::Endpoint(_) => None,
        }
    }

    /// Where objects go, for the start-up log line.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Directory(dir) => dir.display().to_string(),
            Backend::Endpoint(config) => config.url.clone(),
        }
    }

    /// An existing bucket; [`S3Error::NoSuchBucket`] when there is none of that name.
    pub async fn bucket(&self, name: &str) -> Result<Bucket, S3Error> {
        if !valid_bucket_name(name) {
            return Err(S3Error::NoSuchBucket(name.to_owned()));
        }
        let store: Arc<dyn ObjectStore> = match &self.backend {
            Backend::Directory(dir) => {
                let root = dir.join(name);
                if !tokio::fs::metadata(&root).await.is_ok_and(|m| m.is_dir()) {
                    return Err(S3Error::NoSuchBucket(name.to_owned()));
                }
                Arc::new(LocalFileSystem::new_with_prefix(root)?)
            }
            Backend::Endpoint(config) => {
                let mut builder = AmazonS3Builder::new()
                    .with_endpoint(&config.url)
                    .with_region(&config.region)
                    .with_bucket_name(name)
                    .with_access_key_id(&config.access_key_id)
                    .with_secret_access_key(&config.secret_access_key)
                    .with_allow_http(true)
                    .with_virtual_hosted_style_request(false);
                if let Some(token) = &config.session_token {
                    builder = builder.with_token(token);
                }
                let store = Arc::new(builder.build()?);
                // A missing bucket answers the first request with NoSuchBucket; ask now, so
                // that every caller learns it before it starts work.
                match store.list(None).try_next().await {
                    Ok(_) => {}
                    Err(object_store::Error::NotFound { .. }) => {
                        return Err(S3Error::NoSuchBucket(name.to_owned()))
                    }
                    Err(e) if e.to_string().contains("NoSuchBucket") => {
                        return Err(S3Error::NoSuchBucket(name.to_owned()))
                    }
                    Err(e) => return Err(e.into()),
                }
                store
            }
        };
        Ok(Bucket {
            name: name.to_owned(),
            store,
        })
    }
}

/// S3's bucket naming rules, enough to keep a name a single path component.
fn valid_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !name.split('.').any(|p| p.is_empty())
}

/// One object in a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    pub size: u64,
}

/// An existing bucket.
#[derive(Clone, Debug)]
pub struct Bucket {
    name: String,
    store: Arc<dyn ObjectStore>,
}

impl Bucket {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `s3://BUCKET/KEY`.
    pub fn url(&self, key: &str) -> String {
        format!("s3://{}/{}", self.name, key)
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), S3Error> {
        self.store
            .put(&path(key), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// A writer that streams a large object (multipart on an endpoint); call `shutdown` to
    /// complete it.
    pub fn writer(&self, key: &str) -> BufWriter {
        BufWriter::new(self.store.clone(), path(key))
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, S3Error> {
        match self.store.get(&path(key)).await {
            Ok(result) => Ok(result.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(S3Error::NoSuchKey {
                bucket: self.name.clone(),
                key: key.to_owned(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// A blocking reader of an object, streamed, so a file of any size costs a few chunks of
    /// memory. Read it on a blocking thread. A failure mid-object is an `io::Error`.
    ///
    /// A local file is read by the reader's own thread. A remote object is fetched by a task at
    /// most [`CHUNKS_AHEAD`] chunks ahead of the reader. (object_store would read a local file
    /// in 8 KiB chunks, each on whichever blocking thread is free; spreading a parser's
    /// allocations over many threads left glibc's per-thread arenas holding ~100 MiB more at
    /// the peak of a 10-file batch load.)
    pub async fn reader(&self, key: &str) -> Result<ObjectReader, S3Error> {
        let result = match self.store.get(&path(key)).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(S3Error::NoSuchKey {
                    bucket: self.name.clone(),
                    key: key.to_owned(),
                })
            }
            Err(e) => return Err(e.into()),
        };
        let range = result.range.clone();
        match result.payload {
            GetResultPayload::File(file, _) => {
                // A whole-object get starts at 0; seek anyway so the range is what is read.
                let mut file = file;
                std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(range.start))?;
                Ok(ObjectReader::File(std::io::Read::take(
                    file,
                    range.end - range.start,
                )))
            }
            GetResultPayload::Stream(mut chunks) => {
                let (tx, rx) = tokio::sync::mpsc::channel(CHUNKS_AHEAD);
                tokio::spawn(async move {
                    loop {
                        let next = match chunks.try_next().await {
                            Ok(Some(chunk)) => Ok(chunk),
                            Ok(None) => return,
                            Err(e) => Err(std::io::Error::other(e)),
                        };
                        let failed = next.is_err();
                        // The reader gone (dropped early) or the object failed: stop fetching.
                        if tx.send(next).await.is_err() || failed {
                            return;
                        }
                    }
                });
                Ok(ObjectReader::Remote {
                    chunks: rx,
                    current: Bytes::new(),
                })
            }
        }
    }

    /// Every object whose key starts with `prefix`, in key order.
    pub async fn list(&self, prefix: &str) -> Result<Vec<Object>, S3Error> {
        // object_store lists by whole path segments; S3 prefixes are plain string prefixes.
        let (dir, _) = prefix.rsplit_once('/').unwrap_or(("", prefix));
        let dir = (!dir.is_empty()).then(|| path(dir));
        let mut objects: Vec<Object> = self
            .store
            .list(dir.as_ref())
            .map_ok(|meta| Object {
                key: meta.location.to_string(),
                size: meta.size,
            })
            .try_collect::<Vec<_>>()
            .await?
            .into_iter()
            .filter(|o| o.key.starts_with(prefix))
            .collect();
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }
}

/// Chunks a [`Bucket::reader`] fetches ahead of its reader.
const CHUNKS_AHEAD: usize = 4;

/// An object read as it arrives ([`Bucket::reader`]).
pub enum ObjectReader {
    File(std::io::Take<std::fs::File>),
    Remote {
        chunks: tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>,
        current: Bytes,
    },
}

impl std::io::Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::File(file) => file.read(buf),
            Self::Remote { chunks, current } => {
                while current.is_empty() {
                    match chunks.blocking_recv() {
                        Some(chunk) => *current = chunk?,
                        None => return Ok(0),
                    }
                }
                let n = buf.len().min(current.len());
                buf[..n].copy_from_slice(&current.split_to(n));
                Ok(n)
            }
        }
    }
}

/// A key as an object-store path, each segment as it is written (S3 keys are literal: a `%` is
/// a `%`), except that empty segments are dropped and `.`, `..` and control characters are
/// percent-encoded, never taken as moves out of the bucket.
fn path(key: &str) -> Path {
    Path::from_iter(
        key.split('/')
            .filter(|s| !s.is_empty())
            .map(|s| PathPart::parse(s).unwrap_or_else(|_| PathPart::from(s))),
    )
}

/// `s3://bucket/key…` split into bucket and key (the key without a leading `/`).
pub fn parse_url(url: &str) -> Result<(String, String), S3Error> {
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| S3Error::InvalidUrl(url.to_owned()))?;
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(S3Error::InvalidUrl(url.to_owned()));
    }
    Ok((bucket.to_owned(), key.trim_start_matches('/').to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_bucket_is_a_directory_and_keys_stay_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        let s3 = S3::directory(dir.path().to_owned());
        assert!(matches!(
            s3.bucket("missing").await,
            Err(S3Error::NoSuchBucket(b)) if b == "missing"
        ));
        std::fs::create_dir(dir.path().join("bkt")).unwrap();
        let bucket = s3.bucket("bkt").await.unwrap();
        bucket
            .put("a/../../escape.txt", Bytes::from_static(b"x"))
            .await
            .unwrap();
        bucket
            .put("a/b.csv", Bytes::from_static(b"1,2"))
            .await
            .unwrap();
        assert!(!dir.path().join("escape.txt").exists());
        assert_eq!(
            std::fs::read(dir.path().join("bkt/a/b.csv")).unwrap(),
            b"1,2"
        );
        assert_eq!(bucket.get("a/b.csv").await.unwrap().as_ref(), b"1,2");
        assert!(matches!(
            bucket.reader("a/none").await,
            Err(S3Error::NoSuchKey { .. })
        ));
        assert!(matches!(
            bucket.get("a/none").await,
            Err(S3Error::NoSuchKey { .. })
        ));
        let keys: Vec<String> = bucket
            .list("a/b")
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.key)
            .collect();
        assert_eq!(keys, ["a/b.csv"]);
        assert!(matches!(
            s3.bucket("../etc").await,
            Err(S3Error::NoSuchBucket(_))
        ));
    }

    #[test]
    fn urls_split_into_bucket_and_key() {
        assert_eq!(
            parse_url("s3://b/f/x").unwrap(),
            ("b".to_owned(), "f/x".to_owned())
        );
        assert_eq!(
            parse_url("s3://b").unwrap(),
            ("b".to_owned(), String::new())
        );
        assert!(parse_url("https://b/x").is_err());
        assert!(parse_url("s3:///x").is_err());
    }

    /// Everything `reader` gives, read in odd-sized pieces on a blocking thread.
    async fn read_all(mut reader: ObjectReader) -> Vec<u8> {
        use std::io::Read;
        tokio::task::spawn_blocking(move || {
            let mut all = Vec::new();
            let mut buf = [0u8; 7919];
            loop {
                let n = reader.read(&mut buf).unwrap();
                if n == 0 {
                    return all;
                }
                all.extend_from_slice(&buf[..n]);
            }
        })
        .await
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reader_gives_the_whole_object_from_either_backend() {
        let body: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();

        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bkt")).unwrap();
        std::fs::write(dir.path().join("bkt/big.bin"), &body).unwrap();
        let local = S3::directory(dir.path().to_owned())
            .bucket("bkt")
            .await
            .unwrap();
        let reader = local.reader("big.bin").await.unwrap();
        assert!(matches!(reader, ObjectReader::File(_)));
        let read = read_all(reader).await;
        assert!(read == body, "{} bytes read of {}", read.len(), body.len());

        // A store that answers with a stream, as an S3 endpoint does.
        let remote = Bucket {
            name: "bkt".into(),
            store: Arc::new(object_store::memory::InMemory::new()),
        };
        remote.put("big.bin", body.clone().into()).await.unwrap();
        let reader = remote.reader("big.bin").await.unwrap();
        assert!(matches!(reader, ObjectReader::Remote { .. }));
        let read = read_all(reader).await;
        assert!(read == body, "{} bytes read of {}", read.len(), body.len());
    }
}
