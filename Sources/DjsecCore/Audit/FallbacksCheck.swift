/// SECRET_KEY_FALLBACKS holds only what a rotation in progress needs: one
/// old key, and a strong one (security.W025). Each fallback still signs
/// sessions and password-reset links.
struct FallbacksCheck: Check {
  let id = "secrets.fallbacks"
  let title = "SECRET_KEY_FALLBACKS holds no more keys than a rotation needs, each strong"
  let reference = "OWASP A02:2021 Cryptographic Failures; ASVS 6.4.2"

  func run(_ c: AuditContext) -> CheckOutcome {
    guard let (keys, source) = c.fallbacksInUse, !keys.isEmpty else { return .notApplicable("no SECRET_KEY_FALLBACKS") }
    var found: [AuditFinding] = []
    if keys.count > 1 {
      found.append(
        AuditFinding(
          check: id, severity: .medium,
          message: "SECRET_KEY_FALLBACKS (\(source)) keeps \(keys.count) old keys: each still signs sessions and reset links",
          fix: "keep one: remove the older ones ('djsec secret edit') once sessions signed with them have expired", path: source))
    }
    let weak = keys.filter { !KeyPolicy.weaknesses(of: $0).isEmpty }.count
    if weak > 0 {
      found.append(
        AuditFinding(
          check: id, severity: .high,
          message:
            "\(weak) key\(weak == 1 ? "" : "s") in SECRET_KEY_FALLBACKS (\(source)) \(weak == 1 ? "is" : "are") weak (security.W025)",
          fix: "remove \(weak == 1 ? "it" : "them") from SECRET_KEY_FALLBACKS ('djsec secret edit')", path: source))
    }
    return found.isEmpty ? .passed : .failed(found)
  }
}
