/// Why a command that writes the store and local_settings.py stopped, and
/// when the store was already saved, what finishes the job.
public enum DeployError: Error, Equatable, Sendable {
  case store(StoreError)
  case render(RenderError)
  case target(SecretFileError)
  /// local_settings.py was not written by djsec; `force` is the command that replaces it (keeping a copy).
  case handWritten(path: String, force: String)
  /// local_settings.py holds another environment's render; `force` replaces it (keeping a copy).
  case otherEnvironment(path: String, environment: String, force: String)
  /// The copy of a hand-written file could not be kept, so it was not replaced.
  case backup(BackupError)
  /// The store was saved but local_settings.py could not be written: the
  /// deployed file is behind the store until `finish` runs.
  case incomplete(FileError, store: String, finish: String)
  /// local_settings.py could not be written, and the store did not change.
  case unwritten(FileError)
}

extension DeployError: DjsecError {
  public var message: String {
    switch self {
    case .store(let e): e.message
    case .render(let e): e.message
    case .target(let e): e.message
    case .handWritten(let path, _): "refusing to replace \(path): djsec did not write it (its first line is not djsec's)"
    case .otherEnvironment(let path, let env, _): "refusing to replace \(path): it holds environment \(env)"
    case .backup(let e): e.message
    case .incomplete(let e, let store, _): "\(store) was saved, but local_settings.py was not: \(e.message)"
    case .unwritten(let e): "local_settings.py was not written: \(e.message)"
    }
  }

  public var hint: String? {
    switch self {
    case .store(let e): e.hint
    case .render(let e): e.hint
    case .target(let e): e.hint
    case .handWritten(_, let force):
      "move the secrets it holds into the store first ('djsec secret set NAME'), then run '\(force)': "
        + "it keeps a copy in your state folder (~/.local/state/djsec) before replacing it"
    case .otherEnvironment(_, _, let force):
      "check --settings and --out; to switch this checkout's environment on purpose, run '\(force)' (a copy of the file is kept)"
    case .backup(let e): e.hint
    case .incomplete(_, _, let finish): "free the space or fix the permission, then run '\(finish)' to finish"
    case .unwritten(let e): e.hint
    }
  }
}
