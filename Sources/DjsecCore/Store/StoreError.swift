/// Errors from the encrypted store and key files: one line each, naming the
/// file and, for integrity failures, the entry. Never a secret value.
public enum StoreError: Error, Equatable, Sendable {
  case noKeyOpens(store: String, recipients: [String])
  case noKeys(folder: String)
  case integrity(store: String, detail: String)
  case unsupportedVersion(store: String, found: String, supported: String)
  case malformed(file: String, line: Int, reason: String)
  case missingSecret(name: String, store: String)
  case invalidName(String)
  case wrongPassphrase(keyFile: String)
  case noPassphrase(keyFile: String)
  case storeNotFound(path: String)
  case keyExists(path: String)
  case invalidPublicKey(String)
  case unknownRecipient(label: String)
  case duplicateRecipient(label: String)
  case lastRecipient(label: String)
  case conflict(entry: String)
  case emptyValue(name: String)
  case file(FileError)
}

extension StoreError: DjsecError {
  public var message: String {
    switch self {
    case .noKeyOpens(let s, let r): "none of your keys opens \(s); its recipients are: \(r.joined(separator: ", "))"
    case .noKeys(let f): "no private key found in \(f), DJSEC_PRIVATE_KEY or DJSEC_KEY_FILE"
    case .integrity(let s, let d): "integrity check failed for \(s): \(d)"
    case .unsupportedVersion(let s, let f, let v): "\(s) has format version \(f); this djsec reads version \(v)"
    case .malformed(let f, let l, let r): "\(f):\(l): \(r)"
    case .missingSecret(let n, let s): "no secret named \(n) in \(s)"
    case .invalidName(let n): "\(n.isEmpty ? "an empty name" : n) is not a valid secret name"
    case .wrongPassphrase(let k): "wrong passphrase for \(k)"
    case .noPassphrase(let k): "\(k) is protected by a passphrase and there is no terminal to ask for it"
    case .storeNotFound(let p): "no store at \(p)"
    case .keyExists(let p): "refusing to overwrite \(p)"
    case .invalidPublicKey(let k): "\(k) is not a djsec public key (32 bytes of base64) or a .pub file"
    case .unknownRecipient(let l): "no recipient labelled \(l)"
    case .duplicateRecipient(let l): "a recipient labelled \(l) is already there"
    case .lastRecipient(let l): "refusing to remove \(l): it is the last recipient, and nobody could open the store"
    case .conflict(let e): "merge conflict on entry \(e): both sides changed it"
    case .emptyValue(let n): "refusing to store an empty value for \(n)"
    case .file(let e): e.message
    }
  }

  public var hint: String? {
    switch self {
    case .noKeyOpens: "ask a recipient to run 'djsec recipients add YOUR.pub', or point DJSEC_KEY_FILE at your key"
    case .noKeys: "create one with 'djsec keys new', or set DJSEC_PRIVATE_KEY (base64) in CI"
    case .integrity: "restore the file from git (git checkout -- FILE) and ask who changed it"
    case .unsupportedVersion: "upgrade djsec"
    case .malformed: "restore the file from git; edit it only with djsec"
    case .missingSecret: "list the names with 'djsec secret list'"
    case .invalidName: "use letters, digits and underscores, not starting with a digit (e.g. DB_PASSWORD)"
    case .wrongPassphrase: "try again, or use another key"
    case .noPassphrase: "run it in a terminal, or set DJSEC_PASSPHRASE"
    case .storeNotFound: "create it with 'djsec init' or 'djsec secret set NAME', or pass --store PATH"
    case .keyExists: "choose another --name, or remove the old key first if it is really unused"
    case .invalidPublicKey: "pass the text printed by 'djsec keys new' or the path of its .pub file"
    case .unknownRecipient: "see 'djsec recipients list'"
    case .duplicateRecipient: "remove it first or choose another --name"
    case .lastRecipient: "add another recipient first"
    case .conflict: "resolve it by hand: 'djsec secret set' the value you want on the merged branch"
    case .emptyValue: "pass a value on standard input or at the prompt"
    case .file(let e): e.hint
    }
  }

  public var exitCode: Int32 {
    if case .missingSecret = self { return 1 }
    return 2
  }
}
