import Foundation

/// Errors about keys: key files, the DJSEC_* variables that stand in for
/// them, passphrases, and the public keys of recipients. Each names the file,
/// variable or public key (never a private key or a passphrase) and hints at
/// the fix for that mistake.
public enum KeyFileError: Error, Equatable, Sendable {
  // A key file.
  case unreadable(path: String, errno: Int32)
  case tracked(path: String)
  case openToOthers(path: String, mode: UInt32)
  case foreignOwner(path: String, uid: UInt32)
  case malformed(path: String, line: Int, reason: String)
  case argon2idOutOfBounds(path: String, limit: String, value: String, bounds: String)
  case keyExists(path: String)
  /// `keys new` found the key but not its .pub: a `keys new` killed between the two.
  case publicHalfMissing(path: String, label: String)
  /// Empty or cut short: an older djsec killed while writing it (key files
  /// are now written whole or not at all). Never in git, so nothing to restore.
  case incomplete(path: String, size: Int)
  /// `keys new` would write a private key git does not ignore (`git add keys/` would commit it).
  case keyNotIgnored(path: String)
  /// The keys folder is a symbolic link: djsec writes no private key through one.
  case keyFolderIsLink(path: String)
  case invalidLabel(String)
  case file(FileError)
  // Finding the key to use.
  case noKeys(searched: [String])
  case severalKeys([String])
  case unknownKey(String, available: [String])
  case ambiguousLabel(String, paths: [String])
  case noUserFolder
  // Environment variables.
  case invalidPrivateKeyVariable
  case unreadableKeyFileVariable(path: String, errno: Int32)
  // Passphrases.
  case emptyPassphrase
  case passphrasesDiffer
  case noPassphrase(keyFile: String)
  case wrongPassphrase(keyFile: String)
  // Public keys.
  case notAPublicKey(String)
  case oldPublicKey(String)
  /// `key` is the base64 text; `file` the .pub file it came from, if any.
  case unsafePublicKey(key: String, file: String?, flaw: CryptoError.PublicKeyFlaw)
  case unsafeRecipient(label: String, code: Int32)
  case crypto(CryptoError)

  /// A path as the user would type it: below the current folder, relative to it.
  static func shown(_ path: String) -> String {
    relativePath(URL(fileURLWithPath: path), from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
  }
}

extension KeyFileError: DjsecError {
  public var message: String {
    switch self {
    case .unreadable(let p, let code): "cannot read key file \(Self.shown(p)): \(String(cString: strerror(code)))"
    case .tracked(let p): "\(Self.shown(p)) is tracked by git: everyone with the repository has this private key"
    case .openToOthers(let p, let mode):
      "\(Self.shown(p)) can be \(mode & 0o044 != 0 ? "read" : "changed") by others (mode \(String(format: "%04o", mode)))"
    case .foreignOwner(let p, let uid): "\(Self.shown(p)) belongs to another user (uid \(uid))"
    case .malformed(let p, let l, let r): "\(Self.shown(p)):\(l): \(r)"
    case .argon2idOutOfBounds(let p, let limit, let value, let bounds):
      "\(Self.shown(p)): argon2id \(limit) \(value) is outside the accepted \(bounds)"
    case .keyExists(let p): "refusing to overwrite \(Self.shown(p))"
    case .publicHalfMissing(let p, _):
      "refusing to overwrite \(Self.shown(p)); its public half \(Self.shown(String(p.dropLast(4)) + ".pub")) is missing"
    case .incomplete(let p, let size): "\(Self.shown(p)) is incomplete (\(size) bytes): a write of it was interrupted"
    case .keyNotIgnored(let p): "refusing to write \(Self.shown(p)): git would not ignore it, so 'git add' would commit this private key"
    case .keyFolderIsLink(let p): "refusing to write a private key into \(Self.shown(p)): it is a symbolic link"
    case .invalidLabel(let l): "\(l.isEmpty ? "an empty label" : l) is not a valid key label"
    case .file(let e): e.message
    case .noKeys(let searched): "no private key found in \(searched.joined(separator: ", "))"
    case .severalKeys(let keys): "several keys could seal the new store: \(keys.joined(separator: ", "))"
    case .unknownKey(let name, _): "no key labelled \(name)"
    case .ambiguousLabel(let name, let paths): "several keys are labelled \(name): \(paths.map(Self.shown).joined(separator: ", "))"
    case .noUserFolder: "there is no per-user key folder: neither XDG_CONFIG_HOME nor HOME is set"
    case .invalidPrivateKeyVariable: "DJSEC_PRIVATE_KEY does not hold a private key (32 bytes of base64)"
    case .unreadableKeyFileVariable(let p, let code): "cannot read DJSEC_KEY_FILE (\(p)): \(String(cString: strerror(code)))"
    case .emptyPassphrase: "refusing an empty passphrase: the key would look protected and open with nothing"
    case .passphrasesDiffer: "the passphrases differ"
    case .noPassphrase(let k): "\(Self.shown(k)) is protected by a passphrase and there is no terminal to ask for it"
    case .wrongPassphrase(let k): "wrong passphrase for \(Self.shown(k))"
    case .notAPublicKey(let k): "\(k) is not a djsec public identity (djsec:...) or a .pub file"
    case .oldPublicKey(let k): "\(k) is a version 1 public key, without the signing key format 2 needs"
    case .unsafePublicKey(let key, let file, let flaw):
      "the public key \(file.map { "in \(Self.shown($0))" } ?? key) is \(flaw.rawValue): anything sealed to it could be opened by anyone"
    case .unsafeRecipient(let label, let code):
      "cannot seal the data key to recipient \(label): crypto_box_seal returned \(code) (its public key is unsafe)"
    case .crypto(let e): e.message
    }
  }

