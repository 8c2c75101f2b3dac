//! Object data files: one sparse file per object head or clone, at
//! `data/<pool>/<id & 0xff as 2 hex digits>/<id in hex>`. Open descriptors are
//! cached (bounded); files written since the last `sync` are remembered so that
//! a flush makes exactly those durable.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

/// How many descriptors the cache keeps open at most.
const MAX_OPEN_FILES: usize = 512;

type FileKey = (i64, u64);

#[derive(Default)]
struct Cache {
    open: HashMap<FileKey, Arc<File>>,
    dirty: HashSet<FileKey>,
    dirty_dirs: HashSet<PathBuf>,
}

/// The data files of one store.
pub(crate) struct DataFiles {
    root: PathBuf,
    cache: Mutex<Cache>,
}

fn io_err(e: std::io::Error) -> Error {
    Error::Io(e)
}

impl DataFiles {
    pub fn new(root: &Path) -> DataFiles {
        DataFiles { root: root.to_path_buf(), cache: Mutex::new(Cache::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn dir(&self, pool: i64, id: u64) -> PathBuf {
        self.root.join(pool.to_string()).join(format!("{:02x}", id & 0xff))
    }

    fn path(&self, pool: i64, id: u64) -> PathBuf {
        self.dir(pool, id).join(format!("{id:x}"))
    }

    /// The open file, created when `create` and missing; None when missing.
    fn file(&self, pool: i64, id: u64, create: bool) -> Result<Option<Arc<File>>> {
        if let Some(f) = self.lock().open.get(&(pool, id)) {
            return Ok(Some(f.clone()));
        }
        let path = self.path(pool, id);
        let opened = OpenOptions::new().read(true).write(true).open(&path);
        let file = match opened {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let dir = self.dir(pool, id);
                std::fs::create_dir_all(&dir).map_err(io_err)?;
                let f = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&path)
                    .map_err(io_err)?;
                self.lock().dirty_dirs.insert(dir);
                f
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(e)),
        };
        let file = Arc::new(file);
        let mut cache = self.lock();
        if cache.open.len() >= MAX_OPEN_FILES {
            // drop descriptors nobody is using right now
            cache.open.retain(|_, f| Arc::strong_count(f) > 1);
        }
        Ok(Some(cache.open.entry((pool, id)).or_insert(file).clone()))
    }

    fn mark_dirty(&self, pool: i64, id: u64) {
        self.lock().dirty.insert((pool, id));
    }

    /// The file's length (0 when missing).
    pub fn size(&self, pool: i64, id: u64) -> Result<u64> {
        Ok(match self.file(pool, id, false)? {
            Some(f) => f.metadata().map_err(io_err)?.len(),
            None => 0,
        })
    }

    /// Reads up to `len` bytes at `offset` (fewer at the end of the file).
    pub fn read(&self, pool: i64, id: u64, offset: u64, len: u64) -> Result<Vec<u8>> {
        let Some(file) = self.file(pool, id, false)? else { return Ok(Vec::new()) };
        let size = file.metadata().map_err(io_err)?.len();
        if offset >= size {
            return Ok(Vec::new());
        }
        let n = len.min(size - offset) as usize;
        let mut buf = vec![0u8; n];
        file.read_exact_at(&mut buf, offset).map_err(io_err)?;
        Ok(buf)
    }

    /// Reads into `buf` at `offset`; returns the bytes read (short at the end).
    pub fn read_into(&self, pool: i64, id: u64, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let Some(file) = self.file(pool, id, false)? else { return Ok(0) };
        let mut done = 0;
        while done < buf.len() {
            match file.read_at(&mut buf[done..], offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_err(e)),
            }
        }
        Ok(done)
    }

    pub fn write(&self, pool: i64, id: u64, offset: u64, data: &[u8]) -> Result<()> {
        let file = self.file(pool, id, true)?.expect("created");
        file.write_all_at(data, offset).map_err(io_err)?;
        self.mark_dirty(pool, id);
        Ok(())
    }

    /// Zeroes `[offset, offset + len)` without changing the size (a hole).
    pub fn zero(&self, pool: i64, id: u64, offset: u64, len: u64) -> Result<()> {
        let Some(file) = self.file(pool, id, false)? else { return Ok(()) };
        let mode = libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE;
        // SAFETY: a valid descriptor; fallocate only changes the file's contents.
        let r = unsafe { libc::fallocate(file.as_raw_fd(), mode, offset as libc::off_t, len as libc::off_t) };
        if r != 0 {
            // no hole punching here: write zeros
            let size = file.metadata().map_err(io_err)?.len();
            let end = (offset + len).min(size);
            let mut at = offset;
            let zeros = vec![0u8; 1 << 16];
            while at < end {
                let n = ((end - at) as usize).min(zeros.len());
                file.write_all_at(&zeros[..n], at).map_err(io_err)?;
                at += n as u64;
            }
        }
        self.mark_dirty(pool, id);
        Ok(())
    }

    pub fn truncate(&self, pool: i64, id: u64, size: u64) -> Result<()> {
        let file = self.file(pool, id, true)?.expect("created");
        file.set_len(size).map_err(io_err)?;
        self.mark_dirty(pool, id);
        Ok(())
    }

