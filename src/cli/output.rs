//! Writing results: standard output, or a file written atomically.
//!
//! `--out FILE` never leaves a partial file: the text goes to a temporary file in FILE's own
//! folder (so the rename cannot cross file systems), is flushed to disk, and is renamed over
//! FILE. A reader sees the old file or the new one, whole; on any failure the temporary file is
//! removed and FILE is untouched. On standard output a closed pipe (`quorate plan x | head -1`)
//! is not a failure: the reader has all it wanted.

use std::io::Write;
use std::path::Path;

use super::CliError;

/// Writes `text` to `out` (atomically) or to standard output.
pub fn emit(text: &str, out: Option<&Path>) -> Result<(), CliError> {
    match out {
        None => print(text),
        Some(path) => write_atomically(path, text).map_err(|error| CliError::Write {
            target: path.display().to_string(),
            error,
        }),
    }
}

/// Writes to standard output; a closed pipe is not an error.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(CliError::Write {
            target: "standard output".to_string(),
            error,
        }),
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
