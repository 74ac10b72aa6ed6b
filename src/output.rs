//! Atomic report files: written to a temporary file beside the destination, then renamed, so a
//! failed or interrupted run never leaves a half-written SARIF for the next pipeline step.
//!
//! Only a regular file is replaced that way. `-o /dev/null`, `-o /dev/stdout` or a named pipe
//! are written through (a rename would put a regular file in the device's place, which for
//! root is `/dev/null` itself), and a symbolic link to a report is followed, so the link stays
//! and its target is replaced.

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Writes `bytes` to `path` atomically (temp file in the same folder + rename) when `path` is
/// or will be a regular file; writes through to a device, pipe or socket.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let err = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => match std::fs::canonicalize(path) {
            Ok(target) if std::fs::metadata(&target).is_ok_and(|t| t.is_file()) => {
                replace_file(&target, bytes)
            }
            // A link to a device or pipe, or a dangling one (its target is created).
            _ => write_through(path, bytes).map_err(err),
        },
        Ok(m) if !m.is_file() && !m.is_dir() => write_through(path, bytes).map_err(err),
        _ => replace_file(path, bytes),
    }
}

/// Opens `path` for writing (creating it if missing) and writes `bytes` to it.
fn write_through(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.flush()
}

/// The temp file and rename of [`write_atomic`], for a regular (or new) file.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let err = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".stagegate-").suffix(".tmp");
    // Reports are ordinary files: created with the umask's mode (0666 & !umask, like a shell
    // redirection), or the mode of the file being replaced — not tempfile's private 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o666);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.sarif");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let leftovers: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn reports_get_the_umask_mode_or_keep_the_replaced_files_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("new.sarif");
        write_atomic(&p, b"x").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        // The process umask is unknown here, but it never removes the owner's bits and the
        // file is no longer tempfile's private 0600 unless the umask says so (077).
        let umask_probe = d.path().join("probe");
        std::fs::write(&umask_probe, b"").unwrap();
        let expected = std::fs::metadata(&umask_probe)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, expected, "like a file the shell would create");
        let kept = d.path().join("kept.sarif");
        std::fs::write(&kept, b"old").unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&kept, b"new").unwrap();
        assert_eq!(
            std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_through_and_links_followed() {
        let null = Path::new("/dev/null");
        let is_device = |p: &Path| {
            use std::os::unix::fs::FileTypeExt;
            std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_char_device())
        };
        assert!(is_device(null), "the machine has a /dev/null device");
        write_atomic(null, b"report").unwrap();
        assert!(
            is_device(null),
            "still a device, not a regular file put in its place"
        );
        let d = tempfile::tempdir().unwrap();
        let to_null = d.path().join("to-null.sarif");
        std::os::unix::fs::symlink(null, &to_null).unwrap();
        write_atomic(&to_null, b"report").unwrap();
        assert!(std::fs::symlink_metadata(&to_null)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(is_device(null));
        let target = d.path().join("real.sarif");
        std::fs::write(&target, b"old").unwrap();
        let link = d.path().join("link.sarif");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        let dangling = d.path().join("dangling.sarif");
        std::os::unix::fs::symlink(d.path().join("made.sarif"), &dangling).unwrap();
        write_atomic(&dangling, b"made").unwrap();
        assert_eq!(std::fs::read(d.path().join("made.sarif")).unwrap(), b"made");
    }

    #[test]
    fn missing_folder_is_an_error_naming_the_path() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("nope/out.sarif");
        let e = write_atomic(&p, b"x").unwrap_err();
        assert!(e.to_string().contains("nope/out.sarif"), "{e}");
    }
}
