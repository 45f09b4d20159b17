import Foundation

/// `--format gitlab`: GitLab's secret-detection report, the file a CI job
/// publishes as `artifacts: reports: secret_detection`
/// (gl-secret-detection-report.json), written from GitLab's documented report
/// format (security report schemas, version `schemaVersion`):
///
/// - `scan`: djsec as both scanner and analyzer, `type: secret_detection`,
///   `status: success` (a scan that could not run writes no report: djsec
///   exits 2), start and end time in UTC without a zone, as the schema's
///   pattern wants (`YYYY-MM-DDTHH:MM:SS`).
/// - one `vulnerabilities[]` entry per finding: `id` a UUID-shaped digest of
///   the fingerprint and the secret's id (stable across runs, unique per
///   finding); the rule as the primary identifier, so GitLab tracks a finding
///   across pipelines by rule and location; `location.commit.sha` the commit
///   that introduced it (`0000000` off git, as GitLab's own analyzer writes
///   when there is no commit: the schema requires one).
/// - the secret only with `--show-secrets`, in `raw_source_code_extract`;
///   the secret's id is always in `description`, to compare reports without it.
public struct GitLabReporter: Reporter {
  public static let identifier = "gitlab"
  /// The version of GitLab's security report schemas this report follows.
  public static let schemaVersion = "15.0.7"

  /// The scan's start and end time (the reporter runs when the scan is done);
  /// a test fixes it to compare reports byte for byte.
  public var clock: @Sendable () -> Date = { Date() }

  public init() {}

  struct Document: Encodable {
    var version: String
    var vulnerabilities: [Vulnerability]
    var scan: Scan
  }

  struct Vendor: Encodable { var name: String }

  struct Party: Encodable {
    var id: String
    var name: String
    var url: String
    var version: String
    var vendor: Vendor
  }

  struct Scan: Encodable {
    var scanner: Party
    var analyzer: Party
    var type: String
    var status: String
    var startTime: String
    var endTime: String
  }

  struct Vulnerability: Encodable {
    var id: String
    var category: String
    var name: String
    var description: String
    var severity: String
    var confidence: String
    var scanner: Party
    var location: Location
    var identifiers: [Identifier]
    var rawSourceCodeExtract: String?
  }

  struct Location: Encodable {
    var file: String
    var startLine: Int
    var endLine: Int
    var commit: Commit
  }

  struct Commit: Encodable {
    var sha: String
    var author: String?
    var date: String?
  }

  struct Identifier: Encodable {
    var type: String
    var name: String
    var value: String
  }

  /// djsec, as the scan's scanner and analyzer and as each finding's scanner.
  static let djsec = Party(
    id: "djsec", name: "djsec", url: "https://github.com/djsec/djsec", version: DjsecVersion.current, vendor: Vendor(name: "djsec"))

  public func render(_ result: ScanResult, options: ReportOptions) -> String {
    let time = Self.timestamp(clock())
    let doc = Document(
      version: Self.schemaVersion,
      vulnerabilities: result.findings.map { vulnerability($0, showSecret: options.showSecrets) },
      scan: Scan(
        scanner: Self.djsec, analyzer: Self.djsec, type: "secret_detection", status: "success", startTime: time, endTime: time))
    let encoder = JSONEncoder()
    // The schema's keys are snake_case (start_time, raw_source_code_extract).
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(doc)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  private func vulnerability(_ f: Finding, showSecret: Bool) -> Vulnerability {
    let line = max(1, f.line)
    return Vulnerability(
      id: Self.uuid(SecretDigest.hex(Array("\(f.fingerprint)\u{0}\(f.secretHash)".utf8))),
      category: "secret_detection",
      name: f.description,
      description: "\(f.description) (rule \(f.rule), secret id \(f.secretHash)): rotate it, then remove it from the history.",
      severity: f.severity.rawValue.capitalized,
      confidence: f.confidence.rawValue.capitalized,
      scanner: Self.djsec,
      location: Location(
        file: f.path, startLine: line, endLine: line,
        commit: Commit(sha: f.commit?.sha ?? "0000000", author: f.commit?.author, date: f.commit?.date)),
      identifiers: [Identifier(type: "djsec_rule_id", name: "djsec rule \(f.rule)", value: f.rule)],
      rawSourceCodeExtract: showSecret ? f.secret : nil)
  }

  /// 32 hex digits written as a UUID (8-4-4-4-12), the form GitLab recommends for ids.
  static func uuid(_ hex: String) -> String {
    let digits = Array(hex)
    return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(digits[$0]) }.joined(separator: "-")
  }

  /// `YYYY-MM-DDTHH:MM:SS` in UTC: the schema's pattern has no zone.
  static func timestamp(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
  }
}
