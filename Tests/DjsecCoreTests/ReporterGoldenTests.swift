import Foundation
import Testing

@testable import DjsecCore

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Every format in `Reporters.all`, empty and with findings, compared byte for
/// byte with its golden file in `Golden/` (`<format>-empty.<ext>`,
/// `<format>-findings.<ext>`), as SwiftLint checks its reporters: a changed
/// report shows up in a diff of those files, and a new format fails here until
/// its files are recorded.
///
/// The files are re-recorded only when asked (swift-argument-parser's
/// `assertSnapshot`): `make golden` runs this suite with
/// `DJSEC_RECORD_GOLDEN=1`, which writes the files instead of comparing and
/// fails, so a recording run never passes silently; review `git diff` and
/// run the tests again.
///
/// The fixture is built in code and pinned (the GitLab report's clock, every
/// hash and date). djsec scans its own history, so nothing in it may look
/// like a credential: the secrets say they are not, and every hex id starts
/// with `01234567` or is mostly zeros, which the rules' placeholders skip
/// (a random-looking `secretHash` in the JSON report is a finding).
@Suite struct ReporterGoldenTests {
  static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
  static let recording = ProcessInfo.processInfo.environment["DJSEC_RECORD_GOLDEN"] == "1"
  static let recordHint = "record it with `make golden` (DJSEC_RECORD_GOLDEN=1), then review the diff"

  /// A file extension per format, for editors and viewers; a format not
  /// listed uses its identifier.
  static let extensions = ["text": "txt", "junit": "xml", "gitlab": "json"]

  static func fileName(_ format: String, _ kind: String) -> String {
    "\(format)-\(kind).\(extensions[format] ?? format)"
  }

  static let options = ReportOptions(showSecrets: false, color: false, rules: GoldenFixture.rules)

  /// The reporter for `format` with anything time-dependent pinned.
  static func render(_ format: String, _ result: ScanResult) throws -> String {
    var reporter = try #require(Reporters.named(format), "\(format) is not in Reporters.all")
    if var gitlab = reporter as? GitLabReporter {
      gitlab.clock = { GoldenFixture.scanTime }
      reporter = gitlab
    }
    return reporter.render(result, options: options)
  }

  @Test(arguments: Reporters.identifiers)
  func matchesItsGoldenFiles(_ format: String) throws {
    for (kind, result) in [("empty", GoldenFixture.empty), ("findings", GoldenFixture.findings)] {
      let rendered = try Self.render(format, result)
      try Self.compare(rendered, with: Self.fileName(format, kind))
      for secret in GoldenFixture.secrets {
        #expect(!rendered.contains(secret), "\(format) report shows a secret without --show-secrets")
      }
    }
  }

  /// A golden file of a format that is no longer in the registry is stale.
  @Test func everyGoldenFileBelongsToAFormat() {
    let expected = Set(Reporters.identifiers.flatMap { [Self.fileName($0, "empty"), Self.fileName($0, "findings")] })
    let present = (try? FileManager.default.contentsOfDirectory(atPath: Self.goldenFolder.path)) ?? []
    for name in present.sorted() where !expected.contains(name) {
      Issue.record("Golden/\(name) belongs to no format in Reporters.all: delete it")
    }
  }

  /// JUnit readers are XML parsers: the reports the golden files hold parse
  /// with Foundation's own, with one test case and one failure per finding,
  /// and the odd path (space, quote, non-ASCII) reads back as it was written.
  @Test(arguments: [(true, 1, 0), (false, 3, 3)])
  func junitParsesAsXML(_ empty: Bool, _ cases: Int, _ failures: Int) throws {
    let report = try Self.render(JUnitReporter.identifier, empty ? GoldenFixture.empty : GoldenFixture.findings)
    let reader = JUnitReader()
    let parser = XMLParser(data: Data(report.utf8))
    parser.delegate = reader
    #expect(parser.parse(), "\(String(describing: parser.parserError))\n\(report)")
    #expect(reader.elements.filter { $0.name == "testcase" }.count == cases)
    #expect(reader.elements.filter { $0.name == "failure" }.count == failures)
    if failures > 0 {
      let classnames = reader.elements.compactMap { $0.attributes["classname"] }
      #expect(classnames.contains(GoldenFixture.oddPath), "\(classnames)")
    }
  }

  /// Compares byte for byte; on a difference, names the first differing line.
  /// With DJSEC_RECORD_GOLDEN=1, writes the file and fails.
  static func compare(_ rendered: String, with name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let file = goldenFolder.appendingPathComponent(name)
    if recording {
      try FileManager.default.createDirectory(at: goldenFolder, withIntermediateDirectories: true)
      try Data(rendered.utf8).write(to: file)
      Issue.record("recorded Golden/\(name); unset DJSEC_RECORD_GOLDEN and run again", sourceLocation: sourceLocation)
      return
    }
    guard let golden = FileManager.default.contents(atPath: file.path) else {
      Issue.record("no golden file Golden/\(name): \(recordHint)", sourceLocation: sourceLocation)
      return
    }
    let bytes = Data(rendered.utf8)
    guard golden != bytes else { return }
    let difference = firstDifference(golden, bytes)
    Issue.record(
      "\(name) differs from Golden/\(name)\n\(difference)\nif the change is intended, \(recordHint)", sourceLocation: sourceLocation)
  }

