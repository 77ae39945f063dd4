//! A writer for the `newc` cpio format, the only archive the kernel unpacks as an initramfs.
//!
//! Entries are kept in a sorted map so every parent directory is written before its children,
//! which the kernel's unpacker requires.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// What one path in the archive is.
#[derive(Debug, Clone)]
pub enum Entry {
    Dir,
    /// A file copied from the host, with its mode bits.
    HostFile {
        source: PathBuf,
        mode: u32,
    },
    /// A file with the given contents and mode bits.
    Bytes {
        data: Vec<u8>,
        mode: u32,
    },
    Symlink(String),
}

/// An initramfs under construction: archive paths (without a leading `/`) to entries.
#[derive(Debug, Default)]
pub struct Archive {
    entries: BTreeMap<String, Entry>,
}

impl Archive {
    pub fn new() -> Archive {
        Archive::default()
    }

    /// Adds `path` and every missing parent directory.
    pub fn add(&mut self, path: &str, entry: Entry) {
        let path = path.trim_start_matches('/').to_string();
        let mut parent = Path::new(&path).parent();
        while let Some(p) = parent {
            let s = p.to_string_lossy().to_string();
            if s.is_empty() {
                break;
            }
            self.entries.entry(s).or_insert(Entry::Dir);
            parent = p.parent();
        }
        self.entries.insert(path, entry);
    }

    pub fn contains(&self, path: &str) -> bool {
        self.entries.contains_key(path.trim_start_matches('/'))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Writes the archive (uncompressed: the kernel unpacks it faster than it inflates gzip
    /// under software emulation). Returns the number of bytes written.
    pub fn write_to(&self, out: &Path) -> io::Result<u64> {
        let mut w = CountingWriter {
            inner: BufWriter::with_capacity(1 << 20, File::create(out)?),
            count: 0,
        };
        for (ino, (path, entry)) in self.entries.iter().enumerate() {
            let ino = ino as u32 + 1;
            match entry {
                Entry::Dir => write_header(&mut w, ino, 0o040755, 2, 0, path)?,
                Entry::Bytes { data, mode } => {
                    write_header(&mut w, ino, 0o100000 | mode, 1, data.len() as u32, path)?;
                    w.write_all(data)?;
                    pad(&mut w)?;
                }
                Entry::HostFile { source, mode } => {
                    let mut f = File::open(source).map_err(|e| {
                        io::Error::new(e.kind(), format!("{}: {e}", source.display()))
                    })?;
                    let mut data = Vec::new();
                    f.read_to_end(&mut data)?;
                    write_header(&mut w, ino, 0o100000 | mode, 1, data.len() as u32, path)?;
                    w.write_all(&data)?;
                    pad(&mut w)?;
                }
                Entry::Symlink(target) => {
                    write_header(&mut w, ino, 0o120777, 1, target.len() as u32, path)?;
                    w.write_all(target.as_bytes())?;
                    pad(&mut w)?;
                }
            }
        }
        write_header(&mut w, 0, 0, 1, 0, "TRAILER!!!")?;
        w.inner.flush()?;
        Ok(w.count)
    }
}

struct CountingWriter<W: Write> {
    inner: W,
    count: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn write_header<W: Write>(
    w: &mut CountingWriter<W>,
    ino: u32,
    mode: u32,
    nlink: u32,
    size: u32,
    name: &str,
) -> io::Result<()> {
    let namesize = name.len() as u32 + 1;
    let fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, namesize, 0];
    let mut h = String::with_capacity(110);
    h.push_str("070701");
    for f in fields {
        h.push_str(&format!("{f:08X}"));
    }
    w.write_all(h.as_bytes())?;
    w.write_all(name.as_bytes())?;
    w.write_all(&[0])?;
    pad(w)
}

fn pad<W: Write>(w: &mut CountingWriter<W>) -> io::Result<()> {
    let rem = (w.count % 4) as usize;
    if rem != 0 {
        w.write_all(&[0u8; 3][..4 - rem])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_parents_before_children_and_aligns() {
        let mut a = Archive::new();
        a.add(
            "/usr/bin/x",
            Entry::Bytes {
                data: b"abc".to_vec(),
                mode: 0o755,
            },
        );
        a.add("/bin/sh", Entry::Symlink("busybox".into()));
        let dir = std::env::temp_dir().join(format!("lvsdeck-cpio-{}", std::process::id()));
        let n = a.write_to(&dir).unwrap();
        let bytes = std::fs::read(&dir).unwrap();
        std::fs::remove_file(&dir).ok();
        assert_eq!(n as usize, bytes.len());
        assert_eq!(bytes.len() % 4, 0);
        let text = String::from_utf8_lossy(&bytes);
        let usr = text.find("usr\0").unwrap();
        let usr_bin = text.find("usr/bin\0").unwrap();
        let file = text.find("usr/bin/x\0").unwrap();
        assert!(usr < usr_bin && usr_bin < file);
        assert!(text.contains("TRAILER!!!"));
        // Every header starts with the newc magic at a 4-byte boundary.
        for (i, _) in text.match_indices("070701") {
            assert_eq!(i % 4, 0);
        }
    }
}
