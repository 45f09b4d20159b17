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