  public var hint: String? {
    switch self {
    case .unreadable: "check that the key file exists and that you may read it"
    case .tracked(let p):
      "stop tracking it (git rm --cached \(Self.shown(p))) and treat the key as leaked: make a new one with 'djsec keys new'"
    case .openToOthers(let p, _): "if the key is yours, run: chmod 600 \(Self.shown(p))"
    case .foreignOwner: "use a key of your own ('djsec keys new'), or take this one with chown if it is really yours"
    case .malformed, .argon2idOutOfBounds:
      "djsec keys new never writes this: restore your key from a backup, or make a new one with 'djsec keys new' and ask to be added again"
    case .keyExists: "choose another --name, or remove the old key first if it is really unused"
    case .publicHalfMissing(_, let label):
      "a 'djsec keys new' was interrupted after writing the key: write the public half with 'djsec keys pub --name \(label)', or choose another --name"
    case .incomplete(let p, _):
      "it holds no usable key and key files are never in git: delete it (rm \(Self.shown(p))) and run 'djsec keys new', then ask a recipient of the store to add the new key"
    case .keyNotIgnored(let p):
      "restore \(Self.shown(URL(fileURLWithPath: p).deletingLastPathComponent().path + "/.gitignore")) ('*', then '!*.pub'), or make the key outside the checkout: djsec keys new --user"
    case .keyFolderIsLink(let p):
      "make \(Self.shown(p)) a real folder with djsec's .gitignore, or make the key outside the checkout: djsec keys new --user"
    case .invalidLabel: "use 1 to 64 letters, digits, '.', '_', '@' or '-'"
    case .file(let e): e.hint
    case .noKeys: "create one with 'djsec keys new' (or 'djsec keys new --user'), or set DJSEC_PRIVATE_KEY (base64) in CI"
    case .severalKeys: "name the one to use with --key LABEL or --key PATH"
    case .unknownKey(_, let available):
      available.isEmpty
        ? "create one with 'djsec keys new', or pass --key PATH of a .key file"
        : "the keys found are: \(available.joined(separator: ", ")); or pass --key PATH of a .key file"
    case .ambiguousLabel: "pass --key PATH of the .key file instead"
    case .noUserFolder: "set HOME, or make the key in the project with 'djsec keys new'"
    case .invalidPrivateKeyVariable: "set it to the base64 text after 'private:' in a key file, or unset it"
    case .unreadableKeyFileVariable: "point DJSEC_KEY_FILE at a key file made by 'djsec keys new', or unset it"
    case .emptyPassphrase: "type a passphrase, or leave out --passphrase for a key kept safe by its file mode alone"
    case .passphrasesDiffer: "type the same passphrase twice"
    case .noPassphrase: "run it in a terminal, or set DJSEC_PASSPHRASE"
    case .wrongPassphrase: "try again, or use another key"
    case .notAPublicKey: "pass the text printed by 'djsec keys new' or the path of its .pub file"
    case .oldPublicKey: "ask its owner for the output of 'djsec keys pub' (their .pub file, made anew)"
    case .unsafePublicKey: "ask its owner for the public key 'djsec keys new' printed"
    case .unsafeRecipient(let label, _):
      "remove it with 'djsec recipients remove \(label)', then add the key its owner's 'djsec keys new' printed"
    case .crypto(let e): e.hint
    }
  }
}
