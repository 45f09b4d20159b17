/// The one place that decides whom a store's signature is trusted for
/// (docs/SECURITY.md): the user's own key always; besides it, the signers
/// DJSEC_TRUSTED_KEYS lists when it is set (CI), else the recipients of the
/// newest version the user's record accepted. Never anything the store
/// itself says.
enum TrustPolicy {
  /// The signing keys trusted for one run.
  static func signers(own: [UInt8], record: TrustRecord?, trustedKeys: Set<[UInt8]>?) -> Set<[UInt8]> {
    var trusted: Set<[UInt8]> = [own]
    if let trustedKeys {
      trusted.formUnion(trustedKeys)
    } else if let record {
      trusted.formUnion(record.signKeys)
    }
    return trusted
  }

  static func verdict(file: StoreFile, fingerprint: String, signers: Set<[UInt8]>, record: TrustRecord?, trust: TrustSettings)
    -> TrustVerdict
  {
    guard file.version >= 2, let signature = file.signature else { return .unsigned }
    guard signers.contains(signature.signer) else {
      return .untrusted(trust.trustedKeys != nil ? .notListed : record == nil ? .firstContact : .notAccepted)
    }
    guard let record else { return .trusted }
    let retired = record.retiredDataKeys.contains(fingerprint)
    if file.generation < record.generation || retired {
      return .older(generation: file.generation, seen: record.generation, retiredKey: retired)
    }
    let back = file.recipients.filter(record.wasRemoved).map(\.label)
    if !back.isEmpty { return .removedReturned(back) }
    return .trusted
  }
}
