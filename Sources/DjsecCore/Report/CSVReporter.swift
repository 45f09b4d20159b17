/// `--format csv`: one row per finding (RFC 4180), for a spreadsheet or a
/// ticket import. A cell that a spreadsheet would run as a formula (`=`,
/// `+`, `-`, `@`, tab or carriage return first: a path from history is
/// anyone's text) is prefixed with an apostrophe, as OWASP advises.
public struct CSVReporter: Reporter {
  public static let identifier = "csv"

  public init() {}

  static let header = [
    "rule", "severity", "confidence", "path", "line", "column", "commit", "date", "author", "fingerprint", "id", "secret",
  ]

  public func render(_ result: ScanResult, options: ReportOptions) -> String {
    var out = Self.header.joined(separator: ",") + "\r\n"
    for f in result.findings {
      let cells = [
        f.rule, f.severity.rawValue, f.confidence.rawValue, f.path, String(f.line), String(f.column), f.commit?.sha ?? "",
        f.commit?.date ?? "", f.commit?.author ?? "", f.fingerprint, f.secretHash, options.showSecrets ? f.secret : "REDACTED",
      ]
      out += cells.map(Self.cell).joined(separator: ",") + "\r\n"
    }
    return out
  }

  static func cell(_ value: String) -> String {
    var v = value
    if let first = v.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { v = "'" + v }
    guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
    return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