    pub fn remove(&self, pool: i64, id: u64) -> Result<()> {
        {
            let mut cache = self.lock();
            cache.open.remove(&(pool, id));
            cache.dirty.remove(&(pool, id));
            cache.dirty_dirs.insert(self.dir(pool, id));
        }
        match std::fs::remove_file(self.path(pool, id)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(e)),
        }
    }

    pub fn exists(&self, pool: i64, id: u64) -> bool {
        self.lock().open.contains_key(&(pool, id)) || self.path(pool, id).exists()
    }

    /// Makes file `to` a copy of file `from` (sparse-aware), atomically: a copy
    /// interrupted by a crash leaves no file `to`. A missing `from` copies as empty.
    pub fn copy(&self, pool: i64, from: u64, to: u64) -> Result<()> {
        let dir = self.dir(pool, to);
        std::fs::create_dir_all(&dir).map_err(io_err)?;
        let tmp = dir.join(format!("{to:x}.tmp"));
        let out = OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&tmp).map_err(io_err)?;
        if let Some(src) = self.file(pool, from, false)? {
            let size = src.metadata().map_err(io_err)?.len();
            for (offset, len) in extents(&src, 0, size)? {
                let mut at = 0;
                let mut buf = vec![0u8; (len as usize).min(1 << 20)];
                while at < len {
                    let n = ((len - at) as usize).min(buf.len());
                    src.read_exact_at(&mut buf[..n], offset + at).map_err(io_err)?;
                    out.write_all_at(&buf[..n], offset + at).map_err(io_err)?;
                    at += n as u64;
                }
            }
            out.set_len(size).map_err(io_err)?;
        }
        {
            let mut cache = self.lock();
            cache.open.remove(&(pool, to));
        }
        std::fs::rename(&tmp, self.path(pool, to)).map_err(io_err)?;
        let mut cache = self.lock();
        cache.dirty.insert((pool, to));
        cache.dirty_dirs.insert(dir);
        Ok(())
    }

    /// Allocated extents of the file within `[offset, offset + len)`.
    pub fn extents(&self, pool: i64, id: u64, offset: u64, len: u64) -> Result<Vec<(u64, u64)>> {
        match self.file(pool, id, false)? {
            Some(f) => extents(&f, offset, len),
            None => Ok(Vec::new()),
        }
    }

    /// Removes every data file of a pool.
    pub fn remove_pool(&self, pool: i64) -> Result<()> {
        {
            let mut cache = self.lock();
            cache.open.retain(|k, _| k.0 != pool);
            cache.dirty.retain(|k| k.0 != pool);
        }
        match std::fs::remove_dir_all(self.root.join(pool.to_string())) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(e)),
        }
    }

    /// fsyncs every file and directory changed since the last sync.
    pub fn sync(&self) -> Result<()> {
        let (files, dirs) = {
            let mut cache = self.lock();
            (std::mem::take(&mut cache.dirty), std::mem::take(&mut cache.dirty_dirs))
        };
        for (pool, id) in files {
            if let Some(f) = self.file(pool, id, false)? {
                f.sync_data().map_err(io_err)?;
            }
        }
        for dir in dirs {
            if let Ok(d) = File::open(&dir) {
                d.sync_all().map_err(io_err)?;
            }
        }
        Ok(())
    }

    /// File ids present on disk for a pool (to find orphans after a crash).
    pub fn list_ids(&self, pool: i64) -> Result<Vec<u64>> {
        let mut ids = Vec::new();
        let Ok(dirs) = std::fs::read_dir(self.root.join(pool.to_string())) else { return Ok(ids) };
        for dir in dirs.flatten() {
            for f in std::fs::read_dir(dir.path()).map_err(io_err)?.flatten() {
                let name = f.file_name();
                let name = name.to_string_lossy();
                if let Some(tmp) = name.strip_suffix(".tmp") {
                    let _ = std::fs::remove_file(f.path());
                    let _ = tmp;
                } else if let Ok(id) = u64::from_str_radix(&name, 16) {
                    ids.push(id);
                }
            }
        }
        Ok(ids)
    }
}

/// Allocated extents of `file` within `[offset, offset + len)`, by SEEK_DATA/SEEK_HOLE.
fn extents(file: &File, offset: u64, len: u64) -> Result<Vec<(u64, u64)>> {
    let end = offset.saturating_add(len).min(file.metadata().map_err(io_err)?.len());
    let fd = file.as_raw_fd();
    let mut out = Vec::new();
    let mut pos = offset;
    while pos < end {
        // SAFETY: lseek on a valid descriptor only moves its offset.
        let data = unsafe { libc::lseek(fd, pos as libc::off_t, libc::SEEK_DATA) };
        if data < 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::ENXIO) {
                break; // no data after pos
            }
            // SEEK_DATA unsupported: all of it is data
            out.push((pos, end - pos));
            break;
        }
        let data = data as u64;
        if data >= end {
            break;
        }
        // SAFETY: as above.
        let hole = unsafe { libc::lseek(fd, data as libc::off_t, libc::SEEK_HOLE) };
        let hole = if hole < 0 { end } else { (hole as u64).min(end) };
        out.push((data, hole - data));
        pos = hole;
    }
    Ok(out)
}
