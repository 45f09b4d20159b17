/// Each environment's store opens: its MAC and signature hold, and its
/// signer is trusted (the same checks every store command makes).
struct StoreCheck: Check {
  let id = "secrets.store"
  let title = "Each store opens: integrity, signature and trust hold"
  let reference = "OWASP A08:2021 Software and Data Integrity Failures; ASVS 6.2.1"

  func run(_ c: AuditContext) -> CheckOutcome {
    guard !c.stores.isEmpty else { return .notApplicable("no djsec store in \(c.root.path)") }
    let broken = c.stores.filter { $0.problem != nil && !$0.noKeyHere }
    if broken.isEmpty {
      if c.stores.allSatisfy(\.noKeyHere) {
        return .notApplicable("no key here opens \(c.stores.map { c.relative($0.file) }.joined(separator: ", "))")
      }
      return .passed
    }
    return .failed(
      broken.map { s in
        AuditFinding(
          check: id, severity: .critical, message: "\(c.relative(s.file)) does not open: \(s.problem ?? "")",
          fix: "see 'djsec status'; restore the file from a commit you trust (git log -p -- \(c.relative(s.file)))",
          path: c.relative(s.file))
      })
  }
}
