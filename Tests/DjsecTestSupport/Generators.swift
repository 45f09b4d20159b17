import DjsecCore
import Foundation

/// Makes credential-shaped values at test time, in each vendor's real format,
/// so that no credential-like string is ever committed (djsec scans its own
/// history in CI). Rule examples name these as `{{name}}` or `{{name[a:b]}}`.
public struct SecretGenerator {
  private var memo: [String: String] = [:]

  public init() {}

  public static let upper = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
  public static let lower = Array("abcdefghijklmnopqrstuvwxyz")
  public static let digits = Array("0123456789")
  public static let base62 = upper + lower + digits
  public static let base64 = base62 + ["+", "/"]
  public static let urlsafe = base62 + ["-", "_"]
  public static let hex = Array("0123456789abcdef")

  public static func random(_ count: Int, from alphabet: [Character]) -> String {
    String((0..<count).map { _ in alphabet[Int(SecureRandom.uniform(UInt32(alphabet.count)))] })
  }

  /// A fresh value of the named kind; nil for an unknown name.
  public static func make(_ name: String) -> String? {
    switch name {
    case "django_key": return try? SecretKeyGenerator.generate()
    case "django_insecure_key": return "django-insecure-" + ((try? SecretKeyGenerator.generate()) ?? "")
    case "aws_key_id": return "AKIA" + random(16, from: upper + Array("234567"))
    case "aws_key_id_tail": return random(16, from: upper + Array("234567"))
    case "aws_secret": return random(40, from: base64)
    case "github_token":
      let body = random(30, from: base62)
      return "ghp_" + body + githubChecksum(body)
    case "github_pat": return "github_pat_" + random(22, from: base62) + "_" + random(59, from: base62)
    case "gitlab_token": return "glpat-" + random(20, from: base62)
    case "slack_token": return "xoxb-" + random(11, from: digits) + "-" + random(13, from: digits) + "-" + random(24, from: base62)
    case "slack_webhook":
      return "https://hooks.slack.com/services/T" + random(9, from: upper + digits) + "/B" + random(10, from: upper + digits) + "/"
        + random(24, from: base62)
    case "stripe_live": return "sk_live_" + random(24, from: base62)
    case "google_api_key": return "AIza" + random(35, from: urlsafe)
    case "sendgrid": return "SG." + random(22, from: urlsafe) + "." + random(43, from: urlsafe)
    case "mailgun": return random(32, from: hex) + "-" + random(8, from: hex) + "-" + random(8, from: hex)
    case "npm_token": return "npm_" + random(36, from: base62)
    case "pypi_token": return "pypi-AgEIcHlwaS5vcmc" + random(70, from: urlsafe)
    case "heroku_new": return "HRKU-" + random(60, from: urlsafe)
    case "azure_key": return random(86, from: base64) + "=="
    case "uuid": return UUID().uuidString.lowercased()
    case "password": return random(18, from: base62 + Array("!%^*-_"))
    // Starts lower-case with capitals inside, like a camelCase name: must still be reported.
    case "password_lower_first": return random(1, from: lower) + random(19, from: base62)
    case "pem_line": return random(64, from: base64)
    // PEM blocks are assembled here, never written whole in a committed file.
    case "pem_rsa": return pem("RSA PRIVATE KEY", body: pemBody(), newline: "\n")
    case "pem_ec": return pem("EC PRIVATE KEY", body: pemBody(), newline: "\n")
    case "pem_openssh": return pem("OPENSSH PRIVATE KEY", body: pemBody(), newline: "\n")
    case "pem_pkcs8_json": return pem("PRIVATE KEY", body: pemBody(lines: 4, newline: "\\n"), newline: "\\n")
    case "pem_rsa_elided": return pem("RSA PRIVATE KEY", body: "...", newline: "\n")
    case "pem_pkcs8_filler": return pem("PRIVATE KEY", body: String(repeating: "x", count: 64), newline: "\n")
    case "aws_documented_example_id": return "AKIA" + "IOSFODNN7" + "EXAMPLE"
    // Stripe's documented test key, in its API reference: assembled here, never committed whole.
    case "stripe_documented_test_key": return "sk_test_" + "4eC39HqLyjWD" + "arjtT1zdp7dc"
    case "aws_filler_id": return "AKIA" + String(repeating: "X", count: 16)
    // Formats with a checksum or a structured payload, assembled here.
    case "gitlab_routable_pat": return gitlabRoutable(prefix: "glpat-")
    case "gitlab_routable_runner": return gitlabRoutable(prefix: "glrt-")
    case "packagist_token": return packagist(prefix: "packagist_out_")
    case "supabase_service_jwt": return supabaseJWT(role: "service_role")
    case "supabase_anon_jwt": return supabaseJWT(role: "anon")
    case "grafana_sa":
      // The CRC32's four bytes low byte first: the byte-swapped value in hex.
      let body = "glsa_" + random(32, from: base62)
      return body + "_" + String(format: "%08x", CRC32.checksum(Array(body.utf8)).byteSwapped)
    case "matrix_token":
      let user = Data(random(8, from: lower).utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
      let body = "syt_" + user + "_" + random(20, from: upper + lower)
      return body + "_" + githubChecksum(body)
    // A Google service account key file's private key: a PKCS#8 PEM of a real
    // key's size with its line breaks written `\n`, as in the JSON.
    case "pem_gcp_sa": return pem("PRIVATE KEY", body: pemBody(lines: 26, newline: "\\n"), newline: "\\n")
    // JWTs are assembled from JSON parts here: a signed one, an unsigned one
    // (alg none), and jwt.io's documented sample, built from its documented
    // header, claims and signature (the HMAC-SHA256 of the first two parts under
    // the key jwt.io displays), never written as one literal.
    case "jwt":
      return jwt(header: #"{"alg":"HS256","typ":"JWT"}"#, claims: #"{"sub":""# + random(12, from: digits) + #"","iat":1700000000}"#)
        + random(43, from: urlsafe)
    case "jwt_rs256":
      return jwt(
        header: #"{"typ":"JWT","alg":"RS256","kid":""# + random(16, from: base62) + #""}"#,
        claims: #"{"user_id":"# + random(5, from: digits) + "}")
        + random(342, from: urlsafe)
    case "jwt_none":
      return jwt(header: #"{"alg":"none","typ":"JWT"}"#, claims: #"{"sub":""# + random(8, from: digits) + #""}"#)
        + random(24, from: urlsafe)
    case "jwt_no_alg": return jwt(header: #"{"typ":"JWT","kid":"a"}"#, claims: #"{"sub":"x"}"#) + random(43, from: urlsafe)
    case "jwt_io_sample":
      return jwt(header: #"{"alg":"HS256","typ":"JWT"}"#, claims: #"{"sub":"1234567890","name":"John Doe","iat":1516239022}"#)
        + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV" + "_adQssw5c"
    // HTTP Basic credentials, base64 of user:password (Docker config.json, npm _auth).
    case "basic_auth_b64": return Data(("deploy:" + random(20, from: base62)).utf8).base64EncodedString()
    case "b64_no_colon": return Data(random(24, from: base62).utf8).base64EncodedString()
    case "b64_password": return Data(random(16, from: base62).utf8).base64EncodedString()
    // A Discord bot token: the bot's user id (a snowflake) in base64, a
    // timestamp, an HMAC; the second kind has letters where the id should be.
    case "discord_bot_token": return discordToken(id: "1" + random(17, from: digits))
    case "discord_bot_token_not_id": return discordToken(id: random(18, from: upper + lower))
    // An age X25519 identity: Bech32 of 32 random bytes under the HRP AGE-SECRET-KEY-.
    case "age_secret_key": return ageIdentity(checksumOK: true)
    case "age_secret_key_bad_checksum": return ageIdentity(checksumOK: false)
    case "pgp_private":
      return pem("PGP PRIVATE KEY BLOCK", body: "\n" + pemBody() + "\n=" + random(4, from: base64), newline: "\n")
    case "pem_body": return (0..<12).map { _ in random(64, from: base64) }.joined(separator: "\n")
    default:
      // Composed in the rule files around a literal prefix (`hf_{{letters_34}}`):
      // the prefix alone is not credential-like, the random body is made here.
      let alphabets: [(String, [Character])] = [
        ("base62_", base62), ("hex", hex), ("urlsafe_", urlsafe), ("letters_", upper + lower), ("digits_", digits),
        ("upperhex_", Array("0123456789ABCDEF")), ("base64_", base64),
        ("base32_", lower + Array("234567")),
        // A template's filler (`sk_live_xxxx…`): only x, so no credential-shaped text is committed.
        ("filler_", ["x"]),
      ]
      for (prefix, alphabet) in alphabets where name.hasPrefix(prefix) {
        // A letter after the length names a second value of that size (`hex32b`).
        if let n = Int(name.dropFirst(prefix.count).prefix(while: \.isNumber)) { return random(n, from: alphabet) }
      }
      return nil
    }
  }

  /// GitLab's routable token: base64url of 16 random bytes, the routing
  /// payload and its length byte; then `.01.`, the payload's length in 2
  /// base-36 digits, and a CRC32 of everything before in 7 base-36 digits.
  static func gitlabRoutable(prefix: String) -> String {
    let routing = Array("c:1\no:\(random(2, from: digits))\nu:\(random(3, from: digits))".utf8)
    var bytes = SecureRandom.bytes(16)
    bytes += routing + [UInt8(routing.count)]
    let payload = Data(bytes).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    let head = prefix + payload + ".01." + padded(String(payload.count, radix: 36), 2)
    return head + padded(String(CRC32.checksum(Array(head.utf8)), radix: 36), 7)
  }

  static func packagist(prefix: String) -> String {
    let head = prefix + random(60, from: hex)
    return head + padded(String(CRC32.checksum(Array(head.utf8)), radix: 16), 8)
  }

  /// A Supabase JWT-based API key: fixed header, a payload naming the role, a random signature.
  static func supabaseJWT(role: String) -> String {
    func b64url(_ s: String) -> String {
      Data(s.utf8).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
    let claims = "{\"iss\":\"supabase\",\"ref\":\"\(random(20, from: lower))\",\"role\":\"\(role)\",\"iat\":1700000000,\"exp\":2000000000}"
    return b64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64url(claims) + "." + random(43, from: urlsafe)
  }

  static func padded(_ digits: String, _ width: Int) -> String {
    String(repeating: "0", count: max(0, width - digits.count)) + digits
  }

  static func pemBody(lines: Int = 12, newline: String = "\n") -> String {
    (0..<lines).map { _ in random(64, from: base64) }.joined(separator: newline)
  }

  static func pem(_ kind: String, body: String, newline: String) -> String {
    let dashes = String(repeating: "-", count: 5)
    return dashes + "BEGIN " + kind + dashes + newline + body + newline + dashes + "END " + kind + dashes
  }

  static func jwt(header: String, claims: String) -> String {
    func b64url(_ s: String) -> String {
      Data(s.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
    }
    return b64url(header) + "." + b64url(claims) + "."
  }

  static func discordToken(id: String) -> String {
    let first = Data(id.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    return first + "." + random(6, from: urlsafe) + "." + random(38, from: urlsafe)
  }

  static func ageIdentity(checksumOK: Bool) -> String {
    let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
    let hrp = Array("age-secret-key-".utf8)
    // 32 bytes are 256 bits: 52 five-bit groups, the last one padded.
    var bits: [UInt8] = []
    for _ in 0..<32 {
      let byte = UInt8(SecureRandom.uniform(256))
      for i in (0..<8).reversed() { bits.append((byte >> UInt8(i)) & 1) }
    }
    while bits.count % 5 != 0 { bits.append(0) }
    let data: [UInt8] = stride(from: 0, to: bits.count, by: 5).map { i in bits[i..<(i + 5)].reduce(0) { $0 << 1 | $1 } }
    let values = hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 } + data + [0, 0, 0, 0, 0, 0]
    let polymod = Bech32.polymod(values) ^ (checksumOK ? 1 : 2)
    let checksum = (0..<6).map { UInt8((polymod >> (5 * (5 - UInt32($0)))) & 31) }
    return "AGE-SECRET-KEY-1" + String((data + checksum).map { charset[Int($0)] }).uppercased()
  }

  static func githubChecksum(_ body: String) -> String {
    var v = CRC32.checksum(Array(body.utf8))
    let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    var out: [Character] = []
    repeat {
      out.append(digits[Int(v % 62)])
      v /= 62
    } while v > 0
    while out.count < 6 { out.append("0") }
    return String(out.reversed())
  }

  public struct UnknownGenerator: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "no generator named \(name)" }
  }

  /// Replaces each `{{name}}` / `{{name[a:b]}}` in `template`; the same name
  /// gives the same value throughout one generator's life. Other `{{ ... }}`
  /// text (with spaces, as template languages write it) is left alone.
  public mutating func fill(_ template: String) throws -> String {
    var out = ""
    var rest = Substring(template)
    while let open = rest.range(of: "{{") {
      out += rest[..<open.lowerBound]
      guard let close = rest[open.upperBound...].range(of: "}}") else {
        out += rest[open.lowerBound...]
        return out
      }
      let tag = String(rest[open.upperBound..<close.lowerBound])
      let parts = tag.split(separator: "[", maxSplits: 1)
      let name = String(parts.first ?? "")
      guard !name.isEmpty, name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }) else {
        out += rest[open.lowerBound..<close.upperBound]
        rest = rest[close.upperBound...]
        continue
      }
      if memo[name] == nil {
        guard let value = Self.make(name) else { throw UnknownGenerator(name: name) }
        memo[name] = value
      }
      var value = memo[name]!
      if parts.count == 2 {
        let bounds = parts[1].dropLast().split(separator: ":").compactMap { Int($0) }
        if bounds.count == 2 {
          let chars = Array(value)
          value = String(chars[min(bounds[0], chars.count)..<min(bounds[1], chars.count)])
        }
      }
      out += value
      rest = rest[close.upperBound...]
    }
    return out + rest
  }
}
