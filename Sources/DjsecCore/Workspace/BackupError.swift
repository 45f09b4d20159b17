/// Why djsec could not keep a copy of a file before replacing it. Nothing
/// was replaced: the message says so, so the user knows the file is intact.
public enum BackupError: Error, Equatable, Sendable {
  /// Reading the file or writing the copy failed.
  case file(FileError, path: String)
  /// The backup folder is a link, or git would commit a copy there.
  case target(SecretFileError, path: String)
  /// No home folder, so no state folder to keep the copy in.
  case noStateFolder(path: String)
}

extension BackupError: DjsecError {
  public var message: String {
    switch self {
    case .file(let e, let path): "could not keep a copy of \(path), so it was left as it is: \(e.message)"
    case .target(let e, let path): "could not keep a copy of \(path), so it was left as it is: \(e.message)"
    case .noStateFolder(let path): "could not keep a copy of \(path), so it was left as it is: there is no home folder for it"
    }
  }

  public var hint: String? {
    switch self {
    case .file(let e, _): e.hint
    case .target(let e, _): e.hint
    case .noStateFolder: "set HOME or XDG_STATE_HOME to a folder of yours"
    }
  }
}
