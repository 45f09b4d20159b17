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
