/// Errors from the encrypted store: one line each, naming the file and, for
/// integrity failures, the entry. Never a secret value. Errors about keys
/// (key files, DJSEC_* variables, passphrases) are KeyFileError, wrapped in `key`.
public enum StoreError: Error, Equatable, Sendable {
  case noKeyOpens(store: String, recipients: [String])
  case integrity(store: String, detail: String)
  case unsupportedVersion(store: String, found: String, supported: String)
  case malformed(file: String, line: Int, reason: String)
  case missingSecret(name: String, store: String)
  case invalidName(String)
  case storeNotFound(path: String)
  case unknownRecipient(label: String)
  case duplicateRecipient(label: String)
  case lastRecipient(label: String)
  case conflict(entry: String)
  case emptyValue(name: String)
  case tooLarge(file: String, limit: String)
  case conflictMarkers(file: String, line: Int)
  case trust(TrustError)
  case file(FileError)
  case key(KeyFileError)
  case crypto(CryptoError)

  // The passphrase errors moved to KeyFileError; these keep `.noPassphrase(keyFile:)`
  // and `.wrongPassphrase(keyFile:)` reading the same where a StoreError is thrown.
  public static func noPassphrase(keyFile: String) -> StoreError { .key(.noPassphrase(keyFile: keyFile)) }
  public static func wrongPassphrase(keyFile: String) -> StoreError { .key(.wrongPassphrase(keyFile: keyFile)) }
}

extension StoreError: DjsecError {
  public var message: String {
    switch self {
    case .noKeyOpens(let s, let r): "none of your keys opens \(s); its recipients are: \(r.joined(separator: ", "))"
    case .integrity(let s, let d): "integrity check failed for \(s): \(d)"
    case .unsupportedVersion(let s, let f, let v): "\(s) has format version \(f); this djsec reads version \(v)"
    case .malformed(let f, let l, let r): "\(f):\(l): \(r)"
    case .missingSecret(let n, let s): "no secret named \(n) in \(s)"
    case .invalidName(let n): "\(n.isEmpty ? "an empty name" : n) is not a valid secret name"
    case .storeNotFound(let p): "no store at \(p)"
    case .unknownRecipient(let l): "no recipient labelled \(l)"
    case .duplicateRecipient(let l): "a recipient labelled \(l) is already there"
    case .lastRecipient(let l): "refusing to remove \(l): it is the last recipient, and nobody could open the store"
    case .conflict(let e): "merge conflict on entry \(e): both sides changed it"
    case .emptyValue(let n): "refusing to store an empty value for \(n)"
    case .tooLarge(let f, let l): "\(f) is larger than djsec reads (\(l))"
    case .conflictMarkers(let f, let l): "\(f):\(l): git conflict markers: the store was merged without djsec's merge driver"
    case .trust(let e): e.message
    case .file(let e): e.message
    case .key(let e): e.message
    case .crypto(let e): e.message
    }
  }

  public var hint: String? {
    switch self {
    case .noKeyOpens: "ask a recipient to run 'djsec recipients add YOUR.pub', or point DJSEC_KEY_FILE at your key"
    case .integrity: "restore the file from git (git checkout -- FILE) and ask who changed it"
    case .unsupportedVersion: "upgrade djsec"
    case .malformed: "restore the file from git; edit it only with djsec"
    case .missingSecret: "list the names with 'djsec secret list'"
    case .invalidName: "use letters, digits and underscores, not starting with a digit (e.g. DB_PASSWORD)"
    case .storeNotFound: "create it with 'djsec init' or 'djsec secret set NAME', or pass --store PATH"
    case .unknownRecipient: "see 'djsec recipients list'"
    case .duplicateRecipient: "remove it first or choose another --name"
    case .lastRecipient: "add another recipient first"
    case .conflict: "resolve it by hand: 'djsec secret set' the value you want on the merged branch"
    case .emptyValue: "pass a value on standard input or at the prompt"
    case .tooLarge: "restore the file from git; a store this large was not written by djsec"
    case .conflictMarkers: "run 'djsec git-setup', then redo the merge (git merge --abort, and merge again)"
    case .trust(let e): e.hint
    case .file(let e): e.hint
    case .key(let e): e.hint
    case .crypto(let e): e.hint
    }
  }

  public var exitCode: Int32 {
    if case .missingSecret = self { return 1 }
    return 2
  }
}
