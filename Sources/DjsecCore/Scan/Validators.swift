import Foundation

/// Checks a regex cannot express, named from the rule files' `validators`.
enum Validators {
  typealias Check = @Sendable ([UInt8]) -> Bool

  static func named(_ name: String) -> Check? {
    switch name {
    case "github-checksum": githubChecksum
    case "django-key-shape": djangoKeyShape
    case "gitlab-routable-checksum": gitlabRoutableChecksum
    case "packagist-checksum": packagistChecksum
    case "supabase-service-role-jwt": supabaseServiceRoleJWT
    case "grafana-checksum": grafanaChecksum
    case "matrix-checksum": matrixChecksum
    case "jwt-header": jwtHeader
    case "basic-auth-base64": basicAuthBase64
    case "printable-base64": printableBase64
    case "age-bech32": ageBech32
    case "discord-user-id": discordUserID
    default: nil
    }
  }

  /// GitHub's classic tokens end in a CRC32 of their 30 random characters,
  /// written as 6 base62 digits: a random string of the right shape passes
  /// only once in ~57 billion times.
  static let githubChecksum: Check = { token in
    guard token.count == 40, let underscore = token.firstIndex(of: UInt8(ascii: "_")), underscore == 3 else { return false }
    let body = token[4..<34]
    let checksum = String(decoding: token[34..<40], as: UTF8.self)
    return base62(CRC32.checksum(body), width: 6) == checksum
  }