  /// The first line that differs, unified-diff style (`-` golden, `+` now),
  /// compared as bytes (an é composed or not differs) and each written as a
  /// Swift literal so a carriage return or a trailing space shows.
  static func firstDifference(_ golden: Data, _ rendered: Data) -> String {
    let old = golden.split(separator: 10, omittingEmptySubsequences: false)
    let new = rendered.split(separator: 10, omittingEmptySubsequences: false)
    let index = zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(old.count, new.count)
    func line(_ lines: [Data]) -> String {
      index < lines.count ? String(decoding: lines[index], as: UTF8.self).debugDescription : "(end of file)"
    }
    return "@@ line \(index + 1) @@\n- \(line(old))\n+ \(line(new))"
  }

}

/// Collects every element and its attributes.
private final class JUnitReader: NSObject, XMLParserDelegate {
  var elements: [(name: String, attributes: [String: String])] = []

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    elements.append((elementName, attributes))
  }
}

/// The fixed scan the golden files render: nothing found, and three findings
/// that between them reach every branch a report writes.
enum GoldenFixture {
  /// 2023-11-14T22:13:20Z.
  static let scanTime = Date(timeIntervalSince1970: 1_700_000_000)
  /// A space, a double quote and a non-ASCII character, as a scan reports
  /// it (git's quoted form, for the quote): quoting in CSV, escaping in XML
  /// and JSON, percent-encoding in SARIF.
  static let oddPath = GitPath.text(Array("config/prod \"eu\" café.env".utf8))
  static let secrets = (1...3).map { "not-a-secret-value-\($0)" }

  static let empty = ScanResult(findings: [], stats: ScanStats(), warnings: [])

  static let findings = ScanResult(
    findings: [
      // Critical and high confidence, introduced by one commit and repeated by two more.
      finding(
        1, rules[0], at: "mysite/settings.py", 23, 14, otherCommits: 2,
        commit: CommitInfo(
          sha: "0123456789abcdef0123456789abcdef01234567", time: 1_699_999_000, date: "2023-11-14T21:56:40+00:00",
          author: "Ada Example <ada@example.invalid>")),
      // Medium on both counts, at the odd path, in one commit only.
      finding(
        2, rules[1], at: oddPath, 4, 10,
        commit: CommitInfo(
          sha: "00000000000000000000000000000000000000c2", time: 1_699_998_000, date: "2023-11-14T21:40:00+00:00",
          author: "Zoë Example <zoe@example.invalid>")),
      // Low on both counts, off git (`--no-git`): no commit, no blob. Its rule
      // is not in `rules`, so SARIF lists it by id alone.
      finding(3, rule("generic-secret-unquoted", "Secret assigned without quotes", .low, .low), at: "deploy/.env", 1, 16),
    ],
    stats: ScanStats(
      blobsScanned: 42, bytesScanned: 3_145_728, binaryBlobs: 1, archives: 1, skippedLarge: 2, skippedIgnoredPath: 3, commits: 7,
      unreachableBlobs: 0),
    warnings: ["submodule vendor/lib skipped: pass --recurse-submodules to scan it"])

  /// The rules the scan ran with, for SARIF's driver: two that found
  /// something and one that found nothing.
  static let rules = [
    rule("django-secret-key", "Django SECRET_KEY", .critical, .high),
    rule("generic-password", "Password assigned in configuration", .medium, .medium),
    rule("aws-access-key-id", "AWS access key id", .high, nil),
  ]

  /// Finding `n` of `rule`: its secret is `secrets[n - 1]`, its id and blob
  /// end in `n`; off git (no commit) it has no blob.
  static func finding(
    _ n: Int, _ rule: Rule, at path: String, _ line: Int, _ column: Int, otherCommits: Int = 0, commit: CommitInfo? = nil
  ) -> Finding {
    Finding(
      rule: rule.id, description: rule.description, severity: rule.severity, confidence: rule.confidence ?? .high, path: path,
      line: line, column: column, commit: commit, otherCommits: otherCommits,
      blob: commit.map { _ in "00000000000000000000000000000000000000b\(n)" }, secret: secrets[n - 1],
      secretHash: "0123456789abcdef000000000000000\(n)")
  }

  static func rule(_ id: String, _ description: String, _ severity: Rule.Severity, _ confidence: Rule.Confidence?) -> Rule {
    Rule(
      id: id, description: description, severity: severity, pattern: "unused by reports", keywords: [], confidence: confidence,
      examples: Rule.Examples(match: [], noMatch: []))
  }
}
