import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The store's private keys (`keys/*.key`) are 0600, owned by the user who
/// runs djsec, and out of git: whoever reads one opens every secret.
struct PrivateKeysCheck: Check {
  let id = "secrets.private-keys"
  let title = "Private key files are 0600, owned by their user and ignored by git"
  let reference = "OWASP A02:2021 Cryptographic Failures; ASVS 6.4.1"

  func run(_ c: AuditContext) -> CheckOutcome {
    let folder = c.root.appendingPathComponent("keys")
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".key") }.sorted()
    guard !names.isEmpty else { return .notApplicable("no private key in keys/") }
    var found: [AuditFinding] = []
    for name in names {
      let file = folder.appendingPathComponent(name)
      let shown = c.relative(file)
      if c.repository != nil, Git.isTracked(file) {
        found.append(
          AuditFinding(
            check: id, severity: .critical, message: "git tracks \(shown): anyone with the repository can open the store",
            fix: "git rm --cached \(shown), make a new key ('djsec keys new') and re-seal ('djsec recipients'), then delete this one",
            path: shown))
      } else if c.repository != nil, !Git.isIgnored(file) {
        found.append(
          AuditFinding(
            check: id, severity: .high, message: "git does not ignore \(shown)",
            fix: "add keys/*.key to .gitignore ('djsec init' does)", path: shown))
      }
      if let mode = FileMode.of(file), mode & 0o077 != 0 {
        found.append(
          AuditFinding(
            check: id, severity: .high, message: "\(shown) has mode \(String(mode, radix: 8)): other accounts can read it",
            fix: "chmod 600 \(shown)", path: shown))
      }
      if let owner = FileMode.owner(file), owner != geteuid() {
        found.append(
          AuditFinding(
            check: id, severity: .high, message: "\(shown) belongs to uid \(owner), not to the user running djsec (\(geteuid()))",
            fix: "chown $(id -un) \(shown), or run djsec as the key's owner", path: shown))
      }
    }
    return found.isEmpty ? .passed : .failed(found)
  }
}
