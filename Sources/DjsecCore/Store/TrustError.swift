/// Why djsec refused a store it could decrypt: it cannot prove that a
/// trusted recipient wrote it, or it is older than one the user has seen
/// (docs/SECURITY.md). One line each, naming the store and the signer by
/// label and fingerprint; the hint names the command that resolves it.
public enum TrustError: Error, Equatable, Sendable {
  case untrusted(store: String, signer: String, fingerprint: String, reason: UntrustedReason)
  case unsigned(store: String)
  case retiredDataKey(store: String)
  case replacedValues(store: String, names: [String])
  case removedRecipientAdded(label: String, removedAs: String)
  case removedRecipientReturned(store: String, labels: [String])
  case badTrustedKeys(word: String)
  case unreadableRecord(path: String)
  case mergeRefused(store: String, reason: String)
  case declined(store: String)
  case noTerminal(store: String)
}

/// Why a signer is not trusted, for a message that fits the situation.
public enum UntrustedReason: Equatable, Sendable {
  /// No record of this store yet (a fresh clone, a new machine).
  case firstContact
  /// The record does not list the signer among the trusted recipients.
  case notAccepted
  /// DJSEC_TRUSTED_KEYS is set (CI) and does not list the signer.
  case notListed
}

extension TrustError: DjsecError {
  public var message: String {
    switch self {
    case .untrusted(let s, let signer, let fp, .firstContact):
      "\(s) is new to you: it was signed by \(signer) (\(fp)), whom you have not accepted yet"
    case .untrusted(let s, let signer, let fp, .notAccepted):
      "\(s) was signed by \(signer) (\(fp)), whom you have not accepted"
    case .untrusted(let s, let signer, let fp, .notListed):
      "\(s) was signed by \(signer) (\(fp)), who is not in DJSEC_TRUSTED_KEYS"
    case .unsigned(let s): "\(s) is format version 1, which is not signed: djsec cannot tell who wrote it"
    case .retiredDataKey(let s):
      "refusing to use \(s): it is older than the newest version you have seen, and its data key was retired (a removed recipient knew it)"
    case .removedRecipientAdded(let label, let removed):
      "refusing to add \(label): that key was removed from the store (as \(removed)) by a trusted recipient"
    case .replacedValues(let s, let names):
      "refusing to use \(s): it holds values that this branch's history replaced since (\(names.joined(separator: ", ")))"
    case .removedRecipientReturned(let s, let labels):
      "\(s) gives access back to \(labels.joined(separator: ", ")), removed by a trusted recipient"
    case .badTrustedKeys(let w): "DJSEC_TRUSTED_KEYS holds '\(w.prefix(20))', which is not a djsec identity or a base64 signing key"
    case .unreadableRecord(let p): "cannot read the trust record \(p)"
    case .mergeRefused(let s, let reason): "merge of \(s) refused: \(reason)"
    case .declined(let s): "\(s) was not accepted; nothing changed"
    case .noTerminal(let s): "no terminal to confirm on: \(s) was not accepted"
    }
  }

  public var hint: String? {
    switch self {
    case .untrusted(_, _, _, .firstContact):
      "review it with 'djsec trust' and compare the signer's identity with the one your teammate gave you; in CI, set DJSEC_TRUSTED_KEYS"
    case .untrusted(_, _, _, .notListed):
      "see who changed what with 'djsec trust'; if the change is legitimate, add the signer's identity to the job's DJSEC_TRUSTED_KEYS"
    case .untrusted:
      "review who changed what with 'djsec trust' and accept only a change you expected; in CI, list the signers in DJSEC_TRUSTED_KEYS"
    case .unsigned: "review it with 'djsec trust', which upgrades it to version 2 signed by you"
    case .retiredDataKey:
      "check out the newest store (git log -p -- secrets.djsec shows what changed), or accept this one deliberately with 'djsec trust'"
    case .removedRecipientAdded:
      "check with its owner that the .pub file really is theirs; to give the key access again on purpose, pass --again"
    case .replacedValues:
      "an older copy was put back: check out the newest store (git log -p -- secrets.djsec); if bringing them back is deliberate, accept it with 'djsec trust'"
    case .removedRecipientReturned: "review it with 'djsec trust'; to give them access again yourself, use 'djsec recipients add'"
    case .badTrustedKeys: "list identities as 'djsec recipients list' prints them, separated by spaces, commas or newlines"
    case .unreadableRecord: "delete it to review the store again with 'djsec trust'"
    case .mergeRefused:
      "keep one side (git checkout --ours secrets.djsec), finish the merge, then redo the other side's change with 'djsec recipients add/remove', 'djsec rotate data-key' or 'djsec secret set'"
    case .declined: nil
    case .noTerminal: "review the output above, then run 'djsec trust --yes' to accept it"
    }
  }
}
