/// `--format text`: for people. Findings grouped by file, most severe first,
/// secrets redacted unless asked, a summary line at the end.
public struct TextReporter: Reporter {
  public static let identifier = "text"

  public init() {}

  public func render(_ result: ScanResult, options: ReportOptions) -> String {
    func paint(_ text: String, _ code: String) -> String { options.color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    var out = ""
    let byPath = Dictionary(grouping: result.findings, by: \.path)
    for path in byPath.keys.sorted() {
      out += paint(path, "1") + "\n"
      for f in byPath[path]!.sorted(by: { ($0.line, $0.column) < ($1.line, $1.column) }) {
        let color = f.severity >= .critical ? "31" : f.severity >= .high ? "33" : "36"
        let unsure = f.confidence < .high ? " (\(f.confidence.rawValue) confidence)" : ""
        out += "  \(f.line):\(f.column)  " + paint(f.severity.rawValue, color) + "  \(f.rule)  \(f.description)\(unsure)\n"
        if let c = f.commit {
          let also = f.otherCommits > 0 ? " (and \(f.otherCommits) other commit\(f.otherCommits == 1 ? "" : "s"))" : ""
          out += "      commit \(c.sha.prefix(12)) \(c.date) \(c.author)\(also)\n"
        }
        out += "      secret " + (options.showSecrets ? f.secret : "REDACTED (id \(f.secretHash))") + "\n"
      }
    }
    let s = result.stats
    let n = result.findings.count
    let summary =
      n == 0
      ? "no leaks found"
      : "\(n) leak\(n == 1 ? "" : "s") found"
    out += paint(summary, n == 0 ? "32" : "31;1")
    out += " (\(s.blobsScanned) blobs, \(s.bytesScanned / 1_048_576) MiB scanned"
    if s.commits > 0 { out += ", \(s.commits) commits" }
    if s.skippedLarge > 0 { out += ", \(s.skippedLarge) too large skipped" }
    if s.binaryBlobs > 0 { out += ", \(s.binaryBlobs) binary read for strings" }
    out += ")\n"
    return out
  }
}

extension TextReporter: AuditReporter {
  /// Findings most severe first, each with its fix; then the checks that
  /// did not apply, and a summary.
  public func render(_ audit: AuditResult, options: ReportOptions) -> String {
    func paint(_ text: String, _ code: String) -> String { options.color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    var out = ""
    let findings = audit.findings.enumerated().sorted { ($1.element.severity, $0.offset) < ($0.element.severity, $1.offset) }.map(\.element)
    for f in findings {
      let color = f.severity >= .critical ? "31" : f.severity >= .high ? "33" : "36"
      out += paint(f.severity.rawValue, color) + "  " + paint(f.check, "1") + "  \(f.message)\n"
      if let path = f.path { out += "      at \(path)\(f.line.map { ":\($0)" } ?? "")\n" }
      out += "      fix: \(f.fix)\n"
    }
    var passed = 0
    var skipped: [(String, String)] = []
    for (check, outcome) in audit.outcomes {
      switch outcome {
      case .passed: passed += 1
      case .notApplicable(let why): skipped.append((check.id, why))
      case .failed: break
      }
    }
    if !skipped.isEmpty {
      out += "not applicable here:\n"
      for (id, why) in skipped { out += "  \(id): \(why)\n" }
    }
    let n = findings.count
    out += paint(n == 0 ? "no problems found" : "\(n) problem\(n == 1 ? "" : "s") found", n == 0 ? "32" : "31;1")
    out += " (\(passed) check\(passed == 1 ? "" : "s") passed, \(skipped.count) not applicable)\n"
    return out
  }
}
