/// A scan report format. Each format lives in its own file; its identifier
/// is the value of `djsec scan --format`.
public protocol Reporter {
  static var identifier: String { get }
  init()
  func render(_ result: ScanResult, options: ReportOptions) -> String
}

public struct ReportOptions: Sendable {
  /// Include the secret itself (`--show-secrets`); redacted otherwise.
  public var showSecrets = false
  /// ANSI colours (the CLI turns them on for a terminal without NO_COLOR).
  public var color = false
  /// The rules the scan ran with (built-in, `--rules`, and what a
  /// configuration added or disabled): what SARIF lists in its driver.
  public var rules: [Rule] = []

  public init(showSecrets: Bool = false, color: Bool = false, rules: [Rule] = []) {
    self.showSecrets = showSecrets
    self.color = color
    self.rules = rules
  }
}

/// Every format, in the order help lists them: `--format`'s values, help
/// and errors come from here, so a new format is one file and one line.
public enum Reporters {
  public static var all: [any Reporter.Type] {
    [TextReporter.self, JSONReporter.self, SARIFReporter.self, JUnitReporter.self, CSVReporter.self, GitLabReporter.self]
  }

  public static var identifiers: [String] { all.map { $0.identifier } }

  public static func named(_ identifier: String) -> (any Reporter)? {
    all.first { $0.identifier == identifier }.map { $0.init() }
  }
}

/// A format that also renders `djsec check`'s audit: the same file as the
/// format's scan report, so one format reads alike for both commands.
public protocol AuditReporter {
  static var identifier: String { get }
  init()
  func render(_ audit: AuditResult, options: ReportOptions) -> String
}

/// The formats `djsec check` writes, in the order help lists them.
public enum AuditReporters {
  public static var all: [any AuditReporter.Type] { [TextReporter.self, JSONReporter.self, SARIFReporter.self, JUnitReporter.self] }

  public static var identifiers: [String] { all.map { $0.identifier } }

  public static func named(_ identifier: String) -> (any AuditReporter)? {
    all.first { $0.identifier == identifier }.map { $0.init() }
  }
}
