//! Writing results: standard output, or a file written atomically.

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
    let mut file = tempfile::Builder::new()
        .prefix(".quorate-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
