import Foundation

/// `--format json`: `{"findings": [...], "stats": {...}, "warnings": [...]}`,
/// keys sorted so output is stable and diffable.
public struct JSONReporter: Reporter {
  public static let identifier = "json"

  public init() {}

  struct Document: Encodable {
    var findings: [Item]
    var stats: Stats
    var warnings: [String]
  }

  struct Item: Encodable {
    var rule: String
    var description: String
    var severity: String
    var confidence: String
    var path: String
    var line: Int
    var column: Int
    var commit: String?
    var author: String?
    var date: String?
    var otherCommits: Int
    var blob: String?
    var fingerprint: String
    var secretHash: String
    var secret: String?
  }

  struct Stats: Encodable {
    var blobsScanned: Int
    var bytesScanned: Int
    var binaryBlobs: Int
    var archives: Int
    var skippedLarge: Int
    var skippedIgnoredPath: Int
    var commits: Int
    var unreachableBlobs: Int
  }

  public func render(_ result: ScanResult, options: ReportOptions) -> String {
    let s = result.stats
    let doc = Document(
      findings: result.findings.map { f in
        Item(
          rule: f.rule, description: f.description, severity: f.severity.rawValue, confidence: f.confidence.rawValue, path: f.path,
          line: f.line, column: f.column,
          commit: f.commit?.sha, author: f.commit?.author, date: f.commit?.date, otherCommits: f.otherCommits, blob: f.blob,
          fingerprint: f.fingerprint, secretHash: f.secretHash, secret: options.showSecrets ? f.secret : nil)
      },
      stats: Stats(
        blobsScanned: s.blobsScanned, bytesScanned: s.bytesScanned, binaryBlobs: s.binaryBlobs, archives: s.archives,
        skippedLarge: s.skippedLarge, skippedIgnoredPath: s.skippedIgnoredPath, commits: s.commits, unreachableBlobs: s.unreachableBlobs),
      warnings: result.warnings)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(doc)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}

extension JSONReporter: AuditReporter {
  struct AuditDocument: Encodable {
    var checks: [CheckItem]
    var findings: [AuditItem]
    var warnings: [String]
  }

  struct CheckItem: Encodable {
    var id: String
    var title: String
    var reference: String
    /// passed, failed or not-applicable.
    var status: String
    var reason: String?
  }

  struct AuditItem: Encodable {
    var check: String
    var severity: String
    var message: String
    var fix: String
    var path: String?
    var line: Int?
  }

  /// `{"checks": [...], "findings": [...], "warnings": [...]}`, keys sorted.
  public func render(_ audit: AuditResult, options: ReportOptions) -> String {
    let doc = AuditDocument(
      checks: audit.outcomes.map { check, outcome in
        switch outcome {
        case .passed: CheckItem(id: check.id, title: check.title, reference: check.reference, status: "passed")
        case .failed: CheckItem(id: check.id, title: check.title, reference: check.reference, status: "failed")
        case .notApplicable(let why):
          CheckItem(id: check.id, title: check.title, reference: check.reference, status: "not-applicable", reason: why)
        }
      },
      findings: audit.findings.map {
        AuditItem(check: $0.check, severity: $0.severity.rawValue, message: $0.message, fix: $0.fix, path: $0.path, line: $0.line)
      },
      // The same shape as the scan's report; no check warns today (a problem is a finding).
      warnings: [])
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(doc)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
