//! Bounded reads and symlink-safe writes for prr's own files: the config
//! and its layers, team rules, the gitleaks config and `.gitleaksignore`,
//! the baseline, report outputs, generated files.
//!
//! Reads ([`read_bounded`], [`read_text_bounded`]) accept only regular files
//! (a symbolic link is followed to one; a device, FIFO, socket or folder is
//! refused before anything is read) and stop after `limit + 1` bytes
//! *actually read*: procfs files such as `/proc/self/pagemap` report size 0,
//! so a size check alone would let them grow without bound. FIFOs are
//! detected from the metadata before the open (opening one would block),
//! and the opened handle is checked again.
//!
//! Writes ([`write_file`]) never go through a symbolic link: a path that is
//! a link, or whose folder is reached through a link below the current
//! directory (a committed `.prr -> /etc`), is refused with
//! [`WriteError::Symlink`]; otherwise the bytes go to a new temporary file in
//! the target folder that is renamed over the path, so an existing link
//! created in between is replaced, never followed. Callers map the error to
//! exit 2.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Reads at most `limit` bytes of the regular file `path`.
///
/// Errors (`io::Error`, message ready to print after the path): not found
/// (kind `NotFound`), not a regular file, more than `limit` bytes (counted
/// while reading), any read error.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut out = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "larger than {} (the limit for this file)",
            human_bytes(limit)
        )));
    }
    Ok(out)
}

/// [`read_bounded`] as UTF-8 text. Errors as [`read_bounded`], plus invalid
/// UTF-8 (kind `InvalidData`, no content quoted).
pub fn read_text_bounded(path: &Path, limit: u64) -> std::io::Result<String> {
    String::from_utf8(read_bounded(path, limit)?).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Whether `path` is a symbolic link whose target (resolved) lies outside
/// the folder `dir` (resolved): a policy file linked to `~/.git-credentials`
/// or procfs. `false` for a plain file or a link that stays inside.
pub fn link_leaves(path: &Path, dir: &Path) -> bool {
    let is_link = path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    is_link && !inside(path, dir)
}

/// Files larger than this are not read (reported as a `prr/skipped` notice).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// `path` relative to `root` with `/` separators.
pub fn rel_path(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    s.join("/")
}

/// Whether `path`, links resolved, lies inside the folder `root` (links
/// resolved too). `false` when either cannot be resolved.
pub fn inside(path: &Path, root: &Path) -> bool {
    match (path.canonicalize(), root.canonicalize()) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        _ => false,
    }
}

fn not_regular(meta: &std::fs::Metadata) -> std::io::Error {
    let t = meta.file_type();
    let what = if t.is_dir() {
        "a folder"
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                "a FIFO"
            } else if t.is_char_device() || t.is_block_device() {
                "a device"
            } else if t.is_socket() {
                "a socket"
            } else {
                "not a regular file"
            }
        }
        #[cfg(not(unix))]
        {
            "not a regular file"
        }
    };
    std::io::Error::other(format!("not a regular file ({what})"))
}

fn human_bytes(n: u64) -> String {
    if n >= 1024 * 1024 && n.is_multiple_of(1024 * 1024) {
        format!("{} MiB", n / 1024 / 1024)
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// Why [`write_file`] did not write.
#[derive(Debug)]
pub enum WriteError {
    /// The path, or a folder on the way to it, is a symbolic link (the
    /// link's path).
    Symlink(PathBuf),
    /// Creating the folder, the temporary file or the rename failed.
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Symlink(p) => write!(
                f,
                "refusing to write through the symbolic link {} (prr never writes through a link: \
                 remove it or choose another path)",
                p.display()
            ),
            WriteError::Io(p, e) => write!(f, "cannot write {}: {e}", p.display()),
        }
    }
}

impl std::error::Error for WriteError {}

/// The first symbolic link among `path` and the folders leading to it that
/// lie below the current directory (for a relative path: every component;
/// for an absolute one: the components after the current directory when
/// the path is under it, else only `path` itself — system folders such as
/// macOS's `/tmp -> /private/tmp` are not the repository's to plant).
pub fn symlink_on_the_way(path: &Path) -> Option<PathBuf> {
    symlink_below(std::env::current_dir().ok().as_deref(), path)
}

/// [`symlink_on_the_way`] with `base` as the current directory (relative
/// paths are taken from it).
fn symlink_below(base: Option<&Path>, path: &Path) -> Option<PathBuf> {
    let (mut cur, rest): (PathBuf, &Path) = if path.is_absolute() {
        match base.and_then(|c| path.strip_prefix(c).ok().map(|r| (c, r))) {
            Some((c, rest)) => (c.to_path_buf(), rest),
            None => {
                let is_link = path
                    .symlink_metadata()
                    .is_ok_and(|m| m.file_type().is_symlink());
                return is_link.then(|| path.to_path_buf());
            }
        }
    } else {
        (base.map(Path::to_path_buf).unwrap_or_default(), path)
    };
    for c in rest.components() {
        match c {
            Component::CurDir => continue,
            Component::ParentDir => {
                cur.push("..");
                continue;
            }
            other => cur.push(other),
        }
        match cur.symlink_metadata() {
            Ok(m) if m.file_type().is_symlink() => return Some(cur),
            Ok(_) => {}
            Err(_) => return None, // the rest does not exist yet: no link on the way
        }
    }
    None
}

