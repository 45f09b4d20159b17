#if canImport(Glibc)
  import Glibc
#endif

/// Errors from `djsec secret edit`. The plaintext copy holds secrets, so an
/// error about it names a line number and what was expected there, never the
/// line's text (a value pasted on the wrong line must not reach the terminal).
public enum EditError: Error, Equatable, Sendable {
  case store(StoreError)
  case file(FileError)
  case cannotStartEditor(editor: String, errno: Int32)
  case editorFailed(editor: String, status: Int32)
  case editorKilled(editor: String, signal: Int32)
  /// `line` counts from 1 in the copy as the editor saved it.
  case invalidCopy(line: Int, reason: String)
  case emptied
  case needsConfirmation(changes: [String])
  case notConfirmed
  case changedWhileEditing(store: String)
  /// djsec received `signal` (or the editor died of Ctrl-C or Ctrl-\) and the
  /// copy is gone; the caller ends the process with that signal.
  case interrupted(signal: Int32)
}

extension EditError: DjsecError {
  public var message: String {
    switch self {
    case .store(let e): e.message
    case .file(let e): e.message
    case .cannotStartEditor(let e, let code): "cannot start the editor (\(e)): \(String(cString: strerror(code)))"
    case .editorFailed(let e, let s): "the editor (\(e)) exited with status \(s); nothing was changed"
    case .editorKilled(let e, let s): "the editor (\(e)) was killed by signal \(s); nothing was changed"
    case .invalidCopy(let l, let r): "the edited copy, line \(l): \(r); nothing was changed"
    case .emptied: "the edited copy holds no secrets; nothing was changed"
    case .needsConfirmation(let c):
      "the edit \(c.joined(separator: " and ")): refusing it without a confirmation, and there is no terminal to ask; nothing was changed"
    case .notConfirmed: "not confirmed; nothing was changed"
    case .changedWhileEditing(let s):
      "\(s) changed while you were editing (another djsec command, a git checkout or a merge wrote it); nothing was written"
    case .interrupted(let s): "interrupted by signal \(s); the plaintext copy was removed and nothing was changed"
    }
  }

  public var hint: String? {
    switch self {
    case .store(let e): e.hint
    case .file(let e): e.hint
    case .cannotStartEditor, .editorKilled: "set $VISUAL or $EDITOR to an editor that works, and run 'djsec secret edit' again"
    case .editorFailed:
      "quitting the editor with an error is how to cancel; if you did not mean to, check $VISUAL or $EDITOR and run 'djsec secret edit' again"
    case .invalidCopy:
      "run 'djsec secret edit' again: one NAME=value per line, a quoted value is a JSON string, base64: marks raw bytes"
    case .emptied: "to remove a secret, delete its line and keep the others, or run 'djsec secret rm NAME'"
    case .needsConfirmation: "run it in a terminal to be asked, or pass --yes to accept"
    case .notConfirmed: nil
    case .changedWhileEditing: "run 'djsec secret edit' again to edit the current secrets"
    case .interrupted: nil
    }
  }

  public var exitCode: Int32 {
    switch self {
    case .store(let e): e.exitCode
    // The user chose to stop: an outcome, not a failure to run.
    case .emptied, .notConfirmed: 1
    case .interrupted(let s): 128 + s
    default: 2
    }
  }
}
