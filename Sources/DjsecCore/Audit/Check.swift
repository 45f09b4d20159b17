import Foundation

/// One item of the deployment checklist djsec is built on ("Django security
/// best practices"), as `djsec check` runs it. Each check lives in its own
/// file in this folder, has a stable id (`area.name`, documented in
/// docs/checks/<id>.md) and says how to fix what it finds. A check reads the
/// project and the host through `AuditContext`, never prints, and reuses the
/// predicates `djsec init` repairs (KeyPolicy, GitIgnoreGuard, the key files'
/// rules) rather than copies of them.
public protocol Check: Sendable {
  /// `secrets.local-settings-mode`, `settings.debug`, `host.x-server`…
  var id: String { get }
  /// What it checks, in a few words (SARIF's rule description, the docs' title).
  var title: String { get }
  /// The OWASP Top 10 (2021) category or ASVS 4.0 requirement it serves.
  var reference: String { get }
  func run(_ context: AuditContext) -> CheckOutcome
}

public enum CheckOutcome: Sendable, Equatable {
  case passed
  case failed([AuditFinding])
  /// Why the check does not apply here (no store, not Debian, no flake8…).
  case notApplicable(String)
}

/// What a check found: how bad, in one line, and the fix.
public struct AuditFinding: Sendable, Equatable {
  public var check: String
  public var severity: Rule.Severity
  public var message: String
  public var fix: String
  /// The file it is about, relative to the project when inside it.
  public var path: String?
  public var line: Int?

  public init(check: String, severity: Rule.Severity, message: String, fix: String, path: String? = nil, line: Int? = nil) {
    self.check = check
    self.severity = severity
    self.message = message
    self.fix = fix
    self.path = path
    self.line = line
  }
}

/// Every check's outcome, in the order they ran.
public struct AuditResult: Sendable {
  public var outcomes: [(check: any Check, outcome: CheckOutcome)]

  public var findings: [AuditFinding] {
    outcomes.flatMap { entry -> [AuditFinding] in
      if case .failed(let found) = entry.outcome { return found }
      return []
    }
  }
}