  /// Django's generated keys mix letters, digits and its symbols: at least two
  /// distinct symbols other than `-` and `_` (a slug or a word list has none).
  static let djangoKeyShape: Check = { key in
    let symbols = Set("!@#$%^&*(=+)".utf8)
    let present = Set(key.filter { symbols.contains($0) })
    let digits = key.contains { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    return present.count >= 2 && digits
  }

  /// Grafana service account tokens are `glsa_`, 32 random letters and
  /// digits, `_`, then the CRC32 of everything before that last `_`, its four
  /// bytes written low byte first as 8 hex digits (grafana/grafana,
  /// pkg/components/satokengen).
  static let grafanaChecksum: Check = { token in
    let n = token.count
    guard n > 9, token[n - 9] == UInt8(ascii: "_") else { return false }
    let checksum = String(decoding: token[(n - 8)...], as: UTF8.self)
    return hex(CRC32.checksum(token[..<(n - 9)]).byteSwapped, width: 8) == checksum
  }

  /// Synapse (Matrix) access and refresh tokens are
  /// `syt_<base64 user>_<20 random>_<check>`, the check being the CRC32 of
  /// everything before its `_` as 6 base62 digits (synapse/handlers/auth.py).
  static let matrixChecksum: Check = { token in
    let n = token.count
    guard n > 7, token[n - 7] == UInt8(ascii: "_") else { return false }
    let checksum = String(decoding: token[(n - 6)...], as: UTF8.self)
    return base62(CRC32.checksum(token[..<(n - 7)]), width: 6) == checksum
  }

  /// GitLab's routable tokens (`glpat-` and the other `gl…-` prefixes, since
  /// 2025) are `<prefix><base64url payload>.<version, 2 base-36 digits>.<payload
  /// length, 2 base-36 digits>` followed by a CRC32 of all of that, written as 7
  /// base-36 digits. The older form (prefix and 20 random characters) carries no
  /// checksum and passes.
  static let gitlabRoutableChecksum: Check = { token in
    let n = token.count
    let dot = UInt8(ascii: ".")
    guard n > 13, token[n - 10] == dot, token[n - 13] == dot else { return true }
    let checksum = String(decoding: token[(n - 7)...], as: UTF8.self)
    return radix36(CRC32.checksum(token[..<(n - 7)]), width: 7) == checksum
  }

  /// Private Packagist tokens: `packagist_ort_`, `_out_` or `_uut_`, 60 random hex
  /// digits, then the CRC32 of prefix and random part as 8 hex digits.
  static let packagistChecksum: Check = { token in
    let n = token.count
    guard n > 8 else { return false }
    let checksum = String(decoding: token[(n - 8)...], as: UTF8.self)
    return hex(CRC32.checksum(token[..<(n - 8)]), width: 8) == checksum
  }

  /// A Supabase JWT-based API key whose payload names the `service_role` (full
  /// access, bypasses row level security) and a Supabase issuer. The `anon` key
  /// has the same shape and is public: its payload says `"role":"anon"`.
  static let supabaseServiceRoleJWT: Check = { token in
    let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    guard parts.count == 3 else { return false }
    let standard = parts[1].map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0 }
    guard let payload = Base64.decode(standard),
      let claims = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any]
    else { return false }
    return claims["role"] as? String == "service_role" && (claims["iss"] as? String)?.hasPrefix("supabase") == true
  }

  static func radix36(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 36)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }

  static func hex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }

  /// A JWT (RFC 7519) whose header is base64url JSON naming a signing
  /// algorithm. Rejected: `alg: none` (an unsigned token proves nothing, anyone
  /// can mint one), jwt.io's documented sample (subject 1234567890, John Doe)
  /// and keys meant to be public (Supabase's anon key says `"role":"anon"`).
  static let jwtHeader: Check = { token in
    let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    guard parts.count == 3, let header = jsonObject(base64: parts[0], url: true),
      let alg = header["alg"] as? String, !alg.isEmpty, alg.lowercased() != "none"
    else { return false }
    guard let claims = jsonObject(base64: parts[1], url: true) else { return true }
    if claims["sub"] as? String == "1234567890", claims["name"] as? String == "John Doe" { return false }
    return claims["role"] as? String != "anon"
  }

  /// HTTP Basic credentials as Docker's config.json `auth` and npm's `_auth`
  /// hold them: base64 of `user:password`, both parts non-empty and printable.
  static let basicAuthBase64: Check = { value in
    guard let plain = decodeBase64(value, url: false), printable(plain),
      let colon = plain.firstIndex(of: UInt8(ascii: ":"))
    else { return false }
    return colon > plain.startIndex && colon < plain.index(before: plain.endIndex)
  }

  /// A base64 value that decodes to printable text (npm's `_password`).
  static let printableBase64: Check = { value in
    guard let plain = decodeBase64(value, url: false) else { return false }
    return plain.count >= 4 && printable(plain)
  }

  /// An age identity (age-encryption.org/v1): Bech32 (BIP 173) with the HRP
  /// `AGE-SECRET-KEY-` (or `AGE-SECRET-KEY-PQ-`), its checksum computed over
  /// the lower-case string; 32 random bytes, so a typo or a made-up key fails.
  static let ageBech32: Check = { key in
    let text = String(decoding: key, as: UTF8.self).lowercased()
    guard let separator = text.lastIndex(of: "1") else { return false }
    let hrp = Array(text[..<separator].utf8)
    let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    var data: [UInt8] = []
    for c in text[text.index(after: separator)...].utf8 {
      guard let v = charset.firstIndex(of: c) else { return false }
      data.append(UInt8(v))
    }
    guard data.count == 58 else { return false }
    let values = hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 } + data
    return Bech32.polymod(values) == 1
  }

  /// A Discord bot token's first part is the bot's user id (a snowflake: 17
  /// to 20 decimal digits) in base64; a random string of that shape is not.
  static let discordUserID: Check = { token in
    guard let first = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).first,
      let id = decodeBase64(first, url: true)
    else { return false }
    return (17...20).contains(id.count) && id.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
  }

  /// Base64 or base64url (`url`), padding optional, through the one decoder views use.
  static func decodeBase64<C: Collection>(_ bytes: C, url: Bool) -> [UInt8]? where C.Element == UInt8 {
    let standard =
      url ? bytes.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0 } : Array(bytes)
    return Base64.decode(standard)
  }

  static func jsonObject<C: Collection>(base64 bytes: C, url: Bool) -> [String: Any]? where C.Element == UInt8 {
    guard let data = decodeBase64(bytes, url: url) else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any]
  }

  static func printable(_ bytes: [UInt8]) -> Bool {
    !bytes.isEmpty && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
  }

  static func base62(_ value: UInt32, width: Int) -> String {
    let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    var v = value
    var out: [Character] = []
    repeat {
      out.append(digits[Int(v % 62)])
      v /= 62
    } while v > 0
    while out.count < width { out.append("0") }
    return String(out.reversed())
  }
}

/// CRC-32 (IEEE 802.3), used only to check token checksums: not for security.
public enum CRC32 {
  private static let table: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
  }
}

/// The BCH checksum of Bech32 (BIP 173), used only to check age identities.
public enum Bech32 {
  public static func polymod(_ values: [UInt8]) -> UInt32 {
    let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
    var chk: UInt32 = 1
    for v in values {
      let top = chk >> 25
      chk = ((chk & 0x1ff_ffff) << 5) ^ UInt32(v)
      for i in 0..<5 where (top >> i) & 1 == 1 { chk ^= generator[i] }
    }
    return chk
  }
}

enum Entropy {
  /// Shannon entropy in bits per byte.
  static func shannon(_ bytes: [UInt8]) -> Double {
    guard !bytes.isEmpty else { return 0 }
    var counts = [Int](repeating: 0, count: 256)
    for b in bytes { counts[Int(b)] += 1 }
    let n = Double(bytes.count)
    var h = 0.0
    for c in counts where c > 0 {
      let p = Double(c) / n
      h -= p * log2(p)
    }
    return h
  }
}

#if canImport(Glibc)
  import Glibc
#endif
