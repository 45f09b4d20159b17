import Foundation

/// The SECRET_KEY in use appears nowhere in the git history (every branch
/// and tag, through djsec's own scanner): a key anyone with a clone can read
/// signs sessions, password resets and messages for them.
struct KeyInHistoryCheck: Check {
  let id = "secrets.key-in-history"
  let title = "The SECRET_KEY in use and its fallbacks were never committed"
  let reference = "OWASP A02:2021 Cryptographic Failures; ASVS 2.10.4"

  func run(_ c: AuditContext) -> CheckOutcome {
    guard let repository = c.repository else { return .notApplicable("\(c.root.path) is not in a git repository") }
    guard let (key, source) = c.keyInUse else { return .notApplicable(c.noKeyReason) }
    let fallbacks = Set(c.fallbacksInUse?.keys ?? [])
    let result: ScanResult
    do {
      let rules = try RuleSet.builtIn(cache: EngineCache(environment: ProcessInfo.processInfo.environment))
      result = try SecretScanner(ruleSet: rules).scanGit(repository, options: ScanOptions())
    } catch {
      return .failed([
        AuditFinding(
          check: id, severity: .high, message: "the history could not be scanned: \((error as? any DjsecError)?.message ?? "\(error)")",
          fix: "run 'djsec scan' in \(repository.root.path) to see why")
      ])
    }
    var found: [AuditFinding] = []
    for f in result.findings where f.secret == key || fallbacks.contains(f.secret) {
      let current = f.secret == key
      let when = f.commit.map { " in commit \($0.sha.prefix(12)) (\($0.date))" } ?? ""
      found.append(
        AuditFinding(
          check: id, severity: current ? .critical : .high,
          message: current
            ? "the SECRET_KEY in use (\(source)) was committed in \(f.path)\(when)"
            : "a SECRET_KEY_FALLBACKS key Django still accepts was committed in \(f.path)\(when)",
          fix: current
            ? "run 'djsec rotate secret-key' now; remove the old key from the fallbacks once sessions signed with it expire"
            : "remove it from SECRET_KEY_FALLBACKS ('djsec secret edit') once sessions signed with it have expired",
          path: f.path, line: f.line))
    }
    return found.isEmpty ? .passed : .failed(found)
  }
}
