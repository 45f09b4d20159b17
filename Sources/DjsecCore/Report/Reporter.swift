/// A scan report format. Each format lives in its own file; its identifier
/// is the value of `djsec scan --format`.
public protocol Reporter {
  static var identifier: String { get }
  func render(_ result: ScanResult, options: ReportOptions) -> String
}

public struct ReportOptions: Sendable {
  /// Include the secret itself (`--show-secrets`); redacted otherwise.
  public var showSecrets = false
  /// ANSI colours (the CLI turns them on for a terminal without NO_COLOR).
  public var color = false

  public init(showSecrets: Bool = false, color: Bool = false) {
    self.showSecrets = showSecrets
    self.color = color
  }
}

public enum Reporters {

  public static func named(_ identifier: String) -> (any Reporter)? {
    switch identifier {
    case TextReporter.identifier: TextReporter()
    case JSONReporter.identifier: JSONReporter()
    case SARIFReporter.identifier: SARIFReporter()
    default: nil
    }
  }
}
