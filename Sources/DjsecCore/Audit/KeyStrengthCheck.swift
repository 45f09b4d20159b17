/// The SECRET_KEY in use meets Django's own rules (security.W009): at least
/// 50 characters, at least 5 distinct, and not startproject's
/// `django-insecure-` key.
struct KeyStrengthCheck: Check {
  static let djangoID = "security.W009"
  let id = "secrets.key-strength"
  let title = "The SECRET_KEY in use is strong by Django's rules (security.W009)"
  let reference = "OWASP A02:2021 Cryptographic Failures; ASVS 2.10.4, 6.2.1"

  func run(_ c: AuditContext) -> CheckOutcome {
    guard let (key, source) = c.keyInUse else { return .notApplicable(c.noKeyReason) }
    let weaknesses = KeyPolicy.weaknesses(of: key)
    guard !weaknesses.isEmpty else { return .passed }
    let why = weaknesses.map { weakness in
      switch weakness {
      case .tooShort(let n): "\(n) characters (Django wants \(KeyPolicy.minimumLength) or more)"
      case .tooFewDistinct(let n): "\(n) distinct characters (Django wants \(KeyPolicy.minimumDistinctCharacters) or more)"
      case .insecurePrefix: "startproject's development key (\(KeyPolicy.insecurePrefix) prefix)"
      }
    }
    let severity: Rule.Severity = weaknesses.contains(.insecurePrefix) ? .critical : .high
    return .failed([
      AuditFinding(
        check: id, severity: severity, message: "the SECRET_KEY in use (\(source)) is weak: \(why.joined(separator: ", "))",
        fix: c.stores.isEmpty ? "run 'djsec init' for a strong key in local_settings.py" : "run 'djsec rotate secret-key'",
        path: source)
    ])
  }
}
