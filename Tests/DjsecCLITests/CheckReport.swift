import Foundation
import XCTest

/// `djsec check --format json` run on a folder and read back: each check's
/// status and reason, and the findings, as the end-to-end tests assert them.
struct CheckReport {
  var status: Int32
  var stderr: String
  /// check id → status (passed, failed, not-applicable).
  var checks: [String: String]
  /// check id → why it did not apply.
  var reasons: [String: String]
  var findings: [[String: Any]]

  func fired(_ id: String) -> [[String: Any]] { findings.filter { $0["check"] as? String == id } }

  /// The host's files are read under an empty folder unless the test names
  /// its own `--root`: what nginx or apt this machine has must not decide a test.
  static func run(_ folder: URL, _ extra: [String] = [], environment: [String: String] = [:]) throws -> CheckReport {
    let root = extra.contains("--root") ? [] : ["--root", try emptyRoot().path]
    let r = try CLI.run(CLI.binary, ["check", folder.path, "--format", "json"] + root + extra, environment: environment)
    let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stderr)
    var report = CheckReport(status: r.status, stderr: r.stderr, checks: [:], reasons: [:], findings: [])
    for c in doc["checks"] as? [[String: Any]] ?? [] {
      let id = c["id"] as? String ?? ""
      report.checks[id] = c["status"] as? String
      report.reasons[id] = c["reason"] as? String
    }
    report.findings = doc["findings"] as? [[String: Any]] ?? []
    return report
  }

  private static func emptyRoot() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-empty-root")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