/// Writes `bytes` to `path` (creating its folder) without following a
/// symbolic link: see the module docs. The new file gets the default
/// permissions of a new file (umask), as `std::fs::write` would give.
///
/// Errors: [`WriteError::Symlink`] when a link is on the way (exit 2),
/// [`WriteError::Io`] otherwise.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_file_within(None, path, bytes)
}

/// [`write_file`], also refusing a link on the way from `root` (the
/// repository folder a file is written into, e.g. `prr init`'s folder or the
/// baseline's repository) when `path` is below it.
///
/// Errors as [`write_file`].
pub fn write_file_within(root: Option<&Path>, path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let link =
        || symlink_on_the_way(path).or_else(|| root.and_then(|r| symlink_below(Some(r), path)));
    if let Some(l) = link() {
        return Err(WriteError::Symlink(l));
    }
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e| WriteError::Io(p, e)
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    // The folder may have been created just now; check again before the
    // temporary file lands in it.
    if let Some(l) = link() {
        return Err(WriteError::Symlink(l));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".prr-write-")
        .tempfile_in(&dir)
        .map_err(io(&dir))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(io(path))?;
    #[cfg(unix)]
    {
        // tempfile creates 0600; give the file what `fs::write` would.
        use std::os::unix::fs::PermissionsExt;
        let mode = 0o666 & !current_umask();
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode));
    }
    tmp.persist(path)
        .map_err(|e| WriteError::Io(path.into(), e.error))?;
    Ok(())
}

/// The process umask, read from `/proc/self/status` (Linux ≥ 4.7); 022
/// when it cannot be read.
#[cfg(unix)]
fn current_umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// Whether `text` looks binary: a NUL byte in its first 8 KiB (the test
/// git and ripgrep use).
pub fn is_binary(text: &[u8]) -> bool {
    text[..text.len().min(8192)].contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded_by_bytes_read() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.yaml");
        std::fs::write(&p, "abcdef").unwrap();
        assert_eq!(read_bounded(&p, 6).unwrap(), b"abcdef");
        let e = read_bounded(&p, 5).unwrap_err().to_string();
        assert!(e.contains("larger than 5 bytes"), "{e}");
        // procfs: size 0 in the metadata, endless when read.
        if Path::new("/proc/self/pagemap").exists() {
            let e = read_bounded(Path::new("/proc/self/pagemap"), 4096);
            assert!(e.is_err(), "pagemap must be cut at the limit");
        }
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_folders_are_refused() {
        let e = read_bounded(Path::new("/dev/zero"), 1024)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a device"), "{e}");
        let d = tempfile::tempdir().unwrap();
        let e = read_bounded(d.path(), 1024).unwrap_err().to_string();
        assert!(e.contains("a folder"), "{e}");
        let fifo = d.path().join("fifo");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            // Must return (not block on open) and refuse.
            let e = read_bounded(&fifo, 1024).unwrap_err().to_string();
            assert!(e.contains("a FIFO"), "{e}");
        }
        let link = d.path().join("zero.yaml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(read_bounded(&link, 1024).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn writes_never_follow_a_link() {
        let d = tempfile::tempdir().unwrap();
        let outside = d.path().join("outside.txt");
        std::fs::write(&outside, "keep").unwrap();
        let link = d.path().join("report.json");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        let e = write_file(&link, b"x").unwrap_err();
        assert!(matches!(e, WriteError::Symlink(_)), "{e}");
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");

        // A linked folder below the current directory: relative paths are
        // checked component by component.
        let target = d.path().join("elsewhere");
        std::fs::create_dir(&target).unwrap();
        let linked = d.path().join(".prr");
        std::os::unix::fs::symlink(&target, &linked).unwrap();
        assert_eq!(
            symlink_below(Some(d.path()), Path::new(".prr/baseline.json")),
            Some(d.path().join(".prr"))
        );
        assert_eq!(
            symlink_below(Some(d.path()), &linked.join("baseline.json")),
            Some(d.path().join(".prr")),
            "an absolute path under the current directory is checked the same way"
        );
        assert_eq!(
            symlink_below(Some(&target), &linked.join("baseline.json")),
            None,
            "outside the current directory only the file itself is checked"
        );

        // A plain write replaces the file and keeps umask permissions.
        let p = d.path().join("out/report.json");
        write_file(&p, b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "{}");
        write_file(&p, b"[]").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "[]");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_ne!(mode, 0o600, "a report is not private by accident");
    }
}
