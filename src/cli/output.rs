//! Writing results: standard output, or a file written atomically.
//!
//! `--out FILE` never leaves a partial file: the text goes to a temporary file in FILE's own
//! folder (so the rename cannot cross file systems), is flushed to disk, and is renamed over
//! FILE. A reader sees the old file or the new one, whole; on any failure the temporary file is
//! removed and FILE is untouched.

use std::io::Write;
use std::path::Path;

use super::Exit;

/// Writes `text` to `out` (atomically: a temporary file in the same folder, then a rename) or to
/// standard output, and returns `success` if that worked.
pub fn emit(text: &str, out: Option<&Path>, success: Exit) -> Exit {
    match out {
        None => match super::print(text) {
            Exit::Ok => success,
            other => other,
        },
        Some(path) => match write_atomically(path, text) {
            Ok(()) => success,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                Exit::Input
            }
        },
    }
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".quorate-").suffix(".tmp");
    // A temporary file is private (0600); the plan should get the permissions a plain write
    // would give it: those of the file it replaces, or the usual 0666 less the umask.
    #[cfg(unix)]
    let permissions = match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => meta.permissions(),
        _ => std::os::unix::fs::PermissionsExt::from_mode(0o666),
    };
    #[cfg(unix)]
    builder.permissions(permissions);
    let mut file = builder.tempfile_in(folder)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
