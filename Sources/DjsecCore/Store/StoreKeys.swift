import Foundation

/// The keys one store version uses, all from the data key. Version 2 never
/// uses the data key directly: values, the MAC and the fingerprint each get
/// a subkey (`crypto_kdf`, context `djsecst2`), so no two purposes share a
/// key. Version 1 used the data key for values and a BLAKE2b-derived MAC key.
struct StoreKeys {
  static let context = "djsecst2"
  static let v1MacPurpose = "djsec-store-v1/mac"

  let value: SecretBytes
  let mac: SecretBytes
  /// Names the data key in trust records without revealing it (the same for
  /// both versions, so an upgrade keeps it).
  let fingerprint: String
  let valuePrefix: [UInt8]

  init(dataKey: SecretBytes, version: Int) throws(CryptoError) {
    let print = try Subkey.derive(3, context: Self.context, from: dataKey)
    fingerprint = print.withUnsafeBytes { $0.prefix(16).map { String(format: "%02x", $0) }.joined() }
    if version == 1 {
      value = dataKey
      mac = try KeyedHash.derive(Self.v1MacPurpose, from: dataKey)
      valuePrefix = Array("djsec-store-v1\u{0}".utf8)
    } else {
      value = try Subkey.derive(1, context: Self.context, from: dataKey)
      mac = try Subkey.derive(2, context: Self.context, from: dataKey)
      valuePrefix = Array("djsec-store-v2\u{0}".utf8)
    }
  }
}
